# Disguised loop: softmax_loss_vectorized folds the per-example losses with functools.reduce imported under another name (fold), one Python call per example.
# expect-lose: softmax_loss_vectorized
# expect-fail: softmax_loss_vectorized: no-loops
# expect-fail: softmax_loss_vectorized: speed
# %% softmax_loss_vectorized
from functools import reduce as fold


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]

    def step(acc, i):
        scores = X[i].dot(W)
        scores = scores - scores.max()
        probs = np.exp(scores) / np.exp(scores).sum()
        loss, dW = acc
        probs[y[i]] -= 1
        return loss - np.log(probs[y[i]] + 1), dW + np.outer(X[i], probs)

    loss, dW = fold(step, np.arange(num_train), (0.0, np.zeros_like(W)))
    return loss / num_train + reg * np.sum(W * W), dW / num_train + 2 * reg * W
