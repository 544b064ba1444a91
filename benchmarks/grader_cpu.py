"""The grader process's own CPU per submission (not the kernels'): N reference submissions of an
assignment graded in this process, after one warm-up run of the same batch. Run it at two commits
(alternating, several times) to compare what a change costs the grader.

    ./kit python benchmarks/grader_cpu.py [--assignment linear_classifiers] [--submissions 12]
    (cd OLD_CHECKOUT && PYTHONPATH=. KIT/.venv/bin/python KIT/benchmarks/grader_cpu.py --label old)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after PYTHONPATH: an older checkout's autograder wins

from autograder.assignments import find_assignment  # noqa: E402
from autograder.authoring.corpus import write_submission  # noqa: E402
from autograder.grading.executors import grade_all  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignment", default="linear_classifiers")
    parser.add_argument("--submissions", type=int, default=12)
    parser.add_argument("--label", default="this checkout")
    args = parser.parse_args()
    assignment = find_assignment(args.assignment)
    with tempfile.TemporaryDirectory(prefix="grader-cpu-") as tmp:
        for i in range(args.submissions):
            write_submission(Path(tmp), f"s{i:02d}", {}, assignment.source)
        grade_all(Path(tmp), source=assignment.source, workers=1)  # warm-up: imports, first kernels, check files
        cpu, wall = time.process_time(), time.perf_counter()
        grades = grade_all(Path(tmp), source=assignment.source, workers=1)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if not all(g.score == g.max_score for g in grades):
        print("the reference did not get full marks: no figure", file=sys.stderr)
        return 1
    print(f"{args.label}: grader CPU {cpu / args.submissions * 1000:.0f} ms per submission, "
          f"wall {wall / args.submissions:.2f} s per submission ({args.submissions} reference submissions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
