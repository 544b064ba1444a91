"""Diagnoses: when a wrong loss or gradient matches a known mistake, say so in one sentence.

Each candidate is built from the reference's own outputs on the same case (the data part with
reg = 0, the regularization part reg * sum(W^2) and its gradient 2 reg W), recombined the way
the mistake would recombine them. The first candidate the student's value matches (to the
same tolerance as the checks) is the diagnosis; if none matches, the check's message stands
alone.
"""

from __future__ import annotations

import numpy as np

TOL = 1e-6


def _close(a, b) -> bool:
    return bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=TOL, atol=1e-9)


def loss_hint(name: str, case: dict, got: float, oracle) -> str:
    """A sentence about a wrong loss value, or ''."""
    if not np.isfinite(got):
        if name.startswith("softmax"):
            return ("The loss is not finite: np.exp overflowed. Subtract each example's largest score "
                    "before exponentiating (it does not change the probabilities).")
        return "The loss is not finite (NaN or inf): look for a division by zero or an overflow."
    W, X, y, reg = case["W"], case["X"], case["y"], case["reg"]
    n = X.shape[0]
    data = oracle(W.copy(), X.copy(), y.copy(), 0.0)[0]
    R = reg * np.sum(W * W)
    candidates = []
    if n > 1:
        candidates += [(data * n + R, "The loss is N times too large: average the data loss over the N examples."),
                       ((data + R) * n, "The loss is N times too large: average the data loss over the N examples."),
                       (data + R / n, "The regularization term was divided by N: add reg * np.sum(W * W) after averaging.")]
    if R > 0:
        candidates += [(data, "The regularization term reg * np.sum(W * W) is missing from the loss."),
                       (data + 0.5 * R, "The regularization term is halved: this assignment uses reg * np.sum(W * W), not 0.5 * reg * ..."),
                       (data + 2 * R, "The regularization term is doubled: use reg * np.sum(W * W)."),
                       (data + reg * np.sum(np.abs(W)), "The regularization uses |W|: use the squared weights, reg * np.sum(W * W).")]
    if name.startswith("svm"):
        candidates += [(data + 1 + R, "The loss is 1 too large per example: skip j = y_i in the sum over classes "
                                      "(that term is always max(0, 1) = 1)."),
                       (data * n + n + R, "The loss counts j = y_i and is not averaged: skip the correct class and divide by N.")]
    if name.startswith("softmax"):
        candidates += [(data / np.log(10) + R, "The loss uses log base 10: use the natural log, np.log."),
                       (data / np.log(2) + R, "The loss uses log base 2: use the natural log, np.log.")]
    candidates += [(-data + R, "The data loss has the wrong sign: the loss is -log(probability) (or a sum of positive margins).")]
    for value, sentence in candidates:
        if _close(got, value):
            return sentence
    return ""


def gradient_hint(name: str, case: dict, got: np.ndarray, oracle) -> str:
    """A sentence about a wrong gradient, or ''."""
    if not np.all(np.isfinite(got)):
        return "The gradient holds NaN or inf: look for an overflow (subtract the max score) or a division by zero."
    W, X, y, reg = case["W"], case["X"], case["y"], case["reg"]
    n = X.shape[0]
    data = oracle(W.copy(), X.copy(), y.copy(), 0.0)[1]
    G = 2 * reg * W
    candidates = []
    if n > 1:
        candidates += [(data * n + G, "The gradient is N times too large: average it over the N examples, like the loss."),
                       ((data + G) * n, "The gradient is N times too large: average it over the N examples, like the loss.")]
    if reg > 0:
        candidates += [(data, "The gradient lacks the regularization term: add 2 * reg * W."),
                       (data + reg * W, "The regularization gradient is off by a factor 2: the derivative of reg * sum(W^2) is 2 * reg * W."),
                       (data + 4 * reg * W, "The regularization gradient is doubled: the derivative of reg * sum(W^2) is 2 * reg * W.")]
    candidates += [(-data + G, "The data gradient has the wrong sign."),
                   (-(data + G), "The gradient has the wrong sign (it points uphill).")]
    for value, sentence in candidates:
        if _close(got, value):
            return sentence
    return ""
