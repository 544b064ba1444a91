# svm_loss_vectorized forgets the regularization term in the loss (reported for 0809zheng/CS231n-assignment2019, issue #91: invisible in the notebook's naive-vs-vectorized comparison because reg is tiny there) while the gradient has it.
# expect-lose: svm_loss_vectorized
# %% svm_loss_vectorized
def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct_class_scores = scores[np.arange(num_train), y].reshape(-1, 1)
    margins = np.maximum(0, scores - correct_class_scores + 1)
    margins[np.arange(num_train), y] = 0
    loss = np.sum(margins) / num_train
    margins[margins > 0] = 1
    row_sum = np.sum(margins, axis=1)
    margins[np.arange(num_train), y] = -row_sum
    dW = X.T.dot(margins) / num_train + 2 * reg * W
    return loss, dW
