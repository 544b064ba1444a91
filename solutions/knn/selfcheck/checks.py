"""The public checks, one function per part, in notebook order.

Each compares what your function returns, in its own process, with numbers the course stored
in expected.json (computed from its reference solution on these same fixed inputs), or with
your own functions once those pass their own checks: your one-loop and no-loop distances with
your two-loop ones, your cross-validation with your own distances and predictions on the same
folds. A few hand-made cases, whose answers can be read off by eye, tell apart the usual
mistakes when a check fails.
"""

from __future__ import annotations

from typing import List

import numpy as np

from selfcheck.parts import loops_message as _loops_message
from selfcheck.parts import Verdict, PartCalls, Wrong
from selfcheck.worker import CallFailed

SPEED_FACTOR = 3
DISTANCES = ("compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops")
NOT_RUN = "not run until {} passes its checks."

#: Small functions of our own, placed next to your code (names start with _selfcheck_).
PROBES = '''
import time as _selfcheck_time

def _selfcheck_best_time(function, args, repeats):
    """The shortest of ``repeats`` calls, in seconds (inputs copied before the clock starts)."""
    best = float("inf")
    for _ in range(repeats):
        copies = [a.copy() if hasattr(a, "copy") else a for a in args]
        start = _selfcheck_time.perf_counter()
        function(*copies)
        best = min(best, _selfcheck_time.perf_counter() - start)
    return best


def _selfcheck_cross_validate(args):
    """("ok", cross_validate(*args), calls of compute_distances_no_loops, calls of predict_labels),
    the two counted by wrappers put in their place for the call; or ("stub", name) when one of
    them raised NotImplementedError."""
    space = globals()
    names = ("compute_distances_no_loops", "predict_labels")
    saved = {name: space.get(name) for name in names}
    counts = {name: 0 for name in names}
    stubs = []

    def wrap(name, function):
        def counted(*a, **kw):
            counts[name] += 1
            try:
                return function(*a, **kw)
            except NotImplementedError:
                stubs.append(name)
                raise
        return counted

    for function_name in names:
        if callable(saved[function_name]):
            space[function_name] = wrap(function_name, saved[function_name])
    try:
        result = cross_validate(*args)
    except NotImplementedError:
        if stubs:
            return ("stub", stubs[0])
        raise
    finally:
        for function_name in names:
            if callable(saved[function_name]):
                space[function_name] = saved[function_name]
    return ("ok", result, counts[names[0]], counts[names[1]])
'''


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, dict):
        return f"a dict with {len(value)} keys"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return str(value)[:200]


def _just(function, *args) -> str:
    """A check that passes when ``function(*args)`` returns at all (it raises Wrong otherwise)."""
    function(*args)
    return ""


# --- the distances -----------------------------------------------------------------------------

def _distance_matrix(value, n: int, m: int) -> np.ndarray:
    """``value`` as the (n, m) float distance matrix it must be, else Wrong saying what it is."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Wrong(f"must return a numpy array of distances; it returned {_describe(value)}.")
    if value.shape != (n, m):
        hint = ""
        if value.shape == (m, n):
            hint = (" It is transposed: row i is test point X[i] and column j training point X_train[j], "
                    "so the shape is (len(X), len(X_train)).")
        elif value.size == n * m:
            hint = " Fill a 2-D array, dists = np.zeros((num_test, num_train)), one entry per (test, training) pair."
        raise Wrong(f"must return shape (N, M) = ({n}, {m}) for {n} test and {m} training points; "
                    f"it returned {_describe(value)}.{hint}")
    if value.dtype.kind != "f":
        raise Wrong(f"must return float distances (float64); it returned dtype {value.dtype}: "
                    "create dists with np.zeros((num_test, num_train)), whose dtype is float64.")
    if np.any(np.isnan(value)):
        raise Wrong("returned nan for some distances: np.sqrt of a negative number gives nan. In "
                    "||x||^2 - 2 x.y + ||y||^2 rounding can give a tiny negative value where the true one is 0: "
                    "clip with np.maximum(..., 0) before the square root.")
    if not np.all(np.isfinite(value)):
        raise Wrong("returned inf for some distances.")
    return value.astype(np.float64)


def _scale(X: np.ndarray, X_train: np.ndarray) -> float:
    """The size of the largest distance there could be: how far rounding may move a distance."""
    return float(np.sqrt(np.max(np.sum(X ** 2, axis=1), initial=0.0) + np.max(np.sum(X_train ** 2, axis=1), initial=0.0)))


def _same_distances(got, want, X, X_train) -> bool:
    """Equal up to rounding: 1e-6 relative, plus 1e-6 of the largest norm (a square root
    amplifies the rounding of ||x||^2 - 2 x.y + ||y||^2 near 0)."""
    want = np.asarray(want, dtype=np.float64)
    return bool(np.all(np.abs(got - want) <= 1e-6 * np.abs(want) + 1e-6 * max(_scale(X, X_train), 1.0)))


def _distance_hint(got, want, X, X_train) -> str:
    """The known mistake that gives exactly ``got``, if one does."""
    want = np.asarray(want, dtype=np.float64)
    n, m = want.shape
    if n == m and _same_distances(got, want.T, X, X_train):
        return (" It is transposed: row i is test point X[i] and column j training point X_train[j], "
                "and dists[i, j] their distance.")
    if _same_distances(got, want ** 2, X, X_train):
        return " These are squared distances: take the square root (np.sqrt) of the sum of squared differences."
    manhattan = np.array([[np.abs(x - t).sum() for t in X_train] for x in X])
    if _same_distances(got, manhattan, X, X_train):
        return (" This is the L1 distance (the sum of |differences|): use the L2 distance, the square root "
                "of the sum of squared differences.")
    cross = X.dot(X_train.T)
    if _same_distances(got ** 2, want ** 2 + 4 * cross, X, X_train):
        return " The cross term has the wrong sign: ||x - y||^2 = ||x||^2 - 2 x.y + ||y||^2."
    if _same_distances(got, want ** 2 + 4 * cross, X, X_train):
        return (" The cross term has the wrong sign (||x - y||^2 = ||x||^2 - 2 x.y + ||y||^2), "
                "and the square root is missing.")
    return ""


def _with_broadcast_hint(exc: CallFailed) -> CallFailed:
    text = str(exc)
    if "broadcast" in text:
        text += (" (sum the squared differences over the features, axis=1 of X_train - X[i]: "
                 "one distance per training point)")
    return CallFailed(text)


def check_distances(part: PartCalls, data: dict, passed: dict) -> List[Verdict]:
    name = part.name
    cases = [(c["title"], np.array(c["X"], dtype=np.float64), np.array(c["X_train"], dtype=np.float64),
              np.array(c["expected"], dtype=np.float64)) for c in data["distances"]]
    replies = {}

    def run(i):
        if i not in replies:
            _, X, X_train, _ = cases[i]
            try:
                replies[i] = part.call(f"{name}(_selfcheck_X.copy(), _selfcheck_X_train.copy())",
                                       _selfcheck_X=X, _selfcheck_X_train=X_train)
            except CallFailed as exc:
                raise _with_broadcast_hint(exc) from None
        return _distance_matrix(replies[i], len(cases[i][1]), len(cases[i][2]))

    def compare(i):
        def test():
            _, X, X_train, want = cases[i]
            got = run(i)
            if _same_distances(got, want, X, X_train):
                return ""
            worst = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
            return (f"dists[{worst[0]}, {worst[1]}] should be {want[worst]:.6g}, got {got[worst]:.6g}."
                    f"{_distance_hint(got, want, X, X_train)}")
        return test

    checks = [part.check("returns an (N, M) float array: a row per test point, a column per training point",
                         lambda: _just(run, 0))]
    checks += [part.check(f"fixed points: {case[0]}", compare(i)) for i, case in enumerate(cases)]
    right = all(c.passed for c in checks)
    if name == DISTANCES[0]:
        return checks
    checks.append(_agreement(part, passed.get(DISTANCES[0], False)))
    if name == DISTANCES[2]:
        checks.append(part.check("a test point equal to a training point is at distance 0 (never nan)",
                                 lambda: _duplicates(part)))
        if right:
            checks.append(part.check("no Python loops", lambda: _loops_message(part, data)))
        else:
            checks.append(Verdict("no Python loops", None, "not run until the distances above are right."))
        checks.append(_speed(part, data, passed.get(DISTANCES[0], False) and right and checks[-3].passed))
    return checks


def _agreement(part: PartCalls, naive_passes: bool) -> Verdict:
    rng = np.random.default_rng(11)
    X, X_train = rng.normal(size=(20, 6)), rng.normal(size=(30, 6))
    title = f"agrees with your {DISTANCES[0]} on random points (20 test, 30 training, 6 features)"
    if not naive_passes:
        return Verdict(title, None, NOT_RUN.format(DISTANCES[0]))

    def agree():
        inputs = dict(_selfcheck_X=X, _selfcheck_X_train=X_train)
        try:
            mine = part.call(f"{part.name}(_selfcheck_X.copy(), _selfcheck_X_train.copy())", **inputs)
        except CallFailed as exc:
            raise _with_broadcast_hint(exc) from None
        mine = _distance_matrix(mine, 20, 30)
        theirs = _distance_matrix(part.student.call(f"{DISTANCES[0]}(_selfcheck_X.copy(), _selfcheck_X_train.copy())", **inputs), 20, 30)
        if _same_distances(mine, theirs, X, X_train):
            return ""
        worst = np.unravel_index(np.argmax(np.abs(mine - theirs)), mine.shape)
        return (f"dists[{worst[0]}, {worst[1]}] is {mine[worst]:.6g} here but {theirs[worst]:.6g} with your "
                f"{DISTANCES[0]}.{_distance_hint(mine, theirs, X, X_train)}")
    return part.check(title, agree)


def _duplicates(part: PartCalls) -> str:
    """Training points copied into the test points, far from the origin (so that the expansion
    ||x||^2 - 2 x.y + ||y||^2 cancels to rounding errors there): those distances are 0 up to
    rounding, finite, and none is negative."""
    rng = np.random.default_rng(5)
    X_train = 3.0 * rng.normal(size=(60, 16)) + 1.0
    X = np.vstack([X_train[::2], 3.0 * rng.normal(size=(4, 16)) + 1.0])
    got = _distance_matrix(part.call(f"{part.name}(_selfcheck_X.copy(), _selfcheck_X_train.copy())",
                                     _selfcheck_X=X, _selfcheck_X_train=X_train), len(X), len(X_train))
    if np.any(got < 0):
        return "some distances are negative: a distance is the square root of a sum of squares."
    rows = np.arange(30)
    at_copies = got[rows, 2 * rows]
    tolerance = 1e-6 * max(_scale(X, X_train), 1.0)
    if np.any(at_copies > tolerance):
        i = int(np.argmax(at_copies))
        return f"X[{i}] equals X_train[{2 * i}], yet dists[{i}, {2 * i}] is {at_copies[i]:.6g}, not 0."
    return ""


def _speed(part: PartCalls, data: dict, ready: bool) -> Verdict:
    factor = data.get("speed_factor", SPEED_FACTOR)
    title = f"at least {factor:g}x faster than your {DISTANCES[0]} (40 test, 200 training points, 32 features)"
    if not ready:
        return Verdict(title, None, f"not run until this part's distances are right and {DISTANCES[0]} passes its checks.")
    rng = np.random.default_rng(13)
    inputs = dict(_selfcheck_X=rng.normal(size=(40, 32)), _selfcheck_X_train=rng.normal(size=(200, 32)))

    def speed():
        args = "[_selfcheck_X, _selfcheck_X_train]"
        slow = part.student.call(f"_selfcheck_best_time({DISTANCES[0]}, {args}, 3)", **inputs)
        fast = part.call(f"_selfcheck_best_time({part.name}, {args}, 7)", **inputs)
        ratio = float(slow) / max(float(fast), 1e-9)
        return "" if ratio >= factor else (
            f"it took {float(fast) * 1e3:.2f} ms against {float(slow) * 1e3:.2f} ms for your {DISTANCES[0]}: only "
            f"{ratio:.1f}x faster. Compute every pair at once: ||x - y||^2 = ||x||^2 - 2 x.y + ||y||^2, "
            "with one matrix product for all the x.y.")
    return part.check(title, speed)


# --- the prediction ----------------------------------------------------------------------------

#: Hand-made one-row cases whose answers can be read off, given as the labels of the training
#: points from the nearest to the farthest, and k. Training point 0 always sits fifth, with a
#: label no answer has (7). Right answers: A 5, B 5, T 2 (a tie between 6 and 2).
PROBE_CASES = {"A": ([5, 2, 2, 9, 7, 9, 6], 1), "B": ([2, 5, 5, 2, 7, 9, 6], 3), "T": ([6, 2, 4, 4, 7, 4, 8], 2)}
#: Where each training point comes in the order of distances (training point 0 fifth).
PROBE_RANKS = [4, 2, 0, 5, 1, 6, 3]


def _probe_inputs(labels, k):
    dists = np.array([[0.1 * (rank + 1) for rank in PROBE_RANKS]])
    return dists, np.array([labels[rank] for rank in PROBE_RANKS], dtype=np.int64), k


def _prediction_hint(part: PartCalls) -> str:
    """What the usual mistakes give on the hand-made cases: k + 1 neighbours (A 2, B 2), the
    nearest skipped (A 2, B 5), k - 1 neighbours (B 2, A raises), the farthest (A 6), training
    point 0 (A 7), a tie to the nearest label (T 6 only)."""
    got = {}
    for name, (labels, k) in PROBE_CASES.items():
        dists, y_train, k = _probe_inputs(labels, k)
        try:
            value = part.call("predict_labels(_selfcheck_d.copy(), _selfcheck_y.copy(), _selfcheck_k)",
                              _selfcheck_d=dists, _selfcheck_y=y_train, _selfcheck_k=k)
            got[name] = int(np.ravel(value)[0]) if np.size(value) == 1 else None
        except Exception:  # noqa: BLE001 (a hint is only a guess)
            got[name] = None
    a, b, t = got["A"], got["B"], got["T"]
    case = "In a hand-made case with the labels {} from the nearest to the farthest and k = {}, it returned {}: "
    if a == 7:
        return (" " + case.format(PROBE_CASES["A"][0], 1, 7) + "the label of training point 0, not of the nearest. "
                "Sort each row of dists (the distances from one test point): np.argsort(dists[i]).")
    if a == 6:
        return " " + case.format(PROBE_CASES["A"][0], 1, 6) + "the farthest one. The k nearest are the k smallest distances."
    if a == 2 and b == 5:
        return (" " + case.format(PROBE_CASES["A"][0], 1, 2) + "the second nearest. The nearest neighbour counts: "
                "take np.argsort(row)[:k].")
    if a == 2 and b == 2:
        return " " + case.format(PROBE_CASES["A"][0], 1, 2) + "the vote of the 2 nearest. Take the k nearest: np.argsort(row)[:k]."
    if b == 2 and a in (5, None):
        return " " + case.format(PROBE_CASES["B"][0], 3, 2) + "the vote of the 2 nearest. Take the k nearest: np.argsort(row)[:k]."
    if (a, b, t) == (5, 5, 6):
        return (" " + case.format(PROBE_CASES["T"][0], 2, 6) + "a tie (one vote for 6, the nearest, one for 2) "
                "went to 6. A tie goes to the smaller label: np.argmax(np.bincount(labels)) does that.")
    return ""


def _labels(value, n: int, integers: bool = False) -> np.ndarray:
    """``value`` as the (n,) labels it must be (floats holding the same values are read as the
    labels they hold, except where ``integers`` is asked), else Wrong saying what it is."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Wrong(f"must return a numpy array of labels; it returned {_describe(value)}.")
    if value.shape != (n,):
        raise Wrong(f"must return one label per test point (row of dists), shape ({n},); it returned {_describe(value)}.")
    whole = value.dtype.kind in "biu" or bool(np.all(np.isfinite(value)) and np.all(value == np.round(value)))
    if integers and not whole:
        raise Wrong(f"must return integer labels (like y_train); it returned {value.dtype} values that are not whole "
                    "numbers: create y_pred with np.zeros(num_test, dtype=np.int64).")
    return value


def check_predict_labels(part: PartCalls, data: dict, passed: dict) -> List[Verdict]:
    cases = [(c["title"], np.array(c["dists"], dtype=np.float64), np.array(c["y_train"], dtype=np.int64),
              int(c["k"]), np.array(c["expected"], dtype=np.int64)) for c in data["predict"]]
    replies, state, checks = {}, {}, []

    def run(i, default_k=False):
        if (i, default_k) not in replies:
            _, dists, y_train, k, _ = cases[i]
            try:
                replies[i, default_k] = part.call(
                    "predict_labels(_selfcheck_d.copy(), _selfcheck_y.copy())" if default_k else
                    "predict_labels(_selfcheck_d.copy(), _selfcheck_y.copy(), k=_selfcheck_k)",
                    _selfcheck_d=dists, _selfcheck_y=y_train, _selfcheck_k=k)
            except CallFailed as exc:
                if k > dists.shape[1] and not default_k and not exc.stuck and "NotImplementedError" not in str(exc):
                    raise CallFailed(f"{exc} (with k = {k} larger than the {dists.shape[1]} training points, all of "
                                     "them vote: np.argsort(row)[:k] gives all of them; np.argpartition needs k < M)") from None
                raise
        return _labels(replies[i, default_k], len(cases[i][1]))

    def compare(i, default_k=False):
        def test():
            title, dists, y_train, k, want = cases[i]
            got = run(i, default_k)
            wrong = np.flatnonzero(got != want)
            if not len(wrong):
                return ""
            r = int(wrong[0])
            message = (f"{len(wrong)} of {len(want)} labels differ; row {r} should get label {want[r]}, "
                       f"got {got[r]:g}.")
            if default_k:
                if not checks[1 + i].passed:
                    state["pending"] = True
                    return message + " It is not judged until the case with k = 1 given passes."
                return message + " Called without k, predict_labels must use k = 1 (def predict_labels(dists, y_train, k=1))."
            if "hint" not in state:
                state["hint"] = _prediction_hint(part)
            return message + state["hint"]
        return test

    def integers():
        run(0)
        _labels(replies[0, False], len(cases[0][1]), integers=True)
        return ""

    checks.append(part.check("returns an (N,) array of integer labels, one per row of dists", integers))
    checks += [part.check(f"fixed distances: {case[0]}", compare(i)) for i, case in enumerate(cases)]
    ones = [i for i, case in enumerate(cases) if case[3] == 1]
    if ones:
        checks.append(part.check("k defaults to 1", compare(ones[0], default_k=True)))
        if state.pop("pending", False):  # the same labels as with k = 1 given, judged there
            checks[-1] = Verdict(checks[-1].title, None, checks[-1].message)
    return checks


