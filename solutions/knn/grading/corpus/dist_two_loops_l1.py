# compute_distances_two_loops computes the L1 (Manhattan) distance instead of the L2 one.
# expect-lose: compute_distances_two_loops
# expect-hint: compute_distances_two_loops: These are L1 (Manhattan) distances
# %% compute_distances_two_loops
def compute_distances_two_loops(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    for i in range(num_test):
        for j in range(num_train):
            dists[i, j] = np.sum(np.abs(X[i] - X_train[j]))
    return dists
