# softmax_loss_vectorized adds reg * np.sum(W * W) to the loss but forgets the 2 * reg * W term in the gradient.
# expect-lose: softmax_loss_vectorized
# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)
    scores -= scores.max(axis=1)[:, np.newaxis]
    exp_scores = np.exp(scores)
    probs = exp_scores / exp_scores.sum(axis=1)[:, np.newaxis]
    loss = np.sum(np.log(exp_scores.sum(axis=1)) - scores[rows, y]) / num_train
    loss += reg * np.sum(W * W)
    probs[rows, y] -= 1
    dW = X.T.dot(probs) / num_train
    return loss, dW