# --- the cross-validation ----------------------------------------------------------------------

def _cross_validate(part: PartCalls, X, y, k_choices, folds, passed: dict) -> tuple:
    """(what cross_validate returned, (calls of compute_distances_no_loops, calls of predict_labels))."""
    try:
        answer = part.call("_selfcheck_cross_validate((_selfcheck_X.copy(), _selfcheck_y.copy(), _selfcheck_k, _selfcheck_f))",
                           _selfcheck_X=X, _selfcheck_y=y, _selfcheck_k=list(k_choices), _selfcheck_f=folds)
    except CallFailed as exc:
        broken = [name for name in ("compute_distances_no_loops", "predict_labels") if not passed.get(name)]
        if broken and "raised" in str(exc) and "NotImplementedError" not in str(exc):
            raise CallFailed(f"{exc} (it uses your {' and '.join(broken)}, which "
                             f"{'fails its' if len(broken) == 1 else 'fail their'} checks: fix that first)") from None
        raise
    if answer[0] == "stub":
        raise Wrong(f"calls your {answer[1]}, which is not implemented yet: do that part first.")
    return answer[1], tuple(answer[2:])


def _accuracy_table(value, k_choices, folds) -> np.ndarray:
    """``value`` as the (len(k_choices), folds) accuracies it must be, else Wrong saying what it is."""
    shape = (len(k_choices), folds)
    if isinstance(value, dict):
        raise Wrong(f"must return a numpy array of shape (len(k_choices), num_folds) = {shape}, row a for "
                    f"k = k_choices[a]; it returned {_describe(value)}: build np.zeros({shape}) and fill it.")
    if isinstance(value, (list, tuple)):
        raise Wrong(f"must return a numpy array of shape {shape}; it returned {_describe(value)} "
                    "(np.array(...) converts a list of lists).")
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Wrong(f"must return a numpy array of shape {shape}; it returned {_describe(value)}.")
    if value.shape != shape:
        hint = ""
        if value.shape == (len(k_choices),):
            hint = " It holds one number per k: keep every fold's accuracy (do not average over the folds)."
        elif value.shape == shape[::-1]:
            hint = " It is transposed: row a holds the accuracies of k = k_choices[a], one column per fold."
        raise Wrong(f"must return shape (len(k_choices), num_folds) = {shape} (here {len(k_choices)} values of k, "
                    f"{folds} folds); it returned {_describe(value)}.{hint}")
    if not np.all(np.isfinite(value)):
        raise Wrong("holds inf or nan.")
    return value.astype(np.float64)


