# predict_labels sorts dists along axis 0 (over the test points) instead of along each row, so it picks the wrong neighbours.
# expect-lose: predict_labels
# expect-hint: predict_labels: The sort ran along the wrong axis
# %% predict_labels
def predict_labels(dists, y_train, k=1):
    nearest = np.argsort(dists, axis=0, kind="stable")[:, :k]
    closest_y = y_train[nearest]
    return np.array([np.argmax(np.bincount(row)) for row in closest_y], dtype=np.int64)
