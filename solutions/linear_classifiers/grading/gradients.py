"""Checks of the gradient tools: rel_error, eval_numerical_gradient, grad_check_sparse.

They are checked on functions whose gradients are known in closed form (the grader places
these small functions in the kernel), never through the student's own losses, so a bug in a
loss cannot cost points here.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from autograder.checks import Check, CheckResult, Context, checks_for
from autograder.checks.values import Unusable, array, reply_failure, scalar

# Functions with known gradients, defined in the kernel. For f(x) = sum(x**3) the centered
# difference is exactly 3x^2 + h^2, so the expected numbers depend on h and on the centering.
KNOWN_FUNCTIONS = r'''
def _autograder_known():
    import numpy as _np
    def cube(x):
        return float(_np.sum(x ** 3))
    def square(x):
        return float(_np.sum(x ** 2))
    def exp(x):
        return float(_np.sum(_np.exp(x)))
    return cube, square, exp
_autograder_cube, _autograder_square, _autograder_exp = _autograder_known()
del _autograder_known
'''


def restored(after: np.ndarray, x: np.ndarray) -> bool:
    """x is back to its values, up to the last bit (x[ix] += h; x[ix] -= 2 * h; x[ix] += h, as in
    CS231n's own code, can leave a 1-ulp drift; not restoring at all leaves h)."""
    return after is not None and after.shape == x.shape and np.allclose(after, x, rtol=1e-12, atol=1e-15)


def _cube_centered(x: np.ndarray, h: float) -> np.ndarray:
    """What a correct centered difference of sum(x**3) with step h returns, entry by entry."""
    return ((x + h) ** 3 - (x - h) ** 3) / (2 * h)

ARRAYS = Check("arrays", "relative error of two arrays", 2)
NUMBERS = Check("numbers", "relative error of two numbers", 1)
ZEROS = Check("zeros", "zero for identical arrays (and no division by zero at 0)", 1)

SHAPED = Check("shape", "returns a float array shaped like x", 1)
CENTERED = Check("centered", "centered differences with the given h, on f(x) = sum(x**3)", 4)
RESTORED = Check("restores-x", "x is restored to its original values", 2)
EVERY_ENTRY = Check("every-entry", "every entry of a 3-D array, default h, on f(x) = sum(exp(x))", 3)

COUNT = Check("count", "returns num_checks relative errors", 1)
ERRORS = Check("errors", "relative errors |n - a| / (|n| + |a|) at checked entries", 3)
RANDOM_ENTRIES = Check("random-entries", "checks random entries", 1)
SPARSE_RESTORED = Check("restores-x", "x is restored to its original values", 1)
GIVEN_H = Check("given-h", "uses the given h", 1)


@checks_for("rel_error", checks=[ARRAYS, NUMBERS, ZEROS])
def check_rel_error(ctx: Context, name: str) -> list[CheckResult]:
    results = []
    x = ctx.rng.normal(size=(4, 5))
    y = x + ctx.rng.normal(scale=1e-3, size=x.shape)
    cases = [
        (ARRAYS, x, y),
        (NUMBERS, 3.0, 2.5),
        (ZEROS, np.zeros((2, 3)), np.zeros((2, 3))),
    ]
    for check, a, b in cases:
        want = float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
        reply = ctx.bridge.call(name, "_autograder_pair[0]", "_autograder_pair[1]", inputs={"_autograder_pair": (a, b)})
        try:
            if not reply.ok:
                raise Unusable(reply_failure(name, reply))
            got = scalar(name, "the error", reply.value)
        except Unusable as exc:
            results.append(check.fail(str(exc)))
            continue
        ok = np.isfinite(got) and abs(got - want) <= 1e-9 + 1e-6 * abs(want)
        results.append(check.result(ok,
            f"expected max |x - y| / max(1e-8, |x| + |y|) = {want:.6g}, got {got:.6g}."))
    return results


@checks_for("eval_numerical_gradient", checks=[SHAPED, CENTERED, RESTORED, EVERY_ENTRY])
def check_eval_numerical_gradient(ctx: Context, name: str) -> list[CheckResult]:
    ctx.bridge.load(KNOWN_FUNCTIONS)
    results = []
    x = ctx.rng.uniform(0.5, 2.0, size=(4, 3)) * ctx.rng.choice([-1, 1], size=(4, 3))
    got, after, problem = _numerical(ctx, name, "_autograder_cube", x, "verbose=False, h=1e-2")
    results.append(SHAPED.result(problem is None, problem or ""))
    if problem is None:
        want = _cube_centered(x, 1e-2)
        ok = np.allclose(got, want, rtol=1e-7, atol=1e-9)
        message = "" if ok else _centered_hint(got, x, 1e-2)
        results.append(CENTERED.result(ok, message))
        ok = restored(after, x)
        results.append(RESTORED.result(ok,
            "after your function returns, x must hold its original values: put each entry back after evaluating f."))
    else:
        results += [CENTERED.fail(problem), RESTORED.fail(problem)]
    x = ctx.rng.normal(size=(2, 3, 2))
    got, _, problem = _numerical(ctx, name, "_autograder_exp", x, "verbose=False")
    if problem is None:
        # One-sided differences are the centered check's business (one slip, one deduction):
        # here they pass, and what fails gets its own cause.
        one_sided = (np.exp(x + 1e-5) - np.exp(x)) / 1e-5
        ok = any(np.allclose(got, want, rtol=1e-7, atol=1e-9) for want in (np.exp(x), one_sided))
        results.append(EVERY_ENTRY.result(ok, "" if ok else _every_entry_hint(got, x)))
    else:
        results.append(EVERY_ENTRY.fail(problem))
    return results


def _every_entry_hint(got: np.ndarray, x: np.ndarray) -> str:
    """Why a numerical gradient of sum(exp(x)) on a 3-D x is wrong."""
    want = np.exp(x)
    missed = np.flatnonzero(np.abs(got - want).ravel() > 1e-2 * want.ravel())
    if missed.size and np.allclose(np.delete(got.ravel(), missed), np.delete(want.ravel(), missed), rtol=1e-4):
        where = tuple(int(i) for i in np.unravel_index(missed[0], x.shape))
        return (f"{missed.size} of {x.size} entries are wrong (the first at {where}, {got[where]:.6g} instead of "
                f"{want[where]:.6g}): visit every entry of an array of any number of dimensions "
                "(np.nditer(x, flags=['multi_index']) does).")
    if np.allclose(got, want, rtol=1e-2):
        return "every entry is close to exp(x) but not close enough: use h=1e-5 when no h is given."
    return (f"the gradient of sum(exp(x)) is exp(x): expected {want.ravel()[:3].round(6)}..., "
            f"got {np.asarray(got).ravel()[:3].round(6)}....")


def _numerical(ctx, name, function, x, options):
    """Call the student's eval_numerical_gradient; return (grad, x after the call, problem)."""
    reply = ctx.bridge.evaluate(f"({name}({function}, _autograder_x, {options}), _autograder_x)",
                                inputs={"_autograder_x": x})
    try:
        if not reply.ok:
            raise Unusable(reply_failure(name, reply))
        grad_value, x_value = reply.value.value
        grad = array(name, "the gradient", grad_value, x.shape)
        return grad, x_value.value, None
    except Unusable as exc:
        return None, None, str(exc)


def _centered_hint(got, x, h) -> str:
    one_sided = ((x + h) ** 3 - x ** 3) / h
    if np.allclose(got, one_sided, rtol=1e-6):
        return "these are one-sided differences (f(x+h) - f(x)) / h; use centered ones: (f(x+h) - f(x-h)) / (2h)."
    if np.allclose(got, _cube_centered(x, 1e-5), rtol=1e-6):
        return "your result ignores the h argument: use the h you are given."
    return f"expected {_cube_centered(x, h).ravel()[:3].round(6)}..., got {np.asarray(got).ravel()[:3].round(6)}...."


@checks_for("grad_check_sparse", checks=[COUNT, ERRORS, RANDOM_ENTRIES, SPARSE_RESTORED, GIVEN_H])
def check_grad_check_sparse(ctx: Context, name: str) -> list[CheckResult]:
    ctx.bridge.load(KNOWN_FUNCTIONS)
    results = []
    # Analytic gradient 2x(1 + e) against f = sum(x**2), whose centered difference is exactly 2x:
    # entry k's relative error is e_k / (2 + e_k), a different known value for every entry.
    shape = (5, 6)
    x = ctx.rng.uniform(0.5, 2.0, size=shape) * ctx.rng.choice([-1, 1], size=shape)
    e = ctx.rng.permutation(np.linspace(0.01, 0.6, x.size)).reshape(shape)
    expected = e / (2 + e)
    errors, after, problem = _sparse(ctx, name, "_autograder_square", x, 2 * x * (1 + e), "num_checks=20")
    if problem:
        return [check.fail(problem) for check in (COUNT, ERRORS, RANDOM_ENTRIES, SPARSE_RESTORED, GIVEN_H)]
    ok = errors.shape == (20,)
    results.append(COUNT.result(ok,
        f"called with num_checks=20 it returned {errors.size} values."))
    right = bool(errors.size) and all(_matches(expected, v) for v in errors.ravel())
    results.append(ERRORS.result(right,
        "a returned error matches no entry's |numerical - analytic| / (|numerical| + |analytic|); "
        "compute it at the entry you perturbed, with centered differences."))
    ok = len(np.unique(np.round(errors, 9))) > 1
    results.append(RANDOM_ENTRIES.result(ok,
        "all 20 checks looked at the same entry: draw a random index for every check."))
    ok = restored(after, x)
    results.append(SPARSE_RESTORED.result(ok,
        "after the check, x must hold its original values: put each entry back after evaluating f."))
    # Shape and restoring earn nothing unless the errors are right: `return np.zeros(num_checks)`
    # has the right shape and restores x without computing anything.
    for i, result in enumerate(results):
        if result.passed and not right and result.id != ERRORS.id:
            results[i] = dataclasses.replace(result, passed=False,
                                             message="not awarded until the relative errors are right (see above).")
    # With f = sum(x**3), analytic 3x^2 and h = 0.1, entry k's error is h^2 / (6 x_k^2 + h^2).
    errors, _, problem = _sparse(ctx, name, "_autograder_cube", x, 3 * x ** 2, "num_checks=5, h=0.1")
    expected = 0.01 / (6 * x ** 2 + 0.01)
    ok = problem is None and bool(errors.size) and all(_matches(expected, v) for v in errors.ravel())
    results.append(GIVEN_H.result(ok,
        (problem or "with h=0.1 the errors should be h^2 / (6x^2 + h^2) for f = sum(x**3): use the h you are given.")))
    return results


def _matches(expected: np.ndarray, value: float) -> bool:
    """``value`` is one entry's expected relative error (a finite number: inf and nan match nothing)."""
    return bool(np.isfinite(value)) and bool(np.any(np.abs(expected - value) <= 1e-6 * max(value, 1e-3)))


def _sparse(ctx, name, function, x, analytic, options):
    reply = ctx.bridge.evaluate(
        f"(__import__('numpy').random.seed({ctx.seed % 2**32}), "
        f"{name}({function}, _autograder_sparse[0], _autograder_sparse[1], {options}), _autograder_sparse[0])[1:]",
        inputs={"_autograder_sparse": (x, analytic)})
    try:
        if not reply.ok:
            raise Unusable(reply_failure(name, reply))
        errors_value, x_value = reply.value.value
        if errors_value.kind == "array" and errors_value.value.ndim == 1:
            errors = errors_value.value.astype(np.float64)
        elif errors_value.kind in ("list", "tuple"):
            errors = np.array([scalar(name, "each relative error", v) for v in errors_value.value])
        else:
            raise Unusable(f"{name} must return the relative errors as a 1-D array or a list; it returned {errors_value.describe()}.")
        return errors, x_value.value, None
    except Unusable as exc:
        return None, None, str(exc)