def _splits(X, y, folds) -> list:
    """np.array_split's folds: [(X_val, X_tr, y_tr, y_val)] for every fold."""
    X_folds, y_folds = np.array_split(X, folds), np.array_split(y, folds)
    return [(X_folds[f], np.concatenate(X_folds[:f] + X_folds[f + 1:]), np.concatenate(y_folds[:f] + y_folds[f + 1:]),
             y_folds[f]) for f in range(folds)]


def check_cross_validate(part: PartCalls, data: dict, passed: dict) -> List[Verdict]:
    case = data["cross_validate"]
    X_train, y_train = np.array(case["X_train"], dtype=np.float64), np.array(case["y_train"], dtype=np.int64)
    k_choices, folds = [int(k) for k in case["k_choices"]], int(case["num_folds"])
    want = np.array(case["expected"], dtype=np.float64)
    shape = (len(k_choices), folds)
    reply = {}

    def call():
        if "value" not in reply:
            reply["value"], reply["calls"] = _cross_validate(part, X_train, y_train, k_choices, folds, passed)

    def run():
        call()
        return _accuracy_table(reply["value"], k_choices, folds)

    def fractions():
        got = run()
        if np.all((got >= 0) & (got <= 1)):
            return ""
        return (f"accuracies must be fractions between 0 and 1 (np.mean(predicted == y_val)); it returned values "
                f"up to {got.max():.6g}.")

    def own():
        call()
        missing = [name for name, count in zip(("compute_distances_no_loops", "predict_labels"), reply["calls"]) if not count]
        return "" if not missing else (
            f"cross_validate never called your {' nor '.join(missing)}: compute each fold's distances and predictions "
            "with the functions you wrote above.")

    def values():
        got = run()
        if np.allclose(got, want, rtol=1e-9, atol=1e-12):
            return ""
        a, f = np.unravel_index(np.argmax(np.abs(got - want)), shape)
        message = (f"for k = {k_choices[a]} on fold {f} the accuracy should be {want[a, f]:.6g}, got {got[a, f]:.6g}.")
        hint = _cross_validation_hint(part, X_train, y_train, k_choices, folds, got, want, passed)
        reply["upstream"] = hint.startswith(UPSTREAM)
        return message + hint

    # the first points of the fixed data, as many as num_folds does not divide
    count = next(m for m in range(len(y_train) - 1, 0, -1) if m % folds)
    uneven_title = (f"folds of unequal sizes ({count} points, {folds} folds): the accuracies of your own "
                    "compute_distances_no_loops and predict_labels on np.array_split's folds")

    def uneven():
        X, y = X_train[:count], y_train[:count]
        try:
            value, _ = _cross_validate(part, X, y, k_choices, folds, passed)
        except CallFailed as exc:
            if "equal division" in str(exc):
                raise CallFailed(f"{exc} (np.split needs folds of equal sizes: np.array_split allows folds whose sizes "
                                 "differ by one)") from None
            raise
        got = _accuracy_table(value, k_choices, folds)
        splits = _splits(X, y, folds)
        theirs = _own_accuracies(part, splits, k_choices)
        if np.allclose(got, theirs, rtol=1e-9, atol=1e-12):
            return ""
        a, f = np.unravel_index(np.argmax(np.abs(got - theirs)), got.shape)
        message = (f"for k = {k_choices[a]} on fold {f} ({len(splits[f][3])} points) your functions give an accuracy "
                   f"of {theirs[a, f]:.6g}, cross_validate {got[a, f]:.6g}.")
        if checks[3].passed is False:
            return message + " See the check on fixed data above."
        return message + (" Use folds = np.array_split(X_train, num_folds) (the same for y_train): fold f validates, "
                          "the other folds concatenated in order train.")

    checks = [part.check(f"returns a (len(k_choices), num_folds) = {shape} float array", lambda: _just(run)),
              part.check("accuracies are fractions between 0 and 1", fractions),
              part.check("uses your compute_distances_no_loops and predict_labels", own),
              part.check(f"accuracies on fixed data ({len(y_train)} points, {folds} folds, k in {k_choices})", values)]
    if reply.get("upstream"):  # right for your own parts, which are wrong: graded as right, judged once they pass
        checks[-1] = Verdict(checks[-1].title, None, checks[-1].message)
    if checks[0].passed:
        checks.append(part.check(uneven_title, uneven))
    else:
        checks.append(Verdict(uneven_title, None, "not run until cross_validate returns the array above."))
    return checks


def _own_accuracies(part: PartCalls, splits, k_choices) -> np.ndarray:
    """The accuracy of your compute_distances_no_loops and predict_labels on each (k, split)."""
    predicted = part.student.call(
        "[[predict_labels(compute_distances_no_loops(_selfcheck_s[0].copy(), _selfcheck_s[1].copy()), "
        "_selfcheck_s[2].copy(), _selfcheck_kk) for _selfcheck_s in _selfcheck_splits] for _selfcheck_kk in _selfcheck_ks]",
        _selfcheck_splits=[s[:3] for s in splits], _selfcheck_ks=list(k_choices))
    return np.array([[float(np.mean(np.ravel(p) == s[3])) if np.size(p) == len(s[3]) else np.nan
                      for p, s in zip(row, splits)] for row in predicted])


UPSTREAM = " It is what your own compute_distances_no_loops and predict_labels give on these folds"


def _cross_validation_hint(part, X_train, y_train, k_choices, folds, got, want, passed) -> str:
    """Which known mistake gives ``got``: none in cross_validate (your own distances or
    predictions differ), the validation fold left in the training set, counts for fractions."""
    splits = _splits(X_train, y_train, folds)
    sizes = np.array([len(s[3]) for s in splits], dtype=np.float64)
    if np.allclose(got, want * sizes, rtol=1e-9):
        return " These are counts of right predictions: divide by the fold's size (np.mean(predicted == y_val))."
    try:
        own = _own_accuracies(part, splits, k_choices)
        if np.allclose(got, own, rtol=1e-9, atol=1e-12):
            broken = [name for name in ("compute_distances_no_loops", "predict_labels") if not passed.get(name)]
            if not broken:
                return (" It is what your own compute_distances_no_loops and predict_labels give on these folds: "
                        "cross_validate looks right, and one of them gives other values than the course's here.")
            return (f"{UPSTREAM}, so the difference comes from {' and '.join(broken)}, which "
                    f"{'fails its' if len(broken) == 1 else 'fail their'} checks (cross_validate itself is not "
                    "charged for it): fix that and check again.")
        leaky = _own_accuracies(part, [(s[0], X_train, y_train, s[3]) for s in splits], k_choices)
        if np.allclose(got, leaky, rtol=1e-9, atol=1e-12):
            return (" The validation fold is also in the training set: train on the other folds only "
                    "(np.concatenate of the folds other than fold f).")
    except Exception:  # noqa: BLE001 (a hint is only a guess: no hint then)
        return ""
    return (" Use folds = np.array_split(X_train, num_folds) (in order, no shuffling; the same for y_train): "
            "fold f validates, the other folds concatenated train.")


CHECKS = {
    "compute_distances_two_loops": check_distances,
    "compute_distances_one_loop": check_distances,
    "compute_distances_no_loops": check_distances,
    "predict_labels": check_predict_labels,
    "cross_validate": check_cross_validate,
}
