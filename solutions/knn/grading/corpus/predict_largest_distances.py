# predict_labels sorts each row in decreasing order (np.argsort(-dists[i])), so the k farthest training points vote.
# expect-lose: predict_labels
# expect-hint: predict_labels: k farthest training points
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        closest_y = y_train[np.argsort(-dists[i], kind="stable")[:k]]
        y_pred[i] = np.argmax(np.bincount(closest_y))
    return y_pred
