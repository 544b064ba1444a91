# svm_loss_vectorized wraps a per-element hinge in np.vectorize, believing the name means it is vectorized (it is a Python loop over all N x C entries).
# expect-lose: svm_loss_vectorized
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    rows = np.arange(n)
    scores = X @ W
    diff = scores - scores[rows, y][:, None] + 1.0
    hinge = np.vectorize(lambda v: v if v > 0 else 0.0)
    margins = hinge(diff)
    margins[rows, y] = 0.0
    loss = margins.sum() / n + reg * (W * W).sum()
    g = (margins > 0) * 1.0
    g[rows, y] = -g.sum(axis=1)
    dW = X.T @ g / n + 2 * reg * W
    return loss, dW
