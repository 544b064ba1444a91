"""Words and readings for the assertions of check files (solutions/<id>/grading/test_*.py), which
run in the grader, against the reference, and (to come) in the hand-out's self-check: every value
here is a plain Python or numpy value, as the student's function returned it. Nothing here knows
a right answer.
"""

from __future__ import annotations

import math

import numpy as np


class Unreadable(AssertionError):
    """A returned value that is not what the check needs; the message says what it was."""


class Mistake(AssertionError):
    """A failed check whose value is a declared mistake's: ``slip`` is the mistake's id (the kit's
    README, "How scores are decided"), the message says it in one sentence. Raised by known_mistake."""

    def __init__(self, slip: str, sentence: str):
        super().__init__(sentence)
        self.slip = slip


def known_mistake(got, mistakes: dict, close) -> None:
    """Raise the Mistake of the first of ``mistakes`` ({slip id: (what that mistake returns, the
    sentence that says it)}) whose value ``got`` is (``close(got, value)``); return when it is none
    of them. A public test works the mistakes' values out by hand, as it does the right answer: no
    wrong variant's code is handed out."""
    for slip, (value, sentence) in mistakes.items():
        if close(got, value):
            raise Mistake(slip, sentence)


def describe(value) -> str:
    """A short description of a returned value, for messages: "an array of shape (3, 2) and dtype float64"."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return repr(value) if isinstance(value, (int, float)) or value is None else str(value)


def number(value, what: str, name: str) -> float:
    """A real number: a Python or numpy int or float, or a numeric array holding exactly one
    element; else Unreadable saying what ``name`` returned instead."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
        return float(value.reshape(()))
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    raise Unreadable(f"{name} must return {what} as a number; it returned {describe(value)}.")


def off_by(got: float, want: float) -> str:
    """How far ``got`` is from ``want``, in words a student can act on but not replay: the
    direction and the relative error to one significant digit ("about 30% too large", "about
    2e+03 times too small", "of the wrong sign"), never the expected value itself."""
    got, want = float(got), float(want)
    if not math.isfinite(got):
        return f"not finite ({got})"
    if want == 0 or got == 0:
        return f"off by about {abs(got - want):.0e} (absolute)"
    if np.sign(got) != np.sign(want):
        return "of the wrong sign"
    ratio = got / want
    if 0.5 <= ratio <= 2:
        return f"about {abs(ratio - 1):.0%} too {'large' if abs(got) > abs(want) else 'small'}" if abs(ratio - 1) >= 0.005 \
            else f"off by a relative {abs(ratio - 1):.0e}"
    return f"about {max(ratio, 1 / ratio):.1g} times too {'large' if abs(got) > abs(want) else 'small'}"
