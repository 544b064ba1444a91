# compute_distances_no_loops just returns compute_distances_two_loops(X, X_train): right values, all the loops.
# expect-lose: compute_distances_no_loops
# expect-fail: compute_distances_no_loops: no-loops
# expect-pass: compute_distances_no_loops: large
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    dists = compute_distances_two_loops(X, X_train)
    return dists
