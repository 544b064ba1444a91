# compute_distances_no_loops returns np.matrix (built with np.matrix arithmetic); predict_labels, written for arrays, indexes its rows and breaks on a matrix inside cross_validate. compute_distances_no_loops loses its shape check; cross_validate's own logic is right and keeps its points, the report naming the failing call.
# expect-lose: compute_distances_no_loops
# expect-fail: compute_distances_no_loops: shape
# expect-pass: compute_distances_no_loops: random
# expect-pass: cross_validate: small
# expect-pass: cross_validate: own-functions
# expect-hint: cross_validate: compute_distances_no_loops returned a numpy.matrix
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    Xm, Tm = np.matrix(X), np.matrix(X_train)
    squared = np.sum(np.square(Xm), axis=1) - 2 * Xm * Tm.T + np.sum(np.square(Tm), axis=1).T
    return np.sqrt(np.maximum(squared, 0))
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        closest_y = y_train[np.argsort(dists[i])[:k]]
        y_pred[i] = np.bincount(closest_y).argmax()
    return y_pred
