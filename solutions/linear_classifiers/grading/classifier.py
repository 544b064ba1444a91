"""Checks of LinearClassifier: minibatch SGD in train() and predict().

train() is exercised through subclasses the grader defines in the kernel, whose loss() is not
one of the graded losses: a quadratic bowl 0.5 ||W - T||^2 that records every call (so each step
can be verified exactly: W_next = W - lr (W - T)), and a least-squares loss on the embedded data
(to check that training and predicting give a real classifier). A wrong svm or softmax loss can
therefore never cost points here.
"""

from __future__ import annotations

import functools

import numpy as np

from autograder.checks import Check, CheckResult, Context, checks_for
from autograder.checks.values import Unusable, array, reply_failure, scalar

PROBES = r'''
def _autograder_probes(base):
    import numpy as _np

    class Bowl(base):
        """loss = 0.5 ||W - T||^2, gradient W - T; records (X_batch, y_batch, W, reg) per call."""
        def loss(self, X_batch, y_batch, reg):
            W = _np.array(self.W, dtype=_np.float64, copy=True)
            G = W - _autograder_target
            _autograder_calls.append((_np.array(X_batch, copy=True), _np.array(y_batch, copy=True), W, float(reg)))
            return 0.5 * float(_np.sum(G * G)), G

    class LeastSquares(base):
        """loss = 0.5 mean ||X W - onehot(y)||^2 + reg ||W||^2 (a classifier, but not a graded loss)."""
        def loss(self, X_batch, y_batch, reg):
            n = X_batch.shape[0]
            R = X_batch.dot(self.W)
            R[_np.arange(n), y_batch] -= 1.0
            loss = 0.5 * _np.sum(R * R) / n + reg * _np.sum(self.W * self.W)
            return loss, X_batch.T.dot(R) / n + 2 * reg * self.W

    return Bowl, LeastSquares
_autograder_Bowl, _autograder_LeastSquares = _autograder_probes(LinearClassifier)
del _autograder_probes
'''

MIN_ACCURACY = 0.85


def kernel_seed(rng: np.random.Generator) -> int:
    """A seed for numpy's global generator in the kernel (train's initial W and minibatches), drawn
    from the part's generator: the same when the submission is graded again, and never the
    submission's own seed, from which the student's code could draw every other part's hidden inputs."""
    return int(rng.integers(2**32))


@functools.cache
def _digits():
    """The embedded digits, preprocessed, pixels scaled to [0, 1] (the bias column stays 1)."""
    from data_scripts import load_dataset, preprocess

    data = preprocess(load_dataset("digits"))
    out = {}
    for split in ("train", "val"):
        X = data[f"X_{split}"] / 255.0
        X[:, -1] = 1.0
        out[f"X_{split}"], out[f"y_{split}"] = X, data[f"y_{split}"]
    return out


LAZY_W = Check("lazy-w", "creates W lazily as 0.001 * randn(D, C) with C = max(y) + 1", 2)
HISTORY = Check("history", "returns one loss per iteration, the values loss() returned", 2)
STEPS = Check("steps", "each step moves W by -learning_rate * gradient", 4)
BATCHES = Check("batches", "samples minibatches of batch_size rows (with their labels) at random", 3)
KEEPS_W = Check("keeps-w", "keeps W across calls to train (no re-initialization)", 1)
REG = Check("reg", "passes reg through to loss()", 1)
PREDICT = Check("predict", "predict returns argmax of X W as labels (integers, or whole numbers in a float array)", 4)
ACCURACY = Check("accuracy", f"trains a classifier to >= {MIN_ACCURACY:.0%} validation accuracy on the embedded digits "
                             "(its weights read back, the accuracy measured by the grader)", 3)
TRAIN = [LAZY_W, HISTORY, STEPS, BATCHES, KEEPS_W, REG]


@checks_for("LinearClassifier", checks=[*TRAIN, PREDICT, ACCURACY], core=[STEPS, BATCHES, PREDICT, ACCURACY])
def check_linear_classifier(ctx: Context, name: str) -> list[CheckResult]:
    setup = ctx.bridge.load(PROBES)
    if not setup.ok:
        problem = f"LinearClassifier could not be subclassed ({setup.error})."
        return [check.fail(problem) for check in [*TRAIN, PREDICT, ACCURACY]]
    return _train_checks(ctx) + [_predict_check(ctx), _accuracy_check(ctx)]


def _train_checks(ctx: Context) -> list[CheckResult]:
    rng = ctx.rng
    n, d, c, batch, iters, lr, reg = 60, 8, 7, 16, 12, 0.1, 0.25
    X = rng.normal(size=(n, d))
    X[:, 0] = np.arange(n)  # a row id, so every batch row can be traced back to X
    y = rng.integers(0, c - 1, size=n)
    y[rng.integers(n)] = c - 1  # max(y) + 1 == c
    target = rng.normal(size=(d, c))
    reply = ctx.bridge.evaluate(
        "(_autograder_calls.clear() if '_autograder_calls' in globals() else None, "
        "globals().__setitem__('_autograder_calls', []), "
        f"__import__('numpy').random.seed({kernel_seed(rng)}), "
        "globals().__setitem__('_autograder_clf', _autograder_Bowl()), "
        f"_autograder_clf.train(_autograder_train['X'], _autograder_train['y'], learning_rate={lr}, reg={reg}, "
        f"num_iters={iters}, batch_size={batch}), "
        "_autograder_calls, _autograder_clf.W)[4:]",
        inputs={"_autograder_train": {"X": X, "y": y}, "_autograder_target": target},
    )
    try:
        if not reply.ok:
            raise Unusable(reply_failure("LinearClassifier.train", reply))
        history_v, calls_v, final_v = reply.value.value
        calls = _calls(calls_v)
        final = array("train", "self.W after training", final_v, (d, c))
        if history_v.kind not in ("list", "tuple", "array"):
            raise Unusable(f"train must return the list of losses; it returned {history_v.describe()}.")
        history = (list(history_v.value) if history_v.kind == "array"
                   else [scalar("train", "each loss", v) for v in history_v.value])
    except Unusable as exc:
        return [check.fail(str(exc)) for check in TRAIN]

    results = []
    W0 = calls[0][2] if calls else None
    ok = W0 is not None and W0.shape == (d, c) and 0.0005 < W0.std() < 0.002
    results.append(LAZY_W.result(ok, (
        "loss() was never called." if W0 is None else
        f"the first W had shape {W0.shape} and std {W0.std():.2g}; expected shape ({d}, {c}) "
        f"(D = X.shape[1], C = np.max(y) + 1) and std 0.001 (0.001 * np.random.randn(D, C)).")))

    losses = [0.5 * float(np.sum((W - target) ** 2)) for _, _, W, _ in calls]
    ok = len(history) == iters and len(calls) == iters and np.allclose(history, losses, rtol=1e-12)
    results.append(HISTORY.result(ok,
        f"with num_iters={iters}, train called loss() {len(calls)} times and returned {len(history)} values; "
        "append each loss to the history and return it."))

    # The weights train went through, each once (a second loss() call in an iteration sees the
    # same W): num_iters steps, each W - lr (W - T). A slip in the history is not a wrong step.
    Ws = [W for _, _, W, _ in calls] + [final]
    Ws = Ws[:1] + [W for before, W in zip(Ws, Ws[1:]) if not np.array_equal(W, before)]
    steps_ok = len(Ws) == iters + 1 and all(
        np.allclose(Ws[t + 1], Ws[t] - lr * (Ws[t] - target), rtol=1e-10, atol=1e-12) for t in range(iters))
    results.append(STEPS.result(steps_ok, "" if steps_ok else _step_hint(Ws, target, lr, iters)))

    results.append(_batches(calls, X, y, batch))

    # A second call to train must continue from the current W.
    reply = ctx.bridge.evaluate(
        "(_autograder_calls.clear(), "
        f"_autograder_clf.train(_autograder_train['X'], _autograder_train['y'], learning_rate={lr}, reg={reg}, "
        f"num_iters=2, batch_size={batch}), _autograder_calls[0][2] if _autograder_calls else None)[2]")
    ok = reply.ok and reply.value.kind == "array" and np.array_equal(reply.value.value, final)
    results.append(KEEPS_W.result(ok,
        "calling train again must start from the current self.W: create W only when self.W is None."))
    ok = bool(calls) and all(r == reg for _, _, _, r in calls)
    results.append(REG.result(ok, f"train(reg={reg}) must call self.loss(X_batch, y_batch, reg)."))
    return results


def _calls(value) -> list:
    """The Bowl's recorded calls: [(X_batch, y_batch, W, reg), ...] (recorded by grader code)."""
    if value.kind != "list":
        raise Unusable("the training record could not be read back (was _autograder_calls replaced?).")
    calls = []
    for item in value.value:
        xb, yb, W, reg = item.value
        calls.append((xb.value, yb.value, W.value, reg.value))
    return calls


def _step_hint(Ws, target, lr, iters) -> str:
    if len(Ws) < 2:
        return "W never changed: update self.W with -learning_rate * grad at every iteration."
    W, nxt = Ws[0], Ws[1]
    grad = W - target
    if np.allclose(nxt, W + lr * grad):
        return "W moved along +gradient: gradient descent subtracts learning_rate * grad."
    if np.allclose(nxt, W):
        return "W did not change between iterations: update self.W with -learning_rate * grad."
    if np.allclose(nxt, W - grad):
        return "W moved by the full gradient: multiply it by learning_rate."
    if len(Ws) != iters + 1 and all(np.allclose(b, a - lr * (a - target)) for a, b in zip(Ws, Ws[1:])):
        return f"with num_iters={iters}, W took {len(Ws) - 1} steps: take one step per iteration."
    return "after a step, W should equal W - learning_rate * grad (with the grad that loss() returned)."


