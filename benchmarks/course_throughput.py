"""Benchmark (not a test): submissions graded per minute for a whole course, this kit vs stock
`nbgrader autograde`, side by side in one run.

Both tools grade the same N submissions (default 100) in an nbgrader course folder's submitted/:
the reference solution and the corpus entries (tests/corpus/, each a whole notebook with one
mistake) in rotation, with the untouched release every 25th from the 4th. Each tool grades the
whole batch with one command, timed wall clock:

    kit       python -m autograder grade SUBMITTED --out OUT --workers 2
    nbgrader  nbgrader autograde linear_classifiers --force        (one submission at a time)
    kit       python -m autograder grade SUBMITTED --out OUT --workers 1   (skip: --no-one-worker)

Prints submissions/minute, the ratio kit/nbgrader and how many submissions each graded. Stock
nbgrader runs each whole notebook, training loops included (Execute.timeout = 600 s per cell).
Run it with ./kit python when the machine is otherwise idle (100 submissions: roughly 35-45 min):

    ./kit python benchmarks/course_throughput.py --submissions 100
"""

from __future__ import annotations

import argparse
import csv
import os
import shlex
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=100, help="how many submissions (default 100)")
    parser.add_argument("--one-worker", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the kit with --workers 1 (default: yes)")
    args = parser.parse_args()

    env = benchmark_env()
    rows = []  # (label, command, cwd, seconds, graded, load average at start, exit code)
    with tempfile.TemporaryDirectory(prefix="course-throughput-") as tmp:
        course = Path(tmp) / "course"
        submitted = nbgrader_course(course, env)
        students = build_course_submissions(submitted, args.submissions)
        kinds = {s.split("_", 1)[1] for s in students} - {"reference", "untouched_release"}
        releases = sum(s.endswith("_untouched_release") for s in students)
        print(f"{len(students)} submissions in {submitted}: the reference, {len(kinds)} corpus entries "
              f"and the untouched release ({releases}x), in rotation", flush=True)

        def kit(workers: int):
            out = Path(tmp) / f"kit-out-{workers}"
            return ([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
                     "--workers", str(workers)], ROOT, lambda: kit_graded(out))

        runs = [("kit --workers 2", *kit(2)),
                ("nbgrader autograde", ["nbgrader", "autograde", ASSIGNMENT, "--force"], course,
                 lambda: nbgrader_graded(course))]
        if args.one_worker:
            runs.append(("kit --workers 1", *kit(1)))
        for label, cmd, cwd, graded in runs:
            print(f"timing {label} ...", flush=True)
            load = os.getloadavg()[0]
            seconds, proc = timed(cmd, cwd, env)
            rows.append((label, cmd, cwd, seconds, graded(), load, proc.returncode))
            print(f"  {seconds:.1f} s, exit code {proc.returncode}", flush=True)
            for line in proc.stderr.splitlines():
                if line.startswith(("warning:", "error:", "[AutogradeApp | ERROR]")):
                    print(f"  {line}", flush=True)

    rate = {label: 60 * graded / seconds for label, _, _, seconds, graded, _, _ in rows}
    print()
    print("| tool | graded | wall s | submissions/min | 1-min load at start | exit code |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, _, _, seconds, graded, load, code in rows:
        print(f"| {label} | {graded} of {len(students)} | {seconds:.1f} | {rate[label]:.2f} | {load:.1f} | {code} |")
    print()
    stock = rate["nbgrader autograde"]
    for label, value in rate.items():
        if label.startswith("kit") and stock:
            print(f"ratio {label} / nbgrader autograde (submissions/min): {value / stock:.1f}x")
    print()
    print(f"benchmark: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    for label, cmd, cwd, *_ in rows:
        print(f"{label}: (cd {cwd} && {shlex.join(cmd)})")


if __name__ == "__main__":
    main()
