"""The public checks, one function per part, in notebook order.

Each compares what your function returns, in its own process, with numbers the course stored
in expected.json (computed from its reference solution on these same fixed inputs), or with
your own functions once those pass their own checks: your vectorized loss with your naive one,
your gradient with your own eval_numerical_gradient of your own loss.
"""

from __future__ import annotations

import math
from typing import List

import numpy as np

from selfcheck.parts import loops_message as _loops_message
from selfcheck.parts import Verdict, PartCalls, Wrong
from selfcheck.parts import array as _array, close as _close, describe as _what, number as _number  # noqa: F401
from selfcheck.worker import CallFailed

SPEED_FACTOR = 3

#: Small functions of our own, placed next to your code (names start with _selfcheck_).
PROBES = '''
import time as _selfcheck_time
import numpy as _selfcheck_np

def _selfcheck_cube(x):
    return float(_selfcheck_np.sum(x ** 3))

def _selfcheck_exp(x):
    return float(_selfcheck_np.sum(_selfcheck_np.exp(x)))

def _selfcheck_square(x):
    return float(_selfcheck_np.sum(x ** 2))

def _selfcheck_best_time(function, args, repeats):
    """The shortest of ``repeats`` calls, in seconds (inputs copied before the clock starts)."""
    best = float("inf")
    for _ in range(repeats):
        copies = [a.copy() if hasattr(a, "copy") else a for a in args]
        start = _selfcheck_time.perf_counter()
        function(*copies)
        best = min(best, _selfcheck_time.perf_counter() - start)
    return best
'''

CLASSIFIER_PROBES = '''
class _selfcheck_Recorder(LinearClassifier):
    """loss() returns 1.0, 2.0, 3.0, ... with a zero gradient and records what it is given."""
    def loss(self, X_batch, y_batch, reg):
        _selfcheck_seen.append((_selfcheck_np.shape(X_batch), _selfcheck_np.shape(y_batch), reg,
                                None if self.W is None else _selfcheck_np.array(self.W, copy=True)))
        return float(len(_selfcheck_seen)), _selfcheck_np.zeros_like(self.W)


class _selfcheck_LeastSquares(LinearClassifier):
    """A loss that is none of yours: 0.5 mean ||X W - onehot(y)||^2 + reg ||W||^2."""
    def loss(self, X_batch, y_batch, reg):
        count = len(y_batch)
        residual = X_batch.dot(self.W)
        residual[_selfcheck_np.arange(count), y_batch] -= 1.0
        value = 0.5 * _selfcheck_np.sum(residual ** 2) / count + reg * _selfcheck_np.sum(self.W ** 2)
        return value, X_batch.T.dot(residual) / count + 2 * reg * self.W


def _selfcheck_digits():
    from data_scripts import load_dataset, preprocess
    prepared = preprocess(load_dataset("digits"))
    scaled = {}
    for split in ["train", "val"]:
        X = prepared["X_" + split] / 255.0
        X[:, -1] = 1.0
        scaled[split] = (X, prepared["y_" + split])
    return scaled
'''


def _case(case: dict) -> dict:
    return {"W": np.array(case["W"], dtype=np.float64), "X": np.array(case["X"], dtype=np.float64),
            "y": np.array(case["y"], dtype=np.int64), "reg": float(case["reg"])}


def _just(function, *args) -> str:
    """A check that passes when ``function(*args)`` returns at all (it raises Wrong otherwise)."""
    function(*args)
    return ""


# --- the gradient tools (rel_error's public checks: its check file, grading/test_rel_error.py) ---

def check_eval_numerical_gradient(part: PartCalls, data: dict, passed: dict) -> List[Verdict]:
    checks = []
    for case in data["eval_numerical_gradient"]:
        x = np.array(case["x"], dtype=np.float64)
        options = "verbose=False" + ("" if case["h"] is None else f", h={case['h']!r}")
        function = f"_selfcheck_{case['f']}"

        def values(case=case, x=x, options=options, function=function):
            grad, after = part.call(f"(eval_numerical_gradient({function}, _selfcheck_x, {options}), _selfcheck_x)",
                                    _selfcheck_x=x.copy())
            grad = _array(grad, x.shape, "the gradient")
            if not _close(grad, case["expected"], rtol=1e-7):
                one_sided = (case["h"] is not None and case["f"] == "cube"
                             and _close(grad, ((x + case["h"]) ** 3 - x ** 3) / case["h"], rtol=1e-6))
                return ("these are one-sided differences (f(x + h) - f(x)) / h: use centered ones, (f(x + h) - f(x - h)) / (2h)."
                        if one_sided else
                        f"expected {np.round(np.ravel(case['expected'])[:3], 6).tolist()}..., "
                        f"got {np.round(grad.ravel()[:3], 6).tolist()}...")
            if not (isinstance(after, np.ndarray) and np.allclose(after, x, rtol=1e-12, atol=1e-15)):
                return "x must hold its original values when your function returns: put each entry back after evaluating f."
            return ""
        checks.append(part.check(case["title"], values))
    return checks


def check_grad_check_sparse(part: PartCalls, data: dict, passed: dict) -> List[Verdict]:
    case = data["grad_check_sparse"]
    x, analytic = np.array(case["x"]), np.array(case["analytic"])
    entry_errors = np.array(case["entry_errors"])
    count = case["num_checks"]
    result = {}

    def run():
        if "errors" not in result:
            errors, after = part.call(
                f"(_selfcheck_np.random.seed(0), grad_check_sparse(_selfcheck_square, _selfcheck_x, _selfcheck_g, "
                f"num_checks={count}), _selfcheck_x)[1:]", _selfcheck_x=x.copy(), _selfcheck_g=analytic)
            if isinstance(errors, (list, tuple)):
                errors = np.array([_number(e, "each relative error") for e in errors])
            result["errors"] = _array(errors, (count,), f"with num_checks={count} the result")
            result["after"] = after
        return result["errors"]

    def values():
        errors = run()
        matched = [bool(np.any(np.abs(entry_errors - e) <= 1e-6 * max(e, 1e-3))) for e in errors]
        if not all(matched):
            return ("a returned error matches no entry's |numerical - analytic| / (|numerical| + |analytic|): "
                    "compute it at the entry you perturbed, with centered differences.")
        if len(np.unique(np.round(errors, 9))) < 2:
            return f"all {count} checks looked at the same entry: draw a random index for every check."
        return ""

    def restored():
        run()
        ok = isinstance(result["after"], np.ndarray) and np.allclose(result["after"], x, rtol=1e-12, atol=1e-15)
        return "" if ok else "x must hold its original values after the check: put each entry back after evaluating f."

    return [part.check(f"returns num_checks = {count} relative errors", lambda: _just(run)),
            part.check("the errors are those of random entries of a known gradient", values),
            part.check("x is restored to its original values", restored)]


# --- the losses ----------------------------------------------------------------------------

def _loss_pair(value, shape):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise Wrong(f"must return the pair (loss, dW); it returned {_what(value)}.")
    return _number(value[0], "the loss"), _array(value[1], shape, "dW")


def _loss_hint(kind: str, case: dict, want: dict, got: float) -> str:
    """The known mistake that gives exactly ``got``, if one does."""
    n, reg_term = len(case["y"]), case["reg"] * float(np.sum(case["W"] ** 2))
    data_loss = want["data_loss"]
    guesses = [(n * data_loss + reg_term, "The loss is N times too large: average the data loss over the N examples."),
               (0.5 * reg_term + data_loss, "Use reg * np.sum(W * W) for the regularization, with no factor 1/2."),
               (2 * reg_term + data_loss, "The regularization term counts twice: add reg * np.sum(W * W) once.")]
    if case["reg"] > 0:
        guesses.append((data_loss, "The regularization term is missing: add reg * np.sum(W * W)."))
    if kind == "softmax":
        guesses.append((data_loss / math.log(10) + reg_term, "The loss uses log base 10: use the natural log (np.log)."))
    else:
        guesses.append((data_loss + 1.0 + reg_term, "Each example adds 1 too many: skip the correct class (j == y[i]), whose margin is always 1."))
    for value, hint in guesses:
        if abs(got - value) <= 1e-6 * max(1.0, abs(value)):
            return " " + hint
    return ""


def _gradient_hint(case: dict, want: dict, got: np.ndarray) -> str:
    n, reg, W = len(case["y"]), case["reg"], case["W"]
    data_dW = np.array(want["data_dW"])
    guesses = [(-np.array(want["dW"]), "Your gradient has the wrong sign."),
               (n * data_dW + 2 * reg * W, "The gradient is N times too large: divide it by N too."),
               (data_dW + reg * W, "The regularization gradient is 2 * reg * W (the derivative of reg * sum(W * W)).")]
    if reg > 0:
        guesses.append((data_dW, "The regularization gradient 2 * reg * W is missing."))
    for mistaken, hint in guesses:
        if _close(got, mistaken):
            return " " + hint
    return ""


def check_loss(part: PartCalls, data: dict, passed: dict) -> List[Verdict]:
    name = part.name
    kind = "svm" if name.startswith("svm") else "softmax"
    naive = "_".join(name.split("_")[:-1] + ["naive"])
    cases = [(_case(c), c[kind], c["title"]) for c in data["loss_cases"]]
    replies = {}

    def run(i):
        if i not in replies:
            case = cases[i][0]
            replies[i] = part.call(f"{name}(_selfcheck_W.copy(), _selfcheck_X.copy(), _selfcheck_y.copy(), _selfcheck_reg)",
                                   _selfcheck_W=case["W"], _selfcheck_X=case["X"], _selfcheck_y=case["y"], _selfcheck_reg=case["reg"])
        return _loss_pair(replies[i], cases[i][0]["W"].shape)

    def compare(indices, named=False):
        """A check over the cases ``indices``; its message names the failing case, unless the
        check's title already does (``named``)."""
        def test():
            for i in indices:
                case, want, title = cases[i]
                which = "" if named else f"{title}: "
                loss, dW = run(i)
                if not (abs(loss - want["loss"]) <= 1e-6 * max(1.0, abs(want["loss"]))):
                    return f"{which}expected loss {want['loss']:.6f}, got {loss:.6g}.{_loss_hint(kind, case, want, loss)}"
                if not _close(dW, want["dW"]):
                    worst = np.unravel_index(np.argmax(np.abs(dW - np.array(want["dW"]))), dW.shape)
                    return (f"{which}dW[{', '.join(map(str, worst))}] should be {np.array(want['dW'])[worst]:.6f}, "
                            f"got {dW[worst]:.6g}.{_gradient_hint(case, want, dW)}")
            return ""
        return test

    checks = [part.check("returns (loss, dW), a number and an array shaped like W", lambda: _just(run, 1)),
              part.check(cases[0][2] + ": loss and gradient", compare([0], named=True)),
              part.check("loss and gradient on fixed small inputs, with and without reg", compare(range(1, len(cases))))]
    if kind == "softmax":
        large = data["large_scores"]
        cases.append((_case(large), large["softmax"], large["title"]))
        checks.append(part.check("no overflow for large scores (shift each row of scores by its max)", compare([len(cases) - 1])))
    title = "your gradient agrees with your eval_numerical_gradient of your loss"
    if passed.get("eval_numerical_gradient"):
        checks.append(part.check(title, lambda: _numerical_agreement(part, kind)))
    else:
        checks.append(Verdict(title, None, "not run until eval_numerical_gradient passes its checks."))
    if "_vectorized" in name:
        right = all(c.passed for c in checks[:3])
        checks += _vectorized_checks(part, naive, passed.get(naive, False), data, right)
    return checks


def _numerical_agreement(part: PartCalls, kind: str) -> str:
    rng = np.random.default_rng(7)
    W, X = rng.normal(0, 0.5, size=(5, 4)), rng.normal(size=(6, 5))
    y = rng.integers(0, 4, size=6)
    numerical, analytic = part.call(
        f"(eval_numerical_gradient(lambda _w: float({part.name}(_w, _selfcheck_X, _selfcheck_y, 0.1)[0]), "
        f"_selfcheck_W.copy(), verbose=False), {part.name}(_selfcheck_W.copy(), _selfcheck_X, _selfcheck_y, 0.1)[1])",
        _selfcheck_W=W, _selfcheck_X=X, _selfcheck_y=y)
    numerical, analytic = _array(numerical, W.shape, "the numerical gradient"), _array(analytic, W.shape, "dW")
    off = np.argwhere(~np.isclose(numerical, analytic, rtol=1e-4, atol=1e-7))
    allowed = 1 if kind == "svm" else 0  # the hinge has kinks: one entry may sit on one
    if len(off) > allowed:
        ix = tuple(off[0])
        return (f"at dW[{', '.join(map(str, ix))}] your gradient is {analytic[ix]:.6g} but your loss changes at a rate of "
                f"{numerical[ix]:.6g}: the gradient does not match the loss you compute.")
    return ""


