# rel_error averages the entry-wise relative errors with np.mean instead of taking the worst one (np.max), so one badly wrong entry is hidden by many good ones.
# expect-lose: rel_error
# %% rel_error
def rel_error(x, y):
    num = np.abs(np.asarray(x) - np.asarray(y))
    den = np.maximum(1e-8, np.abs(x) + np.abs(y))
    return np.mean(num / den)
