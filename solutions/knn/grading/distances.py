"""Checks of the three distance functions: two loops, one loop, no loops.

Each ``f(X, X_train) -> dists`` is called in the student's kernel and compared with the exact
distances (the two-loop reference, in float64), with a tolerance that allows the rounding of the
expansion ||x||^2 - 2 x.y + ||y||^2 and nothing more (diagnosis.distance_errors). The vectorized
version must also agree on a larger case, hold no Python loop, and be faster than the two-loop
reference.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from autograder.checks import Check, CheckResult, Context, checks_for, vectorization
from autograder.checks.calls import CaseCalls
from autograder.checks.values import Unusable, reply_failure

from . import diagnosis, inputs

PARTS = ("compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops")

SHAPE = Check("shape", "returns an (N, M) float array of finite, non-negative distances", 1)
WORKED = Check("worked-example", "the worked example (2 test points, 3 training points, D = 2)", 2)
RANDOM = Check("random", "random points of several shapes (N = 1, M = 1 and D = 1 among them)", 4)
DUPLICATES = Check("duplicates", "identical test and training points are at distance 0", 1)
PIXELS = Check("pixels", "integer pixel values 0-255 given as floats (D = 3072; images one pixel apart are at distance 1)", 1)
FLOAT32 = Check("float32", "float32 inputs", 1)
LARGE = Check("large", "agrees with the two-loop reference on a larger case (N = 200, M = 500, D = 64)", 2)
NO_LOOPS = vectorization.loop_check(3)
SPEED = vectorization.timed_check(3)
VECTORIZED = "compute_distances_no_loops"


def declared(name: str) -> list[Check]:
    """Every distance function's checks; the vectorized one's also on a larger case, for loops and for speed."""
    return [SHAPE, WORKED, RANDOM, DUPLICATES, PIXELS, FLOAT32] + ([LARGE, NO_LOOPS, SPEED] if name == VECTORIZED else [])


@checks_for(*PARTS, checks=declared)
def check_distances(ctx: Context, name: str) -> list[CheckResult]:
    oracle = ctx.reference["compute_distances_two_loops"]
    runner = _Runner(ctx, name)
    random_cases = [inputs.distance_case(ctx.rng, *shape) for shape in inputs.DISTANCE_SHAPES]

    def compare(check: Check, cases) -> CheckResult:
        for case in cases:
            try:
                got = runner.run(case)
            except Unusable as exc:
                return check.fail(str(exc))
            X, X_train = diagnosis.as64(case["X"]), diagnosis.as64(case["X_train"])
            want = oracle(X.copy(), X_train.copy())
            float32 = case["X"].dtype == np.float32
            errors = diagnosis.distance_errors(got, want, X, X_train, float32)
            if not np.all(errors <= 1.0):
                i, j = np.unravel_index(int(np.argmax(errors)), errors.shape)
                hint = diagnosis.distance_hint(case, got)
                return check.fail(f"{_describe(case)}: dists[{i}, {j}] should be {_pair(want[i, j], got[i, j])}. {hint}".strip())
        return check.ok()

    worked, duplicates, pixels = inputs.worked_distances(), inputs.duplicates_case(ctx.rng), inputs.pixels_case(ctx.rng)
    float32 = inputs.float32_case(ctx.rng)
    vectorized = name == VECTORIZED
    large = inputs.large_case(ctx.rng) if vectorized else None
    # Every case in one request (one call each, as one call per request would make them).
    runner.prefetch([worked, *random_cases, duplicates, pixels, float32] + ([large] if vectorized else []))
    results = [_shape_check(runner, random_cases[5]),
               compare(WORKED, [worked]),
               compare(RANDOM, random_cases),
               compare(DUPLICATES, [duplicates]),
               compare(PIXELS, [pixels]),
               compare(FLOAT32, [float32])]
    if vectorized:
        results.append(compare(LARGE, [large]))
    # Structure (shape, no loops) earns credit only from a function that computes distances:
    # one whose values depend on its input. A stub or `return np.zeros((N, M))` earns nothing.
    passed = {r.id for r in results if r.passed}
    lacking = "" if RANDOM.id in passed else _not_distance_like(runner, random_cases)
    withheld = f"not awarded: {name} {lacking}." if lacking else ""
    if withheld and results[0].passed:
        results[0] = dataclasses.replace(results[0], passed=False, message=withheld)
    if vectorized:
        loops = vectorization.no_loops(ctx, name, NO_LOOPS) if not withheld else NO_LOOPS.fail(withheld)
        results.append(loops)
        right = {RANDOM.id, LARGE.id} <= passed
        if withheld or not loops.passed or not right:
            why = withheld or ("not awarded: speed credit is for vectorized code, and the loop check found a loop (see above)."
                               if not loops.passed else
                               "not awarded: speed credit is for correct vectorized code, and the distances are wrong (see above).")
            results.append(SPEED.fail(why))
        else:
            results.append(vectorization.speed_check(ctx, name, oracle, SPEED, timing=DISTANCE_TIMING,
                                                     oracle=ctx.reference[VECTORIZED]))
    return results


def _pair(want: float, got: float) -> str:
    """'W, got G' with as many digits as it takes to see them differ."""
    digits = 6
    while digits < 12 and f"{want:.{digits}g}" == f"{got:.{digits}g}":
        digits += 2
    return f"{want:.{digits}g}, got {got:.{digits}g}"


def _describe(case: dict) -> str:
    n, d = case["X"].shape
    return f"with N={n}, M={case['X_train'].shape[0]}, D={d}"


def _dists(name: str, reply, case: dict) -> np.ndarray:
    """The distance matrix from a bridge reply, or Unusable."""
    m, d = case["X_train"].shape
    if not reply.ok:
        message = reply_failure(name, reply)
        if f"from shape ({d},) into shape ({m},)" in reply.problem:
            message += (f" Row dists[i] holds M={m} distances, one per training point: sum the squared differences "
                        "over the D coordinates (axis=1), not over the training points.")
        raise Unusable(message)
    return _dists_value(name, reply.value, case)


def _dists_value(name: str, value, case: dict) -> np.ndarray:
    """The distance matrix from a returned bridge value, or Unusable."""
    n, m = case["X"].shape[0], case["X_train"].shape[0]
    if value.kind != "array":
        raise Unusable(f"{name} must return dists as a numpy array of shape (N, M) = ({n}, {m}); "
                       f"it returned {value.describe()}.")
    got = value.value
    if got.shape != (n, m):
        if got.shape == (m, n):
            raise Unusable(f"{name} returned dists of shape {got.shape} {_describe(case)}: it is transposed; dists[i, j] "
                           f"is the distance between test point X[i] and training point X_train[j], shape (N, M) = ({n}, {m}).")
        raise Unusable(f"{name} returned dists of shape {got.shape} {_describe(case)}; it must have shape (N, M) = ({n}, {m}).")
    if got.dtype.kind != "f":
        raise Unusable(f"{name} returned dists of dtype {got.dtype}; distances must be floats "
                       "(create dists with np.zeros((N, M)), which is float64).")
    return got


class _Runner:
    """The student's distance function on cases (checks.calls.CaseCalls): all of them in one
    request, each reply kept, a hang not waited for twice."""

    def __init__(self, ctx: Context, name: str):
        self.name = name
        self.calls = CaseCalls(ctx, name, "_c['X'].copy()", "_c['X_train'].copy()")

    def prefetch(self, cases: list) -> None:
        self.calls.prefetch(cases)

    def run(self, case: dict) -> np.ndarray:
        return _dists(self.name, self.calls.reply(case), case)


def _shape_check(runner: _Runner, case: dict) -> CheckResult:
    try:
        got = runner.run(case)
    except Unusable as exc:
        return SHAPE.fail(str(exc))
    if not np.all(np.isfinite(got)):
        return SHAPE.fail(f"{runner.name} returned distances that are nan or infinite {_describe(case)}.")
    if (got < 0).any():
        return SHAPE.fail(f"{runner.name} returned negative distances {_describe(case)}: "
                          "a distance is never negative.")
    return SHAPE.ok()


def _not_distance_like(runner: _Runner, cases: list) -> str:
    """Why the function computes nothing like distances ('' if it does): its values must
    depend on the input (not one constant everywhere)."""
    values = []
    for case in cases:
        try:
            values.append(runner.run(case))
        except Unusable:
            return "does not return a distance matrix on every input"
    flat = np.concatenate([v.ravel() for v in values])
    if np.all(np.isfinite(flat)) and np.ptp(flat) == 0:
        return f"returns the same value ({flat[0]:.6g}) everywhere: it does not compute distances yet"
    return ""


class DistanceTiming(vectorization.Timing):
    """A distance function ``f(X, X_train) -> dists`` timed by the engine's speed check, against
    the two-loop reference. At N = 40 test points, M = 200 training points and D = 32 the
    reference makes 8000 small numpy calls, about 25 ms; a vectorized version takes well under
    1 ms, and even a loop over the test points is fast enough (the loop check sees it)."""

    shapes = {(40, 200, 32): "a batch of 40 test points against 200 training points"}
    advice = "Replace the loops over points with one matrix product and broadcasting."

    def describe(self, shape) -> str:
        return ", ".join(f"{k}={v}" for k, v in zip(("N", "M", "D"), shape))

    def case(self, rng, shape) -> dict:
        return inputs.distance_case(rng, *shape)

    def call(self, function, case: dict):
        return function(case["X"], case["X_train"])

    def batch(self, ctx: Context, name: str, shape, calls: int):
        """The training points are shared by the calls of a request (each call gets its own
        copy), the test points are fresh for every call: no result can be reused."""
        n, m, d = shape
        base = inputs.distance_case(ctx.rng, n, m, d)
        Xs = base["X"][None, :, :] + ctx.rng.normal(size=(calls, n, d))
        ctx.bridge.put("_autograder_timing", {"X_train": base["X_train"], "Xs": Xs})
        expression = f"[{name}(X, _autograder_timing['X_train'].copy()) for X in _autograder_timing['Xs']]"
        return (lambda i: {"X": Xs[i], "X_train": base["X_train"]}), expression

    def verify(self, name: str, value, case: dict, oracle) -> None:
        got = _dists_value(name, value, case)
        want = oracle(case["X"].copy(), case["X_train"].copy())
        errors = diagnosis.distance_errors(got, want, case["X"], case["X_train"])
        if not np.all(errors <= 1.0):
            i, j = np.unravel_index(int(np.argmax(errors)), errors.shape)
            raise Unusable(f"dists[{i}, {j}] should be {_pair(want[i, j], got[i, j])}")


DISTANCE_TIMING = DistanceTiming()
