"""The students' side, from a copy of the hand-out away from the kit: `python -m selfcheck check`
(public checks, student code in its own process, per-call timeout) and `collect`.

Here with the kit's Python; tests/test_handout_venv.py runs the same in a fresh venv made from
the hand-out's own requirements.txt."""

import json
import os
import re
import sys
import zipfile

import nbformat
import pytest

from autograder.parts import nbgrader_meta
from autograder.authoring.corpus import parse_entry
from linear import CORPUS, PARTS, passing
from handout import NOTEBOOK, answered, copy_handout, selfcheck



@pytest.fixture
def handout(tmp_path):
    return copy_handout(tmp_path / "handout")


def verdicts(stdout: str) -> dict:
    return dict((name, verdict) for verdict, name in re.findall(r"^(PASS|FAIL)  (\w+)", stdout, flags=re.M))


# The reference passing every public check and the untouched notebook none: test_every_assignment.py.


@pytest.mark.parametrize("entry, hint", [
    ("svm_naive_gradient_not_averaged", "divide it by N"),
    ("softmax_naive_log10", "log base 10"),
    ("svm_vec_calls_naive", "a call to svm_loss_naive, which loops"),
    ("numgrad_one_sided", "one-sided differences"),
    ("linclf_predict_argmin", "labels differ from the class with the highest score"),
])
def test_a_realistic_bug_fails_its_part_with_a_hint_and_nothing_else(handout, entry, hint):
    entry = parse_entry(CORPUS / f"{entry}.py")
    nbformat.write(answered(entry.cells), handout / NOTEBOOK)
    run = selfcheck(handout, "check")
    assert run.returncode == 1
    failing = {name for name, verdict in verdicts(run.stdout).items() if verdict == "FAIL"}
    assert failing == entry.lose, run.stdout
    assert hint in run.stdout, run.stdout
    assert run.stdout.splitlines()[-1] == passing(len(PARTS) - 1), run.stdout


def test_a_value_of_the_wrong_kind_is_described_not_a_crash_of_the_check(handout):
    wrong = {"rel_error": "def rel_error(x, y):\n    return 'small'\n",
             "svm_loss_naive": "def svm_loss_naive(W, X, y, reg):\n    return 0.0, 'no gradient'\n"}
    nbformat.write(answered(wrong), handout / NOTEBOOK)
    run = selfcheck(handout, "check")
    assert "cannot read" not in run.stdout, run.stdout  # a check that crashed on the value
    assert "rel_error must return a Python float (float(...)); it returned small." in run.stdout, run.stdout
    assert "must be a numeric numpy array; got no gradient" in run.stdout, run.stdout


def test_a_correct_solution_written_differently_passes(handout):
    entry = parse_entry(CORPUS / "must_pass_cs231n_public_style.py")
    nbformat.write(answered(entry.cells), handout / NOTEBOOK)
    run = selfcheck(handout, "check")
    assert run.returncode == 0, run.stdout


@pytest.mark.slow
def test_an_infinite_loop_costs_a_message_and_the_other_parts_are_checked(handout):
    hang = "def svm_loss_naive(W, X, y, reg):\n    while True:\n        pass\n"
    nbformat.write(answered({"svm_loss_naive": hang}), handout / NOTEBOOK)
    # 8 s per call: the other parts' calls (training a classifier on the digits) must fit in it
    # on a busy machine; each of svm_loss_naive's four checks waits it out once
    run = selfcheck(handout, "check", "--timeout", "8", timeout=300)
    assert "did not finish within 8 s" in run.stdout, run.stdout
    assert verdicts(run.stdout)["svm_loss_naive"] == "FAIL"
    assert run.stdout.splitlines()[-1] == passing(len(PARTS) - 1), run.stdout


def test_no_data_or_another_notebook_is_never_a_pass(handout, tmp_path):
    nbformat.write(answered(), handout / NOTEBOOK)
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def something_else():\n    return 1\n")])
    nbformat.write(other, handout / "other.ipynb")
    run = selfcheck(handout, "check", "other.ipynb")
    assert run.returncode == 2 and "not the notebook this self-check was made for" in run.stdout
    assert "PASS" not in run.stdout and run.stdout.splitlines()[-1] == passing(0)

    older = answered()
    older.cells[[nbgrader_meta(c).get("grade_id") for c in older.cells].index("test_rel_error")].metadata.nbgrader["checksum"] = "0" * 32
    nbformat.write(older, handout / "older.ipynb")
    run = selfcheck(handout, "check", "older.ipynb")
    assert run.returncode == 2 and "another version of the hand-out" in run.stdout and "PASS" not in run.stdout

    (handout / "selfcheck" / "expected.json").unlink()
    run = selfcheck(handout, "check", NOTEBOOK)
    assert run.returncode == 2 and "self-check's data" in run.stdout and "PASS" not in run.stdout
    assert run.stdout.splitlines()[-1] == "0 of ? parts pass every public check."


@pytest.mark.slow
def test_the_notebook_is_found_renamed_or_named_by_the_jupyter_session(handout):
    (handout / NOTEBOOK).rename(handout / "linear_classifiers-Copy1.ipynb")
    run = selfcheck(handout, "check")
    assert "Public checks of linear_classifiers-Copy1.ipynb" in run.stdout, run.stdout
    nbformat.write(answered(), handout / "mine.ipynb")
    os.utime(handout / "linear_classifiers-Copy1.ipynb")  # the most recently saved
    run = selfcheck(handout, "check")
    assert "Public checks of linear_classifiers-Copy1.ipynb" in run.stdout and "others: mine.ipynb" in run.stdout
    run = selfcheck(handout, "check", env=dict(os.environ, JPY_SESSION_NAME="work/mine.ipynb"))
    assert "Public checks of mine.ipynb" in run.stdout and run.returncode == 0, run.stdout


def test_collect_packs_the_notebook_alone_under_the_assignment_name(handout):
    (handout / NOTEBOOK).unlink()
    nbformat.write(answered(), handout / "linear_classifiers-Copy1.ipynb")
    (handout / "scratch.py").write_text("x = 1\n")
    run = selfcheck(handout, "collect")
    assert run.returncode == 0, run.stdout
    assert "packed linear_classifiers-Copy1.ipynb as linear_classifiers.ipynb" in run.stdout
    archive = zipfile.ZipFile(handout / "linear_classifiers_submission.zip")
    assert archive.namelist() == [NOTEBOOK]
    assert json.loads(archive.read(NOTEBOOK)) == json.loads((handout / "linear_classifiers-Copy1.ipynb").read_text())


def _never_ran(nb):
    nb.cells[-1].execution_count = None


def _out_of_order(nb):
    nb.cells[-1].execution_count = 1


@pytest.mark.parametrize("notebook, expected", [
    (lambda: answered(run=False), "has not run in the saved file"),
    (lambda: _edited(answered(), _never_ran), "has not run in the saved file"),
    (lambda: _edited(answered(), _out_of_order), "ran before the cell above it"),
    (lambda: answered({"rel_error": None, "svm_loss_naive": None}),
     "still raises NotImplementedError in: rel_error, svm_loss_naive"),
])
def test_collect_refuses_what_is_unfinished_or_was_not_run_and_saved(handout, notebook, expected):
    nbformat.write(notebook(), handout / NOTEBOOK)
    run = selfcheck(handout, "collect")
    assert run.returncode == 1 and "Not collected:" in run.stdout and expected in run.stdout, run.stdout
    assert not (handout / "linear_classifiers_submission.zip").exists()


def _edited(nb, edit):
    edit(nb)
    return nb


def test_collect_without_a_notebook_says_where_it_looked(handout):
    (handout / NOTEBOOK).unlink()
    run = selfcheck(handout, "collect")
    assert run.returncode == 1 and "no notebook of the linear_classifiers assignment in" in run.stdout


@pytest.mark.slow
def test_the_kits_check_and_collect_are_the_handouts(handout, tmp_path):
    import subprocess

    nbformat.write(answered(), handout / NOTEBOOK)
    run = subprocess.run([sys.executable, "-m", "autograder", "check", str(handout / NOTEBOOK)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.splitlines()[-1] == passing(len(PARTS))
    run = subprocess.run([sys.executable, "-m", "autograder", "collect", str(handout), "--zip", str(tmp_path / "out.zip")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and zipfile.ZipFile(tmp_path / "out.zip").namelist() == [NOTEBOOK]


def test_odd_return_values_fail_their_checks_and_the_report_still_comes_out(handout):
    odd = {
        "rel_error": "def rel_error(x, y):\n    return 'small'\n",
        "svm_loss_naive": "def svm_loss_naive(W, X, y, reg):\n    return object(), {'dW': W}\n",
        "softmax_loss_naive": "def softmax_loss_naive(W, X, y, reg):\n    import sys\n    sys.exit(3)\n",
    }
    nbformat.write(answered(odd), handout / NOTEBOOK)
    run = selfcheck(handout, "check", timeout=120)
    assert {name for name, v in verdicts(run.stdout).items() if v == "FAIL"} == set(odd), run.stdout
    assert "rel_error must return a Python float" in run.stdout and "raised SystemExit" in run.stdout, run.stdout
    assert run.stdout.splitlines()[-1] == passing(len(PARTS) - len(odd))
