# svm_loss_vectorized computes each example's margins with np.apply_along_axis on a row function, which looks vectorized but calls Python once per example.
# expect-lose: svm_loss_vectorized
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    num_classes = W.shape[1]
    scores = X.dot(W)
    # append the label to each row so one function sees scores and label together
    packed = np.hstack([scores, y[:, None].astype(scores.dtype)])

    def row_margins(row):
        s, label = row[:num_classes], int(row[num_classes])
        m = np.maximum(0.0, s - s[label] + 1.0)
        m[label] = 0.0
        return m

    margins = np.apply_along_axis(row_margins, 1, packed)
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)
    coeff = (margins > 0).astype(np.float64)
    coeff[np.arange(num_train), y] = -np.sum(coeff, axis=1)
    dW = X.T.dot(coeff) / num_train + 2 * reg * W
    return loss, dW
