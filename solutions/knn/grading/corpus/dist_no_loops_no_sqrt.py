# compute_distances_no_loops forgets the square root (squared distances); cross_validate, which uses it, still ranks the neighbours the same way and keeps its marks.
# expect-lose: compute_distances_no_loops
# expect-hint: compute_distances_no_loops: These are squared distances
# expect-pass: compute_distances_no_loops: no-loops
# expect-pass: compute_distances_no_loops: speed
# expect-pass: cross_validate: small
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    test_sq = np.sum(X ** 2, axis=1, keepdims=True)
    train_sq = np.sum(X_train ** 2, axis=1)
    dists = test_sq + train_sq - 2 * X.dot(X_train.T)
    return np.maximum(dists, 0)
