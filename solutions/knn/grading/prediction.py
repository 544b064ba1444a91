"""Checks of predict_labels(dists, y_train, k=1): the majority label among the k nearest.

The student's function gets distance matrices built here (never distances of its own), so a
wrong distance function cannot cost points here. Each rule of the spec has its own cases: the
random ones avoid ties in votes and equal distances, so that a slip in the tie-break costs only
its own check. Equal distances at the k-th place are never graded: which of them is among the k
nearest depends on the sort (numpy's default one is not stable), and the spec leaves it open.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import Check, CheckResult, Context, checks_for
from autograder.checks.calls import CaseCalls
from autograder.checks.values import Unusable, reply_failure

from . import diagnosis, inputs

SHAPE = Check("shape", "returns an (N,) array of integer labels", 1)
WORKED = Check("worked-example", "a worked example like the notebook's (2 test points, 5 training points, k = 1, 3, 5 "
                                  "and 8, drawn for this submission)", 2)
NEAREST = Check("nearest", "k = 1: the label of the nearest training point", 3)
DEFAULT = Check("default-k", "k defaults to 1", 1)
MAJORITY = Check("majority", "the most common label among the k nearest (random cases, k = 3, 5 and 8)", 5)
TIES = Check("ties", "a tie in votes goes to the smallest label", 3)
BIG_K = Check("big-k", "k larger than the number of training points: all of them vote", 2)


#: The core checks need the nearest points. BIG_K's answer is every row's most common training label,
#: which a function that ignores the distances gives (np.bincount(y_train).argmax() for every row):
#: it is no core check, so that such a function earns nothing (it earned 3 of 17 before).
@checks_for("predict_labels", checks=[SHAPE, WORKED, NEAREST, DEFAULT, MAJORITY, TIES, BIG_K],
            core=[WORKED, NEAREST, DEFAULT, MAJORITY, TIES])
def check_predict_labels(ctx: Context, name: str) -> list[CheckResult]:
    oracle = ctx.reference[name]
    runner = _Runner(ctx, name)
    rng = ctx.rng
    worked = inputs.worked_labels_like(rng)
    nearest = [inputs.label_case(rng, 12, 30, 4, 1), inputs.label_case(rng, 1, 1, 1, 1), inputs.label_case(rng, 6, 3, 3, 1)]
    majority = [inputs.label_case(rng, 12, 30, 4, 3), inputs.label_case(rng, 10, 40, 3, 5), inputs.label_case(rng, 8, 25, 6, 8)]

    def compare(check: Check, cases, default_k=False) -> CheckResult:
        answers = []  # every case's (case, got, want): a diagnosis must fit them all
        for case in cases:
            try:
                got = runner.run(case, default_k)
            except Unusable as exc:
                return check.fail(str(exc))
            answers.append((case, got, oracle(case["dists"].copy(), case["y_train"].copy(), k=case["k"])))
        for case, got, want in answers:
            if not np.array_equal(got, want):
                wrong = np.nonzero(got != want)[0]
                hint, slip = diagnosis.labels_hint(answers)
                # The worked example's 2 rows of 3 labels fit a declared mistake by chance too often
                # (`return np.ones(N)` "skipped the nearest point" there): its hint is said, but only
                # the larger cases' diagnoses count as a mistake that keeps the part's other credit.
                return check.fail(
                    f"{_describe(case, default_k)}: {len(wrong)} of {len(want)} labels are wrong, the first y_pred[{int(wrong[0])}] "
                    f"(you have {got[int(wrong[0])]:g}). {hint}".strip(), slip if check is not WORKED else "")
        return check.ok()

    default, ties, big_k = inputs.label_case(rng, 8, 20, 3, 1), inputs.tie_case(rng), inputs.big_k_case(rng)
    # Every case given its k in one request (one call each, as one call per request would make them).
    runner.prefetch([*worked, *nearest, *majority, ties, big_k])
    results = [_shape_check(runner, majority[0]),
               compare(WORKED, worked),
               compare(NEAREST, nearest),
               compare(DEFAULT, [default], default_k=True),
               compare(MAJORITY, majority),
               compare(TIES, [ties]),
               compare(BIG_K, [big_k])]
    return results


def _describe(case: dict, default_k: bool = False) -> str:
    n, m = case["dists"].shape
    k = "k not given" if default_k else f"k={case['k']}"
    return f"with N={n}, M={m}, {k}"


class _Runner:
    """The student's predict_labels on cases (checks.calls.CaseCalls), given each case's k or
    (``default_k``) no k at all; a hang is not waited for twice."""

    def __init__(self, ctx: Context, name: str):
        self.name = name
        self.given_k = CaseCalls(ctx, name, "_c['dists'].copy()", "_c['y_train'].copy()", k="_c['k']")
        self.default_k = CaseCalls(ctx, name, "_c['dists'].copy()", "_c['y_train'].copy()")

    def prefetch(self, cases: list) -> None:
        self.given_k.prefetch(cases)

    def run(self, case: dict, default_k: bool = False) -> np.ndarray:
        """The labels as an (N,) array (ints, or floats holding the same values: the shape
        check is the one to insist on integers), or Unusable."""
        for calls in (self.given_k, self.default_k):  # one hang stops both
            if calls.stuck:
                raise Unusable(calls.stuck)
        return _labels(self.name, (self.default_k if default_k else self.given_k).reply(case), case, default_k)


def _labels(name: str, reply, case: dict, default_k: bool = False) -> np.ndarray:
    n, m = case["dists"].shape
    if not reply.ok:
        message = reply_failure(name, reply)
        problem = reply.problem.strip().split(":")[0].strip()
        if problem in ("IndexError", "ValueError") and case["k"] > m and not default_k:
            message += (f" With k={case['k']} larger than the M={m} training points, all of them vote: take the first k "
                        "of the sorted indices with a slice ([:k]), which stops at M (np.argpartition(..., k) fails).")
        elif problem == "IndexError" and n > m:
            message += (" An IndexError with more test points than training points often means the sort ran along "
                        "axis 0: sort each row of dists (axis=1).")
        raise Unusable(message)
    value = reply.value
    if value.kind != "array":
        raise Unusable(f"{name} must return y_pred as a numpy array of shape (N,) = ({n},); it returned {value.describe()}.")
    got = value.value
    if got.shape != (n,):
        raise Unusable(f"{name} returned y_pred of shape {got.shape} {_describe(case, default_k)}; "
                       f"it must have shape (N,) = ({n},), one label per row of dists.")
    if got.dtype.kind not in "biuf":
        raise Unusable(f"{name} returned y_pred of dtype {got.dtype}; labels must be integers.")
    return got


def _shape_check(runner: _Runner, case: dict) -> CheckResult:
    try:
        got = runner.run(case)
    except Unusable as exc:
        return SHAPE.fail(str(exc))
    # Whole numbers in a float array are labels too: CS231n's own stub, y_pred = np.zeros(num_test),
    # makes one, and a correct solution written on it must not lose a point.
    if got.dtype.kind not in "iu" and not (got.dtype.kind == "f" and np.all(np.isfinite(got)) and np.all(got == np.round(got))):
        return SHAPE.fail(f"{runner.name} returned labels of dtype {got.dtype} that are not whole "
                          "numbers; labels are integers (y_pred = np.zeros(num_test, dtype=np.int64)).")
    return SHAPE.ok()
