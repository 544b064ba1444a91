"""Inputs for the hidden checks: the worked example and random cases drawn from a seed.

Shapes follow the assignment's conventions: X (N, D), W (D, C), y (N,) int64 in [0, C).
"""

from __future__ import annotations

import numpy as np

#: The lecture's 3 images x 3 classes score table (rows: cat, car, frog images; columns: the
#: cat, car, frog classes). With X = I and W = this table, scores = X W = the table.
WORKED_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])

#: (N, D, C) of the random loss cases: single example, two classes, more classes than
#: examples (so some classes are absent from y), and a dev-like batch.
LOSS_SHAPES = [(1, 3, 2), (2, 1, 3), (5, 4, 3), (3, 7, 12), (16, 10, 4), (64, 20, 10)]


def worked_example() -> dict:
    return {"W": WORKED_SCORES.copy(), "X": np.eye(3), "y": np.arange(3, dtype=np.int64), "reg": 0.0}


def loss_case(rng: np.random.Generator, n: int, d: int, c: int, reg: float = 0.0, w_scale: float = 0.5) -> dict:
    """One random (W, X, y, reg) case with scores of order 1 (margins on both sides of 0)."""
    return {
        "W": rng.normal(0.0, w_scale, size=(d, c)),
        "X": rng.normal(0.0, 1.0, size=(n, d)),
        "y": rng.integers(0, c, size=n).astype(np.int64),
        "reg": float(reg),
    }


def large_scores_case(rng: np.random.Generator, n: int = 8, d: int = 5, c: int = 4) -> dict:
    """Scores of about 800 + N(0, 10): exp(800) overflows float64, exp(score - max) does not.
    Feature 0 is a constant 1 whose weights add the same 800 to every class score."""
    case = loss_case(rng, n, d, c, 0.0, w_scale=2.0)
    case["X"][:, 0] = 1.0
    case["W"][0, :] = 800.0
    return case


def float32_case(rng: np.random.Generator, n: int = 12, d: int = 6, c: int = 5) -> dict:
    """A case whose W and X are float32 (as when images are loaded as float32)."""
    case = loss_case(rng, n, d, c, 0.05)
    case["W"], case["X"] = case["W"].astype(np.float32), case["X"].astype(np.float32)
    return case


def worked_like(rng: np.random.Generator) -> dict:
    """A worked example shaped like the lecture's (3 images as X = I, 3 classes, each image of
    its own class), with class scores drawn for this submission: the hidden checks never reuse
    the hand-out's public inputs, whose answers the hand-out holds."""
    return {"W": np.round(rng.normal(0.0, 3.0, size=(3, 3)), 1), "X": np.eye(3), "y": np.arange(3, dtype=np.int64),
            "reg": 0.0}
