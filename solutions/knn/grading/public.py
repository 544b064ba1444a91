"""The numbers the hand-out's self-check compares with (``selfcheck/expected.json``), computed
at release from the reference solution on fixed inputs.

Only outputs on these inputs are stored: the hand-out can tell whether a student's function
returns them, but holds nothing that computes a right answer for other inputs. The inputs are
drawn from fixed seeds, so that a release is reproducible.

Keys: "distances" (3 cases: the worked example, random points with a duplicate, a single
training point), "predict" (k = 1; k = 3 with a tie in votes; k larger than the number of
training points), "cross_validate" (40 points, 4 features, 3 classes, k 1, 3, 5, 5 folds) and
"speed_factor".
"""

from __future__ import annotations

import numpy as np

from autograder.checks.vectorization import SPEED_FACTOR

from .inputs import WORKED_X, WORKED_X_TRAIN, blobs


def _listed(value):
    return np.asarray(value).tolist()


def _distances(reference: dict) -> list[dict]:
    rng = np.random.default_rng(31)
    X_random, X_train_random = rng.normal(size=(5, 4)), rng.normal(size=(7, 4))
    X_random[1] = X_train_random[4]  # a duplicate: distance 0
    cases = [("the worked example: test points (0, 0), (3, 4); training points (0, 0), (3, 0), (6, 8)",
              WORKED_X, WORKED_X_TRAIN),
             ("5 test points, 7 training points, D = 4 (test point 1 equals training point 4)", X_random, X_train_random),
             ("3 test points, a single training point, D = 6", rng.normal(size=(3, 6)), rng.normal(size=(1, 6)))]
    two_loops = reference["compute_distances_two_loops"]
    return [{"title": title, "X": _listed(X), "X_train": _listed(Y), "expected": _listed(two_loops(X.copy(), Y.copy()))}
            for title, X, Y in cases]


def _predict(reference: dict) -> list[dict]:
    rng = np.random.default_rng(32)
    predict = reference["predict_labels"]
    # k = 1: continuous distances, 4 test points, 6 training points of 3 classes.
    d1, y1 = rng.uniform(0.5, 5.0, size=(4, 6)), np.array([2, 0, 1, 1, 0, 2])
    # k = 3 with a tie: test point 0's three nearest have the labels 2, 0, 1 (nearest first):
    # one vote each, the smallest label (0) wins, not the nearest one's (2).
    d3, y3 = rng.uniform(2.0, 6.0, size=(3, 8)), np.array([1, 2, 0, 1, 2, 0, 1, 0])
    d3[0, [1, 2, 0]] = [0.5, 1.0, 1.5]
    # k = 10 > M = 5: every training point votes (label 1: three votes).
    d10, y10 = rng.uniform(0.5, 5.0, size=(3, 5)), np.array([1, 0, 1, 2, 1])
    d10[:, 1] = 0.1  # the nearest point of every row has label 0
    cases = [("k = 1: the label of the nearest training point", d1, y1, 1),
             ("k = 3 with a tie in votes (three labels, one vote each): the smallest label wins", d3, y3, 3),
             ("k = 10, more than the 5 training points: all of them vote", d10, y10, 10)]
    return [{"title": title, "dists": _listed(d), "y_train": _listed(y), "k": k,
             "expected": _listed(predict(d.copy(), y.astype(np.int64), k=k))} for title, d, y, k in cases]


def _cross_validate(reference: dict) -> dict:
    data = blobs(np.random.default_rng(33), 40, 4, 3)
    k_choices, num_folds = [1, 3, 5], 5
    expected = reference["cross_validate"](data["X"].copy(), data["y"].copy(), list(k_choices), num_folds=num_folds)
    return {"X_train": _listed(data["X"]), "y_train": _listed(data["y"]), "k_choices": k_choices,
            "num_folds": num_folds, "expected": _listed(expected)}


def public_data(reference: dict) -> dict:
    """What this assignment's expected.json holds besides what every hand-out's does (release.py
    adds the notebook's name, parts and locked cells), from the reference functions ``reference``."""
    return {
        "distances": _distances(reference),
        "predict": _predict(reference),
        "cross_validate": _cross_validate(reference),
        "speed_factor": int(SPEED_FACTOR) if float(SPEED_FACTOR).is_integer() else SPEED_FACTOR,
    }
