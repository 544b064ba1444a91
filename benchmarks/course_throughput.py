"""Benchmark (not a test): what a grade run costs, this kit vs stock `nbgrader autograde`, side by
side in one run, on `linear_classifiers`:

1. The kit's fixed cost: `python -m autograder --help`, and `grade` of one correct submission
   (wall and CPU seconds, every process the command started included), median of --repeats.
2. Two batches, each graded by both tools with one command, timed wall clock and CPU (the machine's
   busy CPU seconds meanwhile, /proc/stat: every process the command started):
   (a) --correct N correct submissions (default 24: the reference handed in N times);
   (b) the course mix of --submissions M (default 100): the reference and the corpus entries
       (each a whole notebook with one mistake) in rotation, the untouched release every 25th
       from the 4th.

    kit       python -m autograder grade SUBMITTED --out OUT --workers 2
    nbgrader  nbgrader autograde linear_classifiers --force        (one submission at a time)
    kit       python -m autograder grade SUBMITTED --out OUT --workers 1   (skip: --no-one-worker)

The kit's marginal CPU per submission is (CPU of batch (a) - CPU of one submission) / (N - 1).
Prints a table, the ratios kit/nbgrader (submissions per minute) and the commands. Stock nbgrader
runs each whole notebook, training loops included (Execute.timeout = 600 s per cell). Run it
with ./kit python when the machine is otherwise idle (the defaults: roughly 25 min, nbgrader's):

    ./kit python benchmarks/course_throughput.py --correct 24 --submissions 100
"""

from __future__ import annotations

import argparse
import csv
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.assignments import find_assignment  # noqa: E402
from autograder.layout import ROOT  # noqa: E402

#: The assignment benchmarked.
LINEAR = find_assignment("linear_classifiers")
ASSIGNMENT, RELEASE, SOLUTIONS, CORPUS = LINEAR.id, LINEAR.release, LINEAR.source, LINEAR.corpus
from autograder.authoring.corpus import load_corpus, write_submission  # noqa: E402
from benchmarks.grading_speed import benchmark_env, nbgrader_course, timed  # noqa: E402

#: The untouched release is submitted at positions RELEASE_OFFSET, RELEASE_OFFSET + RELEASE_EVERY, ...
RELEASE_EVERY, RELEASE_OFFSET = 25, 3


def build_course_submissions(submitted: Path, count: int) -> list[str]:
    """Write ``count`` submissions into ``submitted``: the untouched release every RELEASE_EVERY-th,
    otherwise the reference and the corpus entries in rotation. Returns the student ids."""
    rotation = [("reference", {}, SOLUTIONS)] + [(e.name, e.cells, e.base or SOLUTIONS) for e in load_corpus(CORPUS)]
    students, turn = [], 0
    for i in range(count):
        if i % RELEASE_EVERY == RELEASE_OFFSET:
            name, cells, base = "untouched_release", {}, RELEASE
        else:
            name, cells, base = rotation[turn % len(rotation)]
            turn += 1
        student = f"s{i:03d}_{name}"
        write_submission(submitted, student, cells, base)
        students.append(student)
    return students


