# predict_labels skips the nearest training point ([1:k+1], as if each test point were its own nearest neighbour in the training set).
# expect-lose: predict_labels
# expect-hint: predict_labels: You skipped the nearest training point
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        order = np.argsort(dists[i], kind="stable")
        closest_y = y_train[order[1:k + 1]]
        y_pred[i] = np.argmax(np.bincount(closest_y))
    return y_pred
