"""Benchmark (not a test): does the speed check of the vectorized losses flake under load?

With busy processes loading both cores (--load, default 4), runs the grader's speed measurement
(autograder.checks.vectorization.measure_speed, exactly as grading does) many times on
  - the reference svm_loss_vectorized and softmax_loss_vectorized, and the corpus's heavy-handed
    correct ones (tests/corpus/independent_einsum.py: one-hot rows from np.eye(C)[y]), which must
    always pass,
  - an SVM loss that loops over examples, one that loops over classes (the static loop check
    catches these too, this benchmark isolates the speed check), and a right one that sleeps
    5 ms per call: none may pass.
Each measurement is made twice, side by side: with CPU time (the kernel's control group against
the grader thread's CPU time, what grading uses as root on Linux) and with wall time (what it
falls back to elsewhere). Prints the false fails / false passes and the measured ratios.

    ./kit python benchmarks/speed_check_robustness.py --runs 50 --load 4
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.bridge import Bridge  # noqa: E402
from autograder.checks import Context  # noqa: E402
from autograder.checks import vectorization  # noqa: E402
from autograder.reference import load_reference  # noqa: E402
from autograder.sandbox import Sandbox  # noqa: E402
from autograder.selftest import CORPUS, parse_entry  # noqa: E402

# Loops over examples and over classes, each vectorized inside the loop body.
DISGUISED = r'''
import numpy as _np

def _row_loss(W, X, y, i):
    s = X[i].dot(W)
    m = _np.maximum(0, s - s[y[i]] + 1)
    m[y[i]] = 0
    pos = (m > 0).astype(float)
    pos[y[i]] = -pos.sum()
    return m.sum(), _np.outer(X[i], pos)

def svm_per_example(W, X, y, reg):
    n = X.shape[0]
    total, grad = 0.0, _np.zeros(W.shape)
    for i in range(n):
        l, g = _row_loss(W, X, y, i)
        total += l
        grad += g
    return total / n + reg * _np.sum(W * W), grad / n + 2 * reg * W

def svm_sleeps(W, X, y, reg):
    """Right answers, but it sleeps: its CPU time is small, its time is not."""
    import time
    time.sleep(0.005)
    return svm_loss_vectorized(W, X, y, reg)

def svm_per_class(W, X, y, reg):
    n, c = X.shape[0], W.shape[1]
    S = X.dot(W)
    correct = S[_np.arange(n), y]
    coeff = _np.zeros_like(S)
    total = 0.0
    for j in range(c):
        m = _np.maximum(0, S[:, j] - correct + 1)
        m[y == j] = 0
        total += m.sum()
        coeff[:, j] = m > 0
    coeff[_np.arange(n), y] = -coeff.sum(axis=1)
    return total / n + reg * _np.sum(W * W), X.T.dot(coeff) / n + 2 * reg * W
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--load", type=int, default=4, help="busy processes started beside the measurement (default 4)")
    args = parser.parse_args()

    reference = load_reference()
    import nbformat

    from autograder.layout import SOLUTIONS
    from autograder.parts import nbgrader_meta

    cells = {nbgrader_meta(c).get("grade_id"): c.source
             for p in SOLUTIONS.glob("*.ipynb") for c in nbformat.read(p, as_version=4).cells}
    subjects = [  # (kernel function, naive reference, must pass)
        ("svm_loss_vectorized", "svm_loss_naive", True),
        ("softmax_loss_vectorized", "softmax_loss_naive", True),
        ("einsum_svm", "svm_loss_naive", True),
        ("einsum_softmax", "softmax_loss_naive", True),
        ("svm_per_example", "svm_loss_naive", False),
        ("svm_per_class", "svm_loss_naive", False),
        ("svm_sleeps", "svm_loss_naive", False),
    ]
    oracles = {name: reference["svm_loss_vectorized"] for name in ("svm_per_example", "svm_per_class", "svm_sleeps", "einsum_svm")}
    oracles["einsum_softmax"] = reference["softmax_loss_vectorized"]
    einsum = parse_entry(CORPUS / "independent_einsum.py").cells
    # Each busy process spins until this one is gone, even if this one is killed without cleanup.
    spin = f"import os\nwhile os.getppid() == {os.getpid()}: pass"
    load = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(args.load)]
    clocks = ["cpu", "wall"]
    results = {(name, clock): [] for name, _, _ in subjects for clock in clocks}
    started = time.perf_counter()
    try:
        with Sandbox() as box:
            bridge = Bridge(box)
            bridge.load("import numpy as np")
            bridge.load(cells["svm_loss_vectorized"])
            bridge.load(cells["softmax_loss_vectorized"])
            bridge.load(DISGUISED)
            bridge.load(einsum["svm_loss_vectorized"].replace("def svm_loss_vectorized", "def einsum_svm"))
            bridge.load(einsum["softmax_loss_vectorized"].replace("def softmax_loss_vectorized", "def einsum_softmax"))
            if box.cpu_seconds() is None:
                raise SystemExit("no control group for the kernel here (run as root on Linux): only wall time")
            cpu_seconds = box.cpu_seconds
            for run in range(args.runs):
                for (name, naive, _), clock in [(s, c) for s in subjects for c in clocks]:
                    box.cpu_seconds = cpu_seconds if clock == "cpu" else (lambda: None)
                    ctx = Context(bridge=bridge, source="", reference=reference,
                                  rng=np.random.default_rng([run, len(name)]), seed=run)
                    measured = [vectorization.measure_speed(ctx, name, reference[naive], shape, oracles.get(name))
                                for shape in vectorization.SPEED_SHAPES]
                    if any(isinstance(m, str) for m in measured):
                        raise SystemExit(f"{name}: {measured}")
                    ratios = [m[0] for m in measured]
                    results[name, clock].append(min(ratios))
                box.cpu_seconds = cpu_seconds
                if (run + 1) % 10 == 0:
                    print(f"  {run + 1}/{args.runs} runs ({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        for proc in load:
            proc.kill()
    print(f"\n{len(load)} busy processes on a {os.cpu_count()}-core machine, "
          f"{args.runs} runs each, factor required: {vectorization.SPEED_FACTOR:g}x")
    print(f"{'function':26s} {'clock':5s} {'expected':9s} {'wrong verdicts':15s} ratio min / median / max (worst shape)")
    for name, _, must_pass in subjects:
        for clock in clocks:
            ratios = results[name, clock]
            wrong = sum((r >= vectorization.SPEED_FACTOR) != must_pass for r in ratios)
            label = "false fails" if must_pass else "false passes"
            print(f"{name:26s} {clock:5s} {'pass' if must_pass else 'fail':9s} {wrong:3d} {label:11s} "
                  f"{min(ratios):8.1f} / {statistics.median(ratios):8.1f} / {max(ratios):8.1f}")


if __name__ == "__main__":
    main()
