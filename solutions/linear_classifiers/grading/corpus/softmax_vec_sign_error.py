# softmax_loss_vectorized writes the score gradient as onehot(y) - probs instead of probs - onehot(y), so the data part of dW has the wrong sign.
# expect-lose: softmax_loss_vectorized
# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    S = X.dot(W)
    S = S - np.max(S, axis=1, keepdims=True)
    P = np.exp(S)
    P /= P.sum(axis=1, keepdims=True)
    Y = np.zeros((N, C))
    Y[np.arange(N), y] = 1
    loss = -np.sum(Y * np.log(P)) / N + reg * np.sum(W * W)
    dW = X.T.dot(Y - P) / N + 2 * reg * W
    return loss, dW
