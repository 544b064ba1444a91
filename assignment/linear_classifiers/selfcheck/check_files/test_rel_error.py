"""Checks of rel_error(x, y): the largest relative error over the entries,
max |x - y| / max(1e-8, |x| + |y|), as a number. Cases drawn for each submission are compared
with the reference, and grade; worked cases, whose answers are derived here by hand, are public
(the hand-out may show them; they never reach a student's kernel) and keep the reference honest."""

import numpy as np
import pytest

from selfcheck.expect import number, off_by

FORMULA = "max |x - y| / max(1e-8, |x| + |y|) over the entries"


def error_of(rel_error, x, y) -> float:
    return number(rel_error(x, y), "the error", "rel_error")


def assert_close(got: float, want: float) -> None:
    assert np.isfinite(got) and abs(got - want) <= 1e-9 + 1e-6 * abs(want), (
        f"your error, {got:.6g}, is {off_by(got, want)}: it should be {FORMULA}.")


@pytest.mark.check("arrays", "relative error of two arrays", points=2, core=True)
@pytest.mark.public
def test_arrays_worked(rel_error):
    """Entry by entry: |1 - 1.5| / 2.5 = 0.2, 0 / 4 = 0, |3 - 2| / 5 = 0.2, 0 / 1 = 0; the largest is 0.2."""
    assert_close(error_of(rel_error, np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([[1.5, -2.0], [2.0, 0.5]])), 0.2)


@pytest.mark.check("arrays", "relative error of two arrays", points=2, core=True)
def test_arrays(rel_error, reference, rng):
    x = rng.normal(size=(4, 5))
    y = x + rng.normal(scale=1e-3, size=x.shape)
    assert_close(error_of(rel_error, x, y), reference.rel_error(x, y))


@pytest.mark.check("numbers", "relative error of two numbers", points=1, core=True)
@pytest.mark.public
def test_numbers_worked(rel_error):
    """|3 - 2.5| / (3 + 2.5) = 0.5 / 5.5 = 1/11."""
    assert_close(error_of(rel_error, 3.0, 2.5), 1 / 11)


@pytest.mark.check("numbers", "relative error of two numbers", points=1, core=True)
def test_numbers(rel_error, reference, rng):
    x, y = float(rng.uniform(1, 4)), float(rng.uniform(1, 4))
    assert_close(error_of(rel_error, x, y), reference.rel_error(x, y))


@pytest.mark.check("zeros", "zero for identical arrays (and no division by zero at 0)", points=1)
def test_zeros(rel_error, rng):
    """0 / max(1e-8, 0) = 0 at every entry: the floor keeps 0 / 0 from being nan."""
    shape = tuple(int(n) for n in rng.integers(2, 6, size=2))
    assert_close(error_of(rel_error, np.zeros(shape), np.zeros(shape)), 0.0)
