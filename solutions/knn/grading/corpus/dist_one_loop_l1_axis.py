# compute_distances_one_loop uses np.linalg.norm with ord=1 (the L1 norm) over the rows of X_train - X[i].
# expect-lose: compute_distances_one_loop
# expect-hint: compute_distances_one_loop: These are L1 (Manhattan) distances
# %% compute_distances_one_loop
def compute_distances_one_loop(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    for i in range(num_test):
        dists[i, :] = np.linalg.norm(X_train - X[i], ord=1, axis=1)
    return dists
