# Must pass: an independently written correct solution (math.fsum in the loops, an einsum expansion, an np.unique vote, boolean fold masks), not derived from the reference.
# expect-lose:
# %% compute_distances_two_loops
def compute_distances_two_loops(X, X_train):
    import math

    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        for j in range(X_train.shape[0]):
            dists[i][j] = math.sqrt(math.fsum((float(p) - float(q)) ** 2 for p, q in zip(X[i], X_train[j])))
    return dists

# %% compute_distances_one_loop
def compute_distances_one_loop(X, X_train):
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        diff = X_train - X[i]
        dists[i] = np.sqrt(np.einsum("md,md->m", diff, diff))
    return dists

# %% compute_distances_no_loops
def compute_distances_no_loops(X, X_train):
    sq = np.einsum("nd,nd->n", X, X)[:, None] + np.einsum("md,md->m", X_train, X_train)[None, :]
    sq -= 2.0 * np.einsum("nd,md->nm", X, X_train)
    np.clip(sq, 0.0, None, out=sq)
    return np.sqrt(sq)

# %% predict_labels
def predict_labels(dists, y_train, k=1):
    order = np.argsort(dists, axis=1, kind="stable")[:, :k]
    y_pred = np.zeros(dists.shape[0], dtype=np.int64)
    for i, idx in enumerate(order):
        labels, counts = np.unique(y_train[idx], return_counts=True)
        y_pred[i] = labels[np.argmax(counts)]
    return y_pred

# %% cross_validate
def cross_validate(X_train, y_train, k_choices, num_folds=5):
    fold_of = np.concatenate([np.full(len(part), f) for f, part in enumerate(np.array_split(np.arange(len(X_train)), num_folds))])
    accs = np.empty((len(k_choices), num_folds))
    for f in range(num_folds):
        val = fold_of == f
        dists = compute_distances_no_loops(X_train[val], X_train[~val])
        for a, k in enumerate(k_choices):
            accs[a, f] = np.mean(predict_labels(dists, y_train[~val], k=k) == y_train[val])
    return accs
