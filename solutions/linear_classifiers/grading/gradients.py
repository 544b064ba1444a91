"""Checks of the gradient tools eval_numerical_gradient and grad_check_sparse (rel_error's: test_rel_error.py).

They are checked on smooth test functions drawn for each submission (never the student's own
losses, so a bug in a loss cannot cost points here): f(x) = sum(a sin(k x + c) + b x^3), with
coefficients of x's shape. The grader places f in the kernel and computes here, with the same
f, what centered differences of it give: at the steps used (0.01 given, 1e-5 by default) they
differ from f's derivative by a relative (k h)^2 / 6 of about 1e-4, far more than the checks'
tolerance, so a function that recognises f and returns its derivative in closed form fails
just like a wrong one. Reports never say which function was used.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import Check, CheckResult, Context, checks_for, withhold
from autograder.checks.values import Unusable, array, off_by, reply_failure, scalar

# Makes the test function in the kernel from its coefficients (plain arrays from the grader).
SMOOTH = r'''
def _autograder_smooth(p):
    import numpy as _np
    a, k, c, b = (_np.array(p[key], dtype=_np.float64) for key in ("a", "k", "c", "b"))
    def f(x):
        return float(_np.sum(a * _np.sin(k * x + c) + b * x ** 3))
    return f
'''


def smooth(rng: np.random.Generator, shape: tuple, frequency: tuple) -> dict:
    """Coefficients of a test function on arrays of ``shape``, frequencies k drawn in ``frequency``."""
    return {"a": rng.uniform(0.5, 1.5, size=shape), "k": rng.uniform(*frequency, size=shape),
            "c": rng.uniform(0, 2 * np.pi, size=shape), "b": rng.uniform(-0.5, 0.5, size=shape)}


def evaluate(p: dict, x: np.ndarray) -> float:
    """f(x), computed exactly as the kernel's f computes it."""
    return float(np.sum(p["a"] * np.sin(p["k"] * x + p["c"]) + p["b"] * x ** 3))


def derivative(p: dict, x: np.ndarray) -> np.ndarray:
    """f's gradient in closed form."""
    return p["a"] * p["k"] * np.cos(p["k"] * x + p["c"]) + 3 * p["b"] * x ** 2


def differences(p: dict, x: np.ndarray, h: float, centered: bool = True) -> np.ndarray:
    """What (f(x + h e_i) - f(x - h e_i)) / (2h) gives at every entry, computed as a student's
    loop computes it (one entry perturbed at a time); one-sided: (f(x + h e_i) - f(x)) / h."""
    out = np.zeros(x.shape)
    fx = evaluate(p, x)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + h
        plus = evaluate(p, x)
        x[ix] = old - h
        minus = evaluate(p, x)
        x[ix] = old
        out[ix] = (plus - minus) / (2 * h) if centered else (plus - fx) / h
    return out


def restored(after: np.ndarray, x: np.ndarray) -> bool:
    """x is back to its values, up to the last bit (x[ix] += h; x[ix] -= 2 * h; x[ix] += h, as in
    CS231n's own code, can leave a 1-ulp drift; not restoring at all leaves h)."""
    return after is not None and after.shape == x.shape and np.allclose(after, x, rtol=1e-12, atol=1e-15)


def close(got: np.ndarray, want: np.ndarray, rtol: float = 1e-7) -> bool:
    """Entry-wise within ``rtol`` of the gradient's scale (roundoff of a differently ordered
    but correct loop is ~1e-11 of it; a closed-form derivative is ~1e-4 off)."""
    scale = max(1e-12, float(np.max(np.abs(want))))
    return bool(np.all(np.isfinite(got))) and np.allclose(got, want, rtol=rtol, atol=rtol * scale)

SHAPED = Check("shape", "returns a float array shaped like x", 1)
CENTERED = Check("centered", "centered differences with the given h (h = 0.01)", 4)
RESTORED = Check("restores-x", "x is restored to its original values", 2)
EVERY_ENTRY = Check("every-entry", "every entry of a 3-D array, default h", 3)

COUNT = Check("count", "returns num_checks relative errors", 1)
ERRORS = Check("errors", "relative errors |n - a| / (|n| + |a|) at checked entries", 3)
RANDOM_ENTRIES = Check("random-entries", "checks random entries", 1)
SPARSE_RESTORED = Check("restores-x", "x is restored to its original values", 1)
GIVEN_H = Check("given-h", "uses the given h", 1)

#: The declared mistakes of eval_numerical_gradient (its hints carry them).
NUMERICAL_SLIPS = ("one-sided", "ignores-h")

#: Frequencies of the test functions: at h = 0.01 and at h = 1e-5 centered differences are then
#: a relative ~1e-4 away from f's derivative (closed forms fail), and far from one-sided ones.
GIVEN_STEP, GIVEN_FREQUENCY = 1e-2, (6.0, 12.0)
DEFAULT_STEP, DEFAULT_FREQUENCY = 1e-5, (2000.0, 4000.0)


@checks_for("eval_numerical_gradient", checks=[SHAPED, CENTERED, RESTORED, EVERY_ENTRY], core=[CENTERED, EVERY_ENTRY])
def check_eval_numerical_gradient(ctx: Context, name: str) -> list[CheckResult]:
    ctx.bridge.load(SMOOTH)
    results = []
    x = ctx.rng.uniform(0.5, 2.0, size=(4, 3)) * ctx.rng.choice([-1, 1], size=(4, 3))
    p = smooth(ctx.rng, x.shape, GIVEN_FREQUENCY)
    got, after, problem = _numerical(ctx, name, p, x, f"verbose=False, h={GIVEN_STEP!r}")
    results.append(SHAPED.result(problem is None, problem or ""))
    if problem is None:
        ok = close(got, differences(p, x.copy(), GIVEN_STEP))
        hint, slip = ("", "") if ok else _centered_hint(got, p, x)
        results.append(CENTERED.result(ok, hint, slip))
        ok = restored(after, x)
        results.append(RESTORED.result(ok,
            "after your function returns, x must hold its original values: put each entry back after evaluating f."))
    else:
        results += [CENTERED.fail(problem), RESTORED.fail(problem)]
    x = ctx.rng.normal(size=(2, 3, 2))
    p = smooth(ctx.rng, x.shape, DEFAULT_FREQUENCY)
    got, _, problem = _numerical(ctx, name, p, x, "verbose=False")
    if problem is None:
        # One-sided differences are the centered check's business (one slip, one deduction):
        # here they pass, and what fails gets its own cause.
        ok = any(close(got, differences(p, x.copy(), DEFAULT_STEP, centered)) for centered in (True, False))
        results.append(EVERY_ENTRY.result(ok, "" if ok else _every_entry_hint(got, p, x)))
    else:
        results.append(EVERY_ENTRY.fail(problem))
    return results


def _every_entry_hint(got: np.ndarray, p: dict, x: np.ndarray) -> str:
    """Why a numerical gradient on a 3-D x with the default h is wrong (no expected value)."""
    want = differences(p, x.copy(), DEFAULT_STEP)
    scale = float(np.max(np.abs(want)))
    wrong = np.abs(got - want) > 1e-7 * scale
    if wrong.any() and not wrong.all():
        where = tuple(int(i) for i in np.argwhere(wrong)[0])
        return (f"{int(wrong.sum())} of {x.size} entries are wrong (the first at {where}): visit every entry of an array "
                "of any number of dimensions (np.nditer(x, flags=['multi_index']) does).")
    if close(got, differences(p, x.copy(), 1e-2), 1e-6):
        return "your result does not use the default step: use h=1e-5 when no h is given."
    if close(got, derivative(p, x), 1e-6):
        return "these are f's exact derivatives, not centered differences (f(x+h) - f(x-h)) / (2h) of f."
    return "your values are not centered differences (f(x+h) - f(x-h)) / (2h) of f, entry by entry."


def _numerical(ctx, name, p, x, options):
    """Call the student's eval_numerical_gradient on a test function with coefficients ``p``;
    return (grad, x after the call, problem)."""
    reply = ctx.bridge.evaluate(f"({name}(_autograder_smooth(_autograder_p), _autograder_x, {options}), _autograder_x)",
                                inputs={"_autograder_x": x, "_autograder_p": p})
    try:
        if not reply.ok:
            raise Unusable(reply_failure(name, reply))
        grad_value, x_value = reply.value.value
        grad = array(name, "the gradient", grad_value, x.shape)
        return grad, x_value.value, None
    except Unusable as exc:
        return None, None, str(exc)


def _centered_hint(got, p, x) -> tuple[str, str]:
    """(why centered differences with h = 0.01 are wrong, the declared slip or '')."""
    if close(got, differences(p, x.copy(), GIVEN_STEP, centered=False), 1e-6):
        return ("these are one-sided differences (f(x+h) - f(x)) / h; use centered ones: (f(x+h) - f(x-h)) / (2h).",
                "one-sided")
    if close(got, differences(p, x.copy(), DEFAULT_STEP), 1e-6):
        return "your result ignores the h argument: use the h you are given.", "ignores-h"
    if close(got, derivative(p, x), 1e-6):
        return "these are f's exact derivatives, not centered differences of f with the given h.", ""
    return "your values are not the centered differences (f(x+h) - f(x-h)) / (2h) of f with the given h.", ""


@checks_for("grad_check_sparse", checks=[COUNT, ERRORS, RANDOM_ENTRIES, SPARSE_RESTORED, GIVEN_H], core=[ERRORS, GIVEN_H])
def check_grad_check_sparse(ctx: Context, name: str) -> list[CheckResult]:
    ctx.bridge.load(SMOOTH)
    results = []
    # An analytic gradient n (1 + e) against the centered differences n at the default step:
    # entry k's relative error is e_k / (2 + e_k), a different value for every entry. The e_k are
    # drawn for each submission (one in each of x.size equal slices of [0.01, 0.6], so that they
    # stay apart): a function that computes nothing cannot return errors the check expects.
    shape = (5, 6)
    x = ctx.rng.uniform(0.5, 2.0, size=shape) * ctx.rng.choice([-1, 1], size=shape)
    p = smooth(ctx.rng, shape, DEFAULT_FREQUENCY)
    numerical = differences(p, x.copy(), DEFAULT_STEP)
    slices = ctx.rng.permutation(x.size) + ctx.rng.uniform(0.05, 0.95, size=x.size)
    e = (0.01 + 0.59 * slices / x.size).reshape(shape)
    expected = _relative(numerical, numerical * (1 + e))
    errors, after, problem = _sparse(ctx, name, p, x, numerical * (1 + e), "num_checks=20")
    if problem:
        return [check.fail(problem) for check in (COUNT, ERRORS, RANDOM_ENTRIES, SPARSE_RESTORED, GIVEN_H)]
    ok = errors.shape == (20,)
    results.append(COUNT.result(ok, f"called with num_checks=20 it returned {errors.size} values."))
    right = bool(errors.size) and all(_matches(expected, v) for v in errors.ravel())
    results.append(ERRORS.result(right,
        "a returned error matches no entry's |numerical - analytic| / (|numerical| + |analytic|); "
        "compute it at the entry you perturbed, with centered differences of f."))
    ok = len(np.unique(np.round(errors, 9))) > 1
    results.append(RANDOM_ENTRIES.result(ok, "all 20 checks looked at the same entry: draw a random index for every check."))
    ok = restored(after, x)
    results.append(SPARSE_RESTORED.result(ok,
        "after the check, x must hold its original values: put each entry back after evaluating f."))
    # Shape and restoring earn nothing unless the errors are right: `return np.zeros(num_checks)`
    # has the right shape and restores x without computing anything.
    if not right:
        results = [withhold(r, "until the relative errors are right (see above).") if r.id != ERRORS.id else r
                   for r in results]
    # With h = 0.01 and f's exact derivative as the analytic gradient, entry k's error is the
    # centered difference's own error at that step.
    p = smooth(ctx.rng, shape, GIVEN_FREQUENCY)
    errors, _, problem = _sparse(ctx, name, p, x, derivative(p, x), f"num_checks=5, h={GIVEN_STEP!r}")
    expected = _relative(differences(p, x.copy(), GIVEN_STEP), derivative(p, x))
    ok = problem is None and bool(errors.size) and all(_matches(expected, v) for v in errors.ravel())
    results.append(GIVEN_H.result(ok, problem or "with h=0.01 the errors are not those of centered differences with "
                                                 "that step: use the h you are given."))
    return results


def _relative(numerical: np.ndarray, analytic: np.ndarray) -> np.ndarray:
    return np.abs(numerical - analytic) / np.maximum(1e-300, np.abs(numerical) + np.abs(analytic))


def _matches(expected: np.ndarray, value: float) -> bool:
    """``value`` is one entry's expected relative error (a finite number: inf and nan match nothing)."""
    return bool(np.isfinite(value)) and bool(np.any(np.abs(expected - value) <= 1e-6 * max(value, 1e-3)))


def _sparse(ctx, name, p, x, analytic, options):
    reply = ctx.bridge.evaluate(
        f"(__import__('numpy').random.seed({int(ctx.rng.integers(2**32))}), "  # never ctx.seed: see classifier.kernel_seed
        f"{name}(_autograder_smooth(_autograder_sparse[2]), _autograder_sparse[0], _autograder_sparse[1], {options}), "
        "_autograder_sparse[0])[1:]",
        inputs={"_autograder_sparse": (x, analytic, p)})
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
