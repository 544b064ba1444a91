# Computes nothing: softmax_loss_vectorized returns log(10), the loss of uniform scores over 10 classes, whatever its input, with a zero gradient.
# expect-zero: softmax_loss_vectorized
# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    return np.log(10.0), np.zeros(W.shape)
