# Disguised loop: svm_loss_vectorized calls a function it reads out of a dict, into which the naive double loop was stored by a method call (dict.update), not an assignment.
# expect-lose: svm_loss_vectorized
# expect-fail: svm_loss_vectorized: no-loops
# expect-fail: svm_loss_vectorized: speed
# expect-hint: svm_loss_vectorized: of svm_loss_naive
# %% svm_loss_vectorized
_LOSSES = {}
_LOSSES.update(svm=svm_loss_naive)


def svm_loss_vectorized(W, X, y, reg):
    return _LOSSES["svm"](W, X, y, reg)
