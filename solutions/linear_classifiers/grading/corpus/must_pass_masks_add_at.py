# Must pass: an independent correct solution built on boolean masks and np.add.at (unravel_index loops, indices drawn with np.random.randint), not derived from the reference.
# expect-lose:
# %% rel_error
def rel_error(x, y):
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    y = np.atleast_1d(np.asarray(y, dtype=np.float64))
    den = np.abs(x) + np.abs(y)
    den[den < 1e-8] = 1e-8
    return float(np.max(np.abs(x - y) / den))

# %% eval_numerical_gradient
def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    grad = np.zeros(x.shape)
    for k in range(x.size):
        ix = np.unravel_index(k, x.shape)
        base = x[ix]
        x[ix] = base + h
        hi = f(x)
        x[ix] = base - h
        lo = f(x)
        x[ix] = base
        grad[ix] = (hi - lo) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad

# %% grad_check_sparse
def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    picks = np.random.randint(0, x.size, size=num_checks)
    errors = np.zeros(num_checks)
    for n, k in enumerate(picks):
        ix = np.unravel_index(k, x.shape)
        base = x[ix]
        x[ix] = base + h
        hi = f(x)
        x[ix] = base - h
        lo = f(x)
        x[ix] = base
        num = (hi - lo) / (2 * h)
        ana = analytic_grad[ix]
        both = abs(num) + abs(ana)
        errors[n] = 0.0 if both == 0 else abs(num - ana) / both
        print("numerical: %f analytic: %f, relative error: %e" % (num, ana, errors[n]))
    return errors

# %% svm_loss_naive
def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    loss = 0.0
    N = X.shape[0]
    for i in range(N):
        s = X[i].dot(W)
        m = s - s[y[i]] + 1.0
        hit = m > 0
        hit[y[i]] = False
        loss += m[hit].sum()
        dW[:, hit] += X[i][:, None]
        dW[:, y[i]] -= hit.sum() * X[i]
    loss = loss / N + reg * np.sum(W * W)
    dW = dW / N + 2 * reg * W
    return loss, dW

# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    rows = np.arange(N)
    S = X.dot(W)
    M = S - S[rows, y][:, None] + 1.0
    own = np.zeros(S.shape, dtype=bool)
    own[rows, y] = True
    active = (M > 0) & ~own
    loss = M[active].sum() / N + reg * np.sum(W * W)
    coef = active.astype(np.float64)
    np.add.at(coef, (rows, y), -active.sum(axis=1))
    dW = X.T.dot(coef) / N + 2 * reg * W
    return loss, dW

# %% softmax_loss_naive
def softmax_loss_naive(W, X, y, reg):
    dW = np.zeros_like(W, dtype=np.float64)
    loss = 0.0
    N, C = X.shape[0], W.shape[1]
    for i in range(N):
        s = X[i].dot(W)
        s = s - s.max()
        e = np.exp(s)
        z = e.sum()
        own = np.arange(C) == y[i]
        loss += np.log(z) - s[own][0]
        dW += np.outer(X[i], e / z - own)
    loss = loss / N + reg * np.sum(W * W)
    dW = dW / N + 2 * reg * W
    return loss, dW

# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    rows = np.arange(N)
    S = X.dot(W)
    S = S - S.max(axis=1, keepdims=True)
    E = np.exp(S)
    Z = E.sum(axis=1, keepdims=True)
    own = np.zeros(S.shape, dtype=bool)
    own[rows, y] = True
    loss = np.mean(np.log(Z[:, 0]) - S[own]) + reg * np.sum(W * W)
    dS = E / Z
    np.add.at(dS, (rows, y), -1.0)
    dW = X.T.dot(dS) / N + 2 * reg * W
    return loss, dW

# %% LinearClassifier
class LinearClassifier(object):
    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100,
              batch_size=200, verbose=False):
        num_train, dim = X.shape
        if self.W is None:
            self.W = 0.001 * np.random.randn(dim, np.max(y) + 1)
        history = []
        for it in range(num_iters):
            rows = np.random.randint(0, num_train, size=batch_size)
            loss, grad = self.loss(X[rows], y[rows], reg)
            history.append(loss)
            self.W = self.W - learning_rate * grad
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        return history

    def predict(self, X):
        return (X.dot(self.W)).argmax(axis=1)

    def loss(self, X_batch, y_batch, reg):
        raise NotImplementedError
