# compute_distances_one_loop sums the squared differences over axis 0 (the training points) instead of axis 1 (the features).
# expect-lose: compute_distances_one_loop
# expect-hint: compute_distances_one_loop: over the D coordinates (axis=1)
# %% compute_distances_one_loop
def compute_distances_one_loop(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    for i in range(num_test):
        dists[i] = np.sqrt(np.sum((X_train - X[i]) ** 2, axis=0))
    return dists
