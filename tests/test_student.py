"""The student's verbs: `check` (public checks, out of process) and `collect` (pack a submission).

The notebook's own self-check cell is exercised by test_notebooks (the reference: every part
passes) and test_release (the stubs: none does)."""

import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograder import collect
from autograder.checks import HIDDEN, load_all
from autograder.layout import RELEASE, SOLUTIONS
from autograder.parts import nbgrader_meta
from autograder.selftest import CORPUS, parse_entry, write_submission

NOTEBOOK = "linear_classifiers.ipynb"


def _run_all(nb) -> None:
    """Mark every code cell as run once, top to bottom (what Restart & Run All leaves)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count


def _reference_folder(tmp_path, edit=None):
    nb = nbformat.read(SOLUTIONS / NOTEBOOK, as_version=4)
    _run_all(nb)
    if edit:
        edit(nb)
    folder = tmp_path / "work"
    folder.mkdir()
    nbformat.write(nb, folder / NOTEBOOK)
    return folder


def test_check_shows_the_public_failures_with_their_hints_and_nothing_hidden(tmp_path):
    entry = parse_entry(CORPUS / "svm_naive_sign_error.py")
    folder = write_submission(tmp_path / "sub", "me", entry.cells, SOLUTIONS)
    run = subprocess.run([sys.executable, "-m", "autograder", "check", str(folder / NOTEBOOK)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "FAIL  svm_loss_naive" in "\n".join(lines)
    assert "7 of 8 parts pass every public check." in lines
    failing = [line for line in lines if line.startswith("      - ")]
    assert failing and all("expected" in line or "gradient" in line or "loss" in line for line in failing)
    load_all()
    hidden = set().union(*HIDDEN.values())
    assert hidden and not any(title in run.stdout for title in hidden)
    # nothing of the reference solution either
    reference = [line.strip() for cell in nbformat.read(SOLUTIONS / NOTEBOOK, as_version=4).cells
                 if nbgrader_meta(cell).get("solution") and cell.cell_type == "code"
                 for line in cell.source.splitlines() if len(line.strip()) > 25]
    assert reference and not any(line in run.stdout for line in reference)


def test_check_without_a_notebook_says_so():
    run = subprocess.run([sys.executable, "-m", "autograder", "check", "no/such.ipynb"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "no notebook at no/such.ipynb" in run.stdout


def test_collect_packs_only_the_notebooks(tmp_path):
    folder = _reference_folder(tmp_path)
    (folder / "scratch.py").write_text("x = 1\n")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / f"{NOTEBOOK[:-6]}-checkpoint.ipynb").write_text("{}")
    run = subprocess.run([sys.executable, "-m", "autograder", "collect", str(folder)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout
    assert zipfile.ZipFile(folder / "linear_classifiers_submission.zip").namelist() == [NOTEBOOK]


@pytest.mark.parametrize("edit, expected", [
    (lambda nb: setattr(nb.cells[-1], "execution_count", None), "has not run in the saved file"),
    (lambda nb: setattr(nb.cells[-1], "execution_count", 1), "ran before the cell above it"),
    (lambda nb: nb.cells.__setitem__(slice(None), nbformat.read(RELEASE / NOTEBOOK, as_version=4).cells),
     "still raises NotImplementedError in: rel_error, eval_numerical_gradient"),
])
def test_collect_refuses_what_was_not_run_and_saved_or_is_unfinished(tmp_path, edit, expected):
    folder = _reference_folder(tmp_path, edit)
    written, problems = collect.collect(folder)
    assert written is None and not (folder / "linear_classifiers_submission.zip").exists()
    assert any(expected in problem for problem in problems), problems


def test_collect_refuses_a_missing_or_broken_notebook(tmp_path):
    written, problems = collect.collect(tmp_path)
    assert written is None and problems == [f"{NOTEBOOK} is not in {tmp_path}: run collect in the folder holding your notebook"]
    (tmp_path / NOTEBOOK).write_text("{not json")
    written, problems = collect.collect(tmp_path)
    assert written is None and problems[0].startswith(f"{NOTEBOOK} is not a readable notebook")
