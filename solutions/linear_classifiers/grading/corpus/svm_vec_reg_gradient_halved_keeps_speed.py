# svm_loss_vectorized is right but for its regularization gradient, reg * W instead of 2 * reg * W (the 0.5 * reg convention of 2016). One slip, one deduction: it loses the regularized gradient checks and keeps its speed credit (its timed results are checked against that same slip).
# expect-lose: svm_loss_vectorized
# expect-fail: svm_loss_vectorized: reg-gradient
# expect-pass: svm_loss_vectorized: random-gradient
# expect-pass: svm_loss_vectorized: no-loops
# expect-pass: svm_loss_vectorized: speed
# expect-hint: svm_loss_vectorized: off by a factor 2
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(num_train), y][:, np.newaxis]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(num_train), y] = 0
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)
    binary = (margins > 0).astype(float)
    binary[np.arange(num_train), y] = -np.sum(binary, axis=1)
    dW = X.T.dot(binary) / num_train + reg * W
    return loss, dW
