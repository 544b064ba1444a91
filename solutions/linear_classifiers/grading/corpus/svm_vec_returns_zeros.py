# Computes nothing: svm_loss_vectorized returns (0.0, np.zeros_like(W)), which has the right shape, no loops, is fast and is consistent with itself, and must earn nothing.
# expect-zero: svm_loss_vectorized
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    return 0.0, np.zeros_like(W)
