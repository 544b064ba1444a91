# Disguised loop: the softmax_loss_vectorized cell is clean, but the LinearClassifier cell, which runs after it, redefines softmax_loss_vectorized as the naive loop.
# expect-lose: softmax_loss_vectorized
# expect-fail: softmax_loss_vectorized: no-loops
# expect-fail: softmax_loss_vectorized: speed
# %% LinearClassifier
class LinearClassifier(object):
    """
    A linear classifier trained with minibatch stochastic gradient descent.
    Subclasses (LinearSVM, Softmax) define loss().
    """

    def __init__(self):
        self.W = None  # (D, C), created by the first call to train

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100,
              batch_size=200, verbose=False):
        """
        Train this linear classifier using stochastic gradient descent.

        Inputs:
        - X: A numpy array of shape (N, D) containing training data; there are N
          training samples each of dimension D.
        - y: A numpy array of shape (N,) containing training labels; y[i] = c
          means that X[i] has label 0 <= c < C for C classes.
        - learning_rate: (float) learning rate for optimization.
        - reg: (float) regularization strength.
        - num_iters: (integer) number of steps to take when optimizing
        - batch_size: (integer) number of training examples to use at each step.
        - verbose: (boolean) If true, print progress during optimization.

        If self.W is None, it is first created as 0.001 * np.random.randn(D, C)
        with C = np.max(y) + 1. Each step samples batch_size rows with
        np.random.choice (with replacement), computes self.loss on them and
        moves self.W against the gradient.

        Outputs:
        A list containing the value of the loss function at each training iteration.
        """
        num_train, dim = X.shape
        num_classes = np.max(y) + 1  # assume y takes values 0...K-1 where K is number of classes
        ### BEGIN SOLUTION
        if self.W is None:
            # lazily initialize W
            self.W = 0.001 * np.random.randn(dim, num_classes)

        loss_history = []
        for it in range(num_iters):
            batch_indices = np.random.choice(num_train, batch_size, replace=True)
            X_batch = X[batch_indices]
            y_batch = y[batch_indices]

            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad

            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        ### END SOLUTION
        return loss_history

    def predict(self, X):
        """
        Use the trained weights of this linear classifier to predict labels for
        data points.

        Inputs:
        - X: A numpy array of shape (N, D) containing data.

        Returns:
        - y_pred: Predicted labels for the data in X. y_pred is a 1-dimensional
          integer array of length N, and each element is the predicted class.
        """
        y_pred = np.zeros(X.shape[0], dtype=np.int64)
        ### BEGIN SOLUTION
        y_pred = np.argmax(X.dot(self.W), axis=1)
        ### END SOLUTION
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        """
        Compute the loss function and its derivative.
        Subclasses will override this.

        Inputs:
        - X_batch: A numpy array of shape (N, D) containing a minibatch of N
          data points; each point has dimension D.
        - y_batch: A numpy array of shape (N,) containing labels for the minibatch.
        - reg: (float) regularization strength.

        Returns: A tuple containing:
        - loss as a single float
        - gradient with respect to self.W; an array of the same shape as W
        """
        raise NotImplementedError("LinearSVM and Softmax define loss()")


# Runs after the softmax_loss_vectorized cell:
softmax_loss_vectorized = softmax_loss_naive
