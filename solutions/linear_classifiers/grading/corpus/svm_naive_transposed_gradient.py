# svm_loss_naive builds the gradient one row per class (dW[j] += X[i], the W-is-(C, D) layout of older CS231n versions and UCLA ece239as) and returns it with shape (C, D) instead of W's (D, C).
# expect-lose: svm_loss_naive
# %% svm_loss_naive
def svm_loss_naive(W, X, y, reg):
    D, C = W.shape
    N = X.shape[0]
    dW = np.zeros((C, D))
    loss = 0.0
    for i in range(N):
        scores = X[i].dot(W)
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1
            if margin > 0:
                loss += margin
                dW[j] += X[i]
                dW[y[i]] -= X[i]
    loss = loss / N + reg * np.sum(W * W)
    dW = dW / N + 2 * reg * W.T
    return loss, dW
