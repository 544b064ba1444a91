# compute_distances_no_loops expands ||x - y||^2 with the wrong sign on the cross term (+2 x.y), computing ||x + y||.
# expect-lose: compute_distances_no_loops
# expect-hint: compute_distances_no_loops: The cross term has the wrong sign
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    test_sq = np.sum(np.square(X), axis=1)[:, np.newaxis]
    train_sq = np.sum(np.square(X_train), axis=1)[np.newaxis, :]
    dists = np.sqrt(np.maximum(test_sq + train_sq + 2 * np.dot(X, X_train.T), 0))
    return dists
