"""Checks of the four loss functions: svm/softmax x naive/vectorized.

Each loss ``f(W, X, y, reg) -> (loss, dW)`` is called in the student's kernel on the same
inputs as the reference here; the checks compare values, gradients (against the reference and
against a centered numerical gradient of the student's own loss), and, for the vectorized
versions, agreement with the naive reference, absence of Python loops and speed.
"""

from __future__ import annotations

import numpy as np

from autograder.sandbox.bridge import Reply
from autograder.checks import Check, CheckResult, Context, checks_for, not_awarded, vectorization, withhold
from autograder.checks.calls import CaseCalls
from autograder.checks.values import Unusable, describe_case, loss_pair, off_by, reply_failure

from . import diagnosis, inputs

LOSS_RTOL = 1e-6
FLOAT32_RTOL = 1e-4  # float32 inputs: the student may compute in float32
GRAD_RTOL, GRAD_ATOL = 1e-6, 1e-9
NUMERICAL_H = 1e-5
NUMERICAL_TOL = 1e-4

SHAPE = Check("shape", "returns (loss, dW) with dW shaped like W", 1)
WORKED = Check("worked-example", "loss on a worked example like the lecture's (3 images, 3 classes, X = I, "
                                  "scores drawn for this submission)", 2)
RANDOM_LOSS = Check("random-loss", "loss on random inputs of several shapes, reg = 0", 3)
REG_LOSS = Check("reg-loss", "loss with regularization (reg = 0.1 and 50)", 2)
RANDOM_GRADIENT = Check("random-gradient", "gradient on random inputs of several shapes, reg = 0", 3)
REG_GRADIENT = Check("reg-gradient", "gradient with regularization (reg = 0.1 and 50)", 2)
FLOAT32 = Check("float32", "float32 inputs (loss and gradient)", 1)
LARGE_SCORES = Check("large-scores", "numerically stable for large scores (no overflow)", 1)
CONSISTENCY = Check("own-gradient", "gradient agrees with a centered numerical gradient of your own loss", 1)
AGREES = Check("agrees-with-naive", "agrees with the naive version on a dev-sized batch (500 x 65, 10 classes)", 1)
NO_LOOPS = vectorization.loop_check(2)
SPEED = vectorization.timed_check(2)

PARTS = ("svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized")
#: How every call of a loss passes a case ``_c`` in the kernel, checked or timed alike.
LOSS_ARGS = ("_c['W'].copy()", "_c['X'].copy()", "_c['y'].copy()", "_c['reg']")


def declared(name: str) -> list[Check]:
    """The checks of the loss ``name``: the softmax's are also checked on large scores, the
    vectorized versions against the naive one, for loops and for speed."""
    checks = [SHAPE, WORKED, RANDOM_LOSS, REG_LOSS, RANDOM_GRADIENT, REG_GRADIENT, FLOAT32, CONSISTENCY]
    checks += [LARGE_SCORES] if name.startswith("softmax") else []
    return checks + ([AGREES, NO_LOOPS, SPEED] if name.endswith("_vectorized") else [])


VALUES = [WORKED, RANDOM_LOSS, REG_LOSS, RANDOM_GRADIENT, REG_GRADIENT, FLOAT32, LARGE_SCORES, AGREES]


