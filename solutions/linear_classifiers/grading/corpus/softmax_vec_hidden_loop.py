# softmax_loss_vectorized vectorizes the gradient but sums the loss with a generator over the examples (sum(-np.log(probs[i, y[i]]) for i in range(N))), a Python loop in the "no loops" version.
# expect-lose: softmax_loss_vectorized
# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = sum(-np.log(probs[i, y[i]]) for i in range(N)) / N + reg * np.sum(W * W)
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dW = X.T.dot(dscores) / N + 2 * reg * W
    return loss, dW
