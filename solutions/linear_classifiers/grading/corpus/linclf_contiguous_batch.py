# LinearClassifier.train picks a random start and slices X[start:start + batch_size]: every batch is a run of neighbouring rows, not a random sample (and near the end of X shorter than batch_size).
# expect-lose: LinearClassifier
# expect-fail: LinearClassifier: batches
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
            start = np.random.randint(num_train)
            X_batch = X[start:start + batch_size]
            y_batch = y[start:start + batch_size]
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        return loss_history

    def predict(self, X):
        return np.argmax(X.dot(self.W), axis=1)

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError
