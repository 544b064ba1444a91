# Must pass: the classic CS231n predict_labels, np.argsort(dists[i])[:k] with numpy's default (not stable) sort and np.argmax(np.bincount(...)); it differs from a stable sort only among training points at exactly equal distances.
# expect-lose:
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        closest_y = y_train[np.argsort(dists[i])][:k]
        y_pred[i] = np.argmax(np.bincount(closest_y))
    return y_pred
