"""Checks of the three distance functions: two loops, one loop, no loops.

Each ``f(X, X_train) -> dists`` is called in the student's kernel and compared with the exact
distances (the two-loop reference, in float64), with a tolerance that allows the rounding of the
expansion ||x||^2 - 2 x.y + ||y||^2 and nothing more (diagnosis.distance_errors). The vectorized
version must also agree on a larger case, hold no Python loop, and be faster than the two-loop
reference.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import Check, CheckResult, Context, checks_for, not_awarded, vectorization, withhold
from autograder.checks.calls import CaseCalls
from autograder.checks.values import Unusable, off_by, reply_failure

from . import diagnosis, inputs

PARTS = ("compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops")

SHAPE = Check("shape", "returns an (N, M) float array of finite, non-negative distances", 1)
WORKED = Check("worked-example", "a worked example like the notebook's (2 test points, 3 training points, D = 2, "
                                  "integer coordinates drawn for this submission)", 2)
RANDOM = Check("random", "random points of several shapes (N = 1, M = 1 and D = 1 among them)", 4)
DUPLICATES = Check("duplicates", "identical test and training points are at distance 0", 1)
PIXELS = Check("pixels", "integer pixel values 0-255 given as floats (D = 3072; images one pixel apart are at distance 1)", 1)
FLOAT32 = Check("float32", "float32 inputs", 1)
LARGE = Check("large", "agrees with the two-loop reference on a larger case (N = 200, M = 500, D = 64)", 2)
NO_LOOPS = vectorization.loop_check(3)
SPEED = vectorization.timed_check(3)
VECTORIZED = "compute_distances_no_loops"
#: How every call of a distance function passes a case ``_c`` in the kernel, checked or timed alike.
DISTANCE_ARGS = ("_c['X'].copy()", "_c['X_train'].copy()")


def declared(name: str) -> list[Check]:
    """Every distance function's checks; the vectorized one's also on a larger case, for loops and for speed."""
    return [SHAPE, WORKED, RANDOM, DUPLICATES, PIXELS, FLOAT32] + ([LARGE, NO_LOOPS, SPEED] if name == VECTORIZED else [])


@checks_for(*PARTS, checks=declared, core=[WORKED, RANDOM, DUPLICATES, PIXELS, FLOAT32, LARGE])
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
                hint, slip = diagnosis.distance_hint(case, got)
                return check.fail(f"{_describe(case)}: dists[{i}, {j}], {got[i, j]:.6g}, is {off_by(got[i, j], want[i, j])}. "
                                  f"{hint}".strip(), slip)
        return check.ok()

    worked, duplicates, pixels = inputs.worked_like(ctx.rng), inputs.duplicates_case(ctx.rng), inputs.pixels_case(ctx.rng)
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
    # Structure (shape, no loops, speed) earns credit only from a function whose distances are
    # right, or one declared mistake, on every random case: `return np.zeros((N, M))` or any
    # other matrix of the right shape earns nothing.
    kind, withheld = _kind(runner, random_cases)
    results = [withhold(r, withheld) if withheld and r.id == SHAPE.id else r for r in results]
    if vectorized:
        loops = vectorization.no_loops(ctx, name, NO_LOOPS) if not withheld else NO_LOOPS.fail(not_awarded(withheld))
        results.append(loops)
        if withheld or not loops.passed:
            results.append(SPEED.fail(not_awarded(withheld or "speed credit is for vectorized code, and the loop "
                                                                         "check found a loop (see above).")))
        else:
            # Timed results must be what the function computes: the right distances, or the
            # declared mistake its values were found to be (computed here).
            timed_oracle = ctx.reference[VECTORIZED] if kind == "right" else diagnosis.mistaken_distances(kind)
            results.append(vectorization.speed_check(ctx, name, oracle, SPEED, timing=DISTANCE_TIMING, oracle=timed_oracle))
    return results


def _kind(runner, cases: list) -> tuple:
    """(what the function's distances are on ``cases``: "right" or a declared slip's id, or None;
    why its structure is not credited, or '')."""
    answers = []
    for case in cases:
        try:
            answers.append((case, runner.run(case)))
        except Unusable:
            return None, f"{runner.name} does not return a distance matrix on every input"
    kind = diagnosis.distance_kind(answers)
    if kind is None:
        return None, (f"{runner.name}'s distances are neither right nor one of the known mistakes (see above); its "
                      "structure earns credit once it computes distances")
    return kind, ""


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
        self.calls = CaseCalls(ctx, name, *DISTANCE_ARGS)

    def prefetch(self, cases: list) -> None:
        self.calls.prefetch(cases)

    def run(self, case: dict) -> np.ndarray:
        return _dists(self.name, self.calls.reply(case), case)


def _shape_check(runner: _Runner, case: dict) -> CheckResult:
    try:
        got = runner.run(case)
    except Unusable as exc:
        return SHAPE.fail(str(exc))
    returned = runner.calls.reply(case).value.type
    if returned != "numpy.ndarray":  # np.matrix: its rows are 2-D, which breaks code that indexes them
        return SHAPE.fail(f"{runner.name} returned a {returned}, not a numpy.ndarray: return a plain array "
                          "(np.asarray(...)); a matrix's rows are 2-D and break code that indexes them, such as predict_labels.")
    if not np.all(np.isfinite(got)):
        return SHAPE.fail(f"{runner.name} returned distances that are nan or infinite {_describe(case)}.")
    if (got < 0).any():
        return SHAPE.fail(f"{runner.name} returned negative distances {_describe(case)}: "
                          "a distance is never negative.")
    return SHAPE.ok()


class DistanceTiming(vectorization.Timing):
    """A distance function ``f(X, X_train) -> dists`` timed by the engine's speed check, against
    the two-loop reference. At N = 40 test points, M = 200 training points and D = 32 the
    reference makes 8000 small numpy calls, about 25 ms; a vectorized version takes well under
    1 ms, and even a loop over the test points is fast enough (the loop check sees it)."""

    shapes = {(40, 200, 32): "a batch of 40 test points against 200 training points"}
    args = DISTANCE_ARGS
    advice = "Replace the loops over points with one matrix product and broadcasting."

    def describe(self, shape) -> str:
        return ", ".join(f"{k}={v}" for k, v in zip(("N", "M", "D"), shape))

    def case(self, rng, shape) -> dict:
        return inputs.distance_case(rng, *shape)

    def call(self, function, case: dict):
        return function(case["X"], case["X_train"])

    def batch(self, rng, shape, calls: int) -> list[dict]:
        """The training points are shared by the calls of a request (one array object: sent
        once, each call gets its own copy), the test points are fresh for every call: no result
        can be reused."""
        n, m, d = shape
        base = inputs.distance_case(rng, n, m, d)
        return [{"X": base["X"] + noise, "X_train": base["X_train"]} for noise in rng.normal(size=(calls, n, d))]

    def verify(self, name: str, value, case: dict, oracle) -> None:
        got = _dists_value(name, value, case)
        want = oracle(case["X"].copy(), case["X_train"].copy())
        errors = diagnosis.distance_errors(got, want, case["X"], case["X_train"])
        if not np.all(errors <= 1.0):
            i, j = np.unravel_index(int(np.argmax(errors)), errors.shape)
            raise Unusable(f"dists[{i}, {j}], {got[i, j]:.6g}, was {off_by(got[i, j], want[i, j])}")


DISTANCE_TIMING = DistanceTiming()