@checks_for(*PARTS, checks=declared, core=VALUES)
def check_loss(ctx: Context, name: str) -> list[CheckResult]:
    naive = name.replace("_vectorized", "_naive")
    # The expected values come from the vectorized reference for both versions: the naive one computes
    # the same numbers (to about 1e-15), at many times the grader's CPU. The naive one is timed.
    oracle = ctx.reference[name.replace("_naive", "_vectorized")]
    runner = _Runner(ctx, name)

    worked = [inputs.worked_like(ctx.rng)]
    plain = [inputs.loss_case(ctx.rng, *shape) for shape in inputs.LOSS_SHAPES]
    regularized = [inputs.loss_case(ctx.rng, n, d, c, reg) for (n, d, c) in [(5, 4, 3), (16, 10, 4)] for reg in (0.1, 50.0)]
    float32 = [inputs.float32_case(ctx.rng), inputs.float32_case(ctx.rng)]  # the loss's, then the gradient's
    large = [inputs.large_scores_case(ctx.rng)] if name.startswith("softmax") else []
    consistency = inputs.loss_case(ctx.rng, 16, 10, 4, 0.1)
    dev = _dev_case(ctx.rng) if name.endswith("_vectorized") else None
    # Every case in one request (one call each, as one call per request would make them).
    runner.prefetch(worked + plain + regularized + float32 + large + [consistency] + ([dev] if dev else []))
    results = []

    def compare(check: Check, cases, what) -> CheckResult:
        for case in cases:
            try:
                loss, dW = runner.run(case)
            except Unusable as exc:
                return check.fail(str(exc))
            exact = {k: np.asarray(v, dtype=np.float64) if k in ("W", "X") else v for k, v in case.items()}
            want_loss, want_dW = oracle(exact["W"].copy(), exact["X"].copy(), exact["y"].copy(), exact["reg"])
            rtol = FLOAT32_RTOL if case["X"].dtype == np.float32 else LOSS_RTOL
            if what == "loss" and not _close_loss(loss, want_loss, rtol):
                hint, slip = diagnosis.loss_hint(name, exact, loss, oracle)
                return check.fail(f"{describe_case(case)}: your loss, {loss:.6g}, is {off_by(loss, want_loss)}. {hint}".strip(),
                                  slip)
            if what == "gradient" and not _close_gradient(dW, want_dW, rtol):
                worst = np.unravel_index(np.argmax(np.abs(dW - want_dW)), dW.shape)
                where = ", ".join(str(int(i)) for i in worst)
                hint, slip = diagnosis.gradient_hint(name, exact, dW, oracle)
                return check.fail(f"{describe_case(case)}: dW[{where}], {dW[worst]:.6g}, is {off_by(dW[worst], want_dW[worst])} "
                                  f"(the largest error of dW). {hint}".strip(), slip)
        return check.ok()

    results.append(compare(SHAPE, plain[2:3], "shape"))
    results.append(compare(WORKED, worked, "loss"))
    results.append(compare(RANDOM_LOSS, plain, "loss"))
    results.append(compare(REG_LOSS, regularized, "loss"))
    results.append(compare(RANDOM_GRADIENT, plain, "gradient"))
    results.append(compare(REG_GRADIENT, regularized, "gradient"))
    float32_loss = compare(FLOAT32, float32[:1], "loss")
    results.append(float32_loss if not float32_loss.passed else compare(FLOAT32, float32[1:], "gradient"))
    if large:
        results.append(compare(LARGE_SCORES, large, "loss"))
    results.append(_numerical_gradient_check(ctx, name, runner, consistency))
    if name.endswith("_vectorized"):
        results.append(_agrees_with_naive(runner, dev, oracle))
    # Structure (its shape, its own gradient, no loops, speed) earns credit only from a function
    # whose loss and gradient are each right or one declared mistake on every case: garbage
    # that happens to be shaped like a loss (`return np.sum(W * W), 2 * W`) earns nothing.
    kinds = _classify(runner, worked + plain + regularized, oracle)
    withheld = "" if isinstance(kinds, tuple) else kinds
    results = [withhold(r, withheld) if withheld and r.id in (SHAPE.id, CONSISTENCY.id) else r for r in results]
    if name.endswith("_vectorized"):
        loops = vectorization.no_loops(ctx, name, NO_LOOPS) if not withheld else NO_LOOPS.fail(not_awarded(withheld))
        results.append(loops)
        if withheld or not loops.passed:
            results.append(SPEED.fail(not_awarded(withheld or "speed credit is for vectorized code, and the loop "
                                                                         "check found a loop (see above).")))
        else:
            # Timed results must be what the function computes: the reference's, or the declared
            # mistakes its values were found to be (computed here): fast garbage earns nothing.
            loss_kind, gradient_kind = kinds
            timed_oracle = oracle if loss_kind.id == gradient_kind.id == "right" else diagnosis.variant(
                loss_kind, gradient_kind, oracle)
            results.append(vectorization.speed_check(ctx, name, ctx.reference[naive], SPEED, timing=LOSS_TIMING,
                                                     oracle=timed_oracle))
    return results