def _vectorized_checks(part: PartCalls, naive: str, naive_passes: bool, data: dict, right: bool) -> List[Verdict]:
    name = part.name
    rng = np.random.default_rng(3)
    W, X = rng.normal(0, 1e-4, size=(65, 10)), 50.0 * rng.normal(size=(500, 65))
    y = rng.integers(0, 10, size=500)
    inputs = dict(_selfcheck_W=W, _selfcheck_X=X, _selfcheck_y=y)
    agree_title = f"agrees with your {naive} on a dev-sized batch (500 x 65, 10 classes)"
    speed_title = f"at least {SPEED_FACTOR}x faster than your {naive} on that batch"
    checks = []
    if naive_passes:
        def agree():
            mine = _loss_pair(part.call(f"{name}(_selfcheck_W.copy(), _selfcheck_X.copy(), _selfcheck_y.copy(), 5e-6)", **inputs), W.shape)
            theirs = _loss_pair(part.student.call(f"{naive}(_selfcheck_W.copy(), _selfcheck_X.copy(), _selfcheck_y.copy(), 5e-6)", **inputs), W.shape)
            if abs(mine[0] - theirs[0]) > 1e-6 * max(1.0, abs(theirs[0])) or not _close(mine[1], theirs[1]):
                return (f"your {naive} gives loss {theirs[0]:.6f}, this one {mine[0]:.6g} "
                        f"(largest gradient difference {np.max(np.abs(mine[1] - theirs[1])):.2e}).")
            return ""
        checks.append(part.check(agree_title, agree))
    else:
        checks.append(Verdict(agree_title, None, f"not run until {naive} passes its checks."))
    if right:
        checks.append(part.check("no Python loops", lambda: _loops_message(part, data)))
    else:
        checks.append(Verdict("no Python loops", None, "not run until the loss and gradient above are right."))
    if naive_passes and checks[0].passed:
        def speed():
            args = "[_selfcheck_W, _selfcheck_X, _selfcheck_y, 5e-6]"
            slow = _number(part.student.call(f"_selfcheck_best_time({naive}, {args}, 3)", **inputs), "the time")
            fast = _number(part.call(f"_selfcheck_best_time({name}, {args}, 7)", **inputs), "the time")
            ratio = slow / max(fast, 1e-9)
            return "" if ratio >= SPEED_FACTOR else (
                f"it took {fast * 1e3:.2f} ms against {slow * 1e3:.2f} ms for your {naive}: only {ratio:.1f}x faster. "
                "Compute every example and class at once with array operations.")
        checks.append(part.check(speed_title, speed))
    else:
        checks.append(Verdict(speed_title, None, f"not run until this part agrees with a passing {naive}."))
    return checks


# --- the classifier --------------------------------------------------------------------------

