# LinearClassifier.train returns only the last loss value (a float) instead of the list of losses of every iteration.
# expect-lose: LinearClassifier
# %% LinearClassifier
class LinearClassifier(object):
    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100,
              batch_size=200, verbose=False):
        num_train, dim = X.shape
        if self.W is None:
            self.W = 0.001 * np.random.randn(dim, np.max(y) + 1)
        loss = None
        for it in range(num_iters):
            sample = np.random.choice(num_train, batch_size)
            loss, grad = self.loss(X[sample], y[sample], reg)
            self.W -= learning_rate * grad
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        return loss

    def predict(self, X):
        return np.argmax(X.dot(self.W), axis=1)

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError
