# softmax_loss_vectorized forgets the regularization term in both the loss and the gradient; otherwise right and fast. It loses the regularized checks only: its structure (shape, own gradient, no loops, speed) is the credit of a declared slip.
# expect-lose: softmax_loss_vectorized
# expect-fail: softmax_loss_vectorized: reg-loss
# expect-fail: softmax_loss_vectorized: reg-gradient
# expect-pass: softmax_loss_vectorized: random-loss
# expect-pass: softmax_loss_vectorized: shape
# expect-pass: softmax_loss_vectorized: no-loops
# expect-pass: softmax_loss_vectorized: speed
# expect-hint: softmax_loss_vectorized: regularization term reg * np.sum(W * W) is missing
# %% softmax_loss_vectorized
def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(num_train), y]).mean()
    probs[np.arange(num_train), y] -= 1
    dW = X.T.dot(probs) / num_train
    return loss, dW
