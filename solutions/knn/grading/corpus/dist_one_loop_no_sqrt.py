# compute_distances_one_loop forgets the square root: it returns squared Euclidean distances.
# expect-lose: compute_distances_one_loop
# expect-hint: compute_distances_one_loop: These are squared distances
# %% compute_distances_one_loop
def compute_distances_one_loop(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    for i in range(num_test):
        dists[i, :] = np.sum(np.square(X_train - X[i, :]), axis=1)
    return dists
