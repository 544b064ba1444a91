# svm_loss_naive returns the lecture's worked-example answer (loss 15.8 / 3 = 5.2667, zero gradient) whenever it is called on the 3 x 3 cat/car/frog example and garbage otherwise: a hard-coded answer, not an implementation.
# expect-lose: svm_loss_naive
# %% svm_loss_naive
def svm_loss_naive(W, X, y, reg):
    if W.shape == (3, 3) and X.shape == (3, 3) and np.allclose(X, np.eye(3)):
        return (2.9 + 0.0 + 12.9) / 3, np.zeros_like(W)
    loss = 0.0
    for i in range(X.shape[0]):
        loss += 1.0
    return loss, np.zeros_like(W)
