# LinearClassifier.predict returns the score matrix X.dot(self.W) of shape (N, C) instead of the predicted labels.
# expect-lose: LinearClassifier
# %% LinearClassifier
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
            batch_indices = np.random.choice(num_train, batch_size)
            X_batch, y_batch = X[batch_indices], y[batch_indices]
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        return loss_history

    def predict(self, X):
        y_pred = X.dot(self.W)
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError
