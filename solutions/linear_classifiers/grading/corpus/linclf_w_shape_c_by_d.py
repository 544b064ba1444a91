# LinearClassifier creates W with shape (C, D) and scores with X.dot(W.T) (the W-is-(C, D) layout of older CS231n versions and UCLA ece239as), while this assignment's losses and checks use W of shape (D, C).
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
            self.W = 0.001 * np.random.randn(num_classes, dim)
        loss_history = []
        for it in range(num_iters):
            batch_indices = np.random.choice(num_train, batch_size)
            loss, grad = self.loss(X[batch_indices], y[batch_indices], reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        return loss_history

    def predict(self, X):
        return np.argmax(X.dot(self.W.T), axis=1)

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError
