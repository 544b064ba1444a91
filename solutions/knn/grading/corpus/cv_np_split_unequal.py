# cross_validate splits with np.split, which raises when num_folds does not divide the number of training points (np.array_split allows unequal folds).
# expect-lose: cross_validate
# expect-fail: cross_validate: uneven-folds
# expect-pass: cross_validate: small
# expect-hint: cross_validate: np.array_split allows folds
# %% cross_validate
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    X_train_folds = np.split(X_train, num_folds)
    y_train_folds = np.split(y_train, num_folds)
    accuracies = np.zeros((len(k_choices), num_folds))
    for f in range(num_folds):
        X_tr = np.concatenate(X_train_folds[:f] + X_train_folds[f + 1:])
        y_tr = np.concatenate(y_train_folds[:f] + y_train_folds[f + 1:])
        dists = compute_distances_no_loops(X_train_folds[f], X_tr)
        for a, k in enumerate(k_choices):
            accuracies[a, f] = np.mean(predict_labels(dists, y_tr, k) == y_train_folds[f])
    return accuracies
