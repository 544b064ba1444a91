# Disguised loop: compute_distances_no_loops calls a function it reads out of a dict, into which the one-loop version was stored by a method call (dict.setdefault), not an assignment.
# expect-lose: compute_distances_no_loops
# expect-fail: compute_distances_no_loops: no-loops
# expect-fail: compute_distances_no_loops: speed
# expect-hint: compute_distances_no_loops: of compute_distances_one_loop
# %% compute_distances_no_loops
_methods = {}
_methods.setdefault("fast", compute_distances_one_loop)


def compute_distances_no_loops(X, X_train):
    return _methods["fast"](X, X_train)
