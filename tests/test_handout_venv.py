"""The hand-out exactly as a student gets it: a copy of assignment/linear_classifiers/ away from
the kit, a fresh venv made from its own requirements.txt (cached by that file's hash), and the
notebook executed there by Jupyter, untouched, then with the reference answers pasted in, then
with one realistic bug. Then the zip its `collect` writes is graded by the kit: 100/100."""

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.grading.executors import grade_all
from autograder.layout import ROOT
from linear import PARTS, RELEASE, TOTAL, passing
from autograder.authoring.corpus import parse_entry
from linear import CORPUS
from autograder.assignments import all_assignments
from autograder.parts import load_parts
from handout import NOTEBOOK, answered, copy_handout, notebook_of, selfcheck
from linear import LINEAR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def student_python() -> str:
    """A venv holding only the hand-out's requirements (kept under .cache/ while they do not change)."""
    requirements = RELEASE / "requirements.txt"
    venv = ROOT / ".cache" / f"handout-venv-{hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]}"
    python = venv / "bin" / "python"
    if not (venv / "ready").exists():
        shutil.rmtree(venv, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(Path(sys.executable).parent / "uv"), "pip", "install", "--quiet", "--python", str(python),
                        "-r", str(requirements)], check=True)
        (venv / "ready").write_text(f"installed in {time.perf_counter() - started:.1f} s\n")
    print(f"student venv {venv.name}: {(venv / 'ready').read_text().strip()}")
    imported = subprocess.run([str(python), "-c", "import importlib.util as u; print([m for m in "
                               "('nbgrader', 'autograder', 'dask', 'distributed', 'hypothesis') if u.find_spec(m)])"],
                              capture_output=True, text=True, cwd="/", check=True)
    assert imported.stdout.strip() == "[]", imported.stdout  # nothing of the grader's world
    return str(python)


def execute(python: str, folder: Path, allow_errors: bool, notebook: str = NOTEBOOK) -> subprocess.CompletedProcess:
    """Run All in the student's Jupyter (nbconvert --execute), saving the executed notebook."""
    command = [python, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
               "--ExecutePreprocessor.timeout=600", notebook] + (["--allow-errors"] if allow_errors else [])
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, CIFAR10_DIR=str(folder / "no-cifar")))


def last_cell_text(folder: Path, notebook: str = NOTEBOOK) -> str:
    nb = nbformat.read(folder / notebook, as_version=4)
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs)


def test_the_handout_in_a_fresh_venv_untouched_answered_and_with_a_bug(student_python, tmp_path):
    handout = copy_handout(tmp_path / "student" / "linear_classifiers")

    run = execute(student_python, handout, allow_errors=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert last_cell_text(handout).strip().splitlines()[-1] == passing(0)

    nbformat.write(answered(run=False), handout / NOTEBOOK)
    run = execute(student_python, handout, allow_errors=False)  # no cell may raise
    assert run.returncode == 0, run.stderr[-3000:]
    assert last_cell_text(handout).strip().splitlines()[-1] == passing(len(PARTS))
    run = selfcheck(handout, "collect", python=student_python)
    assert run.returncode == 0, run.stdout
    submitted = tmp_path / "submitted" / "s1" / "linear_classifiers"
    submitted.mkdir(parents=True)
    shutil.copy2(handout / "linear_classifiers_submission.zip", submitted)
    (grade,) = grade_all(tmp_path / "submitted")
    assert (grade.score, grade.max_score) == (TOTAL, TOTAL), [(p.name, p.points, p.problem) for p in grade.parts]

    bug = parse_entry(CORPUS / "svm_naive_gradient_not_averaged.py")
    nbformat.write(answered(bug.cells), handout / NOTEBOOK)
    run = selfcheck(handout, "check", python=student_python)
    assert run.returncode == 1 and "FAIL  svm_loss_naive" in run.stdout and "divide it by N" in run.stdout, run.stdout
    assert run.stdout.splitlines()[-1] == passing(len(PARTS) - 1)


@pytest.mark.parametrize("assignment", [a for a in all_assignments() if a != LINEAR], ids=lambda a: a.id)
def test_every_other_handout_runs_answered_in_a_fresh_venv_and_its_zip_gets_full_marks(student_python, assignment, tmp_path):
    """The same path as above for the kit's other assignments (their hand-outs share the
    requirements): Run All on the answered notebook raises nothing, its last cell says every part
    passes, and the zip `collect` writes gets full marks."""
    assert (assignment.release / "requirements.txt").read_bytes() == (RELEASE / "requirements.txt").read_bytes()
    notebook, count = notebook_of(assignment), len(load_parts(assignment.source))
    handout = copy_handout(tmp_path / "student" / assignment.id, assignment)
    nbformat.write(answered(run=False, assignment=assignment), handout / notebook)
    run = execute(student_python, handout, allow_errors=False, notebook=notebook)
    assert run.returncode == 0, run.stderr[-3000:]
    assert last_cell_text(handout, notebook).strip().splitlines()[-1] == f"{count} of {count} parts pass every public check."
    run = selfcheck(handout, "collect", python=student_python)
    assert run.returncode == 0, run.stdout
    submitted = tmp_path / "submitted" / "s1" / assignment.id
    submitted.mkdir(parents=True)
    shutil.copy2(next(handout.glob("*_submission.zip")), submitted)
    (grade,) = grade_all(tmp_path / "submitted")
    total = sum(p.points for p in load_parts(assignment.source))
    assert (grade.score, grade.max_score) == (total, total), [(p.name, p.points, p.problem) for p in grade.parts]
