# predict_labels computes nothing: it returns label 1 for every test point (the big-k case's majority label is always 1).
# expect-zero: predict_labels
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    return np.ones(dists.shape[0], dtype=np.int64)
