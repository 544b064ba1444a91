"""A TA's rehearsal of the README's "Adding a part", on a copy of this kit (the files of its
working tree, tracked or new; never the kit itself) in the kit's out/, with the copy's own ./kit:

    ./kit python tests/ta_adds_a_part.py [--keep]

(Not under /tmp: the sandbox gives every kernel a private /tmp, where a kit's Python would vanish.)

It adds ``hinge_loss_single`` to the linear-classifier assignment exactly as the README says
(tests/new_part.py: the solution cell, its check cell, the points in the prose and the table,
hidden checks, public checks and their numbers, a corpus entry), then runs what the README
tells the TA to run: ``release --check`` (only the stale hand-out may be said), ``release``
(no warning), ``release --check`` (all well), ``corpus`` on the new entry, and the quick tests
(``./kit test -m "not slow"``). Any failure there is one the README does not tell the TA how to
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
    step("the quick tests", kit + ["test", "-m", "not slow", "-q", "-p", "no:cacheprovider"], copy,
         check=lambda run: "failed" in run.stdout.splitlines()[-1] and "tests failed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the copy of the kit (its path is printed)")
    args = parser.parse_args()
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
