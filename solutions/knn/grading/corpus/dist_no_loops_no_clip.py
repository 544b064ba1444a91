# compute_distances_no_loops takes np.sqrt of ||x||^2 - 2 x.y + ||y||^2 without clipping: where a test point equals a training point rounding can make it slightly negative, and the distance nan.
# expect-lose: compute_distances_no_loops
# expect-fail: compute_distances_no_loops: duplicates
# expect-pass: compute_distances_no_loops: no-loops
# expect-hint: compute_distances_no_loops: clip at 0
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    dists = np.sqrt(-2 * np.dot(X, X_train.T) + np.sum(np.square(X_train), axis=1)
                    + np.sum(np.square(X), axis=1)[:, np.newaxis])
    return dists
