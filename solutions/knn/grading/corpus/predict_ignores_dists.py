# predict_labels ignores the distances: every test point gets the most common training label (right only when k >= M, where all of them vote).
# expect-zero: predict_labels
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    return np.full(dists.shape[0], np.bincount(y_train).argmax(), dtype=np.int64)
