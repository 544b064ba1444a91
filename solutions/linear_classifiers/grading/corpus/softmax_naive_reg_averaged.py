# softmax_loss_naive adds the regularization before averaging, so reg * sum(W^2) and 2 * reg * W are both divided by N along with the data term.
# expect-lose: softmax_loss_naive
# %% softmax_loss_naive
def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W, dtype=np.float64)
    num_train = X.shape[0]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores = scores - np.max(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores))
        loss += -np.log(probs[y[i]])
        for j in range(W.shape[1]):
            dW[:, j] += (probs[j] - (j == y[i])) * X[i]
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    loss /= num_train
    dW /= num_train
    return loss, dW
