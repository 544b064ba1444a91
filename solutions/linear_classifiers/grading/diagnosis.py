"""Declared mistakes of the losses: when a wrong loss or gradient is one of them, say so in one
sentence, and let the function keep the credit for what it does right.

Each slip is a variant of the loss (or of the gradient) built from the reference's own outputs on
the same case: the data part with reg = 0 (``data``, ``ddata``), the regularization term
R = reg * sum(W^2) and its gradient G = 2 reg W, recombined the way the mistake recombines them.
A variant equals the right value where the mistake makes no difference (a missing average with
N = 1, a missing regularization with reg = 0), so a slip is identified when the student's values
match it on every case and differ from the right ones on at least one (``classify``). A function
whose loss and gradient are each right or one declared slip is credited for its structure
(shape, its own gradient, no loops, speed), and its timed results are checked against that
variant (``variant``). The README lists these slips.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

TOL = 1e-6


@dataclasses.dataclass(frozen=True)
class Slip:
    """id: stable, lower-case words joined by hyphens; sentence: what the student reads;
    value(parts) -> the mistaken value, from the case's parts (see ``Parts``); applies(name):
    to which losses (svm_*, softmax_*)."""

    id: str
    sentence: str
    value: Callable
    applies: Callable = lambda name: True


@dataclasses.dataclass
class Parts:
    """The reference's pieces on one case: n, reg, W; data and ddata (the data loss and its
    gradient, reg = 0); R = reg sum(W^2) and G = 2 reg W."""

    n: int
    reg: float
    W: np.ndarray
    data: float
    ddata: np.ndarray
    R: float
    G: np.ndarray


def parts(case: dict, oracle) -> Parts:
    W, X, y, reg = (np.asarray(case["W"], dtype=np.float64), np.asarray(case["X"], dtype=np.float64),
                    case["y"], case["reg"])
    data, ddata = oracle(W.copy(), X.copy(), y.copy(), 0.0)
    return Parts(X.shape[0], reg, W, float(data), ddata, reg * float(np.sum(W * W)), 2 * reg * W)


svm = lambda name: name.startswith("svm")  # noqa: E731
softmax = lambda name: name.startswith("softmax")  # noqa: E731
AVERAGE = "The loss is N times too large: average the data loss over the N examples."

LOSS_SLIPS = [
    Slip("loss-not-averaged", AVERAGE, lambda p: p.data * p.n + p.R),
    Slip("loss-and-reg-times-n", AVERAGE, lambda p: (p.data + p.R) * p.n),
    Slip("reg-divided-by-n", "The regularization term was divided by N: add reg * np.sum(W * W) after averaging.",
         lambda p: p.data + p.R / p.n),
    Slip("reg-missing", "The regularization term reg * np.sum(W * W) is missing from the loss.", lambda p: p.data),
    Slip("reg-halved", "The regularization term is halved: this assignment uses reg * np.sum(W * W), not 0.5 * reg * ...",
         lambda p: p.data + 0.5 * p.R),
    Slip("reg-doubled", "The regularization term is doubled: use reg * np.sum(W * W).", lambda p: p.data + 2 * p.R),
    Slip("reg-l1", "The regularization uses |W|: use the squared weights, reg * np.sum(W * W).",
         lambda p: p.data + p.reg * float(np.sum(np.abs(p.W)))),
    Slip("counts-correct-class", "The loss is 1 too large per example: skip j = y_i in the sum over classes "
                                 "(that term is always max(0, 1) = 1).", lambda p: p.data + 1 + p.R, svm),
    Slip("counts-correct-class-not-averaged", "The loss counts j = y_i and is not averaged: skip the correct class and "
                                              "divide by N.", lambda p: p.data * p.n + p.n + p.R, svm),
    Slip("log10", "The loss uses log base 10: use the natural log, np.log.", lambda p: p.data / np.log(10) + p.R, softmax),
    Slip("log2", "The loss uses log base 2: use the natural log, np.log.", lambda p: p.data / np.log(2) + p.R, softmax),
    Slip("loss-sign", "The data loss has the wrong sign: the loss is -log(probability) (or a sum of positive margins).",
         lambda p: -p.data + p.R),
]

GRADIENT_SLIPS = [
    Slip("gradient-not-averaged", "The gradient is N times too large: average it over the N examples, like the loss.",
         lambda p: p.ddata * p.n + p.G),
    Slip("gradient-and-reg-times-n", "The gradient is N times too large: average it over the N examples, like the loss.",
         lambda p: (p.ddata + p.G) * p.n),
    Slip("reg-gradient-missing", "The gradient lacks the regularization term: add 2 * reg * W.", lambda p: p.ddata),
    Slip("reg-gradient-halved", "The regularization gradient is off by a factor 2: the derivative of reg * sum(W^2) "
                                "is 2 * reg * W.", lambda p: p.ddata + p.G / 2),
    Slip("reg-gradient-doubled", "The regularization gradient is doubled: the derivative of reg * sum(W^2) is "
                                 "2 * reg * W.", lambda p: p.ddata + 2 * p.G),
    Slip("data-gradient-sign", "The data gradient has the wrong sign.", lambda p: -p.ddata + p.G),
    Slip("gradient-sign", "The gradient has the wrong sign (it points uphill).", lambda p: -(p.ddata + p.G)),
]

RIGHT_LOSS = Slip("right", "", lambda p: p.data + p.R)
RIGHT_GRADIENT = Slip("right", "", lambda p: p.ddata + p.G)


def _close(a, b, rtol: float = TOL) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return bool(np.all(np.isfinite(a))) and a.shape == b.shape and np.allclose(
        a, b, rtol=rtol, atol=max(1e-9, rtol * 1e-3 * max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)))


def loss_hint(name: str, case: dict, got: float, oracle) -> tuple[str, str]:
    """(a sentence about a wrong loss value, the id of the declared slip it is, or '')."""
    if not np.isfinite(got):
        if softmax(name):
            return ("The loss is not finite: np.exp overflowed. Subtract each example's largest score before "
                    "exponentiating (it does not change the probabilities)."), ""
        return "The loss is not finite (NaN or inf): look for a division by zero or an overflow.", ""
    return _match(name, LOSS_SLIPS, parts(case, oracle), got, RIGHT_LOSS)


def gradient_hint(name: str, case: dict, got: np.ndarray, oracle) -> tuple[str, str]:
    """(a sentence about a wrong gradient, the id of the declared slip it is, or '')."""
    if not np.all(np.isfinite(got)):
        return "The gradient holds NaN or inf: look for an overflow (subtract the max score) or a division by zero.", ""
    return _match(name, GRADIENT_SLIPS, parts(case, oracle), got, RIGHT_GRADIENT)


def _match(name: str, slips: list, p: Parts, got, right: Slip) -> tuple[str, str]:
    for slip in slips:
        if slip.applies(name) and not _close(right.value(p), slip.value(p)) and _close(got, slip.value(p)):
            return slip.sentence, slip.id
    return "", ""


def classify(name: str, answers: list, oracle, which: str, rtol: float = TOL) -> Slip | None:
    """The variant that the student's values are, over every case: ``answers`` holds (case, the
    student's loss or gradient), ``which`` is "loss" or "gradient". RIGHT_* if every value is
    right; else the first declared slip that matches every value and differs from the right one
    on at least one case; None if neither (the function computes something else)."""
    right, slips = (RIGHT_LOSS, LOSS_SLIPS) if which == "loss" else (RIGHT_GRADIENT, GRADIENT_SLIPS)
    computed = [(parts(case, oracle), got) for case, got in answers]
    if all(_close(got, right.value(p), rtol) for p, got in computed):
        return right
    for slip in slips:
        if slip.applies(name) and all(_close(got, slip.value(p), rtol) for p, got in computed) and any(
                not _close(slip.value(p), right.value(p)) for p, _ in computed):
            return slip
    return None


def variant(loss: Slip, gradient: Slip, oracle):
    """f(W, X, y, reg) -> (loss, dW) as the student's function computes them: the reference, or
    the declared slips its values were found to be (the oracle of its timed calls)."""

    def mistaken(W, X, y, reg):
        p = parts({"W": W, "X": X, "y": y, "reg": reg}, oracle)
        return loss.value(p), gradient.value(p)

    return mistaken
