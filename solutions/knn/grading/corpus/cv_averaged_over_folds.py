# cross_validate averages each k's accuracies over the folds and returns shape (len(k_choices),).
# expect-lose: cross_validate
# expect-hint: cross_validate: not their mean
# expect-pass: cross_validate: own-functions
# %% cross_validate
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    X_train_folds = np.array_split(X_train, num_folds)
    y_train_folds = np.array_split(y_train, num_folds)
    mean_accuracy = np.zeros(len(k_choices))
    for a, k in enumerate(k_choices):
        scores = []
        for f in range(num_folds):
            X_tr = np.vstack(X_train_folds[:f] + X_train_folds[f + 1:])
            y_tr = np.hstack(y_train_folds[:f] + y_train_folds[f + 1:])
            y_val_pred = predict_labels(compute_distances_no_loops(X_train_folds[f], X_tr), y_tr, k)
            scores.append(np.mean(y_val_pred == y_train_folds[f]))
        mean_accuracy[a] = np.mean(scores)
    return mean_accuracy
