"""Diagnoses: when a wrong result matches a known mistake, say so in one sentence.

Each candidate is what the mistake would return on the same inputs, computed here in float64
(distances) or with the reference's own functions (labels, folds). The first candidate the
student's result matches is the diagnosis; a candidate that equals the right answer on these
inputs is skipped (it would diagnose nothing). If none matches, the check's message stands alone.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

# -- distances -------------------------------------------------------------------------------
#: float64 inputs: the squared distances may differ by rounding in the expansion ||x||^2 - 2 x.y
#: + ||y||^2, which is at most a few ulps of ||x||^2 + ||y||^2 (DIST_TOL * that is ~10^4 times
#: more); otherwise they must agree to DIST_RTOL. float32 inputs may be computed in float32.
DIST_RTOL, DIST_TOL = 1e-8, 1e-11
FLOAT32_RTOL, FLOAT32_TOL = 1e-5, 1e-5

SQUARED = "These are squared distances: take the square root (np.sqrt) of the sum of squared differences."
SIGN = ("The cross term has the wrong sign: ||x - y||^2 = ||x||^2 - 2 x.y + ||y||^2 (you added 2 x.y, which gives "
        "the distance between x and -y).")
FACTOR = "The cross term lacks its factor 2: ||x - y||^2 = ||x||^2 - 2 x.y + ||y||^2."
L1 = ("These are L1 (Manhattan) distances, sums of absolute differences: this assignment uses the L2 (Euclidean) "
      "distance, the square root of the sum of squared differences.")
MEAN = "These distances are divided by sqrt(D): sum the squared differences over the D coordinates, do not average them."
TRANSPOSED = ("The result is transposed: dists[i, j] must be the distance between test point X[i] and training point "
              "X_train[j] (rows: test points, columns: training points).")
SELF_TEST = "These are the distances among the test points (X to X): the columns must be the training points X_train."
SELF_TRAIN = "These are the distances among the training points (X_train to X_train): the rows must be the test points X."
NAN = ("Some distances are nan where a test point equals (or nearly equals) a training point: rounding in the "
       "expansion can leave a tiny negative squared distance there, whose square root is nan; clip at 0 "
       "(np.maximum(squared, 0)) before np.sqrt.")
ZEROS = "Every distance is 0: fill in dists (dists[i, j] = ... for every pair) and return it."
FLOAT32 = ("Your distances are float32 for float64 inputs and lose precision: compute in float64 (do not convert "
           "the inputs or the result to float32).")


def as64(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def exact_distances(X, Y) -> np.ndarray:
    """Euclidean distances from differences, in float64 (no cancellation)."""
    X, Y = as64(X), as64(Y)
    return np.sqrt(np.sum((X[:, None, :] - Y[None, :, :]) ** 2, axis=2))


def distance_errors(got: np.ndarray, want: np.ndarray, X, Y, float32: bool = False) -> np.ndarray:
    """How far each entry is from its tolerance, as error / allowed (<= 1 is fine): the error
    of the squared distance, |got - want| (|got| + |want|), against rtol * want^2 + tol *
    (||x||^2 + ||y||^2) (a negative distance never passes)."""
    rtol, tol = (FLOAT32_RTOL, FLOAT32_TOL) if float32 else (DIST_RTOL, DIST_TOL)
    got, want = as64(got), as64(want)
    scale = np.sum(as64(X) ** 2, axis=1)[:, None] + np.sum(as64(Y) ** 2, axis=1)[None, :]
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(got - want) * (np.abs(got) + np.abs(want))
        ratio = error / (rtol * want ** 2 + tol * scale + 1e-300)
    return np.where(np.isfinite(ratio), ratio, np.inf)


def distances_close(got, want, X, Y, float32: bool = False) -> bool:
    return bool(np.all(distance_errors(got, want, X, Y, float32) <= 1.0))


def _near(got, candidate) -> bool:
    got, candidate = as64(got), as64(candidate)
    if got.shape != candidate.shape or not np.all(np.isfinite(got)):
        return False
    scale = max(1.0, float(np.max(np.abs(candidate)))) if candidate.size else 1.0
    return bool(np.allclose(got, candidate, rtol=1e-6, atol=1e-6 * scale))


def _square_norms(X, Y):
    return np.sum(X ** 2, axis=1)[:, None], np.sum(Y ** 2, axis=1)[None, :], X.dot(Y.T)


#: Declared mistakes of a distance function: (id, sentence, what it gives on (X, X_train) in
#: float64, or None where it does not apply). Shared by the hints, the credit rule (a function
#: whose values are one of these on every case keeps the credit for its structure) and the speed
#: check's oracle.
DISTANCE_SLIPS = [
    ("squared", SQUARED, lambda X, Y: exact_distances(X, Y) ** 2),
    ("cross-term-sign", SIGN, lambda X, Y: (lambda x2, y2, xy: np.sqrt(np.maximum(x2 + y2 + 2 * xy, 0)))(*_square_norms(X, Y))),
    ("cross-term-factor", FACTOR, lambda X, Y: (lambda x2, y2, xy: np.sqrt(np.maximum(x2 + y2 - xy, 0)))(*_square_norms(X, Y))),
    ("l1", L1, lambda X, Y: np.sum(np.abs(X[:, None, :] - Y[None, :, :]), axis=2)),
    ("mean", MEAN, lambda X, Y: exact_distances(X, Y) / np.sqrt(X.shape[1]) if X.shape[1] > 1 else None),
    ("transposed", TRANSPOSED, lambda X, Y: exact_distances(X, Y).T if X.shape[0] == Y.shape[0] > 1 else None),
    ("self-test", SELF_TEST, lambda X, Y: exact_distances(X, X) if X.shape[0] == Y.shape[0] > 1 else None),
    ("self-train", SELF_TRAIN, lambda X, Y: exact_distances(Y, Y) if X.shape[0] == Y.shape[0] > 1 else None),
]


def distance_hint(case: dict, got: np.ndarray) -> tuple[str, str]:
    """(a sentence about wrong distances ``got`` on ``case`` ({"X", "X_train"}), the declared
    slip it is or ''), or ('', '')."""
    X, Y = as64(case["X"]), as64(case["X_train"])
    want = exact_distances(X, Y)
    got = np.asarray(got)
    if got.shape == want.shape:
        finite = np.isfinite(got)
        if np.any(np.isnan(got)):
            if np.all(finite | np.isnan(got)) and _near(got[finite], want[finite]) and np.all(want[~finite] < 1e-3 * max(1.0, want.max())):
                return NAN, "no-clip"
            return "Some distances are nan: the square root of a negative number? Squared distances are never negative.", ""
        if not np.all(finite):
            return "Some distances are infinite: look for an overflow or a division by zero.", ""
        if got.dtype == np.float32 and case["X"].dtype == np.float64 and distances_close(got, want, X, Y, float32=True):
            return FLOAT32, "float32"
    if got.shape == want.shape and not np.any(got) and np.any(want):
        return ZEROS, ""
    for slip, sentence, mistaken in DISTANCE_SLIPS:
        candidate = mistaken(X, Y)
        if candidate is not None and not _near(want, candidate) and _near(got, candidate):
            return sentence, slip
    if (got < 0).any():
        return "Distances are never negative: check the formula (and take the square root of the clipped sum).", ""
    return "", ""


def distance_kind(answers: list) -> str | None:
    """What the distances on every case of ``answers`` ((case, got), the cases without equal
    points) are: "right", a declared slip's id (the first that matches every case and differs
    from the right distances on one), or None (something else)."""
    if all(distances_close(got, exact_distances(case["X"], case["X_train"]), case["X"], case["X_train"],
                           float32=np.asarray(got).dtype == np.float32) for case, got in answers):
        return "right"
    for slip, _, mistaken in DISTANCE_SLIPS:
        fits, differs = True, False
        for case, got in answers:
            X, Y = as64(case["X"]), as64(case["X_train"])
            candidate = mistaken(X, Y)
            want = exact_distances(X, Y)
            candidate = want if candidate is None else candidate
            fits = fits and _near(got, candidate)
            differs = differs or not _near(want, candidate)
        if fits and differs:
            return slip
    return None


def mistaken_distances(slip: str):
    """f(X, X_train) -> the distances the declared slip ``slip`` gives (the speed check's oracle)."""
    mistaken = next(f for s, _, f in DISTANCE_SLIPS if s == slip)
    return lambda X, Y: (lambda out: exact_distances(X, Y) if out is None else out)(mistaken(as64(X), as64(Y)))


# -- predict_labels --------------------------------------------------------------------------
FIRST_SEEN = ("A tie in votes was broken toward the label of the nearest neighbour (the first one seen, as "
              "Counter.most_common or a dict of counts does) instead of the smallest label: "
              "np.bincount(closest_y).argmax() picks the smallest of the labels with the most votes.")
LARGEST = ("A tie in votes was broken toward the largest label: the smallest of the labels with the most votes "
           "must win (np.bincount(closest_y).argmax() picks it).")
IGNORES_K = "This is the 1-nearest-neighbour answer: take the labels of the k nearest training points and let them vote."
FARTHEST = "You voted among the k farthest training points: sort the distances in increasing order (np.argsort) and take the first k."
OFF_BY_ONE = "You voted among the {used} nearest points instead of the k nearest: take exactly the first k of the sorted indices ([:k])."
SKIPS_NEAREST = ("You skipped the nearest training point (a slice [1:k + 1]): the k nearest are the first k of the "
                 "sorted indices, [:k], the nearest included.")
INDICES = "You returned the index of the nearest training point, not its label: use y_train[index]."
WRONG_AXIS = ("The sort ran along the wrong axis (axis 0, over the test points): sort each row of dists, "
              "np.argsort(dists[i]) or np.argsort(dists, axis=1), to find a test point's nearest training points.")


def _smallest(labels: np.ndarray) -> int:
    return int(np.bincount(labels).argmax())


def _vote(neighbours: list, y_train: np.ndarray, rule=_smallest) -> np.ndarray:
    return np.array([rule(y_train[np.asarray(n, dtype=np.int64)]) for n in neighbours], dtype=np.int64)


def _first_seen(labels: np.ndarray) -> int:
    return int(Counter(labels.tolist()).most_common(1)[0][0])


def _largest(labels: np.ndarray) -> int:
    counts = np.bincount(labels)
    return int(len(counts) - 1 - np.argmax(counts[::-1]))


def nearest(dists: np.ndarray, k: int, kind: str = "stable") -> list:
    return list(np.argsort(dists, axis=1, kind=kind)[:, :k])


def label_candidates(case: dict) -> dict:
    """{sentence: the labels that mistake gives on ``case``} for the mistakes that apply to it."""
    dists, y_train, k = as64(case["dists"]), np.asarray(case["y_train"]), int(case["k"])
    n, m = dists.shape
    stable = nearest(dists, k)
    candidates = {FIRST_SEEN: _vote(stable, y_train, _first_seen), LARGEST: _vote(stable, y_train, _largest)}
    if k > 1:
        candidates[IGNORES_K] = _vote(nearest(dists, 1), y_train)
    candidates[FARTHEST] = _vote(list(np.argsort(-dists, axis=1, kind="stable")[:, :k]), y_train)
    if m > 1:
        candidates[SKIPS_NEAREST] = _vote(list(np.argsort(dists, axis=1, kind="stable")[:, 1:k + 1]), y_train)
    if n <= m:
        by_column = np.argsort(dists, axis=0, kind="stable")  # (N, M) of test indices, each < N <= M
        candidates[WRONG_AXIS] = _vote([by_column[i, :k] for i in range(n)], y_train)
        candidates[WRONG_AXIS + " "] = _vote([by_column[:k, i] for i in range(n)], y_train)
    for used in (k + 1, k - 1):
        if 1 <= used <= m and used != min(k, m):
            candidates[OFF_BY_ONE.format(used="k + 1" if used > k else "k - 1")] = _vote(nearest(dists, used), y_train)
    if k == 1:
        candidates[INDICES] = np.argsort(dists, axis=1, kind="stable")[:, 0]
    return candidates


#: The declared mistakes of predict_labels, by the sentence that names them.
LABEL_SLIPS = {FIRST_SEEN: "tie-first-seen", LARGEST: "tie-largest", IGNORES_K: "ignores-k", FARTHEST: "farthest",
               SKIPS_NEAREST: "skips-nearest", INDICES: "indices", WRONG_AXIS: "sort-axis-0",
               OFF_BY_ONE.format(used="k + 1"): "k-plus-one", OFF_BY_ONE.format(used="k - 1"): "k-minus-one"}


def labels_hint(answers: list) -> tuple[str, str]:
    """(a sentence about wrong labels, the declared slip's id), or ('', ''): ``answers`` holds (case, got, want) for every case
    of a check (case: {"dists", "y_train", "k"}; got: the student's labels; want: the right
    ones). A mistake is diagnosed when it gives the student's labels on every case it applies
    to, and differs from the right labels on at least one of them (so that a coincidence on one
    small case is not taken for a diagnosis)."""
    verdicts = {}  # sentence -> [consistent so far, explains a wrong answer]
    for case, got, want in answers:
        got = np.asarray(got)
        for sentence, labels in label_candidates(case).items():
            verdict = verdicts.setdefault(sentence, [True, False])
            if labels.shape != got.shape or not np.array_equal(labels, got):
                verdict[0] = False
            elif not np.array_equal(labels, want):
                verdict[1] = True
    for sentence, (consistent, explains) in verdicts.items():
        if consistent and explains:
            return sentence.strip(), LABEL_SLIPS[sentence.strip()]
    return "", ""


# -- cross_validate --------------------------------------------------------------------------
LEAK = ("The validation fold is also in the training set (with k = 1 every point is its own nearest neighbour: "
        "accuracy 1.0): train on the other folds only.")
SWAPPED = ("Training and validation are swapped: fold f is the validation set, and the other folds, concatenated, "
           "are the training set.")
FOLDS = ("Your folds are not np.array_split(X_train, num_folds) ({how}): split with np.array_split, which makes "
         "consecutive folds whose sizes differ by at most one.")
PERCENT = "These are percentages: accuracies must be fractions between 0 and 1 (np.mean(y_pred == y_val))."
COUNTS = "These are numbers of correct labels: divide by the size of the fold (np.mean(y_pred == y_val))."


def array_split_folds(n: int, num_folds: int) -> list:
    """[(validation indices, training indices)] of np.array_split's folds."""
    parts = np.array_split(np.arange(n), num_folds)
    return [(parts[f], np.concatenate(parts[:f] + parts[f + 1:])) for f in range(num_folds)]


def accuracies(X, y, k_choices, folds: list, distances, predict) -> np.ndarray:
    """(len(k_choices), len(folds)) accuracies of ``predict``(``distances``) on the given folds."""
    out = np.zeros((len(k_choices), len(folds)))
    for f, (val, train) in enumerate(folds):
        dists = distances(X[val], X[train])
        for a, k in enumerate(k_choices):
            out[a, f] = np.mean(predict(dists, y[train], k=k) == y[val])
    return out


def fold_structures(n: int, num_folds: int, seed: int | None = None) -> dict:
    """{name: [(validation indices, training indices)] per fold}: np.array_split's folds
    ("right") and the folds of the declared mistakes (the validation fold left in training,
    training and validation swapped, every num_folds-th point, and with n % num_folds points
    over: folds of n // num_folds points dropping them, or the last fold taking them; with
    ``seed``, the points shuffled first by numpy's global generator seeded with it, as
    np.random.permutation, np.random.shuffle and np.random.choice(n, n, replace=False) do)."""
    every = np.arange(n)
    right = array_split_folds(n, num_folds)
    structures = {"right": right,
                  "leak": [(val, every) for val, _ in right],
                  "swapped": [(train, val) for val, train in right],
                  "interleaved": [(every[f::num_folds], np.setdiff1d(every, every[f::num_folds])) for f in range(num_folds)]}
    size = n // num_folds
    if n % num_folds:
        structures["dropped"] = [(every[f * size:(f + 1) * size],
                                  np.setdiff1d(every[:num_folds * size], every[f * size:(f + 1) * size]))
                                 for f in range(num_folds)]
        bounds = [f * size for f in range(num_folds)] + [n]
        structures["last-takes-rest"] = [(every[bounds[f]:bounds[f + 1]], np.setdiff1d(every, every[bounds[f]:bounds[f + 1]]))
                                         for f in range(num_folds)]
    if seed is not None:
        order = np.random.RandomState(seed).permutation(n)
        structures["shuffled"] = [(order[val], order[train]) for val, train in right]
    return structures


#: What each fold structure's mistake is called in a hint (the right one is no mistake).
FOLD_SENTENCES = {"leak": LEAK, "swapped": SWAPPED,
                  "interleaved": FOLDS.format(how="every num_folds-th point, X_train[f::num_folds]")}


def accuracies_hint(case: dict, got: np.ndarray, want: np.ndarray, distances, predict) -> str:
    """A sentence about wrong accuracies ``got`` on case {"X", "y", "k_choices", "num_folds"}, or ''."""
    X, y, ks, num_folds = case["X"], case["y"], case["k_choices"], case["num_folds"]
    n = len(X)
    size = n // num_folds
    sentences = dict(FOLD_SENTENCES)
    if n % num_folds:
        sentences["dropped"] = FOLDS.format(how=f"folds of {size} points, the last {n % num_folds} left out")
        sentences["last-takes-rest"] = FOLDS.format(how=f"folds of {size} points, the last one taking the remaining points")
    candidates = [(accuracies(X, y, ks, folds, distances, predict), sentences[name])
                  for name, folds in fold_structures(n, num_folds).items() if name != "right"]
    sizes = np.array([len(val) for val, _ in array_split_folds(n, num_folds)], dtype=np.float64)
    candidates += [(100 * want, PERCENT), (want * sizes[None, :], COUNTS)]
    for candidate, sentence in candidates:
        if candidate.shape == got.shape and not np.allclose(candidate, want, atol=1e-9) \
                and np.allclose(got, candidate, atol=1e-9):
            return sentence
    return ""


def result_forms(expected: np.ndarray, sizes: list, k_choices: list) -> list:
    """The ways a cross_validate that computed ``expected`` ((K, F) accuracies on folds of
    ``sizes`` points) may return them, its declared mistakes included: the array itself,
    percentages, counts of correct labels, the mean over folds per k, a dict {k: accuracies},
    the array transposed."""
    return [expected, 100 * expected, expected * np.asarray(sizes, dtype=np.float64)[None, :], expected.mean(axis=1),
            expected.T, {k: expected[a] for a, k in enumerate(k_choices)}]
