# compute_distances_no_loops takes np.sqrt of ||x||^2 - 2 x.y + ||y||^2 without clipping: where a test point equals a training point rounding can make it slightly negative, and the distance nan.
# expect-lose: compute_distances_no_loops
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    dists = np.sqrt(-2 * np.dot(X, X_train.T) + np.sum(np.square(X_train), axis=1)
                    + np.sum(np.square(X), axis=1)[:, np.newaxis])
    return dists
