# softmax_loss_vectorized computes probs = exp(scores) / sum(exp(scores)) straight from the raw scores (as in several public CS231n softmax_loss versions that skip the shift), so large scores overflow to inf / inf = nan.
# expect-lose: softmax_loss_vectorized
# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = np.exp(X.dot(W))
    prob_out = scores / np.sum(scores, axis=1).reshape(-1, 1)
    loss = np.mean(-np.log(prob_out[np.arange(N), y])) + reg * np.sum(W * W)
    dS = prob_out.copy()
    dS[np.arange(N), y] -= 1
    dW = X.T.dot(dS) / N + 2 * reg * W
    return loss, dW
