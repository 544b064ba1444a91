# Must pass: an independently written correct solution (one-hot matrices, einsum, ndindex), not derived from the reference.
# expect-lose:
# %% rel_error
def rel_error(x, y):
    a, b = np.abs(np.subtract(x, y)), np.add(np.abs(x), np.abs(y))
    return np.amax(a / np.clip(b, 1e-8, None))

# %% eval_numerical_gradient
def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    grad = np.empty_like(x, dtype=float)
    for ix in np.ndindex(*x.shape):
        saved = x[ix]
        x[ix] = saved + h
        up = f(x)
        x[ix] = saved - h
        down = f(x)
        x[ix] = saved
        grad[ix] = (up - down) / (2.0 * h)
        if verbose:
            print(ix, grad[ix])
    return grad

# %% grad_check_sparse
def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    out = []
    for _ in range(num_checks):
        ix = tuple(np.random.randint(0, n) for n in x.shape)
        saved = x[ix]
        x[ix] = saved + h
        up = f(x)
        x[ix] = saved - h
        down = f(x)
        x[ix] = saved
        num = (up - down) / (2.0 * h)
        ana = analytic_grad[ix]
        denom = abs(num) + abs(ana)
        out.append(0.0 if denom == 0 else abs(num - ana) / denom)
        print(f"numerical: {num:f} analytic: {ana:f}, relative error: {out[-1]:e}")
    return out

# %% svm_loss_naive
def svm_loss_naive(W, X, y, reg):
    n, c = X.shape[0], W.shape[1]
    total, grad = 0.0, np.zeros_like(W)
    for i in range(n):
        s = W.T @ X[i]
        for j in range(c):
            m = s[j] - s[y[i]] + 1.0
            if j != y[i] and m > 0:
                total += m
                grad[:, j] += X[i]
                grad[:, y[i]] -= X[i]
    return total / n + reg * (W ** 2).sum(), grad / n + reg * 2.0 * W

# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    n, c = X.shape[0], W.shape[1]
    onehot = np.eye(c)[y]
    s = X @ W
    m = np.maximum(s - np.einsum("nc,nc->n", s, onehot)[:, None] + 1.0, 0.0) * (1 - onehot)
    active = (m > 0) * 1.0
    coef = active - onehot * active.sum(axis=1, keepdims=True)
    return m.sum() / n + reg * (W ** 2).sum(), np.einsum("nd,nc->dc", X, coef) / n + reg * 2.0 * W

# %% softmax_loss_naive
def softmax_loss_naive(W, X, y, reg):
    n, c = X.shape[0], W.shape[1]
    total, grad = 0.0, np.zeros_like(W)
    for i in range(n):
        s = W.T @ X[i]
        s = s - s.max()
        lse = np.log(np.exp(s).sum())
        total += lse - s[y[i]]
        p = np.exp(s - lse)
        for j in range(c):
            grad[:, j] += (p[j] - (1.0 if j == y[i] else 0.0)) * X[i]
    return total / n + reg * (W ** 2).sum(), grad / n + reg * 2.0 * W

# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    n, c = X.shape[0], W.shape[1]
    s = X @ W
    s = s - s.max(axis=1, keepdims=True)
    lse = np.log(np.exp(s).sum(axis=1))
    onehot = np.eye(c)[y]
    loss = (lse - (s * onehot).sum(axis=1)).mean()
    p = np.exp(s - lse[:, None])
    return loss + reg * (W ** 2).sum(), X.T @ (p - onehot) / n + reg * 2.0 * W

# %% LinearClassifier
class LinearClassifier:
    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
        n, d = X.shape
        if self.W is None:
            self.W = 0.001 * np.random.randn(d, int(y.max()) + 1)
        history = []
        for step in range(num_iters):
            pick = np.random.choice(n, batch_size)
            value, grad = self.loss(X[pick], y[pick], reg)
            history.append(value)
            self.W = self.W - learning_rate * grad
            if verbose and step % 100 == 0:
                print(f"iteration {step} / {num_iters}: loss {value}")
        return history

    def predict(self, X):
        return (X @ self.W).argmax(axis=1)

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError
