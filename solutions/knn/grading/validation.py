"""Checks of cross_validate(X_train, y_train, k_choices, num_folds=5).

The accuracies must be the reference's. So that a wrong or crashing compute_distances_no_loops or
predict_labels does not cost cross_validate its points too, cross_validate's own logic (the
folds, the loop over k, the accuracy of each fold) is also judged with both functions replaced
by stand-ins: for the calls a correct cross-validation makes, recognised by a digest of their
arguments, they answer with distances and labels the grader drew (no answer of the reference
enters the kernel), and otherwise call the student's own functions. What the accuracies must
then be is computed here, from the stand-ins' labels and the folds; a cross_validate whose
result is right with the stand-ins keeps its points, and the report names the helper that
failed. Whether cross_validate uses the two functions at all is decided the same way: its
result must change when the stand-ins' labels change.
"""

from __future__ import annotations

import hashlib

import numpy as np

from autograder.checks import Check, CheckResult, Context, checks_for
from autograder.checks.values import Unusable, off_by, reply_failure

from . import diagnosis, inputs

SHAPE = Check("shape", "returns a float array of shape (len(k_choices), num_folds) with accuracies in [0, 1]", 2)
SMALL = Check("small", "accuracies on 40 points of 3 classes (5 folds, k = 1, 3, 5)", 5)
UNEVEN = Check("uneven-folds", "folds of unequal sizes (50 points, 3 folds, k = 1, 2, 4, 7; ties in votes)", 4)
DEFAULT = Check("default-folds", "num_folds defaults to 5", 2)
DIGITS = Check("digits", "accuracies on 150 digit images (64 pixels, 5 folds, k = 1, 3, 5, 10)", 3)
OWN = Check("own-functions", "uses your compute_distances_no_loops and predict_labels", 2)
HELPERS = ("compute_distances_no_loops", "predict_labels")

#: In the student's kernel: cross_validate with compute_distances_no_loops and predict_labels
#: answering from ``table`` ({"dists": {digest: array}, "labels": {digest: array}}) the calls
#: whose arguments it lists, and calling the student's own functions for any other.
STAND_INS = r'''
def _autograder_stand_ins(X, y, k_choices, table, **kwargs):
    import hashlib as _hashlib, numpy as _np
    g = globals()
    own = {name: g.get(name) for name in ("compute_distances_no_loops", "predict_labels")}

    def digest(*arrays):
        h = _hashlib.sha256()
        for a in arrays:
            a = _np.ascontiguousarray(_np.asarray(a, dtype=_np.float64))
            h.update(repr(a.shape).encode())
            h.update(a.tobytes())
        return h.hexdigest()

    def distances(X_test, X_train):
        answer = table["dists"].get(digest(X_test, X_train))
        return answer.copy() if answer is not None else own["compute_distances_no_loops"](X_test, X_train)

    def predict(dists, y_train, k=1):
        answer = table["labels"].get(digest(dists, y_train, [k]))
        return answer.copy() if answer is not None else own["predict_labels"](dists, y_train, k=k)

    g["compute_distances_no_loops"], g["predict_labels"] = distances, predict
    _np.random.seed(table["seed"])  # a cross_validate that shuffles makes folds the grader can follow
    try:
        return cross_validate(X, y, k_choices, **kwargs)
    finally:
        for name, function in own.items():
            g[name] = function
'''

ARGS = ("_c['X'].copy()", "_c['y'].copy()", "list(_c['k_choices'])")


def digest(*arrays) -> str:
    """The digest the stand-ins look arguments up by (as STAND_INS computes it)."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


#: The fold structures whose accuracies are those of a right cross_validate: np.array_split's folds,
#: each fold's distances computed on its own, or all of them at once and sliced per fold.
RIGHT = ("right", "right-sliced")


def stand_ins(rng: np.random.Generator, case: dict) -> tuple[dict, dict]:
    """(the stand-ins' table for ``case``, {fold structure: (its folds' sizes, the (K, F)
    accuracies a cross_validate with those folds then computes)}), for np.array_split's folds
    and the declared mistakes' (diagnosis.fold_structures), and for np.array_split's folds sliced
    out of one distance matrix of every point ("right-sliced"): random distances for each pair
    (validation points, training points), and for each of them and each k, labels that agree with
    the validation points' true labels at a rate drawn per call, so that every accuracy differs."""
    X, y, ks = case["X"], case["y"], case["k_choices"]
    table, accuracies = {"dists": {}, "labels": {}, "seed": int(rng.integers(2**31))}, {}
    classes = int(np.max(y)) + 1
    structures = diagnosis.fold_structures(len(X), case["num_folds"], table["seed"])
    everything = table["dists"].setdefault(digest(X, X), rng.uniform(0.5, 5.0, size=(len(X), len(X))))
    for structure, folds in [*structures.items(), ("right-sliced", structures["right"])]:
        expected = np.zeros((len(ks), len(folds)))
        for f, (val, train) in enumerate(folds):
            if structure == "right-sliced":
                dists = everything[np.ix_(val, train)]
            else:
                key = digest(X[val], X[train])
                dists = table["dists"].setdefault(key, rng.uniform(0.5, 5.0, size=(len(val), len(train))))
            for a, k in enumerate(ks):
                key = digest(dists, y[train], [k])
                if key not in table["labels"]:
                    agree = rng.uniform(size=len(val)) < rng.uniform(0.2, 0.9)
                    table["labels"][key] = np.where(agree, y[val], rng.integers(0, classes, size=len(val))).astype(np.int64)
                expected[a, f] = np.mean(table["labels"][key] == y[val])
        accuracies[structure] = ([len(val) for val, _ in folds], expected)
    return table, accuracies


