"""The students' self-check, as a student runs it (``python -m selfcheck check`` in a copy of the
hand-out): its wall time on the reference answers and on the untouched notebook, and, with
--corpus, what it tells each corpus entry (which wrong parts it catches, and whether any correct
solution is told FAIL).

    ./kit python benchmarks/selfcheck.py --runs 7 [--corpus]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import nbformat  # noqa: E402
from handout import NOTEBOOK, answered, copy_handout, selfcheck  # noqa: E402

from autograder.assignments import find_assignment  # noqa: E402
from autograder.authoring.corpus import parse_entry  # noqa: E402

CORPUS = find_assignment("linear_classifiers").corpus


def timed(folder: Path, notebook: str) -> tuple[float, str]:
    started = time.perf_counter()
    run = selfcheck(folder, "check", notebook)
    return time.perf_counter() - started, run.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", action="store_true", help="also run it on every corpus entry")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        handout = copy_handout(Path(tmp) / "handout")
        nbformat.write(answered(), handout / "reference.ipynb")
        print(f"python -m selfcheck check, {args.runs} runs each, wall time in seconds (process start included):")
        for label, notebook in [("reference answers", "reference.ipynb"), ("untouched hand-out", NOTEBOOK)]:
            times, last = zip(*(timed(handout, notebook) for _ in range(args.runs)))
            print(f"  {label:20s} median {statistics.median(times):.2f}  min {min(times):.2f}  max {max(times):.2f}   ({last[0]})")
        if args.corpus:
            caught = wrong = false_fails = 0
            for path in sorted(CORPUS.glob("*.py")):
                entry = parse_entry(path)
                nbformat.write(answered(entry.cells), handout / "entry.ipynb")
                run = selfcheck(handout, "check", "entry.ipynb", "--timeout", "5")
                failing = set(re.findall(r"^FAIL  (\w+)", run.stdout, flags=re.M))
                if entry.lose:
                    wrong += 1
                    caught += bool(failing & entry.lose)
                false_fails += bool(failing - entry.lose)
                print(f"  {entry.name:42s} must lose: {','.join(sorted(entry.lose)) or '-':26s} FAIL: {','.join(sorted(failing)) or '-'}")
            print(f"wrong entries whose wrong part the self-check fails: {caught} of {wrong}; "
                  f"entries with a part wrongly told FAIL: {false_fails}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
