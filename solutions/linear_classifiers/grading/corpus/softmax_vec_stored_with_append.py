# Disguised loop: softmax_loss_vectorized calls the last function of a list, into which the naive loop was put by list.append, not an assignment.
# expect-lose: softmax_loss_vectorized
# expect-fail: softmax_loss_vectorized: no-loops
# expect-fail: softmax_loss_vectorized: speed
# expect-hint: softmax_loss_vectorized: of softmax_loss_naive
# %% softmax_loss_vectorized
_implementations = []
_implementations.append(softmax_loss_naive)


def softmax_loss_vectorized(W, X, y, reg):
    return _implementations[-1](W, X, y, reg)