def check_linear_classifier(part: PartCalls, data: dict, passed: dict) -> List[Verdict]:
    case = data["predict"]
    try:
        part.student.run(CLASSIFIER_PROBES)
    except CallFailed as exc:
        return [Verdict("subclasses of LinearClassifier can be made", False, f"LinearClassifier could not be subclassed: {exc}")]

    def predict():
        got = part.call("(globals().__setitem__('_selfcheck_clf', _selfcheck_Recorder()), "
                        "setattr(_selfcheck_clf, 'W', _selfcheck_W), _selfcheck_clf.predict(_selfcheck_X))[2]",
                        _selfcheck_W=np.array(case["W"]), _selfcheck_X=np.array(case["X"]))
        if not (isinstance(got, np.ndarray) and got.shape == (len(case["labels"]),) and got.dtype.kind in "iu"):
            return f"predict must return an (N,) = ({len(case['labels'])},) array of integer labels; it returned {_what(got)}."
        wrong = int(np.sum(got != np.array(case["labels"])))
        return "" if not wrong else f"{wrong} of {len(got)} labels differ from the class with the highest score."

    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(30, 6)), rng.integers(0, 4, size=30)
    y[0] = 4  # C = max(y) + 1 = 5
    record = {}

    def train():
        if not record:
            history, seen = part.call(
                "(globals().__setitem__('_selfcheck_seen', []), _selfcheck_np.random.seed(0), "
                "globals().__setitem__('_selfcheck_clf', _selfcheck_Recorder()), "
                "_selfcheck_clf.train(_selfcheck_X, _selfcheck_y, learning_rate=0.1, reg=0.25, num_iters=3, batch_size=7), "
                "_selfcheck_seen)[3:]", _selfcheck_X=X, _selfcheck_y=y)
            record.update(history=history, seen=seen)
        return record

    def created():
        seen = train()["seen"]
        if not seen:
            return "train never called self.loss."
        W = seen[0][3]
        if not (isinstance(W, np.ndarray) and W.shape == (6, 5) and 0.0005 < W.std() < 0.002):
            return (f"the first W was {_what(W)} with std {np.std(W) if isinstance(W, np.ndarray) else 'n/a'}; expected "
                    "0.001 * np.random.randn(D, C), shape (6, 5) here (D = X.shape[1], C = np.max(y) + 1).")
        return ""

    def history():
        got = train()["history"]
        if not isinstance(got, (list, tuple, np.ndarray)) or [float(v) for v in np.ravel(np.array(got, dtype=object))] != [1.0, 2.0, 3.0]:
            return f"with num_iters=3, train must return the 3 values self.loss returned, [1.0, 2.0, 3.0]; it returned {_what(got)}."
        return ""

    def batches():
        seen = train()["seen"]
        shapes = [(s[0], s[1]) for s in seen]
        if shapes != [((7, 6), (7,))] * 3:
            return f"with batch_size=7, each of the 3 calls of self.loss should get X_batch (7, 6) and y_batch (7,); saw {shapes}."
        if any(s[2] != 0.25 for s in seen):
            return "train(reg=0.25) must call self.loss(X_batch, y_batch, reg) with that reg."
        return ""

    def kept():
        W0 = np.full((6, 5), 0.5)
        first = part.call("(_selfcheck_seen.clear(), setattr(_selfcheck_clf, 'W', _selfcheck_W0.copy()), "
                          "_selfcheck_clf.train(_selfcheck_X, _selfcheck_y, num_iters=2, batch_size=7), "
                          "_selfcheck_seen[0][3] if _selfcheck_seen else None)[3]", _selfcheck_W0=W0, _selfcheck_X=X, _selfcheck_y=y)
        ok = isinstance(first, np.ndarray) and np.array_equal(first, W0)
        return "" if ok else "a second call to train must continue from the current self.W: create W only when it is None."

    def accuracy():
        got = part.call("(_selfcheck_np.random.seed(0), globals().__setitem__('_selfcheck_data', _selfcheck_digits()), "
                        "globals().__setitem__('_selfcheck_ls', _selfcheck_LeastSquares()), "
                        "_selfcheck_ls.train(*_selfcheck_data['train'], learning_rate=0.1, reg=1e-4, num_iters=300, batch_size=100), "
                        "float(_selfcheck_np.mean(_selfcheck_ls.predict(_selfcheck_data['val'][0]) == _selfcheck_data['val'][1])))[4]")
        got = _number(got, "the accuracy")
        floor = data["min_accuracy"]
        return "" if got >= floor else (
            f"trained with a least-squares loss of ours (lr 0.1, 300 iterations, batch 100), your train/predict "
            f"reached {got:.1%} validation accuracy on the digits; at least {floor:.0%} is expected.")

    return [part.check("predict returns the highest-scoring class as integer labels (fixed W and X)", predict),
            part.check("creates W lazily as 0.001 * randn(D, C) with C = max(y) + 1", created),
            part.check("returns one loss per iteration, the values self.loss returned", history),
            part.check("calls self.loss on batch_size rows with the given reg", batches),
            part.check("keeps W across calls to train", kept),
            part.check("train and predict give a working classifier on the digits (a loss of ours)", accuracy)]


CHECKS = {
    "eval_numerical_gradient": check_eval_numerical_gradient,
    "grad_check_sparse": check_grad_check_sparse,
    "svm_loss_naive": check_loss,
    "svm_loss_vectorized": check_loss,
    "softmax_loss_naive": check_loss,
    "softmax_loss_vectorized": check_loss,
    "LinearClassifier": check_linear_classifier,
}
