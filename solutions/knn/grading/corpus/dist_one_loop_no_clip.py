# compute_distances_one_loop uses the expansion ||x||^2 - 2 x.y + ||y||^2 row by row and takes np.sqrt without clipping: where a test point equals a training point rounding can make it slightly negative, and the distance nan. The duplicates check holds such points for every seed.
# expect-lose: compute_distances_one_loop
# expect-fail: compute_distances_one_loop: duplicates
# expect-pass: compute_distances_one_loop: random
# expect-hint: compute_distances_one_loop: clip at 0
# %% compute_distances_one_loop
def compute_distances_one_loop(X, X_train):
    num_test, num_train = X.shape[0], X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    train_sq = np.sum(np.square(X_train), axis=1)
    for i in range(num_test):
        dists[i, :] = np.sqrt(train_sq - 2 * np.dot(X_train, X[i]) + np.sum(np.square(X[i])))
    return dists
