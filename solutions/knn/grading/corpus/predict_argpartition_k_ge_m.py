# predict_labels finds the k nearest with np.argpartition(row, k), which raises when k >= the number of training points (all of them should vote then).
# expect-lose: predict_labels
# expect-fail: predict_labels: big-k
# expect-hint: predict_labels: np.argpartition(..., k) fails
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        nearest = np.argpartition(dists[i], k)[:k]
        y_pred[i] = np.bincount(y_train[nearest]).argmax()
    return y_pred