def _classify(runner, cases: list, oracle):
    """(loss kind, gradient kind): each the right one or a declared slip (diagnosis.classify),
    over every case; or why the function's result is neither (a sentence)."""
    answers = []
    for case in cases:
        try:
            answers.append((case, *runner.run(case)))
        except Unusable:
            return f"{runner.name} does not return (loss, dW) on every input"
    exact = [({k: np.asarray(v, dtype=np.float64) if k in ("W", "X") else v for k, v in case.items()}, loss, dW)
             for case, loss, dW in answers]
    loss = diagnosis.classify(runner.name, [(case, loss) for case, loss, _ in exact], oracle, "loss")
    gradient = diagnosis.classify(runner.name, [(case, dW) for case, _, dW in exact], oracle, "gradient")
    if loss is None or gradient is None:
        what = "loss" if loss is None else "gradient"
        return (f"{runner.name}'s {what} is neither right nor one of the known mistakes (see above); its structure "
                "earns credit once it computes a loss and its gradient")
    return loss, gradient


class _Runner:
    """The student's loss on cases (checks.calls.CaseCalls): all of them in one request, each
    reply kept, so that the loss and the gradient checks of a case read one call, and a hang is
    not waited for twice."""

    def __init__(self, ctx: Context, name: str):
        self.name = name
        self.calls = CaseCalls(ctx, name, *LOSS_ARGS)

    def prefetch(self, cases: list) -> None:
        self.calls.prefetch(cases)

    def run(self, case: dict):
        return loss_pair(self.name, self.calls.reply(case), case["W"].shape)

    def recompute(self, W, X, y, reg):
        """The student's own result on these inputs, asked for as every check asks (not timed)."""
        return self.run({"W": W.copy(), "X": X.copy(), "y": y.copy(), "reg": reg})


def _close_loss(got: float, want: float, rtol: float = LOSS_RTOL) -> bool:
    return bool(np.isfinite(got)) and abs(got - want) <= rtol * max(1.0, abs(want))


def _close_gradient(got: np.ndarray, want: np.ndarray, rtol: float = GRAD_RTOL) -> bool:
    """Entry-wise, relative to the gradient's scale (so float32 round-off near 0 is not a miss)."""
    scale = max(1.0, float(np.max(np.abs(want))))
    return bool(np.all(np.isfinite(got))) and np.allclose(got, want, rtol=rtol, atol=max(GRAD_ATOL, rtol * 1e-3 * scale))


def _numerical_gradient_check(ctx: Context, name: str, runner: _Runner, case: dict) -> CheckResult:
    """The student's dW against centered differences of the student's own loss, at random entries."""
    try:
        _, dW = runner.run(case)
    except Unusable as exc:
        return CONSISTENCY.fail(str(exc))
    entries = [tuple(int(ctx.rng.integers(m)) for m in dW.shape) for _ in range(6)]
    stack = []
    for ix in entries:
        for sign in (+1, -1):
            W = case["W"].copy()
            W[ix] += sign * NUMERICAL_H
            stack.append(W)
    reply = ctx.bridge.evaluate(
        f"[float({name}(W.copy(), _autograder_probe['X'].copy(), _autograder_probe['y'].copy(), "
        f"_autograder_probe['reg'])[0]) for W in _autograder_probe['Ws']]",
        inputs={"_autograder_probe": {"Ws": np.stack(stack), "X": case["X"], "y": case["y"], "reg": case["reg"]}},
    )
    if not reply.ok or reply.value.kind != "list":
        return CONSISTENCY.fail(reply_failure(name, reply) if not reply.ok else f"{name} did not return numbers")
    values = np.array([item.value if item.kind == "float" else np.nan for item in reply.value.value])
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: a nan, which fails below
        numerical = (values[0::2] - values[1::2]) / (2 * NUMERICAL_H)
    analytic = np.array([dW[ix] for ix in entries])
    errors = np.abs(numerical - analytic) / np.maximum(1e-8, np.abs(numerical) + np.abs(analytic))
    # The SVM's hinge has kinks: one entry may straddle one. Softmax is smooth: all must agree.
    allowed = 1 if name.startswith("svm") else 0
    bad = [i for i, e in enumerate(errors) if not e < NUMERICAL_TOL]
    if len(bad) > allowed:
        i = bad[0]
        return CONSISTENCY.fail(
            f"at dW[{', '.join(map(str, entries[i]))}] your gradient is {analytic[i]:.6g} but your loss changes at a rate of "
            f"{numerical[i]:.6g} (relative error {errors[i]:.1e}): the gradient does not match the loss you compute.")
    return CONSISTENCY.ok()


