"""Benchmark (not a test): does the speed check of the vectorized losses hold on a busy machine?

Runs the grader's speed measurement (autograder.checks.vectorization.measure_speed, exactly as
grading does) many times, in two conditions: with --load busy processes beside it (default 4,
on a 2-core machine), and beside a second sandboxed kernel that keeps 40 busy processes running,
each in a session of its own (a hostile submission graded next to this one with --workers 2).
Subjects, each exec'd in a namespace of its own in the measured kernel:
  - correct: the reference vectorized losses and the vectorized parts of every correct corpus
    entry (tests/corpus/must_pass_*.py, independent_*.py: np.choose, np.eye one-hot, np.add.at,
    float32 end to end, einsum...): a fail is a wrong verdict;
  - looping over examples, or deferring work: a few written here (a loop over examples, a right
    function that sleeps 5 ms per call) and the corpus's (aliases, __getitem__, renamed reduce,
    deferred tuples...): a pass is a wrong verdict;
  - looping over the 10 classes: shown, not judged by time (as cheap as array code at 10
    classes); the loop check fails them, and speed credit goes to vectorized code only.
Each measurement is made with CPU time (what grading uses as root on Linux) and with wall time
(its fallback elsewhere), side by side. Then the speed check's own cost per part (wall time of
vectorization.speed_check on the reference, as grading pays it), with this code and with the
code of --before (a git revision) side by side.

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

from autograder.sandbox.bridge import Bridge  # noqa: E402
from autograder.checks import Context  # noqa: E402
from autograder.checks import vectorization  # noqa: E402
from autograder.students.selfcheck.loops import find_loops  # noqa: E402
from autograder.reference import load_reference  # noqa: E402
from autograder.sandbox.kernel import Sandbox  # noqa: E402
from autograder.assignments import find_assignment  # noqa: E402
from autograder.authoring.corpus import load_corpus  # noqa: E402
from autograder.checks import grading_package  # noqa: E402

LINEAR = find_assignment("linear_classifiers")
CORPUS, SOLUTIONS = LINEAR.corpus, LINEAR.source
LOSS_TIMING = grading_package(SOLUTIONS).losses.LOSS_TIMING

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

def softmax_sleeps(W, X, y, reg):
    import time
    time.sleep(0.005)
    return softmax_loss_vectorized(W, X, y, reg)

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



#: Corpus entries whose vectorized part loops over examples or defers its work: time must fail them.
SLOW_ENTRIES = ("svm_vec_loops_over_examples", "svm_vec_calls_naive", "svm_vec_alias_to_naive", "svm_vec_deferred_tuple",
                "svm_vec_getitem_rows", "softmax_vec_reduce_renamed")
#: ... or over the classes, or per element through np.vectorize: shown, not judged by time (as
#: cheap as array code at 10 classes); the loop check fails them.
CLASS_LOOP_ENTRIES = ("softmax_vec_class_loop_iter_sentinel", "svm_vec_np_vectorize")
PARTS = ("svm_loss_vectorized", "softmax_loss_vectorized")
NEIGHBOUR = """
import os
for _ in range(40):
    if os.fork() == 0:
        os.setsid()
        while True:
            pass
