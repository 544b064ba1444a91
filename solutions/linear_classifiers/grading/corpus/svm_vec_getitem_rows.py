# Disguised loop: the per-example work sits in the __getitem__ of a class, and np.array(list(...)) makes Python call it once per example (the sequence protocol), with no loop written anywhere.
# expect-lose: svm_loss_vectorized
# expect-fail: svm_loss_vectorized: no-loops
# expect-fail: svm_loss_vectorized: speed
# %% svm_loss_vectorized
class _Rows:
    def __init__(self, W, X, y):
        self.W, self.X, self.y = W, X, y

    def __getitem__(self, i):
        if i >= self.X.shape[0]:
            raise IndexError(i)
        s = self.X[i].dot(self.W)
        m = np.maximum(0, s - s[self.y[i]] + 1)
        m[self.y[i]] = 0
        pos = (m > 0).astype(float)
        pos[self.y[i]] = -pos.sum()
        return np.concatenate([[m.sum()], np.outer(self.X[i], pos).ravel()])


def svm_loss_vectorized(W, X, y, reg):
    rows = np.array(list(_Rows(W, X, y)))
    num_train = X.shape[0]
    loss = rows[:, 0].sum() / num_train + reg * np.sum(W * W)
    dW = rows[:, 1:].sum(axis=0).reshape(W.shape) / num_train + 2 * reg * W
    return loss, dW
