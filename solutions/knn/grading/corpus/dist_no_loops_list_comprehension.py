# compute_distances_no_loops builds each row with a list comprehension over the test points: right values, but still a Python loop.
# expect-lose: compute_distances_no_loops
# expect-fail: compute_distances_no_loops: no-loops
# expect-pass: compute_distances_no_loops: large
# expect-hint: compute_distances_no_loops: list comprehension
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    dists = np.array([np.sqrt(np.sum((X_train - x) ** 2, axis=1)) for x in X])
    return dists.reshape(X.shape[0], X_train.shape[0])
