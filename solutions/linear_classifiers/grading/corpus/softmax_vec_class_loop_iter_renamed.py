# Disguised loop: softmax_loss_vectorized loops over the classes with iter(callable, sentinel) called under another name (it = iter), the function handed to it out of a list; at 10 classes the loop is as fast as array code.
# expect-lose: softmax_loss_vectorized
# expect-fail: softmax_loss_vectorized: no-loops
# expect-fail: softmax_loss_vectorized: speed
# %% softmax_loss_vectorized
it = iter


def softmax_loss_vectorized(W, X, y, reg):
    num_train, num_classes = X.shape[0], W.shape[1]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    exp_scores = np.zeros_like(scores)
    state = {"j": 0}

    def next_column():
        j = state["j"]
        if j == num_classes:
            return None
        exp_scores[:, j] = np.exp(scores[:, j])
        state["j"] = j + 1
        return j

    list(it([next_column][0], None))
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    rows = np.arange(num_train)
    loss = -np.log(probs[rows, y]).sum() / num_train + reg * np.sum(W * W)
    probs[rows, y] -= 1
    return loss, X.T.dot(probs) / num_train + 2 * reg * W
