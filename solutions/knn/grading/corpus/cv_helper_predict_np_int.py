# predict_labels uses np.int, which numpy 2 removed: it raises AttributeError. cross_validate, written right, calls it and fails too; its own logic is judged with stand-ins for the helpers, so it keeps its points and the report names the failing call.
# expect-zero: predict_labels
# expect-pass: cross_validate: small
# expect-pass: cross_validate: own-functions
# expect-hint: cross_validate: predict_labels raised AttributeError
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    num_test = dists.shape[0]
    y_pred = np.zeros(num_test, dtype=np.int)
    for i in range(num_test):
        closest_y = y_train[np.argsort(dists[i])[:k]]
        y_pred[i] = np.bincount(closest_y).argmax()
    return y_pred
