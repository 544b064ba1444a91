"""Benchmark (not a test): seconds to grade one submission, this kit vs stock `nbgrader autograde`.

Both tools grade the same submissions (the reference, a partly wrong one and the untouched
release, in rotation), one student per command, side by side in one run:

    kit       python -m autograder grade SUBMITTED --out OUT --student ID
    nbgrader  nbgrader autograde linear_classifiers --student ID --force --create

and, for the kit, also the whole batch in one process (kernel per submission, no process
start-up per student). Prints medians and the ratio. Run it with ./kit python:

    ./kit python benchmarks/grading_speed.py --submissions 6
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.authoring.demo import build_samples  # noqa: E402
from autograder.grading.executors import grade_all  # noqa: E402
from autograder.assignments import find_assignment  # noqa: E402
from autograder.layout import ROOT  # noqa: E402

#: The assignment benchmarked.
LINEAR = find_assignment("linear_classifiers")
ASSIGNMENT, RELEASE, SOLUTIONS, CORPUS = LINEAR.id, LINEAR.release, LINEAR.source, LINEAR.corpus

NBGRADER_CONFIG = """\
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
c.Execute.timeout = 600
"""


def timed(cmd, cwd, env) -> tuple[float, subprocess.CompletedProcess]:
    """Run ``cmd``, capturing its output; the wall seconds it took and the finished process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def run(cmd, cwd, env) -> float:
    """Run ``cmd``; the wall seconds it took. Exits the benchmark if it fails."""
    elapsed, proc = timed(cmd, cwd, env)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def benchmark_env() -> dict:
    """The environment both tools run in: this venv's commands first, the embedded digits."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["CIFAR10_DIR"] = "/nonexistent"  # both tools on the embedded digits
    return env


def nbgrader_course(course: Path, env) -> Path:
    """An nbgrader course folder at ``course`` with the assignment generated from solutions/;
    submissions go in its submitted/ folder (the returned path), as SUBMISSIONS/<id>/<assignment>/."""
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    for nb in SOLUTIONS.glob("*.ipynb"):
        shutil.copy2(nb, course / "source" / ASSIGNMENT / nb.name)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(root=str(course)))
    run(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], course, env)
    return course / "submitted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=6, help="how many submissions (default 6)")
    args = parser.parse_args()

    env = benchmark_env()
    with tempfile.TemporaryDirectory(prefix="grading-speed-") as tmp:
        course = Path(tmp) / "course"
        submitted = nbgrader_course(course, env)

        samples = build_samples(LINEAR, Path(tmp) / "samples", RELEASE)
        kinds = sorted(p.name for p in samples.iterdir())
        students = []
        for i in range(args.submissions):
            kind = kinds[i % len(kinds)]
            student = f"s{i:03d}_{kind}"
            shutil.copytree(samples / kind, submitted / student)
            students.append(student)

        kit, stock = [], []
        for student in students:  # interleaved, so both see the same machine load
            kit.append(run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out",
                            str(Path(tmp) / "kit-out"), "--student", student], ROOT, env))
            stock.append(run(["nbgrader", "autograde", ASSIGNMENT, "--student", student, "--force", "--create"],
                             course, env))
            print(f"{student:28s} kit {kit[-1]:6.2f} s   nbgrader autograde {stock[-1]:6.2f} s", flush=True)

        start = time.perf_counter()
        grades = grade_all(submitted)
        batch = (time.perf_counter() - start) / len(grades)

    kit_median, stock_median = statistics.median(kit), statistics.median(stock)
    print()
    print(f"submissions graded by each tool: {len(students)} ({', '.join(kinds)}, in rotation)")
    print(f"kit, one command per student:       median {kit_median:6.2f} s  (min {min(kit):.2f}, max {max(kit):.2f})")
    print(f"nbgrader autograde, per student:    median {stock_median:6.2f} s  (min {min(stock):.2f}, max {max(stock):.2f})")
    print(f"kit, whole batch in one process:    {batch:6.2f} s per submission")
    print(f"ratio nbgrader / kit (per-student commands): {stock_median / kit_median:.1f}x")


if __name__ == "__main__":
    main()
