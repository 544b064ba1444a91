# Disguised loop: compute_distances_no_loops calls a clean helper of its cell, but the predict_labels cell, which runs after it and is a %%time cell (not plain Python), redefines that helper as a loop over the test points.
# expect-lose: compute_distances_no_loops
# expect-fail: compute_distances_no_loops: no-loops
# expect-fail: compute_distances_no_loops: speed
# expect-hint: compute_distances_no_loops: of predict_labels
# %% compute_distances_no_loops
def _squared_distances(X, X_train):
    """(N, M) squared distances, clipped at 0."""
    test_sq = np.sum(X ** 2, axis=1)[:, np.newaxis]
    train_sq = np.sum(X_train ** 2, axis=1)[np.newaxis, :]
    return np.maximum(test_sq - 2.0 * X.dot(X_train.T) + train_sq, 0.0)


def compute_distances_no_loops(X, X_train):
    X = np.asarray(X, dtype=np.float64)
    X_train = np.asarray(X_train, dtype=np.float64)
    return np.sqrt(_squared_distances(X, X_train))

# %% predict_labels
%%time
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        nearest = np.argsort(dists[i], kind="stable")[:k]
        y_pred[i] = np.bincount(y_train[nearest]).argmax()
    return y_pred


def _squared_distances(X, X_train):
    out = np.empty((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        out[i] = np.sum((X_train - X[i]) ** 2, axis=1)
    return out
