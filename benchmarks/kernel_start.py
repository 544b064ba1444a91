"""Benchmark (not a test): a sandboxed kernel's start and a course's throughput, two checkouts of
the kit side by side in one run (e.g. a worktree of the commit before a sandbox change, and one of
the commit after it; each with its own .venv, made by its ./kit).

1. Kernel start: one long-lived process per checkout (its ./kit python), asked in turn, ROUNDS
   times, to do
       with Sandbox() as box: box.run("1 + 1")
   timing __enter__ + the run (wall), and the CPU seconds of that process plus those of the
   kernel's control group (the launcher, bubblewrap, the kernel: every process of the kernel).
   Each process first starts one kernel that is not counted (imports, the mode's test).
   Then, PROBES times in turn, the start-up probe (preflight's, kernel start included), wall time.
2. Throughput: the reference solution handed in by SUBMISSIONS students, graded by each checkout's
   `grade --workers 2` in turn, REPEATS times; wall time of the whole command, and its CPU time
   with every process it started (all are reaped: the grader adopts its kernels' orphans).

    ./kit python benchmarks/kernel_start.py BEFORE AFTER [--rounds 10] [--probes 5] [--submissions 20] [--repeats 2]

Prints the medians side by side. Run it as root on Linux (the sandbox's case), on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Run by each checkout's Python: one kernel start per line read on stdin, one JSON line out.
WORKER = r"""
import json, sys, time
from autograder.sandbox.kernel import Sandbox

def once():
    wall, cpu = time.perf_counter(), time.process_time()
    box = Sandbox().__enter__()
    try:
        ok = box.run("1 + 1").ok
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu + (box.cpu_seconds() or 0.0)
    finally:
        box.__exit__(None, None, None)
    return {"ok": ok, "wall": wall, "cpu": cpu, "mode": getattr(box, "mode", "namespaces (hand-written)")}

def probe():
    from autograder.sandbox import preflight
    wall = time.perf_counter()
    report = preflight._probe(20)
    return {"wall": time.perf_counter() - wall, "broken": report.broken}

once()  # not counted: imports, the first kernelspec, the mode's test
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    print(json.dumps(probe() if line.strip() == "probe" else once()), flush=True)
"""


def kernel_starts(checkouts: list[Path], rounds: int, probes: int) -> tuple[dict, dict]:
    workers = {c: subprocess.Popen([str(c / "kit"), "python", "-c", WORKER], cwd=c, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True) for c in checkouts}
    for worker in workers.values():
        json.loads(worker.stdout.readline())
    runs, probed = {c: [] for c in checkouts}, {c: [] for c in checkouts}
    for what, times, into in (("go", rounds, runs), ("probe", probes, probed)):
        for _ in range(times):
            for checkout, worker in workers.items():  # in turn: both see the same machine
                worker.stdin.write(what + "\n")
                worker.stdin.flush()
                into[checkout].append(json.loads(worker.stdout.readline()))
    for worker in workers.values():
        worker.stdin.close()
        worker.wait(60)
    return runs, probed


def throughput(checkouts: list[Path], submissions: int, repeats: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from autograder.assignments import find_assignment
    from autograder.authoring.corpus import write_submission

    linear = find_assignment("linear_classifiers")
    folder = Path(tempfile.mkdtemp(prefix="kernel-start-bench-"))
    try:
        for k in range(submissions):
            write_submission(folder / "submitted", f"s{k:03d}", {}, linear.source)
        seconds, cpu = {c: [] for c in checkouts}, {c: [] for c in checkouts}
        for _ in range(repeats):
            for checkout in checkouts:
                out = folder / f"out-{checkout.name}"
                shutil.rmtree(out, ignore_errors=True)
                started, used = time.perf_counter(), _children_cpu()
                subprocess.run([str(checkout / "kit"), "python", "-m", "autograder", "grade", str(folder / "submitted"),
                                "--out", str(out), "--workers", "2"], cwd=checkout, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                seconds[checkout].append(time.perf_counter() - started)
                cpu[checkout].append(_children_cpu() - used)
        return seconds, cpu
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs=2, type=Path, help="BEFORE and AFTER: two checkouts of the kit")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--probes", type=int, default=5)
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    checkouts = [c.resolve() for c in args.checkouts]
    runs, probed = kernel_starts(checkouts, args.rounds, args.probes)
    print(f"kernel start (Sandbox().__enter__() + run('1 + 1')), median of {args.rounds}:")
    for checkout in checkouts:
        wall = statistics.median(r["wall"] for r in runs[checkout])
        cpu = statistics.median(r["cpu"] for r in runs[checkout])
        print(f"  {checkout}: {wall:.3f} s wall, {cpu:.3f} s CPU (mode {runs[checkout][0]['mode']}, "
              f"{sum(r['ok'] for r in runs[checkout])}/{args.rounds} ok)")
    if args.probes:
        print(f"start-up probe (preflight, its kernel's start included), median of {args.probes}:")
        for checkout in checkouts:
            wall = statistics.median(r["wall"] for r in probed[checkout])
            broken = sorted({b for r in probed[checkout] for b in r["broken"]})
            print(f"  {checkout}: {wall:.3f} s wall" + (f" (broken: {'; '.join(broken)})" if broken else ""))
    if args.submissions:
        seconds, cpu = throughput(checkouts, args.submissions, args.repeats)
        print(f"grade --workers 2, {args.submissions} reference submissions, median of {args.repeats}:")
        for checkout in checkouts:
            median = statistics.median(seconds[checkout])
            print(f"  {checkout}: {median:.1f} s, {60 * args.submissions / median:.1f} submissions per minute, "
                  f"{statistics.median(cpu[checkout]) / args.submissions:.2f} s CPU per submission "
                  f"(runs: {', '.join(f'{s:.1f}' for s in seconds[checkout])} s)")


if __name__ == "__main__":
    main()