"""


def subjects(reference: dict) -> list:
    """(label, kernel name, corpus cells or None, part, verdict wanted: True pass, False fail, None not judged)."""
    found = [("reference " + part, part, None, part, True) for part in PARTS]
    for name, part, wanted in [("svm_per_example", "svm_loss_vectorized", False), ("svm_sleeps", "svm_loss_vectorized", None),
                               ("svm_per_class", "svm_loss_vectorized", None)]:
        found.append((name, name, None, part, wanted))
    for entry in load_corpus(CORPUS):
        correct = not entry.lose and (entry.name.startswith(("must_pass", "independent")))
        wanted = True if correct else False if entry.name in SLOW_ENTRIES else None if entry.name in CLASS_LOOP_ENTRIES else "skip"
        if wanted == "skip":
            continue
        for part in PARTS:
            if part in entry.cells and (correct or part in entry.lose):
                alias = f"_bench_{entry.name}_{part.split('_')[0]}"
                found.append((f"{entry.name} ({part.split('_')[0]})", alias, entry.cells, part, wanted))
    return found


def load_subject(bridge, alias: str, cells: dict, part: str) -> None:
    """Run an entry's cells (all of them, in the grader's order, magics turned into code as IPython
    does) in a namespace of their own in the kernel, and bind its ``part`` to ``alias``."""
    import ast

    from autograder.students.selfcheck.magics import read_cell

    order = ["svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized", "LinearClassifier"]
    # each cell as IPython runs it (its magics as calls of get_ipython()), which exec alone cannot
    code = "\n\n".join(ast.unparse(read_cell(cells[name])) for name in order if name in cells)
    program = (f"_bench_ns = dict(np=np, svm_loss_naive=svm_loss_naive, softmax_loss_naive=softmax_loss_naive, "
               f"svm_loss_vectorized=svm_loss_vectorized, softmax_loss_vectorized=softmax_loss_vectorized)\n"
               f"exec(compile({code!r}, {alias!r}, 'exec'), _bench_ns)\n{alias} = _bench_ns[{part!r}]\ndel _bench_ns")
    outcome = bridge.load(program)
    if not outcome.ok:
        raise SystemExit(f"{alias}: {outcome.error}")


def old_vectorization(revision: str):
    """autograder/checks/vectorization.py as it was at ``revision``, imported as a module (None
    if git cannot show it)."""
    import importlib.util
    import tempfile

    root = Path(__file__).resolve().parent.parent
    shown = subprocess.run(["git", "-C", str(root), "show", f"{revision}:autograder/checks/vectorization.py"],
                           capture_output=True, text=True)
    if shown.returncode:
        return None
    path = Path(tempfile.mkdtemp()) / "vectorization_before.py"
    path.write_text(shown.stdout)
    spec = importlib.util.spec_from_file_location("vectorization_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(args, condition: str, reference: dict, cells: dict) -> tuple[dict, dict]:
    """{(label, clock): [ratio or None (the measurement failed)]}, {version: [seconds per speed check]}."""
    spin = f"import os\nwhile os.getppid() == {os.getpid()}: pass"
    load = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(args.load if condition == "load" else 0)]
    neighbour = None
    if condition == "neighbour":
        neighbour = Sandbox(timeout=5)
        neighbour.__enter__()
        Bridge(neighbour).load(NEIGHBOUR)
    found = subjects(reference)
    before = old_vectorization(args.before) if args.before else None
    clocks = args.clocks.split(",")
    results = {(label, clock): [] for label, *_ in found for clock in ("cpu", "wall")}
    costs = {"this code": [], f"at {args.before}": []}
    started = time.perf_counter()
    try:
        with Sandbox() as box:
            bridge = Bridge(box)
            bridge.load("import numpy as np")
            for part in ("svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized"):
                bridge.load(cells[part])
            bridge.load(DISGUISED)
            for _, alias, entry_cells, part, _ in found:
                if entry_cells is not None:
                    load_subject(bridge, alias, entry_cells, part)
            if box.cpu_seconds() is None:
                raise SystemExit("no control group for the kernel here (run as root on Linux): only wall time")
            cpu_seconds = box.cpu_seconds
            for run in range(args.runs):
                for (label, alias, _, part, _), clock in [(s, c) for s in found for c in clocks]:
                    box.cpu_seconds = cpu_seconds if clock == "cpu" else (lambda: None)
                    ctx = Context(bridge=bridge, source="", reference=reference,
                                  rng=np.random.default_rng([run, len(alias)]), seed=run)
                    naive = reference[part.replace("vectorized", "naive")]
                    measured = [vectorization.measure_speed(ctx, alias, naive, shape, LOSS_TIMING, reference[part])
                                for shape in LOSS_TIMING.shapes]
                    results[label, clock].append(None if any(isinstance(m, str) for m in measured)
                                                 else min(m[0] for m in measured))
                box.cpu_seconds = cpu_seconds
                for version, module in [("this code", vectorization), (f"at {args.before}", before)]:
                    for part in PARTS if module is not None else ():
                        ctx = Context(bridge=bridge, source="", reference=reference, rng=np.random.default_rng(run), seed=run)
                        clock = time.perf_counter()
                        naive = reference[part.replace("vectorized", "naive")]
                        try:
                            if hasattr(module, "timed_check"):  # checks declared with ids (since 5d33dc1)
                                verdict = module.speed_check(ctx, part, naive, module.timed_check(2), timing=LOSS_TIMING)
                            elif hasattr(module, "Timing"):
                                verdict = module.speed_check(ctx, part, naive, weight=2, timing=LOSS_TIMING)
                            else:
                                verdict = module.speed_check(ctx, part, naive, weight=2)
                        except (TypeError, AttributeError) as exc:  # another Timing interface (before 2026-12-07)
                            if module is vectorization:
                                raise
                            print(f"  note: {version}: not comparable with this LossTiming ({exc})")
                            before = None
                            break
                        costs[version].append(time.perf_counter() - clock)
                        if not verdict.passed:
                            print(f"  note: {version}: the reference {part} failed the speed check: {verdict.message}")
                if (run + 1) % 10 == 0:
                    print(f"  {condition}: {run + 1}/{args.runs} runs ({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        for proc in load:
            proc.kill()
        if neighbour is not None:
            neighbour.__exit__(None, None, None)
    return results, costs


def loops_found(reference_cells: dict, alias: str, entry_cells, part: str) -> bool:
    """Does the loop check find a loop in this subject, as grading would run it?"""
    order = ["svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized", "LinearClassifier"]
    if entry_cells is None:
        if alias == part:
            return bool(find_loops({k: reference_cells[k] for k in order}, part))
        return bool(find_loops({**{k: reference_cells[k] for k in order}, "benchmark": DISGUISED}, alias))
    cells = {k: entry_cells.get(k, reference_cells[k]) for k in order}
    return bool(find_loops(cells, part))


def report(condition: str, args, results: dict, costs: dict, reference: dict, cells: dict) -> None:
    where = (f"{args.load} busy processes" if condition == "load" else
             "a sandboxed neighbour kernel keeping 40 busy processes (own sessions) running")
    print(f"\n## beside {where}, on a {os.cpu_count()}-core machine: {args.runs} runs each, "
          f"factor required {vectorization.SPEED_FACTOR:g}x, shapes {list(LOSS_TIMING.shapes)}\n")
    print("| function | time expected to | wrong verdicts of time (CPU / wall) | CPU ratio: min / median / max "
          "| wall ratio: min / median / max | loop check | speed credit as graded: wrong (CPU) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, alias, entry_cells, part, wanted in subjects(reference):
        ratio_cells = []
        wrongs = []
        for clock in ("cpu", "wall"):
            ratios = results[label, clock]
            if not ratios:
                wrongs.append("-")
                ratio_cells.append("not measured")
                continue
            passes = [r is not None and r >= vectorization.SPEED_FACTOR for r in ratios]
            wrongs.append("-" if wanted is None else str(sum(p != wanted for p in passes)))
            numbers = [r for r in ratios if r is not None]
            failed = len(ratios) - len(numbers)
            ratio_cells.append((f"{min(numbers):.1f} / {statistics.median(numbers):.1f} / {max(numbers):.1f}" if numbers else "-")
                         + (f" ({failed} wrong results)" if failed else ""))
        expected = {True: "pass", False: "fail", None: "not judged"}[wanted]
        looped = loops_found(cells, alias, entry_cells, part)
        credited = [not looped and r is not None and r >= vectorization.SPEED_FACTOR for r in results[label, "cpu"]]
        graded_wrong = sum(c != bool(wanted) for c in credited)
        print(f"| {label} | {expected} | {wrongs[0]} / {wrongs[1]} of {args.runs} | {ratio_cells[0]} | {ratio_cells[1]} "
              f"| {'loops' if looped else 'no loops'} | {graded_wrong} of {args.runs} |")
    print("\nThe speed check's own cost per part (wall seconds of speed_check on the reference, median / max):")
    for version, seconds in costs.items():
        if seconds:
            print(f"  {version:24s} {statistics.median(seconds):.2f} / {max(seconds):.2f} s over {len(seconds)} checks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--load", type=int, default=4, help="busy processes started beside the measurement (default 4)")
    parser.add_argument("--conditions", default="load,neighbour", help="load, neighbour or both (default)")
    parser.add_argument("--before", default=None,
                        help="git revision whose speed check's cost is shown beside (its checks/vectorization.py must "
                             "import with this code: 12762f9 does, 2aeca9e no longer)")
    parser.add_argument("--clocks", default="cpu,wall", help="cpu, wall or both (default)")
    args = parser.parse_args()

    import nbformat

    from autograder.parts import nbgrader_meta

    reference = load_reference(SOLUTIONS)
    cells = {nbgrader_meta(c).get("grade_id"): c.source
             for p in SOLUTIONS.glob("*.ipynb") for c in nbformat.read(p, as_version=4).cells}
    for condition in args.conditions.split(","):
        results, costs = measure(args, condition, reference, cells)
        report(condition, args, results, costs, reference, cells)


if __name__ == "__main__":
    main()
