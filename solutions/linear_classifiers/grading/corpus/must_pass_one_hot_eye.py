# Must pass: the vectorized losses build a one-hot matrix of the labels with np.eye(C)[y] and work with it throughout (no fancy indexing by rows), a correct style that costs O(N*C) extra memory.
# expect-lose:
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    one_hot = np.eye(C)[y]
    scores = X @ W
    correct = np.sum(scores * one_hot, axis=1, keepdims=True)
    margins = np.maximum(0.0, scores - correct + 1.0) * (1.0 - one_hot)
    loss = margins.sum() / N + reg * np.sum(W * W)
    positive = (margins > 0).astype(X.dtype)
    coeff = positive - one_hot * positive.sum(axis=1, keepdims=True)
    dW = X.T @ coeff / N + 2 * reg * W
    return loss, dW

# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    one_hot = np.eye(C)[y]
    scores = X @ W
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.sum(one_hot * log_probs) / N + reg * np.sum(W * W)
    dW = X.T @ (np.exp(log_probs) - one_hot) / N + 2 * reg * W
    return loss, dW
