# Disguised loop: svm_loss_vectorized calls the naive double loop through a module-level alias (_impl = svm_loss_naive), which a check following bare names does not see.
# expect-lose: svm_loss_vectorized
# expect-fail: svm_loss_vectorized: no-loops
# expect-fail: svm_loss_vectorized: speed
# %% svm_loss_vectorized
_impl = svm_loss_naive


def svm_loss_vectorized(W, X, y, reg):
    return _impl(W, X, y, reg)
