# softmax_loss_naive takes np.log10 of the correct-class probability (the "log" of the lecture slides read as base 10) instead of the natural log; the gradient is the natural-log one.
# expect-lose: softmax_loss_naive
# %% softmax_loss_naive
def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W, dtype=np.float64)
    N, C = X.shape[0], W.shape[1]
    for i in range(N):
        f = X[i].dot(W)
        f -= np.max(f)
        p = np.exp(f) / np.sum(np.exp(f))
        loss -= np.log10(p[y[i]])
        for j in range(C):
            dW[:, j] += (p[j] - (j == y[i])) * X[i]
    loss = loss / N + reg * np.sum(W * W)
    dW = dW / N + 2 * reg * W
    return loss, dW