def kit_graded(out: Path) -> int:
    """Rows in OUT/grades.csv (one per graded submission)."""
    with open(out / "grades.csv", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def nbgrader_graded(course: Path) -> int:
    """Submissions nbgrader autograded (it removes the autograded/ folder of any it fails on)."""
    return sum(1 for _ in (course / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb"))


def machine_cpu() -> float:
    """The machine's busy CPU seconds so far, every core (/proc/stat: all but idle and iowait). A
    command's is the difference across it: every process it started counts, however it ended (the
    kernels' processes end in PID namespaces of their own, whose times reach no parent's rusage),
    so the machine must be otherwise idle."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def measured(cmd, cwd, env) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``cmd``: (wall seconds, the machine's CPU seconds meanwhile, the finished process)."""
    cpu = machine_cpu()
    seconds, proc = timed(cmd, cwd, env)
    return seconds, machine_cpu() - cpu, proc


def kit_grade(submitted: Path, out: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out), "--workers", str(workers)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--correct", type=int, default=24, help="correct submissions in batch (a) (default 24; 0: skip)")
    parser.add_argument("--submissions", type=int, default=100, help="submissions in the course mix (b) (default 100; 0: skip)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each fixed-cost command (default 3)")
    parser.add_argument("--one-worker", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the kit with --workers 1 (default: yes)")
    args = parser.parse_args()

    env = benchmark_env()
    rows = []  # (batch, label, seconds, cpu, graded, size, load average at start, exit code)
    commands = {}
    with tempfile.TemporaryDirectory(prefix="course-throughput-") as tmp:
        tmp = Path(tmp)
        one = tmp / "one"
        write_submission(one, "s000_reference", {}, SOLUTIONS)
        helps = [measured([sys.executable, "-m", "autograder", "--help"], ROOT, env)[:2] for _ in range(max(5, args.repeats))]
        fixed = []
        for k in range(args.repeats):
            seconds, cpu, proc = measured(kit_grade(one, tmp / f"one-out-{k}", 1), ROOT, env)
            if proc.returncode or kit_graded(tmp / f"one-out-{k}") != 1:
                raise SystemExit(f"grade of one submission failed:\n{proc.stderr[-2000:]}")
            fixed.append((seconds, cpu))
        commands["kit, one submission"] = (ROOT, kit_grade(one, tmp / "one-out", 1))
        one_wall, one_cpu = statistics.median(s for s, _ in fixed), statistics.median(c for _, c in fixed)
        print(f"--help: {statistics.median(s for s, _ in helps):.2f} s wall, {statistics.median(c for _, c in helps):.2f} s CPU; "
              f"grade of one submission: {one_wall:.2f} s wall, {one_cpu:.2f} s CPU (medians)", flush=True)

        batches = []
        if args.correct:
            batches.append((f"(a) {args.correct} correct", lambda submitted: [
                write_submission(submitted, f"s{i:03d}_reference", {}, SOLUTIONS).parent.name for i in range(args.correct)]))
        if args.submissions:
            batches.append((f"(b) course mix of {args.submissions}",
                            lambda submitted: build_course_submissions(submitted, args.submissions)))
        for b, (batch, build) in enumerate(batches):
            course = tmp / f"course-{b}"
            submitted = nbgrader_course(course, env)
            students = build(submitted)
            print(f"{batch}: {len(students)} submissions in {submitted}", flush=True)
            runs = [("kit --workers 2", kit_grade(submitted, tmp / f"kit-{b}-2", 2), ROOT, lambda b=b: kit_graded(tmp / f"kit-{b}-2")),
                    ("nbgrader autograde", ["nbgrader", "autograde", ASSIGNMENT, "--force"], course,
                     lambda course=course: nbgrader_graded(course))]
            if args.one_worker:
                runs.append(("kit --workers 1", kit_grade(submitted, tmp / f"kit-{b}-1", 1), ROOT,
                             lambda b=b: kit_graded(tmp / f"kit-{b}-1")))
            for label, cmd, cwd, graded in runs:
                print(f"  timing {label} ...", flush=True)
                load = os.getloadavg()[0]
                seconds, cpu, proc = measured(cmd, cwd, env)
                rows.append((batch, label, seconds, cpu, graded(), len(students), load, proc.returncode))
                commands[f"{batch}, {label}"] = (cwd, cmd)
                print(f"  {seconds:.1f} s, {cpu:.1f} s CPU, exit code {proc.returncode}", flush=True)
                for line in proc.stderr.splitlines():
                    if line.startswith(("warning:", "error:", "[AutogradeApp | ERROR]")):
                        print(f"  {line}", flush=True)

    print()
    print(f"kit's fixed cost: --help {statistics.median(s for s, _ in helps):.2f} s wall; grade of one correct submission "
          f"{one_wall:.2f} s wall, {one_cpu:.2f} s CPU (median of {args.repeats})")
    for batch, label, seconds, cpu, graded, size, *_ in rows:
        if label.startswith("kit") and batch.startswith("(a)") and size > 1:
            print(f"kit's marginal CPU per correct submission, {label}: ({cpu:.1f} - {one_cpu:.2f}) / {size - 1} = "
                  f"{(cpu - one_cpu) / (size - 1):.2f} s")
    print()
    print("| batch | tool | graded | wall s | CPU s | CPU s per submission | submissions/min | 1-min load at start | exit code |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    rate = {}
    for batch, label, seconds, cpu, graded, size, load, code in rows:
        rate[batch, label] = 60 * graded / seconds
        print(f"| {batch} | {label} | {graded} of {size} | {seconds:.1f} | {cpu:.1f} | {cpu / size:.2f} | "
              f"{rate[batch, label]:.1f} | {load:.1f} | {code} |")
    print()
    for (batch, label), value in rate.items():
        stock = rate.get((batch, "nbgrader autograde"))
        if label.startswith("kit") and stock:
            print(f"ratio {batch}, {label} / nbgrader autograde (submissions/min): {value / stock:.1f}x")
    print()
    print(f"benchmark: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    for what, (cwd, cmd) in commands.items():
        print(f"{what}: (cd {cwd} && {shlex.join(cmd)})")


if __name__ == "__main__":
    main()