@checks_for("cross_validate", checks=[SHAPE, SMALL, UNEVEN, DEFAULT, DIGITS, OWN], core=[SMALL, UNEVEN, DEFAULT, DIGITS, OWN])
def check_cross_validate(ctx: Context, name: str) -> list[CheckResult]:
    rng = ctx.rng
    cases = {
        SMALL: dict(inputs.blobs(rng, 40, 4, 3), k_choices=[1, 3, 5], num_folds=5),
        UNEVEN: dict(inputs.blobs(rng, 50, 3, 4), k_choices=[1, 2, 4, 7], num_folds=3),
        DEFAULT: dict(inputs.blobs(rng, 30, 5, 3), k_choices=[1, 3], num_folds=5),
        DIGITS: dict(inputs.digits_sample(rng, 150), k_choices=[1, 3, 5, 10], num_folds=5),
    }
    tables = {}
    for check, case in cases.items():
        case["kw"] = {} if check is DEFAULT else {"num_folds": case["num_folds"]}
        tables[check] = stand_ins(rng, case)  # (the stand-ins' answers, the accuracies they make)
    load = ctx.bridge.load(STAND_INS)
    if not load.ok:
        problem = f"cross_validate could not be called ({load.error})."
        return [check.fail(problem) for check in (SHAPE, *cases, OWN)]
    # What goes to the kernel: the arguments, and for the stand-ins their table; never the
    # accuracies expected of either call.
    sent = [{key: case[key] for key in ("X", "y", "k_choices", "kw")} for case in cases.values()]
    own = ctx.bridge.call_each(name, *ARGS, "**_c['kw']", cases=sent)
    stood = ctx.bridge.call_each("_autograder_stand_ins", *ARGS, "_c['table']", "**_c['kw']",
                                 cases=[dict(each, table=tables[check][0]) for each, check in zip(sent, cases)])
    results, returned, notes, first_problem = [], {}, [], ""
    for (check, case), mine, standing in zip(cases.items(), own, stood):
        want = ctx.reference[name](case["X"].copy(), case["y"].copy(), list(case["k_choices"]), num_folds=case["num_folds"])
        try:
            got = _accuracies(name, case, mine)
            returned[check] = got
            if np.allclose(got, want, atol=1e-9):
                results.append(check.ok())
                continue
            problem = _wrong(case, got, want, ctx.reference)
        except Unusable as exc:
            problem = str(exc)
        # Wrong or failed with the student's own helpers: is cross_validate's own logic right?
        try:
            logic = _accuracies(name, case, standing)
            returned.setdefault(check, logic)
            if any(np.allclose(logic, tables[check][1][right][1], atol=1e-9) for right in RIGHT):
                results.append(check.ok())
                notes.append(case)
                continue
        except Unusable:
            pass
        first_problem = first_problem or problem
        results.append(check.fail(problem))
    results.insert(0, _shape_check(name, returned, cases, first_problem))
    results.append(_own_functions_check(name, stood[0], cases[SMALL], tables[SMALL][1]))
    if notes:
        ctx.notes.append(f"cross_validate's own logic is right: with stand-ins for {' and '.join(HELPERS)} its accuracies "
                         f"are what they must be, so it keeps its points; with yours they were wrong, because "
                         f"{_failing_helper(ctx, notes[0])}.")
    return results


def _accuracies(name: str, case: dict, reply) -> np.ndarray:
    """The accuracies cross_validate returned as a float64 (K, F) array, or Unusable."""
    shape = (len(case["k_choices"]), case["num_folds"])
    if reply is None or not reply.ok:
        message = reply_failure(name, reply) if reply is not None else f"calling {name} gave no result."
        if reply is not None and "array split does not result in an equal division" in reply.problem:
            message += (f" np.split needs folds of equal sizes, and {len(case['X'])} points do not split into "
                        f"{case['num_folds']} equal folds: np.array_split allows folds whose sizes differ by one.")
        raise Unusable(message)
    value = reply.value
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


