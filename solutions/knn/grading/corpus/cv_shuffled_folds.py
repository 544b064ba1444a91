# cross_validate shuffles the training points before splitting them into folds, so its folds are not those of np.array_split(X_train, num_folds).
# expect-lose: cross_validate
# expect-pass: cross_validate: own-functions
# %% cross_validate
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    order = np.random.permutation(X_train.shape[0])
    X_train_folds = np.array_split(X_train[order], num_folds)
    y_train_folds = np.array_split(y_train[order], num_folds)
    accuracies = np.zeros((len(k_choices), num_folds))
    for f in range(num_folds):
        X_tr = np.concatenate(X_train_folds[:f] + X_train_folds[f + 1:])
        y_tr = np.concatenate(y_train_folds[:f] + y_train_folds[f + 1:])
        dists = compute_distances_no_loops(X_train_folds[f], X_tr)
        for a, k in enumerate(k_choices):
            accuracies[a, f] = np.mean(predict_labels(dists, y_tr, k) == y_train_folds[f])
    return accuracies
