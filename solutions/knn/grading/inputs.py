"""Inputs for the hidden checks: the notebook's worked examples and random cases drawn from a seed.

Shapes follow the assignment's conventions: X (N, D) test points, X_train (M, D) training
points, dists (N, M), y_train (M,) int64 labels.
"""

from __future__ import annotations

import functools

import numpy as np

# -- distances -------------------------------------------------------------------------------
#: The notebook's worked example: test points (0, 0), (3, 4); training points (0, 0), (3, 0), (6, 8).
WORKED_X = np.array([[0.0, 0.0], [3.0, 4.0]])
WORKED_X_TRAIN = np.array([[0.0, 0.0], [3.0, 0.0], [6.0, 8.0]])
WORKED_DISTS = np.array([[0.0, 3.0, 10.0], [5.0, 4.0, 5.0]])

#: (N, M, D) of the random distance cases: a single pair, a single test point, a single
#: training point, one coordinate, a square case (a transposed result keeps its shape), and
#: larger ones.
DISTANCE_SHAPES = [(1, 1, 1), (1, 7, 3), (4, 1, 5), (3, 6, 1), (5, 5, 3), (6, 9, 4), (20, 30, 12)]


def worked_distances() -> dict:
    return {"X": WORKED_X.copy(), "X_train": WORKED_X_TRAIN.copy()}


def worked_like(rng: np.random.Generator) -> dict:
    """A worked example shaped like the notebook's (2 test points, 3 training points, D = 2),
    on small integer coordinates drawn for this submission: the hidden checks never reuse the
    hand-out's public inputs, whose answers the hand-out holds."""
    return {"X": rng.integers(-5, 6, size=(2, 2)).astype(np.float64),
            "X_train": rng.integers(-5, 6, size=(3, 2)).astype(np.float64)}


def distance_case(rng: np.random.Generator, n: int, m: int, d: int, dtype=np.float64) -> dict:
    """Points of unit spread around an offset of a few units (the norms are larger than the
    distances, as for images, so the expansion's cancellation is exercised a little)."""
    offset = rng.normal(0.0, 2.0, size=d)
    return {"X": (rng.normal(size=(n, d)) + offset).astype(dtype),
            "X_train": (rng.normal(size=(m, d)) + offset).astype(dtype)}


def _rows(square_norms, cross):
    """Row by row, as a one-loop solution computes them: row i from x_i alone."""
    return lambda X, Y: np.array([square_norms(Y, X[i]) - 2 * cross(Y, X[i]) for i in range(len(X))])


#: Squared distances by the expansion ||x||^2 - 2 x.y + ||y||^2, unclipped, in the orders and
#: with the operations students write it (whole matrices, and row by row as in one loop): each
#: rounds differently, and each can go below 0 where a test point equals a training point.
EXPANSIONS = [
    lambda X, Y: np.sum(X ** 2, axis=1)[:, None] + np.sum(Y ** 2, axis=1)[None, :] - 2 * X.dot(Y.T),
    lambda X, Y: -2 * np.dot(X, Y.T) + np.sum(np.square(Y), axis=1) + np.sum(np.square(X), axis=1)[:, np.newaxis],
    lambda X, Y: np.sum(X ** 2, axis=1, keepdims=True) - 2 * X @ Y.T + np.sum(Y ** 2, axis=1),
    lambda X, Y: (X * X).sum(1)[:, None] + (Y * Y).sum(1)[None, :] - 2 * np.matmul(X, Y.T),
    lambda X, Y: np.einsum("ij,ij->i", X, X)[:, None] + np.einsum("ij,ij->i", Y, Y) - 2 * X @ Y.T,
    lambda X, Y: np.linalg.norm(X, axis=1)[:, None] ** 2 + np.linalg.norm(Y, axis=1) ** 2 - 2 * X.dot(Y.T),
    _rows(lambda Y, x: np.sum(Y ** 2, axis=1) + np.sum(x ** 2), lambda Y, x: Y.dot(x)),
    _rows(lambda Y, x: np.sum(x ** 2) + np.sum(Y ** 2, axis=1), lambda Y, x: np.dot(Y, x)),
    _rows(lambda Y, x: np.sum(np.square(Y), axis=1) + np.dot(x, x), lambda Y, x: x.dot(Y.T)),
    _rows(lambda Y, x: (Y ** 2).sum(axis=1) + (x ** 2).sum(), lambda Y, x: Y @ x),
    _rows(lambda Y, x: np.einsum("ij,ij->i", Y, Y) + x @ x, lambda Y, x: Y @ x),
]


def duplicates_case(rng: np.random.Generator, n: int = 12, m: int = 16, d: int = 5, copies: int = 10) -> dict:
    """Test points 0..copies-1 are copies of training points (distance 0), at offsets of
    several sizes, drawn until every way of writing the expansion in EXPANSIONS goes below 0 at
    one copy at least (where an unclipped sqrt gives nan): the edge case this check exists for
    is in it whatever the seed."""
    for _ in range(500):
        scale = np.exp(rng.uniform(0.0, 3.0, size=(m, 1)))  # offsets from ~1 to ~20: each rounds its own way
        X_train = rng.normal(0.0, 1.0, size=(m, d)) * 3.0 + rng.normal(0.0, 1.0, size=d) * scale
        X = rng.normal(0.0, 1.0, size=(n, d)) * 3.0 + X_train.mean(axis=0)
        picks = rng.choice(m, size=copies, replace=False)
        X[:copies] = X_train[picks]
        if all(np.any(expansion(X, X_train)[np.arange(copies), picks] < 0) for expansion in EXPANSIONS):
            return {"X": X, "X_train": X_train}
    raise RuntimeError("no duplicates case puts every expansion below 0 (the draws are too few)")


def pixels_case(rng: np.random.Generator, n: int = 4, m: int = 12, d: int = 3072) -> dict:
    """Integer pixel values 0..255 given as float64 (a CIFAR-10-sized D). Test image 0 is a
    training image; test image 1 is a training image with one pixel changed by 1 (distance 1);
    test image 2 one with two pixels changed by 3 and 4 (distance 5); test image 3 is new."""
    X_train = rng.integers(0, 256, size=(m, d)).astype(np.float64)
    X = rng.integers(0, 256, size=(n, d)).astype(np.float64)
    picks = rng.choice(m, size=3, replace=False)
    X[:3] = X_train[picks]
    p, q = rng.choice(d, size=2, replace=False)
    X[1, p] += 1.0 if X[1, p] < 255 else -1.0
    X[2, p] += 3.0 if X[2, p] <= 252 else -3.0
    X[2, q] += 4.0 if X[2, q] <= 251 else -4.0
    return {"X": X, "X_train": X_train}


def float32_case(rng: np.random.Generator, n: int = 6, m: int = 8, d: int = 5) -> dict:
    return distance_case(rng, n, m, d, dtype=np.float32)


def large_case(rng: np.random.Generator, n: int = 200, m: int = 500, d: int = 64) -> dict:
    return distance_case(rng, n, m, d)


# -- predict_labels ----------------------------------------------------------------------------
#: The notebook's worked example: two test points, five training points labelled [0, 1, 1, 2, 0].
WORKED_DISTS_PREDICT = np.array([[1.0, 2.5, 3.0, 0.5, 1.5], [2.0, 1.0, 0.5, 1.0, 3.0]])
WORKED_Y_TRAIN = np.array([0, 1, 1, 2, 0], dtype=np.int64)
#: k -> the expected labels (k = 8 > M = 5: every training point votes).
WORKED_LABELS = {1: [2, 1], 3: [0, 1], 5: [0, 0], 8: [0, 0]}


def worked_labels_like(rng: np.random.Generator) -> list[dict]:
    """Cases shaped like the notebook's worked example (2 test points, 5 training points of 3
    labels; k = 1, 3, 5 and 8, the last more than the training points), drawn for this
    submission with no tie in any vote (ties have their own check), and with a nearest
    neighbour's label that is not the most common training label (with k = 5 and 8 all the
    training points vote: a function that ignores the distances and returns that label for
    every row would otherwise pass whenever k = 1 and 3 happened to agree with it)."""
    while True:
        dists = rng.permutation(np.arange(1, 11) * 0.5).reshape(2, 5)
        y_train = rng.integers(0, 3, size=5).astype(np.int64)
        everyone = np.bincount(y_train).argmax()
        if not any(vote_tied(dists, y_train, k).any() for k in (3, 5, 8)) \
                and np.any(y_train[np.argmin(dists, axis=1)] != everyone):
            return [{"dists": dists.copy(), "y_train": y_train.copy(), "k": k} for k in (1, 3, 5, 8)]


def vote_counts(dists: np.ndarray, y_train: np.ndarray, k: int) -> np.ndarray:
    """(N, C) votes of the k nearest (stable order) of every row."""
    classes = int(y_train.max()) + 1
    nearest = np.argsort(dists, axis=1, kind="stable")[:, :k]
    return np.stack([np.bincount(y_train[row], minlength=classes) for row in nearest])


