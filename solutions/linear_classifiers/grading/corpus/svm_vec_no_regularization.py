# svm_loss_vectorized leaves regularization out entirely, from both the loss and the gradient (as in the broartem/snippets numpy-ml.md SVM snippet, which has no reg term at all).
# expect-lose: svm_loss_vectorized
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct_class_scores = scores[np.arange(num_train), y]
    margin = np.maximum(0, scores - correct_class_scores[:, None] + 1)
    margin[np.arange(num_train), y] = 0
    indicator = (margin > 0).astype(np.float64)
    indicator[np.arange(num_train), y] = -indicator.sum(axis=1)
    loss = np.sum(margin) / num_train
    dW = X.T.dot(indicator) / num_train
    return loss, dW
