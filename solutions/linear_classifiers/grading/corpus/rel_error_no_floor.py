# rel_error divides by |x| + |y| without the 1e-8 floor, so two equal zero arrays give 0/0 = nan (the floor is in every CS231n gradient_check.py rel_error; students drop it as "unnecessary").
# expect-lose: rel_error
# %% rel_error
def rel_error(x, y):
    """Maximum relative error between x and y."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    diff = np.abs(x - y)
    scale = np.abs(x) + np.abs(y)
    return float(np.max(diff / scale))
