# svm_loss_vectorized forgets margins[np.arange(N), y] = 0, so the correct class's own margin of 1 is counted in the loss and in the violation count of the gradient (cf. the X_mask fix in bruceoutdoors/CS231n issue #5).
# expect-lose: svm_loss_vectorized
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    idx = np.arange(N)
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[idx, y][:, None] + 1)
    loss = np.sum(margins) / N + reg * np.sum(W * W)
    X_mask = np.zeros(margins.shape)
    X_mask[margins > 0] = 1
    incorrect_counts = np.sum(X_mask, axis=1)
    X_mask[idx, y] = -incorrect_counts
    dW = X.T.dot(X_mask) / N + 2 * reg * W
    return loss, dW
