"""Grades of every corpus entry (with the reference and the untouched release) of every
assignment, check by check, to show that a change of the checks' code (moving a part's checks
into a check file, say) changes no verdict: write them before, write them after, compare.

    ./kit python benchmarks/grades_by_check.py write before.json          # at the old commit
    ./kit python benchmarks/grades_by_check.py write after.json           # at the new one
    ./kit python benchmarks/grades_by_check.py compare before.json after.json

Every submission is graded with the same base seed, so each draws the same inputs in both runs
(as far as the checks draw them the same way). ``compare`` prints each part whose points, problem
or any check's verdict differ, and the count; it exits 1 when something differs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.assignments import all_assignments  # noqa: E402
from autograder.authoring.corpus import Entry, load_corpus, write_submission  # noqa: E402
from autograder.grading.executors import grade_all  # noqa: E402

BASE_SEED = 7


def grades(workers: int) -> dict:
    """{"<assignment>/<entry>": {part: {"points", "problem", "checks": {id: passed}}}}."""
    found = {}
    for assignment in all_assignments():
        entries = [Entry("reference", "", {}, set(), []),
                   Entry("untouched_release", "", {}, set(), [], assignment.release)] + load_corpus(assignment.corpus)
        with tempfile.TemporaryDirectory(prefix="grades-by-check-") as tmp:
            for entry in entries:
                write_submission(Path(tmp), entry.name, entry.cells, entry.base or assignment.source)
            for grade in grade_all(Path(tmp), source=assignment.source, workers=workers, base_seed=BASE_SEED):
                found[f"{assignment.id}/{grade.student_id}"] = {
                    part.name: {"points": part.points, "problem": bool(part.problem),
                                "checks": {check.id: check.passed for check in part.checks}}
                    for part in grade.parts}
    return found


def compare(before: dict, after: dict) -> int:
    differ = 0
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key, {}), after.get(key, {})
        for part in sorted(old.keys() | new.keys()):
            if old.get(part) != new.get(part):
                differ += 1
                print(f"{key} {part}: {old.get(part)} -> {new.get(part)}")
    print(f"{differ} part(s) of {len(before.keys() | after.keys())} graded submissions differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)
    write = verbs.add_parser("write", help="grade every corpus entry and write the grades by check id")
    write.add_argument("out", type=Path)
    write.add_argument("--workers", type=int, default=2)
    both = verbs.add_parser("compare", help="the parts whose grades differ between two files")
    both.add_argument("before", type=Path)
    both.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.verb == "write":
        found = grades(args.workers)
        args.out.write_text(json.dumps(found, indent=1, sort_keys=True))
        print(f"{len(found)} graded submissions written to {args.out}")
        return 0
    return compare(json.loads(args.before.read_text()), json.loads(args.after.read_text()))


if __name__ == "__main__":
    sys.exit(main())
