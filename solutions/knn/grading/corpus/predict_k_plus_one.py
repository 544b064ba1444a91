# predict_labels takes the k + 1 nearest neighbours (an inclusive slice [0:k+1]).
# expect-lose: predict_labels
# expect-hint: predict_labels: k + 1 nearest
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        closest_y = y_train[np.argsort(dists[i], kind="stable")[0:k + 1]]
        y_pred[i] = np.argmax(np.bincount(closest_y))
    return y_pred
