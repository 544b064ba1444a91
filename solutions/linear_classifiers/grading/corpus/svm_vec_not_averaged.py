# One systematic slip: svm_loss_vectorized forgets to divide by N in both the loss and the gradient; its gradient agrees with its own loss, it has no loops and is fast, and it keeps the credit for those.
# expect-lose: svm_loss_vectorized
# expect-hint: svm_loss_vectorized: average the data loss over the N examples
# expect-pass: svm_loss_vectorized: shape
# expect-pass: svm_loss_vectorized: own-gradient
# expect-pass: svm_loss_vectorized: no-loops
# expect-pass: svm_loss_vectorized: speed
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[rows, y][:, np.newaxis] + 1)
    margins[rows, y] = 0
    loss = margins.sum() + reg * np.sum(W * W)
    coeff = (margins > 0).astype(float)
    coeff[rows, y] = -coeff.sum(axis=1)
    dW = X.T.dot(coeff) + 2 * reg * W
    return loss, dW
