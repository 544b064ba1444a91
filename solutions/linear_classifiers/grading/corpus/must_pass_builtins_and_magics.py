# Must pass: a correct solution with CS231n's notebook habits around it: `from __future__ import print_function` and `from builtins import range` (the first lines of CS231n's starter files since 2019), `%matplotlib inline`, `%load_ext autoreload`, `%autoreload 2` and a `%time` in the first graded cell, `%time` in the naive loss's cell and `from builtins import range, object` in the vectorized ones.
# expect-lose:
# expect-pass: svm_loss_vectorized: no-loops
# expect-pass: svm_loss_vectorized: speed
# expect-pass: softmax_loss_vectorized: no-loops
# expect-pass: softmax_loss_vectorized: speed
# %% rel_error
from __future__ import print_function
from builtins import range
%matplotlib inline
%load_ext autoreload
%autoreload 2


def rel_error(x, y):
    """ returns relative error """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


%time print('rel_error of equal arrays: %g' % rel_error(np.ones(3), np.ones(3)))

# %% svm_loss_naive
from builtins import range


def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1  # note delta = 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


%time loss_example, _ = svm_loss_naive(np.ones((3, 2)), np.ones((4, 3)), np.array([0, 1, 0, 1]), 0.0)

# %% svm_loss_vectorized
from builtins import range
from builtins import object


def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct = scores[range(num_train), y][:, np.newaxis]
    margins = np.maximum(0, scores - correct + 1)
    margins[range(num_train), y] = 0
    loss = margins.sum() / num_train + reg * np.sum(W * W)
    coeff = (margins > 0).astype(X.dtype)
    coeff[range(num_train), y] = -coeff.sum(axis=1)
    dW = X.T.dot(coeff) / num_train + 2 * reg * W
    return loss, dW

# %% softmax_loss_vectorized
from builtins import range


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores = scores - scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -log_probs[range(num_train), y].sum() / num_train + reg * np.sum(W * W)
    dscores = np.exp(log_probs)
    dscores[range(num_train), y] -= 1
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    return loss, dW
