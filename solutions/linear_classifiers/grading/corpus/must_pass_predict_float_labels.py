# LinearClassifier.predict fills CS231n's stub, y_pred = np.zeros(X.shape[0]), a float array of whole-number labels: labels are compared and counted, so it keeps every point (as knn's predict_labels does).
# expect-pass: LinearClassifier: predict
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
            indices = np.random.choice(num_train, batch_size)
            X_batch, y_batch = X[indices], y[indices]
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad
        return loss_history

    def predict(self, X):
        y_pred = np.zeros(X.shape[0])
        y_pred[:] = np.argmax(X.dot(self.W), axis=1)
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError
