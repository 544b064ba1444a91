# Must pass: an independently written correct solution (broadcast differences, a Counter vote with an explicit smallest-label tie break, folds as index arrays), not derived from the reference.
# expect-lose:
# %% compute_distances_two_loops
def compute_distances_two_loops(X, X_train):
    out = np.empty((len(X), len(X_train)), dtype=np.float64)
    for a, x in enumerate(X):
        for b, t in enumerate(X_train):
            diff = x - t
            out[a, b] = np.sqrt(diff @ diff)
    return out

# %% compute_distances_one_loop
def compute_distances_one_loop(X, X_train):
    out = np.empty((len(X), len(X_train)), dtype=np.float64)
    for a in range(len(X)):
        out[a] = np.linalg.norm(X_train - X[a], axis=1)
    return out

# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    return np.sqrt(((X[:, None, :] - X_train[None]) ** 2).sum(-1))

# %% predict_labels
def predict_labels(dists, y_train, k=1):
    from collections import Counter

    out = np.empty(dists.shape[0], dtype=np.int64)
    for a, row in enumerate(dists):
        votes = Counter(y_train[np.argsort(row, kind="mergesort")[:k]].tolist())
        top = max(votes.values())
        out[a] = min(label for label, count in votes.items() if count == top)
    return out

# %% cross_validate
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    n = len(X_train)
    base, extra = divmod(n, num_folds)
    bounds = np.cumsum([0] + [base + (f < extra) for f in range(num_folds)])
    table = np.zeros((len(k_choices), num_folds), dtype=np.float64)
    for f in range(num_folds):
        val = np.arange(bounds[f], bounds[f + 1])
        train = np.concatenate([np.arange(bounds[f]), np.arange(bounds[f + 1], n)])
        d = compute_distances_no_loops(X_train[val], X_train[train])
        for a, k in enumerate(k_choices):
            table[a, f] = (predict_labels(d, y_train[train], k) == y_train[val]).mean()
    return table
