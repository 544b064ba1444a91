# compute_distances_no_loops hides a per-pair Python call in np.vectorize over index grids.
# expect-lose: compute_distances_no_loops
# expect-fail: compute_distances_no_loops: no-loops
# expect-hint: compute_distances_no_loops: np.vectorize
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    pair = np.vectorize(lambda i, j: np.sqrt(np.sum((X[i] - X_train[j]) ** 2)))
    rows, cols = np.meshgrid(np.arange(X.shape[0]), np.arange(X_train.shape[0]), indexing="ij")
    return pair(rows, cols).astype(np.float64).reshape(X.shape[0], X_train.shape[0])