def _dev_case(rng: np.random.Generator) -> dict:
    """A dev-sized batch with small weights, as in the notebook."""
    case = inputs.loss_case(rng, 500, 65, 10, 5e-6, w_scale=1e-4)
    case["X"] *= 50.0
    return case


def _agrees_with_naive(runner: _Runner, case: dict, naive) -> CheckResult:
    """Naive vs vectorized agreement on a dev-sized batch (_dev_case); ``naive``: what the naive version
    computes (the oracle: the same numbers as the naive reference, to about 1e-15)."""
    try:
        loss, dW = runner.run(case)
    except Unusable as exc:
        return AGREES.fail(str(exc))
    want_loss, want_dW = naive(case["W"].copy(), case["X"].copy(), case["y"].copy(), case["reg"])
    if not _close_loss(loss, want_loss):
        return AGREES.fail(f"{describe_case(case)}: your loss, {loss:.6g}, is {off_by(loss, want_loss)}.")
    if not _close_gradient(dW, want_dW):
        worst = np.unravel_index(np.argmax(np.abs(dW - want_dW)), dW.shape)
        return AGREES.fail(f"{describe_case(case)}: dW[{worst[0]}, {worst[1]}], {dW[worst]:.6g}, is "
                           f"{off_by(dW[worst], want_dW[worst])} (the largest error of dW).")
    return AGREES.ok()


class LossTiming(vectorization.Timing):
    """A loss ``f(W, X, y, reg) -> (loss, dW)`` timed by the engine's speed check.

    It runs on shapes (N, D, C) that every correct solution of the assignment's spec handles:
    the assignment's 10 classes (np.choose, for one, refuses 64 or more choices, 32 before
    numpy 2), with many examples, where a loop over examples is about as slow as the naive
    version. A loop over 10 classes costs about as much as array code at any N, so no timing at
    10 classes can see one: the loop check does. Figures from
    benchmarks/speed_check_robustness.py are in the README."""

    shapes = {(1000, 10, 10): "many examples"}
    args = LOSS_ARGS
    advice = "Replace the loop over examples with whole-matrix operations."

    def case(self, rng, shape) -> dict:
        case = inputs.loss_case(rng, *shape, 1e-3, w_scale=1e-3)
        case["reg"] = 1e-3
        return case

    def call(self, function, case: dict):
        return function(case["W"], case["X"], case["y"], case["reg"])

    def batch(self, rng, shape, calls: int) -> list[dict]:
        """The larger input is shared by the calls of a request (one array object: sent once,
        each call gets its own copy), the smaller one is fresh for every call: no result can be
        reused, and little is sent."""
        n, d, c = shape
        base = inputs.loss_case(rng, n, d, c, 1e-3, w_scale=1e-3)
        if n * d > d * c:
            return [{"W": W, "X": base["X"], "y": base["y"], "reg": 1e-3}
                    for W in rng.normal(0.0, 1e-3, size=(calls, d, c))]
        ys = rng.integers(0, c, size=(calls, n)).astype(np.int64)
        return [{"W": base["W"], "X": X, "y": y, "reg": 1e-3} for X, y in zip(rng.normal(0.0, 1.0, size=(calls, n, d)), ys)]

    def verify(self, name: str, value, case: dict, oracle) -> None:
        got_loss, got_dW = loss_pair(name, Reply("ok", value), case["W"].shape)
        want_loss, want_dW = oracle(case["W"], case["X"], case["y"], case["reg"])
        if not np.isclose(got_loss, want_loss, rtol=1e-6):
            raise Unusable(f"its loss, {got_loss:.6g}, was {off_by(got_loss, want_loss)}")
        if not np.allclose(got_dW, want_dW, rtol=1e-5, atol=1e-9):
            worst = np.unravel_index(np.argmax(np.abs(got_dW - want_dW)), got_dW.shape)
            raise Unusable(f"dW[{worst[0]}, {worst[1]}], {got_dW[worst]:.6g}, was {off_by(got_dW[worst], want_dW[worst])}")


LOSS_TIMING = LossTiming()
