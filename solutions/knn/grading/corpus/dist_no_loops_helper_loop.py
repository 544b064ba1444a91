# compute_distances_no_loops has no loop itself but calls a helper of its cell that loops over the test points.
# expect-lose: compute_distances_no_loops
# expect-fail: compute_distances_no_loops: no-loops
# expect-pass: compute_distances_no_loops: large
# %% compute_distances_no_loops
def row_distances(X, X_train):
    out = np.empty((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        out[i] = np.sqrt(np.sum((X_train - X[i]) ** 2, axis=1))
    return out


def compute_distances_no_loops(X, X_train):
    return row_distances(X, X_train)
