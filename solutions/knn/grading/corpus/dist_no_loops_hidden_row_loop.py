# Disguised loop: compute_distances_no_loops loops over the test points (as the one-loop version does) through iter(callable, sentinel) with its arguments starred from a tuple; at 40 test points such a loop is fast enough for the speed check, so only the loop check can see it.
# expect-lose: compute_distances_no_loops
# expect-fail: compute_distances_no_loops: no-loops
# expect-fail: compute_distances_no_loops: speed
# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    row = [0]

    def next_row():
        i = row[0]
        if i == X.shape[0]:
            return None
        dists[i] = np.sqrt(np.sum((X_train - X[i]) ** 2, axis=1))
        row[0] = i + 1
        return i

    list(iter(*(next_row, None)))
    return dists
