# Must pass: compute_distances_no_loops with (a - b)^2 = a^2 + b^2 - 2ab written with np.matmul and the @ operator, clipped with np.where before the square root.
# expect-lose:
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    squared = (X * X).sum(axis=1).reshape(-1, 1) + (X_train * X_train).sum(axis=1).reshape(1, -1) - 2 * (X @ X_train.T)
    return np.sqrt(np.where(squared > 0, squared, 0.0))
