# svm_loss_naive divides the loss by num_train but forgets "dW /= num_train", so the gradient is N times too large.
# expect-lose: svm_loss_naive
# %% svm_loss_naive
def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    loss = 0.0
    C = W.shape[1]
    N = X.shape[0]
    for i in range(N):
        s = X[i] @ W
        for j in range(C):
            if j == y[i]:
                continue
            m = s[j] - s[y[i]] + 1.0
            if m > 0:
                loss += m
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss = loss / N + reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW
