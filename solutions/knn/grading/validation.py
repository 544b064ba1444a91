"""Checks of cross_validate(X_train, y_train, k_choices, num_folds=5).

The accuracies must be the reference's, or, so that a wrong predict_labels (or distance
function) is not charged twice, what the student's own compute_distances_no_loops and
predict_labels give on the reference's folds: those are computed in the student's kernel, from
the folds made here, and compared with the accuracies cross_validate returned.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import Check, CheckResult, Context, checks_for
from autograder.checks.values import Unusable, reply_failure

from . import diagnosis, inputs

SHAPE = Check("shape", "returns a float array of shape (len(k_choices), num_folds) with accuracies in [0, 1]", 2)
SMALL = Check("small", "accuracies on 40 points of 3 classes (5 folds, k = 1, 3, 5)", 5)
UNEVEN = Check("uneven-folds", "folds of unequal sizes (50 points, 3 folds, k = 1, 2, 4, 7; ties in votes)", 4)
DEFAULT = Check("default-folds", "num_folds defaults to 5", 2)
DIGITS = Check("digits", "accuracies on 150 digit images (64 pixels, 5 folds, k = 1, 3, 5, 10)", 3)
OWN = Check("own-functions", "uses your compute_distances_no_loops and predict_labels", 2)

#: In the student's kernel: call cross_validate with the two functions it must use replaced by
#: counting wrappers (restored afterwards). Returns ("ok", its result, (calls of each)), or
#: ("stub", name) when one of them raised NotImplementedError (then cross_validate itself is
#: not the stub).
HELPER = r'''
def _autograder_cv_call(args, kwargs):
    g = globals()
    wanted = ("compute_distances_no_loops", "predict_labels")
    originals = {name: g.get(name) for name in wanted}
    tally = {name: 0 for name in wanted}
    unfinished = []

    def counting(name, original):
        def counted(*positional, **named):
            tally[name] += 1
            try:
                return original(*positional, **named)
            except NotImplementedError as stub:
                unfinished.append(name)
                raise stub
        return counted

    for wrapped in wanted:
        if callable(originals[wrapped]):
            g[wrapped] = counting(wrapped, originals[wrapped])
    try:
        result = cross_validate(*args, **kwargs)
    except NotImplementedError as stub:
        if unfinished:
            return ("stub", unfinished[0])
        raise stub
    finally:
        for name in wanted:
            if callable(originals[name]):
                g[name] = originals[name]
    return ("ok", result, (tally["compute_distances_no_loops"], tally["predict_labels"]))
'''

#: In the student's kernel: the student's own predictions on the reference's folds.
OWN_PIPELINE = ("[[predict_labels(_autograder_dists, f['y_tr'].copy(), k=k) for k in _autograder_own['ks']] "
                "for f in _autograder_own['folds'] "
                "for _autograder_dists in [compute_distances_no_loops(f['X_val'].copy(), f['X_tr'].copy())]]")


@checks_for("cross_validate", checks=[SHAPE, SMALL, UNEVEN, DEFAULT, DIGITS, OWN])
def check_cross_validate(ctx: Context, name: str) -> list[CheckResult]:
    rng = ctx.rng
    reference = ctx.reference
    cases = {
        SMALL: dict(inputs.blobs(rng, 40, 4, 3), k_choices=[1, 3, 5], num_folds=5),
        UNEVEN: dict(inputs.blobs(rng, 50, 3, 4), k_choices=[1, 2, 4, 7], num_folds=3),
        DEFAULT: dict(inputs.blobs(rng, 30, 5, 3), k_choices=[1, 3], num_folds=5),
        DIGITS: dict(inputs.digits_sample(rng, 150), k_choices=[1, 3, 5, 10], num_folds=5),
    }
    load = ctx.bridge.load(HELPER)
    if not load.ok:
        problem = f"cross_validate could not be called ({load.error})."
        return [check.fail(problem) for check in (SHAPE, *cases, OWN)]
    results, returned, counts, first_problem, stuck = [], {}, None, "", ""
    for check, case in cases.items():
        try:
            if stuck:  # a call that hung or killed the kernel is not waited for again
                raise Unusable(stuck)
            value, calls = _call(ctx, name, case, default=check is DEFAULT)
            counts = calls if check is SMALL else counts
            got = _accuracies(name, case, value)
            returned[check] = got
        except Unusable as exc:
            problem = str(exc)
            if problem.startswith(f"calling {name} did not finish") or problem.startswith(f"calling {name} crashed"):
                stuck = problem
            elif problem.startswith(f"calling {name} raised"):
                _, why_not = _own_accuracies(ctx, case)
                if why_not:
                    problem += f" ({why_not}: fix that first)."
            first_problem = first_problem or problem
            results.append(check.fail(problem))
            continue
        want = reference[name](case["X"].copy(), case["y"].copy(), list(case["k_choices"]), num_folds=case["num_folds"])
        if np.allclose(got, want, atol=1e-9):
            results.append(check.ok())
            continue
        own, why_not = _own_accuracies(ctx, case)
        if own is not None and np.allclose(got, own, atol=1e-9):
            results.append(check.ok())  # right, with the student's own parts
            continue
        results.append(check.fail(_wrong(case, got, want, own, why_not, reference)))
    results.insert(0, _shape_check(name, returned, cases, first_problem))
    results.append(_own_functions_check(counts, results[1]))
    return results


def _call_expression(case: dict, default: bool) -> str:
    args = "_autograder_cv['X'].copy(), _autograder_cv['y'].copy(), list(_autograder_cv['k_choices'])"
    kwargs = "{}" if default else f"{{'num_folds': {case['num_folds']}}}"
    return f"_autograder_cv_call(({args},), {kwargs})"


def _call(ctx: Context, name: str, case: dict, default: bool = False) -> tuple:
    """(the value cross_validate returned, (calls of compute_distances_no_loops, calls of
    predict_labels)), or Unusable."""
    reply = ctx.bridge.evaluate(_call_expression(case, default), inputs={"_autograder_cv": _payload(case)})
    if not reply.ok:
        message = reply_failure(name, reply)
        if "array split does not result in an equal division" in reply.problem:
            message += (f" np.split needs folds of equal sizes, and {len(case['X'])} points do not split into "
                        f"{case['num_folds']} equal folds: np.array_split allows folds whose sizes differ by one.")
        raise Unusable(message)
    items = reply.value.value if reply.value.kind == "tuple" else []
    if len(items) == 2 and items[0].kind == "str" and items[0].value == "stub":
        raise Unusable(f"cross_validate called your {items[1].value}, which still raises NotImplementedError: "
                       "implement it first (cross_validate must use it).")
    if len(items) != 3:
        raise Unusable("cross_validate's result could not be read back.")
    return items[1], tuple(int(v.value) for v in items[2].value)


def _accuracies(name: str, case: dict, value) -> np.ndarray:
    """The accuracies cross_validate returned (a bridge value) as a float64 (K, F) array, or Unusable."""
    shape = (len(case["k_choices"]), case["num_folds"])
    if value.kind == "dict":
        raise Unusable(f"{name} returned a dict; it must return a numpy array of shape (len(k_choices), num_folds) = "
                       f"{shape}, row a holding the accuracies of k_choices[a] on every fold "
                       "(np.array([accuracies[k] for k in k_choices]) converts a dict of lists).")
    if value.kind in ("list", "tuple"):
        raise Unusable(f"{name} returned a {value.kind} ({value.describe()}); it must return a numpy array of shape "
                       f"(len(k_choices), num_folds) = {shape} (np.array(...) converts a list of lists).")
    if value.kind != "array":
        raise Unusable(f"{name} must return a numpy array of shape (len(k_choices), num_folds) = {shape}; "
                       f"it returned {value.describe()}.")
    got = value.value
    if got.shape != shape:
        k_count, folds = shape
        if got.shape == (folds, k_count) and folds != k_count:
            hint = " (it is transposed: one row per value of k, one column per fold)"
        elif got.shape == (k_count,):
            hint = " (one number per k: return every fold's accuracy, not their mean)"
        else:
            hint = ""
        raise Unusable(f"with {len(case['X'])} points, k_choices={case['k_choices']} and num_folds={case['num_folds']}, "
                       f"{name} returned an array of shape {got.shape}{hint}; it must have shape {shape}.")
    if got.dtype.kind not in "biuf":
        raise Unusable(f"{name} returned accuracies of dtype {got.dtype}; they must be numbers.")
    return got.astype(np.float64)


def _payload(case: dict) -> dict:
    return {"X": case["X"], "y": case["y"], "k_choices": list(case["k_choices"])}


def _own_accuracies(ctx: Context, case: dict):
    """(the accuracies the student's own compute_distances_no_loops and predict_labels give on
    the reference's folds, or None; why they could not be computed, or '')."""
    X, y = case["X"], case["y"]
    folds = diagnosis.array_split_folds(len(X), case["num_folds"])
    payload = {"ks": list(case["k_choices"]),
               "folds": [{"X_val": X[val], "X_tr": X[train], "y_tr": y[train]} for val, train in folds]}
    reply = ctx.bridge.evaluate(OWN_PIPELINE, inputs={"_autograder_own": payload})
    if not reply.ok:
        return None, reply_failure("your compute_distances_no_loops or predict_labels", reply)
    own = np.zeros((len(case["k_choices"]), len(folds)))
    try:
        for f, (row, (val, _)) in enumerate(zip(reply.value.value, folds)):
            for a, prediction in enumerate(row.value):
                if prediction.kind != "array" or prediction.value.shape != (len(val),):
                    return None, ("on these folds, your predict_labels(compute_distances_no_loops(X_val, X_tr), y_tr, k) "
                                  "does not return one label per validation point")
                own[a, f] = np.mean(prediction.value == y[val])
    except (AttributeError, TypeError, ValueError):
        return None, "your predict_labels' results could not be read"
    return own, ""


def _wrong(case: dict, got: np.ndarray, want: np.ndarray, own, why_not: str, reference: dict) -> str:
    a, f = np.unravel_index(int(np.argmax(np.abs(got - want))), got.shape)
    k = case["k_choices"][a]
    message = (f"with {len(case['X'])} points, k_choices={case['k_choices']} and num_folds={case['num_folds']}: "
               f"the accuracy of k={k} on fold {f} should be {want[a, f]:.4f}, got {got[a, f]:.4g}")
    if own is not None:
        message += f" (your own compute_distances_no_loops and predict_labels give {own[a, f]:.4g} on that fold)"
    elif why_not:
        message += f" ({why_not.rstrip('.')})"
    hint = diagnosis.accuracies_hint(case, got, want, reference["compute_distances_no_loops"], reference["predict_labels"])
    return f"{message}. {hint}".strip()


def _shape_check(name: str, returned: dict, cases: dict, first_problem: str) -> CheckResult:
    """Shape and range, from any case that returned an array of the right shape; credit only
    for accuracies that depend on the input."""
    if not returned:
        return SHAPE.fail(first_problem)
    for check, got in returned.items():
        if not np.all(np.isfinite(got)) or np.any(got < 0) or np.any(got > 1):
            hint = (" (percentages? use fractions, np.mean(y_pred == y_val))" if np.all(np.isfinite(got)) and got.max() > 1
                    else "")
            return SHAPE.fail(f"with {len(cases[check]['X'])} points {name} returned accuracies "
                              f"outside [0, 1]{hint}: an accuracy is the fraction of correct labels in the fold.")
    flat = np.concatenate([g.ravel() for g in returned.values()])
    if np.ptp(flat) == 0:
        return SHAPE.fail(f"not awarded: {name} returns the same accuracy ({flat[0]:g}) everywhere: "
                          "it does not cross-validate yet.")
    return SHAPE.ok()


def _own_functions_check(counts, small: CheckResult) -> CheckResult:
    """cross_validate must call the notebook's compute_distances_no_loops and predict_labels
    (counted on the first case: ``counts``, None if that call failed, whose check is ``small``)."""
    if counts is None:
        return OWN.fail(small.message if not small.passed else "cross_validate could not be traced.")
    distances, predictions = counts
    missing = [f for f, count in (("compute_distances_no_loops", distances), ("predict_labels", predictions)) if count == 0]
    if missing:
        return OWN.fail(f"cross_validate never called {' nor '.join(missing)}: compute each fold's "
                        "distances and predictions with the functions you wrote above.")
    return OWN.ok()
