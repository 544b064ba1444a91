# predict_labels votes with Counter.most_common(1) on the labels listed nearest first, so a vote tie goes to the label met first (the nearest), not the smaller one.
# expect-lose: predict_labels
# expect-fail: predict_labels: ties
# expect-pass: predict_labels: majority
# expect-hint: predict_labels: A tie in votes was broken toward the label of the nearest neighbour
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    from collections import Counter

    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int64)
    for i in range(num_test):
        closest_y = list(y_train[np.argsort(dists[i], kind="stable")[:k]])
        y_pred[i] = Counter(closest_y).most_common(1)[0][0]
    return y_pred