def _batches(calls, X, y, batch) -> CheckResult:
    if not calls:
        return BATCHES.fail("loss() was never called.")
    seen = []
    for xb, yb, _, _ in calls:
        if xb.shape != (batch, X.shape[1]) or yb.shape != (batch,):
            return BATCHES.fail(
                f"a minibatch had X_batch {xb.shape} and y_batch {yb.shape}; expected ({batch}, {X.shape[1]}) and ({batch},).")
        ids = xb[:, 0].astype(int)
        if np.any(ids < 0) or np.any(ids >= len(X)) or not np.array_equal(xb, X[ids]) or not np.array_equal(yb, y[ids]):
            return BATCHES.fail("minibatch rows (or their labels) are not rows of X (and y): index X and y with the same indices.")
        seen.append(tuple(ids))
    if len(set(seen)) == 1:
        return BATCHES.fail(
            "every iteration used the same minibatch: draw new indices with np.random.choice each iteration.")
    if len(set().union(*map(set, seen))) <= batch:
        return BATCHES.fail("only a few rows of X were ever used: sample from all N rows.")
    # Runs of neighbouring rows (X[start:start + batch_size]) are no random sample, and a random
    # sample of 16 of 60 rows is never one run: caught whatever the seed, not only when a start
    # falls near the end of X and makes a short batch.
    if all(np.array_equal(np.sort(np.array(ids)), np.arange(min(ids), min(ids) + len(ids))) for ids in seen):
        return BATCHES.fail("every minibatch is a run of neighbouring rows (X[start:start + batch_size]): sample "
                            "batch_size rows at random, np.random.choice(num_train, batch_size).")
    return BATCHES.ok()


def _predict_check(ctx: Context) -> CheckResult:
    X = ctx.rng.normal(size=(40, 6))
    W = ctx.rng.normal(size=(6, 5))
    reply = ctx.bridge.evaluate(
        "(globals().__setitem__('_autograder_p', _autograder_Bowl()), "
        "setattr(_autograder_p, 'W', _autograder_predict['W'].copy()), "
        "_autograder_p.predict(_autograder_predict['X'].copy()))[2]",
        inputs={"_autograder_predict": {"X": X, "W": W}})
    try:
        if not reply.ok:
            raise Unusable(reply_failure("predict", reply))
        # Labels are compared and counted (==, np.mean(y_pred == y)), as CS231n's notebooks use
        # them: whole numbers in a float array (CS231n's own stub, y_pred = np.zeros(N)) are labels
        # too, as in knn's predict_labels.
        got = array("predict", "y_pred", reply.value, (len(X),), kinds="iuf")
        if got.dtype.kind == "f" and not (np.all(np.isfinite(got)) and np.all(got == np.round(got))):
            raise Unusable("predict returned labels that are not whole numbers; labels are integers "
                           "(np.argmax(X.dot(self.W), axis=1) gives them).")
    except Unusable as exc:
        return PREDICT.fail(str(exc))
    want = np.argmax(X.dot(W), axis=1)
    wrong = int(np.sum(got != want))
    if wrong:
        hint = " (that is argmin: use argmax)" if np.array_equal(got, np.argmin(X.dot(W), axis=1)) else ""
        return PREDICT.fail(f"{wrong} of {len(X)} labels differ from argmax(X W, axis=1){hint}.")
    return PREDICT.ok()


def _accuracy_check(ctx: Context) -> CheckResult:
    """Train with a least-squares loss on the digits' training split, read W back, and measure
    the validation accuracy of argmax(X_val W) here: neither the validation images nor their
    labels enter the kernel, and no value computed there but W counts."""
    data = _digits()
    reply = ctx.bridge.evaluate(
        f"(__import__('numpy').random.seed({kernel_seed(ctx.rng)}), "
        "globals().__setitem__('_autograder_ls', _autograder_LeastSquares()), "
        "_autograder_ls.train(_autograder_digits['X_train'], _autograder_digits['y_train'], "
        "learning_rate=0.1, reg=1e-4, num_iters=300, batch_size=100), "
        "_autograder_ls.W)[3]",
        inputs={"_autograder_digits": {"X_train": data["X_train"], "y_train": data["y_train"]}})
    classes = int(np.max(data["y_train"])) + 1
    try:
        if not reply.ok:
            raise Unusable(reply_failure("LinearClassifier", reply))
        W = array("train", "self.W after training", reply.value, (data["X_train"].shape[1], classes))
    except Unusable as exc:
        return ACCURACY.fail(str(exc))
    accuracy = float(np.mean(np.argmax(data["X_val"].dot(W), axis=1) == data["y_val"]))
    ok = accuracy >= MIN_ACCURACY
    return ACCURACY.result(ok,
        f"trained with a least-squares loss (lr 0.1, 300 iterations, batch 100), its W reached {accuracy:.1%} "
        f"validation accuracy; a correct train reaches about 95%.")
