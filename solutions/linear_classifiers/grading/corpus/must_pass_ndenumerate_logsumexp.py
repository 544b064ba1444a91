# Must pass: an independent correct solution written with np.ndenumerate loops, take_along_axis/put_along_axis and a hand-written log-sum-exp (no scipy), not derived from the reference.
# expect-lose:
# %% rel_error
def rel_error(x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    gap = np.abs(x - y)
    size = np.abs(x) + np.abs(y)
    size = np.where(size > 1e-8, size, 1e-8)
    return float((gap / size).max())

# %% eval_numerical_gradient
def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    grad = np.zeros(x.shape, dtype=np.float64)
    for ix, value in np.ndenumerate(x.copy()):
        x[ix] = value + h
        right = f(x)
        x[ix] = value - h
        left = f(x)
        x[ix] = value
        grad[ix] = (right - left) / (2.0 * h)
        if verbose:
            print(ix, grad[ix])
    return grad

# %% grad_check_sparse
def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    errors = []
    for _ in range(num_checks):
        ix = np.unravel_index(np.random.randint(x.size), x.shape)
        value = x[ix]
        x[ix] = value + h
        right = f(x)
        x[ix] = value - h
        left = f(x)
        x[ix] = value
        numeric = (right - left) / (2.0 * h)
        analytic = float(analytic_grad[ix])
        scale = abs(numeric) + abs(analytic)
        errors.append(abs(numeric - analytic) / scale if scale > 0 else 0.0)
        print("numerical: %f analytic: %f, relative error: %e" % (numeric, analytic, errors[-1]))
    return np.asarray(errors, dtype=np.float64)

# %% svm_loss_naive
def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    loss = 0.0
    for i, (xi, yi) in enumerate(zip(X, y)):
        s = xi.dot(W)
        for (j,), sj in np.ndenumerate(s):
            if j == yi:
                continue
            margin = sj - s[yi] + 1.0
            if margin > 0:
                loss += margin
                dW[:, j] += xi
                dW[:, yi] -= xi
    n = len(y)
    return loss / n + reg * float(np.sum(W * W)), dW / n + 2.0 * reg * W

# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    n = len(y)
    labels = y.reshape(-1, 1)
    S = X.dot(W)
    M = np.maximum(S - np.take_along_axis(S, labels, axis=1) + 1.0, 0.0)
    np.put_along_axis(M, labels, 0.0, axis=1)
    G = np.sign(M)
    np.put_along_axis(G, labels, -G.sum(axis=1, keepdims=True), axis=1)
    return M.sum() / n + reg * float(np.sum(W * W)), X.T.dot(G) / n + 2.0 * reg * W

# %% softmax_loss_naive
def softmax_loss_naive(W, X, y, reg):
    dW = np.zeros_like(W, dtype=np.float64)
    loss = 0.0
    for i, (xi, yi) in enumerate(zip(X, y)):
        s = xi.dot(W)
        top = s.max()
        lse = top + np.log(np.exp(s - top).sum())
        loss += lse - s[yi]
        for (j,), sj in np.ndenumerate(s):
            p = np.exp(sj - lse)
            dW[:, j] += (p - 1.0) * xi if j == yi else p * xi
    n = len(y)
    return loss / n + reg * float(np.sum(W * W)), dW / n + 2.0 * reg * W

# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    n = len(y)
    labels = y.reshape(-1, 1)
    S = X.dot(W)
    top = S.max(axis=1, keepdims=True)
    lse = top + np.log(np.exp(S - top).sum(axis=1, keepdims=True))
    loss = float(np.mean(lse - np.take_along_axis(S, labels, axis=1)))
    P = np.exp(S - lse)
    np.put_along_axis(P, labels, np.take_along_axis(P, labels, axis=1) - 1.0, axis=1)
    return loss + reg * float(np.sum(W * W)), X.T.dot(P) / n + 2.0 * reg * W

# %% LinearClassifier
class LinearClassifier:
    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100,
              batch_size=200, verbose=False):
        n, d = X.shape
        if self.W is None:
            self.W = 0.001 * np.random.randn(d, int(np.max(y)) + 1)
        losses = []
        for step in range(num_iters):
            pick = np.random.choice(np.arange(n), size=batch_size, replace=True)
            value, grad = self.loss(X[pick], y[pick], reg)
            losses.append(value)
            np.subtract(self.W, learning_rate * grad, out=self.W)
            if verbose and step % 100 == 0:
                print("iteration %d / %d: loss %f" % (step, num_iters, value))
        return losses

    def predict(self, X):
        return np.argmax(X.dot(self.W), axis=1)

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError
