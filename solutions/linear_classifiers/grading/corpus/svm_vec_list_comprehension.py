# svm_loss_vectorized gets the right numbers but builds the margins with a list comprehension over the rows of X, so it is still a Python loop over the examples.
# expect-lose: svm_loss_vectorized
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    margins = np.array([np.maximum(0, s - s[label] + 1) for s, label in zip(scores, y)])
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
    mask = (margins > 0).astype(float)
    mask[np.arange(N), y] = -mask.sum(axis=1)
    dW = X.T.dot(mask) / N + 2 * reg * W
    return loss, dW
