# Disguised loop: softmax_loss_vectorized calls a clean helper of its cell, but the LinearClassifier cell, which runs after it and is a %%capture cell (not plain Python), redefines that helper as a loop over the examples.
# expect-lose: softmax_loss_vectorized
# expect-fail: softmax_loss_vectorized: no-loops
# expect-fail: softmax_loss_vectorized: speed
# expect-hint: softmax_loss_vectorized: of LinearClassifier
# %% softmax_loss_vectorized
def _log_softmax(scores):
    """(N, C) log-probabilities of each row of scores, computed without overflow."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    rows = np.arange(num_train)
    log_probs = _log_softmax(X.dot(W))
    loss = -log_probs[rows, y].sum() / num_train + reg * np.sum(W * W)
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    return loss, dW

# %% LinearClassifier
%%capture
class LinearClassifier(object):

    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100,
              batch_size=200, verbose=False):
        num_train, dim = X.shape
        num_classes = np.max(y) + 1
        if self.W is None:
            self.W = 0.001 * np.random.randn(dim, num_classes)
        loss_history = []
        for it in range(num_iters):
            batch_indices = np.random.choice(num_train, batch_size, replace=True)
            loss, grad = self.loss(X[batch_indices], y[batch_indices], reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        return loss_history

    def predict(self, X):
        return np.argmax(X.dot(self.W), axis=1)

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError("LinearSVM and Softmax define loss()")


def _log_softmax(scores):
    out = np.empty(scores.shape)
    for i in range(scores.shape[0]):
        shifted = scores[i] - scores[i].max()
        out[i] = shifted - np.log(np.exp(shifted).sum())
    return out
