# svm_loss_vectorized vectorizes over the classes but keeps a for loop over the examples (the "half-vectorized" L_i_vectorized of the CS231n linear-classification notes): correct values, but not the fully vectorized version asked for.
# expect-lose: svm_loss_vectorized
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    loss = 0.0
    dW = np.zeros(W.shape)
    for i in range(num_train):
        scores = X[i].dot(W)
        margins = np.maximum(0, scores - scores[y[i]] + 1)
        margins[y[i]] = 0
        loss += np.sum(margins)
        active = (margins > 0).astype(float)
        active[y[i]] = -np.sum(active)
        dW += np.outer(X[i], active)
    loss = loss / num_train + reg * np.sum(W * W)
    dW = dW / num_train + 2 * reg * W
    return loss, dW