def vote_tied(dists: np.ndarray, y_train: np.ndarray, k: int) -> np.ndarray:
    """Which rows have two or more labels with the most votes."""
    counts = vote_counts(dists, y_train, k)
    return np.sum(counts == counts.max(axis=1, keepdims=True), axis=1) > 1


def label_case(rng: np.random.Generator, n: int, m: int, classes: int, k: int, ties: bool = False) -> dict:
    """Continuous distances (no two equal) and random labels; with ``ties`` False only rows
    whose vote has a single winner are kept (so a tie-break slip costs only the tie check)."""
    rows, labels = [], rng.integers(0, classes, size=m).astype(np.int64)
    labels[: classes] = np.arange(classes)  # every class present
    rng.shuffle(labels)
    while len(rows) < n:
        row = rng.uniform(0.5, 10.0, size=(1, m))
        if ties or k == 1 or not vote_tied(row, labels, k)[0]:
            rows.append(row[0])
    return {"dists": np.array(rows), "y_train": labels, "k": int(k)}


def tie_case(rng: np.random.Generator, n: int = 12, m: int = 30, classes: int = 5, k: int = 6) -> dict:
    """Every row's k = 6 nearest have a tie in votes. Listed nearest first, their labels are
    (rows i % 3 == 0) L, then L L S S S in some order, with S < L: 3 + 3 votes; (== 1) M, then
    M A A Z Z in some order, with A < M < Z: 2 + 2 + 2; (== 2) C, B, then B A A D in some order,
    with A < B tied at 2 votes and C, D single votes. The smallest tied label (S, A, A) must win;
    the label of the nearest point (L, M, C), the first tied label seen (L, M, B) and the largest
    tied label (L, Z, B) are all wrong somewhere."""
    y_train = np.arange(m, dtype=np.int64) % classes
    rng.shuffle(y_train)
    rows = []
    for i in range(n):
        if i % 3 == 0:
            small, large = sorted(rng.choice(classes, size=2, replace=False))
            labels = [large, *rng.permutation([large, large, small, small, small])]
        elif i % 3 == 1:
            low, middle, high = sorted(rng.choice(classes, size=3, replace=False))
            labels = [middle, *rng.permutation([middle, low, low, high, high])]
        else:
            a, b, c, d = rng.choice(classes, size=4, replace=False)
            a, b = min(a, b), max(a, b)
            labels = [c, b, *rng.permutation([b, a, a, d])]
        pools = {int(label): list(rng.permutation(np.flatnonzero(y_train == label))) for label in set(labels)}
        order = [pools[int(label)].pop() for label in labels]
        row = rng.uniform(5.0, 10.0, size=m)
        row[order] = np.sort(rng.uniform(0.5, 4.0, size=k))
        rows.append(row)
    return {"dists": np.array(rows), "y_train": y_train, "k": int(k)}


def big_k_case(rng: np.random.Generator, n: int = 5) -> dict:
    """k = 10 > M = 6: every training point votes, and label 1 has the most votes; the nearest
    point of every row has another label (so a 1-nearest-neighbour answer differs)."""
    y_train = np.array([0, 1, 2, 1, 2, 1], dtype=np.int64)
    rng.shuffle(y_train)
    dists = rng.uniform(1.0, 10.0, size=(n, len(y_train)))
    others = np.flatnonzero(y_train != 1)
    dists[np.arange(n), rng.choice(others, size=n)] = 0.5
    return {"dists": dists, "y_train": y_train, "k": 10}


# -- cross_validate ----------------------------------------------------------------------------
def blobs(rng: np.random.Generator, n: int, d: int, classes: int, spread: float = 2.0) -> dict:
    """n points around ``classes`` centres in d dimensions, overlapping enough that accuracies
    differ between folds and values of k; in random order (array_split's folds are mixed)."""
    centres = rng.normal(0.0, 2.0, size=(classes, d))
    y = np.arange(n, dtype=np.int64) % classes
    rng.shuffle(y)
    X = centres[y] + rng.normal(0.0, spread, size=(n, d))
    return {"X": X, "y": y}


@functools.cache
def _digits() -> tuple:
    from data_scripts import load_dataset

    data = load_dataset("digits")
    return data["X_train"].reshape(len(data["X_train"]), -1), data["y_train"]


def digits_sample(rng: np.random.Generator, n: int = 150) -> dict:
    """n of the embedded digits' training images (64 pixels in 0..255), in random order."""
    X, y = _digits()
    rows = rng.choice(len(X), size=n, replace=False)
    return {"X": X[rows].copy(), "y": y[rows].copy()}
