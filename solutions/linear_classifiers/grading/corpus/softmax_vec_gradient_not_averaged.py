# softmax_loss_vectorized averages the loss with np.mean but forgets to divide the gradient X.T.dot(dscores) by N.
# expect-lose: softmax_loss_vectorized
# expect-fail: softmax_loss_vectorized: own-gradient
# expect-pass: softmax_loss_vectorized: no-loops
# expect-pass: softmax_loss_vectorized: speed
# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    z = X @ W
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    loss = -np.mean(logp[np.arange(n), y]) + reg * np.sum(W ** 2)
    dz = np.exp(logp)
    dz[np.arange(n), y] -= 1
    dW = X.T @ dz + 2 * reg * W
    return loss, dW
