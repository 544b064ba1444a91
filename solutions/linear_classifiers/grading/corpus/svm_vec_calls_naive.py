# svm_loss_vectorized just returns svm_loss_naive(W, X, y, reg): right numbers, no loop in its own body, but no faster than the naive version.
# expect-lose: svm_loss_vectorized
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    """
    Multiclass SVM loss, vectorized implementation (no Python loops).
    """
    loss, dW = svm_loss_naive(W, X, y, reg)
    return loss, dW
