# LinearClassifier.train updates the weights with self.W += learning_rate * grad (gradient ascent) instead of subtracting the gradient.
# expect-lose: LinearClassifier
# %% LinearClassifier
class LinearClassifier:
    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100,
              batch_size=200, verbose=False):
        N, D = X.shape
        C = int(np.max(y)) + 1
        if self.W is None:
            self.W = 0.001 * np.random.randn(D, C)
        history = []
        for it in range(num_iters):
            idx = np.random.choice(N, batch_size)
            loss, grad = self.loss(X[idx], y[idx], reg)
            history.append(loss)
            self.W += learning_rate * grad
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:f}")
        return history

    def predict(self, X):
        return X.dot(self.W).argmax(axis=1)

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError
