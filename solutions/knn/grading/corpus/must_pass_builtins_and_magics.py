# Must pass: a correct solution with CS231n's notebook habits around it: `from __future__ import print_function` and `from builtins import range` (the first lines of CS231n's starter files since 2019), `%matplotlib inline`, `%load_ext autoreload`, `%autoreload 2` in the first graded cell, `%time` in the one-loop cell and `from builtins import range, object` in the vectorized one.
# expect-lose:
# expect-pass: compute_distances_no_loops: no-loops
# expect-pass: compute_distances_no_loops: speed
# %% compute_distances_two_loops
from __future__ import print_function
from builtins import range
%matplotlib inline
%load_ext autoreload
%autoreload 2


def compute_distances_two_loops(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    for i in range(num_test):
        for j in range(num_train):
            dists[i, j] = np.sqrt(np.sum((X[i] - X_train[j]) ** 2))
    return dists

# %% compute_distances_one_loop
from builtins import range


def compute_distances_one_loop(X, X_train):
    num_test = X.shape[0]
    num_train = X_train.shape[0]
    dists = np.zeros((num_test, num_train))
    for i in range(num_test):
        dists[i, :] = np.sqrt(np.sum((X_train - X[i]) ** 2, axis=1))
    return dists


%time example = compute_distances_one_loop(np.zeros((2, 3)), np.ones((4, 3)))

# %% compute_distances_no_loops
from builtins import range
from builtins import object


def compute_distances_no_loops(X, X_train):
    test_sq = np.sum(np.square(X), axis=1).reshape(-1, 1)
    train_sq = np.sum(np.square(X_train), axis=1).reshape(1, -1)
    dists = np.sqrt(np.maximum(test_sq - 2.0 * np.dot(X, X_train.T) + train_sq, 0.0))
    return dists
