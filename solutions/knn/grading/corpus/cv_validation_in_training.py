# cross_validate trains on all of X_train, the validation fold included, so every validation point finds itself at distance 0.
# expect-lose: cross_validate
# expect-hint: cross_validate: The validation fold is also in the training set
# expect-pass: cross_validate: own-functions
# %% cross_validate
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    X_train_folds = np.array_split(X_train, num_folds)
    y_train_folds = np.array_split(y_train, num_folds)
    accuracies = np.zeros((len(k_choices), num_folds))
    for a, k in enumerate(k_choices):
        for f in range(num_folds):
            dists = compute_distances_no_loops(X_train_folds[f], X_train)
            y_val_pred = predict_labels(dists, y_train, k)
            accuracies[a, f] = np.mean(y_val_pred == y_train_folds[f])
    return accuracies
