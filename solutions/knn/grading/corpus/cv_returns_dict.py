# cross_validate returns the CS231n-style dict {k: [accuracy per fold]} instead of the (len(k_choices), num_folds) array.
# expect-lose: cross_validate
# expect-hint: cross_validate: returned a dict
# expect-pass: cross_validate: own-functions
# %% cross_validate
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    X_train_folds = np.array_split(X_train, num_folds)
    y_train_folds = np.array_split(y_train, num_folds)
    k_to_accuracies = {}
    for k in k_choices:
        k_to_accuracies[k] = []
        for f in range(num_folds):
            X_tr = np.concatenate(X_train_folds[:f] + X_train_folds[f + 1:])
            y_tr = np.concatenate(y_train_folds[:f] + y_train_folds[f + 1:])
            y_val_pred = predict_labels(compute_distances_no_loops(X_train_folds[f], X_tr), y_tr, k=k)
            k_to_accuracies[k].append(np.mean(y_val_pred == y_train_folds[f]))
    return k_to_accuracies
