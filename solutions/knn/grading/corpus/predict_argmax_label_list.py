# predict_labels takes np.argmax over the vote count of each neighbour, in nearest-first order, so a vote tie goes to the nearer label, not the smaller one.
# expect-lose: predict_labels
# expect-fail: predict_labels: ties
# expect-pass: predict_labels: majority
# expect-hint: predict_labels: A tie in votes was broken toward the label of the nearest neighbour
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        closest_y = y_train[np.argsort(dists[i], kind="stable")[:k]]
        votes = [np.sum(closest_y == label) for label in closest_y]
        y_pred[i] = closest_y[np.argmax(votes)]
    return y_pred
