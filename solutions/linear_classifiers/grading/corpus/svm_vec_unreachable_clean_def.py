# Disguised loop: the cell's first svm_loss_vectorized loops over examples; a clean-looking one under `if False:` never runs, but a check reading the last definition sees only it.
# expect-lose: svm_loss_vectorized
# expect-fail: svm_loss_vectorized: no-loops
# expect-fail: svm_loss_vectorized: speed
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    return svm_loss_naive(W, X, y, reg)


if False:
    def svm_loss_vectorized(W, X, y, reg):
        num_train = X.shape[0]
        scores = X.dot(W)
        margins = np.maximum(0, scores - scores[np.arange(num_train), y][:, None] + 1)
        margins[np.arange(num_train), y] = 0
        coeff = (margins > 0).astype(float)
        coeff[np.arange(num_train), y] = -coeff.sum(axis=1)
        return margins.sum() / num_train + reg * np.sum(W * W), X.T.dot(coeff) / num_train + 2 * reg * W
