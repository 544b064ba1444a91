"""The numbers the hand-out's self-check compares with (``selfcheck/expected.json``), computed
at release from the reference solution on fixed inputs.

Only outputs on these inputs are stored: the hand-out can tell whether a student's function
returns them, but holds nothing that computes a right answer for other inputs. The inputs are
drawn from fixed seeds, so that a release is reproducible.
"""

from __future__ import annotations

import numpy as np

from .classifier import MIN_ACCURACY
from .inputs import worked_example


def _listed(value):
    return np.asarray(value).tolist()


def _loss_cases(reference: dict) -> list[dict]:
    rng = np.random.default_rng(2026)

    def case(title, n, d, c, reg):
        return {"title": title, "W": rng.normal(0, 0.5, size=(d, c)), "X": rng.normal(size=(n, d)),
                "y": rng.integers(0, c, size=n), "reg": reg}

    cases = [dict(worked_example(), title="the lecture's worked example (cat/car/frog images, reg 0)"),
             case("5 x 4 inputs, 3 classes, reg 0", 5, 4, 3, 0.0),
             case("3 x 7 inputs, 12 classes (more classes than examples), reg 0.1", 3, 7, 12, 0.1),
             case("6 x 5 inputs, 4 classes, reg 50", 6, 5, 4, 50.0)]
    out = []
    for item in cases:
        W, X, y, reg = item["W"], item["X"], np.asarray(item["y"], dtype=np.int64), float(item["reg"])
        row = {"title": item["title"], "W": _listed(W), "X": _listed(X), "y": _listed(y), "reg": reg}
        for kind in ("svm", "softmax"):
            loss, dW = reference[f"{kind}_loss_naive"](W.copy(), X.copy(), y.copy(), reg)
            data_loss, data_dW = reference[f"{kind}_loss_naive"](W.copy(), X.copy(), y.copy(), 0.0)
            row[kind] = {"loss": float(loss), "dW": _listed(dW), "data_loss": float(data_loss), "data_dW": _listed(data_dW)}
        out.append(row)
    return out


def _large_scores(reference: dict) -> dict:
    """The worked example with 800 added to every score: exp(800) overflows float64,
    exp(scores - max) does not (and no probability underflows to 0)."""
    case = worked_example()
    W = case["W"] + 800.0
    loss, dW = reference["softmax_loss_naive"](W.copy(), case["X"].copy(), case["y"].copy(), 0.0)
    return {"title": "the worked example's scores plus 800 (exp overflows without the max shift)",
            "W": _listed(W), "X": _listed(case["X"]), "y": _listed(case["y"]), "reg": 0.0,
            "softmax": {"loss": float(loss), "dW": _listed(dW), "data_loss": float(loss), "data_dW": _listed(dW)}}


def public_data(reference: dict) -> dict:
    """What this assignment's expected.json holds besides what every hand-out's does (release.py
    adds the notebook's name, parts and locked cells), from the reference functions ``reference``."""
    rel_error, numerical = reference["rel_error"], reference["eval_numerical_gradient"]
    rng = np.random.default_rng(9)

    x_cube = rng.uniform(0.5, 2.0, size=(4, 3)) * rng.choice([-1, 1], size=(4, 3))
    x_exp = rng.normal(size=(2, 3, 2))
    gradients = [
        {"title": "centered differences with the given h, on f(x) = sum(x**3)", "f": "cube", "x": x_cube, "h": 1e-2},
        {"title": "every entry of a 3-D array with the default h, on f(x) = sum(exp(x))", "f": "exp", "x": x_exp, "h": None},
    ]
    functions = {"cube": lambda z: float(np.sum(z ** 3)), "exp": lambda z: float(np.sum(np.exp(z)))}
    for item in gradients:
        options = {"h": item["h"]} if item["h"] is not None else {}
        item["expected"] = _listed(numerical(functions[item["f"]], item["x"].copy(), verbose=False, **options))
        item["x"] = _listed(item["x"])

    # grad_check_sparse on f = sum(x**2) with the analytic gradient 2x(1 + e): every entry has its own error.
    x_sparse = rng.uniform(0.5, 2.0, size=(5, 6)) * rng.choice([-1, 1], size=(5, 6))
    analytic = 2 * x_sparse * (1 + rng.permutation(np.linspace(0.01, 0.6, x_sparse.size)).reshape(x_sparse.shape))
    num = numerical(lambda z: float(np.sum(z ** 2)), x_sparse.copy(), verbose=False)
    entry_errors = [rel_error(num[ix], analytic[ix]) for ix in np.ndindex(x_sparse.shape)]

    W_predict, X_predict = rng.normal(size=(6, 5)), rng.normal(size=(20, 6))
    classifier = reference["LinearClassifier"]()
    classifier.W = W_predict.copy()
    labels = classifier.predict(X_predict.copy())

    return {
        "eval_numerical_gradient": gradients,
        "grad_check_sparse": {"x": _listed(x_sparse), "analytic": _listed(analytic), "num_checks": 8,
                              "entry_errors": [float(e) for e in entry_errors]},
        "loss_cases": _loss_cases(reference),
        "large_scores": _large_scores(reference),
        "predict": {"W": _listed(W_predict), "X": _listed(X_predict), "labels": _listed(labels)},
        "min_accuracy": MIN_ACCURACY,
    }

