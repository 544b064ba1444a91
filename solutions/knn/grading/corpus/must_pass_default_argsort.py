# The classic CS231n predict_labels: numpy's default np.argsort (not stable) and np.bincount's
# argmax. Equal distances may come in another order; that case is not graded, so it must get full marks.
# expect-lose:
# expect-pass: predict_labels: ties
# expect-pass: predict_labels: big-k
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        closest_y = y_train[np.argsort(dists[i])][:k]
        y_pred[i] = np.argmax(np.bincount(closest_y))
    return y_pred
