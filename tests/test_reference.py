"""The reference solution, checked by things no one here wrote: hand-derived numbers, an
independent formulation of each loss, and scikit-learn's multinomial logistic regression."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression

from autograder.reference import load_reference
from data_scripts import load_dataset, preprocess
from linear import GRADING, SOLUTIONS

WORKED_SCORES = GRADING.inputs.WORKED_SCORES

REF = load_reference(SOLUTIONS)


def test_worked_example_numbers_derived_by_hand():
    # Per-example SVM losses: cat max(0, 5.1-3.2+1) + max(0, -1.7-3.2+1) = 2.9; car 0; frog 6.3 + 6.6 = 12.9.
    loss, _ = REF["svm_loss_naive"](WORKED_SCORES, np.eye(3), np.arange(3), 0.0)
    assert loss == pytest.approx((2.9 + 0 + 12.9) / 3, abs=1e-12)
    # Softmax of the cat image: -ln(e^3.2 / (e^3.2 + e^5.1 + e^-1.7)) = 2.0404 (the slides' 0.89 is log10).
    loss, _ = REF["softmax_loss_naive"](WORKED_SCORES[:1], np.eye(1), np.array([0]), 0.0)
    assert loss == pytest.approx(np.log(np.exp([3.2, 5.1, -1.7]).sum()) - 3.2, abs=1e-12)
    assert loss == pytest.approx(2.0404, abs=1e-4)


cases = st.tuples(st.integers(1, 12), st.integers(1, 8), st.integers(2, 9), st.integers(0, 2**31 - 1),
                  st.sampled_from([0.0, 0.1, 50.0]))


def draw(n, d, c, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(d, c)), rng.normal(size=(n, d)), rng.integers(0, c, size=n)


def roundoff(f, W, h=1e-6) -> float:
    """The centered difference's round-off at W: f's values carry about eps |f| of error each, so
    the quotient carries eps |f| / h; with reg = 50 the loss is in the thousands, and a
    fixed atol of 1e-7 would be below it (hypothesis found such a case)."""
    return 10 * np.finfo(float).eps * abs(f(W)) / h


def numerical_gradient(f, W, h=1e-6):
    grad = np.zeros_like(W)
    for ix in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[ix] = h
        grad[ix] = (f(W + E) - f(W - E)) / (2 * h)
    return grad


@settings(max_examples=60, deadline=None)
@given(cases)
def test_svm_matches_an_independent_formulation(case):
    n, d, c, seed, reg = case
    W, X, y = draw(n, d, c, seed)
    # Summing the hinge over all j, the j = y_i term is exactly max(0, 1) = 1: subtract it.
    def independent(W):
        S = X @ W
        return np.mean(np.maximum(0, S - S[np.arange(n), y][:, None] + 1).sum(axis=1) - 1) + reg * np.sum(W ** 2)
    for name in ("svm_loss_naive", "svm_loss_vectorized"):
        loss, dW = REF[name](W, X, y, reg)
        assert loss == pytest.approx(independent(W), rel=1e-10, abs=1e-12)
        assert np.allclose(dW, numerical_gradient(independent, W), rtol=1e-4, atol=1e-6 + roundoff(independent, W))  # no kinks


@settings(max_examples=60, deadline=None)
@given(cases)
def test_softmax_matches_an_independent_formulation(case):
    n, d, c, seed, reg = case
    W, X, y = draw(n, d, c, seed)
    def independent(W):
        S = X @ W
        return np.mean(logsumexp(S, axis=1) - S[np.arange(n), y]) + reg * np.sum(W ** 2)
    for name in ("softmax_loss_naive", "softmax_loss_vectorized"):
        loss, dW = REF[name](W, X, y, reg)
        assert loss == pytest.approx(independent(W), rel=1e-10, abs=1e-12)
        assert np.allclose(dW, numerical_gradient(independent, W), rtol=1e-5, atol=1e-7 + roundoff(independent, W))


def test_reference_softmax_reaches_sklearn_multinomial_logistic_regression_objective():
    data = preprocess(load_dataset("digits"))
    X = data["X_train"][:, :-1] / 255.0  # no bias column: sklearn fits without intercept here
    y = data["y_train"]
    n, reg = X.shape[0], 1e-3
    objective = lambda w: REF["softmax_loss_vectorized"](w.reshape(X.shape[1], 10), X, y, reg)
    ours = minimize(lambda w: (objective(w)[0], objective(w)[1].ravel()), np.zeros(X.shape[1] * 10),
                    jac=True, method="L-BFGS-B", options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})
    # sklearn minimizes C * sum_i CE_i + 0.5 ||W||^2; ours is mean_i CE_i + reg ||W||^2: C = 1 / (2 N reg).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression(C=1 / (2 * n * reg), fit_intercept=False, tol=1e-12, max_iter=20000).fit(X, y)
    theirs = objective(clf.coef_.T.ravel())[0]
    assert ours.fun == pytest.approx(theirs, rel=1e-4)
    assert np.mean(np.argmax(X @ ours.x.reshape(-1, 10), axis=1) == clf.predict(X)) > 0.99
