# compute_distances_two_loops fills the matrix training points first: it returns the (M, N) transpose.
# expect-lose: compute_distances_two_loops
# expect-hint: compute_distances_two_loops: it is transposed
# %% compute_distances_two_loops
def compute_distances_two_loops(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_train, num_test))
    for j in range(num_train):
        for i in range(num_test):
            dists[j, i] = np.sqrt(np.sum((X_train[j] - X[i]) ** 2))
    return dists
