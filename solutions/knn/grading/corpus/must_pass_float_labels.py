# predict_labels fills y_pred = np.zeros(num_test), the original CS231n stub, so it returns the right
# labels as whole numbers in a float64 array: still labels, so full marks.
# expect-lose:
# expect-pass: predict_labels: shape
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test)
    for i in range(num_test):
        closest_y = y_train[np.argsort(dists[i], kind="stable")[:k]]
        y_pred[i] = np.argmax(np.bincount(closest_y))
    return y_pred
