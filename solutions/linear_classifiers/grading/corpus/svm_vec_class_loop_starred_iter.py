# Disguised loop: svm_loss_vectorized loops over the 10 classes with iter(callable, sentinel), its two arguments starred from a tuple (no loop keyword, no call the check reads by name); as fast as array code at 10 classes.
# expect-lose: svm_loss_vectorized
# expect-fail: svm_loss_vectorized: no-loops
# expect-fail: svm_loss_vectorized: speed
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    num_train, num_classes = X.shape[0], W.shape[1]
    rows = np.arange(num_train)
    scores = X.dot(W)
    correct = scores[rows, y]
    margins = np.zeros_like(scores)
    state = [0]

    def next_class():
        j = state[0]
        if j == num_classes:
            return None
        margins[:, j] = np.maximum(0, scores[:, j] - correct + 1)
        state[0] = j + 1
        return j

    list(iter(*(next_class, None)))
    margins[rows, y] = 0
    loss = margins.sum() / num_train + reg * np.sum(W * W)
    counts = (margins > 0).astype(float)
    counts[rows, y] = -counts.sum(axis=1)
    return loss, X.T.dot(counts) / num_train + 2 * reg * W
