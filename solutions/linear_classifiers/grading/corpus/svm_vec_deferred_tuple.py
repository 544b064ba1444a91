# Deferred work: svm_loss_vectorized returns at once a tuple subclass whose __iter__ runs the naive loss only when the result is read, after the clock stops; reached through an alias.
# expect-lose: svm_loss_vectorized
# expect-fail: svm_loss_vectorized: no-loops
# expect-fail: svm_loss_vectorized: speed
# %% svm_loss_vectorized
class _Later(tuple):
    def __iter__(self):
        return iter(_impl(*self.args))

    def __getitem__(self, i):
        return list(self)[i]

    def __len__(self):
        return 2


_impl = svm_loss_naive


def svm_loss_vectorized(W, X, y, reg):
    result = _Later((0.0, W))
    result.args = (W.copy(), X.copy(), y.copy(), reg)
    return result
