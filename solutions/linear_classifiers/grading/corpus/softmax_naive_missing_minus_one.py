# softmax_loss_naive uses p_j * x_i for every class in the gradient, forgetting the -1 on the correct class (the -1 discussed in mantasu/cs231n issue #10).
# expect-lose: softmax_loss_naive
# %% softmax_loss_naive
def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W, dtype=np.float64)
    num_train = X.shape[0]
    num_classes = W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= scores.max()
        sum_exp = np.sum(np.exp(scores))
        loss += np.log(sum_exp) - scores[y[i]]
        for j in range(num_classes):
            p = np.exp(scores[j]) / sum_exp
            dW[:, j] += p * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW
