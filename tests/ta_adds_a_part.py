"""A TA's rehearsal of the README's "Adding a part", on a copy of this kit (the files of its
working tree, tracked or new; never the kit itself) in the kit's out/, with the copy's own ./kit:

    ./kit python tests/ta_adds_a_part.py [--keep]

(Not under /tmp: the sandbox gives every kernel a private /tmp, where a kit's Python would vanish.)

It adds ``hinge_loss_single`` to the linear-classifier assignment exactly as the README says
(tests/new_part.py: the solution cell, its check cell, the points in the prose and the table,
its check file grading/test_hinge_loss_single.py, a corpus entry), then runs what the README
tells the TA to run: ``release --check`` (only the stale hand-out may be said), ``release``
(no warning), ``release --check`` (all well), ``corpus`` on the new entry, the self-check and
grading of the reference and of the untouched hand-out (every part passes, every point; none),
and the quick tests (``./kit test -m "not slow"``). Any failure there is one the README does not tell the TA how to
fix: the script names the step, prints its output and exits 1. tests/test_adding_a_part.py runs it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
KIT = HERE.parent
ASSIGNMENT = "linear_classifiers"


def copy_kit(target: Path) -> Path:
    """The kit's working tree (tracked files and new ones git does not ignore) copied to ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=KIT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = KIT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def step(title: str, command: list[str], cwd: Path, expect: int = 0, check=lambda run: "") -> None:
    """Run one of the TA's commands in the copy; exit 1, saying why, unless it exits ``expect``
    and ``check(run)`` finds nothing wrong."""
    print(f"-- {title}: {' '.join(command)}", flush=True)
    run = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wrong = f"exit status {run.returncode}, not {expect}" if run.returncode != expect else check(run)
    if wrong:
        print(run.stdout[-20000:] + run.stderr[-5000:])
        print(f"FAILED at '{title}': {wrong}")
        sys.exit(1)
    print(f"   ok ({run.stdout.strip().splitlines()[-1] if run.stdout.strip() else 'no output'})", flush=True)


def rehearse(copy: Path) -> None:
    kit = [str(copy / "kit")]
    sys.path.insert(0, str(copy / "tests"))
    import new_part

    source = copy / "solutions" / ASSIGNMENT
    new_part.add_part(source)
    print(f"-- added {new_part.NAME} ({new_part.POINTS} points) to {source} as the README says", flush=True)

    def only_stale(run):
        said = [line for line in run.stdout.splitlines() if line.startswith("  - ")]
        others = [line for line in said if "is stale" not in line]
        return f"release --check says more than that the hand-out is stale: {others}" if others or not said else ""

    step("release --check, before the release", kit + ["python", "-m", "autograder", "release", "--check"], copy,
         expect=1, check=only_stale)
    step("release", kit + ["python", "-m", "autograder", "release", "--assignment", ASSIGNMENT], copy,
         check=lambda run: "warning" in run.stderr and f"release warned: {run.stderr.strip()}")
    step("release --check, after it", kit + ["python", "-m", "autograder", "release", "--check"], copy)
    step("the corpus entry", kit + ["python", "-m", "autograder", "corpus", "--assignment", ASSIGNMENT, "--only",
                                    new_part.ENTRY], copy)
    step("the self-check and grading of the reference and of the untouched hand-out",
         kit + ["python", "tests/ta_adds_a_part.py", "--student-side"], copy)
    step("the quick tests", kit + ["test", "-m", "not slow", "-p", "no:cacheprovider"], copy,
         check=lambda run: "failed" in run.stdout.splitlines()[-1] and "tests failed")


def student_side() -> None:
    """In the copy, with the part added and released (run by its own ./kit): the self-check of a
    copy of the hand-out passes every part on the reference answers and none on the untouched
    notebook; grading gives the reference every point (the new part's included) and the hand-out
    none."""
    import re

    import nbformat

    sys.path.insert(0, str(HERE))
    import new_part
    from autograder.authoring.corpus import write_submission
    from autograder.grading.executors import grade_all
    from autograder.parts import load_parts
    from handout import answered, copy_handout, selfcheck
    from linear import LINEAR

    parts = load_parts(LINEAR.source)
    assert new_part.NAME in [p.name for p in parts], [p.name for p in parts]
    total = sum(p.points for p in parts)
    (KIT / "out").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="student-side-", dir=KIT / "out") as folder:
        handout = copy_handout(Path(folder) / "student")
        nbformat.write(answered(), handout / "mine.ipynb")
        run = selfcheck(handout, "check", "mine.ipynb")
        assert run.returncode == 0 and run.stdout.splitlines()[-1] == \
            f"{len(parts)} of {len(parts)} parts pass every public check.", run.stdout + run.stderr
        run = selfcheck(handout, "check", f"{ASSIGNMENT}.ipynb")
        assert set(re.findall(r"^(?:PASS|FAIL)  (\w+)", run.stdout, re.M)) == {p.name for p in parts}, run.stdout
        assert "PASS" not in run.stdout and run.stdout.count("not implemented yet") == len(parts), run.stdout
        write_submission(Path(folder) / "submitted", "ada", {}, LINEAR.source)
        write_submission(Path(folder) / "submitted", "bob", {}, LINEAR.release)
        grades = {g.student_id: g for g in grade_all(Path(folder) / "submitted", source=LINEAR.source)}
        assert (grades["ada"].score, grades["ada"].max_score, grades["bob"].score) == (total, total, 0), grades
    print(f"the reference: {len(parts)} of {len(parts)} parts pass the self-check and {total:g} of {total:g} points "
          "when graded; the untouched hand-out none")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the copy of the kit (its path is printed)")
    parser.add_argument("--student-side", action="store_true", help="(in the copy, once the part is released) the "
                        "self-check and grading of the reference and of the untouched hand-out")
    args = parser.parse_args()
    if args.student_side:
        student_side()
        return 0
    (KIT / "out").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="ta-adds-a-part-", dir=KIT / "out"))
    try:
        copy = copy_kit(folder / "kit")
        print(f"-- a copy of the kit in {copy}", flush=True)
        rehearse(copy)
        print(f"every step of \"Adding a part\" passed for {ASSIGNMENT}")
    finally:
        if args.keep:
            print(f"kept: {folder / 'kit'}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
