# Disguised loop: svm_loss_vectorized calls a clean helper of its cell, but the softmax_loss_naive cell, which runs after it and begins with the magic %xmode Plain (so it is not plain Python), redefines that helper as a loop over the examples.
# expect-lose: svm_loss_vectorized
# expect-fail: svm_loss_vectorized: no-loops
# expect-fail: svm_loss_vectorized: speed
# expect-hint: svm_loss_vectorized: of softmax_loss_naive
# %% svm_loss_vectorized
def _hinge(scores, y):
    """(N, C) margins max(0, s_j - s_y + 1), 0 at the correct class."""
    rows = np.arange(scores.shape[0])
    margins = np.maximum(0, scores - scores[rows, y][:, np.newaxis] + 1)
    margins[rows, y] = 0
    return margins


def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    margins = _hinge(X.dot(W), y)
    loss = margins.sum() / num_train + reg * np.sum(W * W)
    coeff = (margins > 0).astype(X.dtype)
    coeff[np.arange(num_train), y] = -coeff.sum(axis=1)
    dW = X.T.dot(coeff) / num_train + 2 * reg * W
    return loss, dW

# %% softmax_loss_naive
%xmode Plain


def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W, dtype=np.float64)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores = scores - np.max(scores)
        exp_scores = np.exp(scores)
        sum_exp = np.sum(exp_scores)
        probs = exp_scores / sum_exp
        loss += np.log(sum_exp) - scores[y[i]]
        for j in range(num_classes):
            dW[:, j] += (probs[j] - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def _hinge(scores, y):
    margins = np.zeros_like(scores)
    for i in range(scores.shape[0]):
        margins[i] = np.maximum(0, scores[i] - scores[i, y[i]] + 1)
        margins[i, y[i]] = 0
    return margins
