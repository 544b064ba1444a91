# svm_loss_vectorized moves the per-example loop into a helper function of the same cell (count_violations), so the loss function itself has no "for" but still loops over examples.
# expect-lose: svm_loss_vectorized
# %% svm_loss_vectorized
def count_violations(margins):
    counts = np.zeros(margins.shape[0])
    for i in range(margins.shape[0]):
        counts[i] = np.sum(margins[i] > 0)
    return counts


def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[rows, y][:, np.newaxis] + 1)
    margins[rows, y] = 0
    loss = margins.sum() / num_train + reg * np.sum(W * W)
    binary = (margins > 0).astype(float)
    binary[rows, y] = -count_violations(margins)
    dW = X.T.dot(binary) / num_train + 2 * reg * W
    return loss, dW
