# svm_loss_naive adds 2 * reg * W to the gradient but forgets to add reg * np.sum(W * W) to the loss.
# expect-lose: svm_loss_naive
# %% svm_loss_naive
def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    loss = 0.0
    n_cls = W.shape[1]
    n = X.shape[0]
    for i in range(n):
        scores = X[i].dot(W)
        for j in range(n_cls):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= n
    dW /= n
    dW += 2 * reg * W
    return loss, dW