def _wrong(case: dict, got: np.ndarray, want: np.ndarray, reference: dict) -> str:
    a, f = np.unravel_index(int(np.argmax(np.abs(got - want))), got.shape)
    k = case["k_choices"][a]
    message = (f"with {len(case['X'])} points, k_choices={case['k_choices']} and num_folds={case['num_folds']}: "
               f"the accuracy of k={k} on fold {f}, {got[a, f]:.4g}, is {off_by(got[a, f], want[a, f])}")
    hint = diagnosis.accuracies_hint(case, got, want, reference["compute_distances_no_loops"], reference["predict_labels"])
    return f"{message}. {hint}".strip()


def _shape_check(name: str, returned: dict, cases: dict, first_problem: str) -> CheckResult:
    """Shape and range, from any case that returned an array of the right shape."""
    if not returned:
        return SHAPE.fail(first_problem)
    for check, got in returned.items():
        if not np.all(np.isfinite(got)) or np.any(got < 0) or np.any(got > 1):
            hint = (" (percentages? use fractions, np.mean(y_pred == y_val))" if np.all(np.isfinite(got)) and got.max() > 1
                    else "")
            return SHAPE.fail(f"with {len(cases[check]['X'])} points {name} returned accuracies "
                              f"outside [0, 1]{hint}: an accuracy is the fraction of correct labels in the fold.")
    return SHAPE.ok()


def _own_functions_check(name: str, reply, case: dict, accuracies: dict) -> CheckResult:
    """cross_validate must use the notebook's compute_distances_no_loops and predict_labels: its
    result with the stand-ins (``reply``) must follow from their answers, with np.array_split's
    folds or a declared mistake's, returned as it should be or in a declared wrong form (so that
    one mistake costs only its own checks). Decided here, from the result alone."""
    if reply is None or not reply.ok:
        return OWN.fail(reply_failure(name, reply) if reply is not None else f"calling {name} gave no result.")
    for sizes, expected in accuracies.values():
        if any(_matches(reply.value, form) for form in diagnosis.result_forms(expected, sizes, case["k_choices"])):
            return OWN.ok()
    return OWN.fail(f"{name}'s result does not follow from what {' and '.join(HELPERS)} returned when it called them: "
                    "split X_train with np.array_split, and compute each fold's distances with compute_distances_no_loops "
                    "and its labels with predict_labels, the functions you wrote above.")


def _matches(value, form) -> bool:
    """A returned Value holds the numbers of ``form`` (an array, or a dict of arrays by k)."""
    if isinstance(form, dict):
        return value.kind == "dict" and set(value.value) == set(form) and all(
            _matches(value.value[k], form[k]) for k in form)
    if value.kind == "array":
        got = value.value
    elif value.kind in ("list", "tuple") and all(v.kind in ("int", "float") for v in value.value):
        got = np.array([v.value for v in value.value], dtype=np.float64)
    elif value.kind in ("list", "tuple"):
        return len(value.value) == len(form) and all(_matches(v, row) for v, row in zip(value.value, form))
    else:
        return False
    return got.shape == np.shape(form) and got.dtype.kind in "biuf" and bool(np.allclose(got, form, atol=1e-9))


def _failing_helper(ctx: Context, case: dict) -> str:
    """Which of the student's helpers gives wrong results on the folds of ``case``, and how, in
    a clause ("predict_labels raised AttributeError: ..."); each is called on the folds (the
    labels on the reference's distances) and compared here."""
    X, y = case["X"], case["y"]
    folds = diagnosis.array_split_folds(len(X), case["num_folds"])
    distances, predict = ctx.reference["compute_distances_no_loops"], ctx.reference["predict_labels"]
    cases = [{"X": X[val], "X_train": X[train]} for val, train in folds]
    for fold, reply in zip(cases, ctx.bridge.call_each(HELPERS[0], "_c['X'].copy()", "_c['X_train'].copy()", cases=cases)):
        clause = _helper_clause(HELPERS[0], reply, distances(fold["X"].copy(), fold["X_train"].copy()))
        if clause:
            return clause
    cases = [{"dists": distances(X[val], X[train]), "y_train": y[train], "k": k} for val, train in folds for k in case["k_choices"]]
    replies = ctx.bridge.call_each(HELPERS[1], "_c['dists'].copy()", "_c['y_train'].copy()", k="_c['k']", cases=cases)
    for each, reply in zip(cases, replies):
        clause = _helper_clause(HELPERS[1], reply, predict(each["dists"].copy(), each["y_train"].copy(), k=each["k"]))
        if clause:
            return clause
    return "of how it calls them"


def _helper_clause(helper: str, reply, want: np.ndarray) -> str:
    if reply is None or not reply.ok:
        return reply_failure(helper, reply).rstrip(".") if reply is not None else f"{helper} gave no result"
    value = reply.value
    if value.kind != "array" or value.type != "numpy.ndarray":
        return f"{helper} returned a {value.describe()}, not a numpy.ndarray"
    if value.value.shape != want.shape or not np.allclose(value.value, want, rtol=1e-6, atol=1e-9):
        return f"{helper} returns wrong values on these folds (see its own part)"
    return ""
