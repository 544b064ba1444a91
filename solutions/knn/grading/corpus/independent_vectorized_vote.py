# Must pass: an independently written correct solution (distances through np.linalg.norm of differences, a fully vectorized vote with np.add.at on a count table, folds sliced by hand), not derived from the reference.
# expect-lose:
# %% compute_distances_two_loops
def compute_distances_two_loops(X, X_train):
    num_test, num_train = len(X), len(X_train)
    dists = np.zeros((num_test, num_train))
    i = 0
    while i < num_test:
        j = 0
        while j < num_train:
            dists[i, j] = np.linalg.norm(X[i] - X_train[j])
            j += 1
        i += 1
    return dists

# %% compute_distances_one_loop
def compute_distances_one_loop(X, X_train):
    rows = []
    for x in X:
        rows.append(np.sqrt(np.square(X_train - x).sum(axis=1)))
    return np.array(rows, dtype=np.float64).reshape(len(X), len(X_train))

# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    return np.linalg.norm(X[:, np.newaxis, :] - X_train[np.newaxis, :, :], axis=2)

# %% predict_labels
def predict_labels(dists, y_train, k=1):
    k = min(k, dists.shape[1])
    nearest = np.argsort(dists, axis=1, kind="stable")[:, :k]
    labels = y_train[nearest]
    counts = np.zeros((dists.shape[0], int(y_train.max()) + 1), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(dists.shape[0]), k), labels.ravel()), 1)
    return counts.argmax(axis=1).astype(np.int64)

# %% cross_validate
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    n = X_train.shape[0]
    sizes = [n // num_folds + 1 if f < n % num_folds else n // num_folds for f in range(num_folds)]
    starts = [sum(sizes[:f]) for f in range(num_folds)]
    result = np.zeros((len(k_choices), num_folds))
    for f in range(num_folds):
        lo, hi = starts[f], starts[f] + sizes[f]
        X_val, y_val = X_train[lo:hi], y_train[lo:hi]
        X_tr = np.vstack([X_train[:lo], X_train[hi:]])
        y_tr = np.hstack([y_train[:lo], y_train[hi:]])
        dists = compute_distances_no_loops(X_val, X_tr)
        for a in range(len(k_choices)):
            result[a, f] = np.sum(predict_labels(dists, y_tr, k_choices[a]) == y_val) / len(y_val)
    return result
