# cross_validate computes the distances between all points once, with compute_distances_no_loops(X_train, X_train), and slices each fold's block out of it: as right as computing them fold by fold, and it uses both functions.
# expect-pass: cross_validate: own-functions
# %% cross_validate
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    folds = np.array_split(np.arange(X_train.shape[0]), num_folds)
    everything = compute_distances_no_loops(X_train, X_train)
    accuracies = np.zeros((len(k_choices), num_folds))
    for f in range(num_folds):
        val = folds[f]
        train = np.concatenate(folds[:f] + folds[f + 1:])
        dists = everything[np.ix_(val, train)]
        for a, k in enumerate(k_choices):
            accuracies[a, f] = np.mean(predict_labels(dists, y_train[train], k=k) == y_train[val])
    return accuracies
