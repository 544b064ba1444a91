"""The students' side, from a copy of the hand-out away from the kit: `python -m selfcheck check`
(public checks, student code in its own process, per-call timeout) and `collect`.

Here with the kit's Python; tests/test_handout_venv.py runs the same in a fresh venv made from
the hand-out's own requirements.txt."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile

import nbformat
import pytest

from autograder.assignments import all_assignments, find_assignment
from autograder.parts import load_parts, nbgrader_meta
from autograder.authoring.corpus import parse_entry
from linear import CORPUS, PARTS, passing
from handout import NOTEBOOK, answered, copy_handout, notebook_of, selfcheck



@pytest.fixture
def handout(tmp_path):
    return copy_handout(tmp_path / "handout")


def verdicts(stdout: str) -> dict:
    return dict((name, verdict) for verdict, name in re.findall(r"^(PASS|FAIL)  (\w+)", stdout, flags=re.M))


# The reference passing every public check and the untouched notebook none: test_every_assignment.py.


def blocks(stdout: str) -> dict:
    """{part: its verdict line and the lines under it} of a report."""
    found, current = {}, None
    for line in stdout.splitlines():
        verdict = re.match(r"^(PASS|FAIL)  (\w+)  \((.*)\)$", line)
        if verdict:
            current = found.setdefault(verdict.group(2), [line])
        elif current is not None and line.startswith("      "):
            current.append(line)
        else:
            current = None
    return found


#: The parts that compare their gradient with the student's eval_numerical_gradient.
NUMGRAD_USERS = {"svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized"}


@pytest.mark.parametrize("entry, hint, waiting", [
    ("svm_naive_gradient_not_averaged", "divide it by N", {"svm_loss_vectorized"}),
    ("softmax_naive_log10", "log base 10", {"softmax_loss_vectorized"}),
    ("svm_vec_calls_naive", "it contains a for loop (line 25 of svm_loss_naive)", set()),
    ("numgrad_one_sided", "one-sided differences", NUMGRAD_USERS),
    ("linclf_predict_argmin", "labels differ from the class with the highest score", set()),
])
def test_a_realistic_bug_fails_its_part_with_a_hint_and_the_parts_waiting_on_it_do_not_pass(handout, entry, hint, waiting):
    """``waiting``: parts that are right but are compared with the wrong one; those checks do not
    run, so these parts do not pass, and their lines say only which checks wait and on what."""
    entry = parse_entry(CORPUS / f"{entry}.py")
    nbformat.write(answered(entry.cells), handout / NOTEBOOK)
    run = selfcheck(handout, "check")
    assert run.returncode == 1
    failing = {name for name, verdict in verdicts(run.stdout).items() if verdict == "FAIL"}
    assert failing == entry.lose | waiting, run.stdout
    assert hint in run.stdout, run.stdout
    for name in waiting:
        header, *lines = blocks(run.stdout)[name]
        assert re.search(r"\(\d+ of \d+ checks pass, \d+ not run\)$", header), header
        assert lines and all(": not run until " in line for line in lines), run.stdout
    assert run.stdout.splitlines()[-1] == passing(len(PARTS) - len(failing)), run.stdout


ZERO_GRADIENT = {"eval_numerical_gradient": "def eval_numerical_gradient(f, x, verbose=True, h=1e-5):\n    return np.zeros_like(x)\n"}


def test_a_part_whose_checks_did_not_all_run_does_not_pass(handout):
    """softmax_loss_naive is right, but its comparison with eval_numerical_gradient cannot run while
    that part fails: it is not counted among the parts that pass every public check."""
    nbformat.write(answered(ZERO_GRADIENT), handout / NOTEBOOK)
    run = selfcheck(handout, "check")
    found = blocks(run.stdout)
    assert found["softmax_loss_naive"] == [
        "FAIL  softmax_loss_naive  (4 of 5 checks pass, 1 not run)",
        "      - your gradient agrees with your eval_numerical_gradient of your loss: not run until "
        "eval_numerical_gradient passes its checks."], run.stdout
    assert not {name for name, verdict in verdicts(run.stdout).items() if verdict == "PASS"} & NUMGRAD_USERS, run.stdout
    assert run.returncode == 1 and run.stdout.splitlines()[-1] == passing(len(PARTS) - 1 - len(NUMGRAD_USERS)), run.stdout


def test_a_failing_check_says_its_title_once(handout):
    """A failure line is "- title: why"; the why does not repeat the case that the title names."""
    nbformat.write(answered({**ZERO_GRADIENT, **parse_entry(CORPUS / "svm_naive_gradient_not_averaged.py").cells}),
                   handout / NOTEBOOK)
    run = selfcheck(handout, "check")
    expected = json.loads((handout / "selfcheck" / "expected.json").read_text())
    titles = [case["title"] for case in expected["loss_cases"] + expected["eval_numerical_gradient"]]
    lines = [line for line in run.stdout.splitlines() if line.startswith("      - ")]
    assert any(titles[0] in line for line in lines), run.stdout  # the worked example's check failed
    assert any(expected["eval_numerical_gradient"][0]["title"] in line for line in lines), run.stdout
    for line in lines:
        assert all(line.count(title) <= 1 for title in titles), line


def test_a_value_of_the_wrong_kind_is_described_not_a_crash_of_the_check(handout):
    wrong = {"rel_error": "def rel_error(x, y):\n    return 'small'\n",
             "svm_loss_naive": "def svm_loss_naive(W, X, y, reg):\n    return 0.0, 'no gradient'\n"}
    nbformat.write(answered(wrong), handout / NOTEBOOK)
    run = selfcheck(handout, "check")
    assert "cannot read" not in run.stdout, run.stdout  # a check that crashed on the value
    assert "rel_error must return the error as a number; it returned small." in run.stdout, run.stdout
    assert "must be a numeric numpy array; got no gradient" in run.stdout, run.stdout


def test_a_correct_solution_written_differently_passes(handout):
    entry = parse_entry(CORPUS / "must_pass_cs231n_public_style.py")
    nbformat.write(answered(entry.cells), handout / NOTEBOOK)
    run = selfcheck(handout, "check")
    assert run.returncode == 0, run.stdout


HANGING_CLASSIFIER = """class LinearClassifier:
    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
        while True:
            pass

    def predict(self, X):
        while True:
            pass
"""


@pytest.mark.slow
def test_a_hang_is_said_once_as_soon_as_it_happens_and_the_next_parts_are_checked(handout):
    """rel_error (the first part) and LinearClassifier (the last) hang: rel_error's verdict is printed
    as soon as its call times out, says once that it did not finish, marks its other check not
    run, and the parts after it are checked as usual."""
    hang = {"rel_error": "def rel_error(x, y):\n    while True:\n        pass\n", "LinearClassifier": HANGING_CLASSIFIER}
    nbformat.write(answered(hang), handout / NOTEBOOK)
    # 6 s per call: the other parts' calls must fit in it on a busy machine
    process = subprocess.Popen([sys.executable, "-m", "selfcheck", "check", "--timeout", "6"], cwd=handout,
                               stdout=subprocess.PIPE, text=True)
    arrivals = [(time.monotonic(), line.rstrip("\n")) for line in process.stdout]
    assert process.wait(timeout=300) == 1
    stdout = "\n".join(line for _, line in arrivals)
    found = blocks(stdout)
    assert found["rel_error"] == [
        "FAIL  rel_error  (0 of 2 checks pass, 1 not run: it did not finish)",
        "      - relative error of two arrays: rel_error did not finish within 6 s (an infinite loop, or far too slow).",
        "      - not run, since rel_error did not finish above: relative error of two numbers."], stdout
    assert found["LinearClassifier"][0] == "FAIL  LinearClassifier  (0 of 6 checks pass, 5 not run: it did not finish)", stdout
    assert stdout.count("did not finish within") == 2, stdout  # once per hanging part
    assert {name for name, verdict in verdicts(stdout).items() if verdict == "PASS"} == set(found) - set(hang), stdout
    # printed at once: rel_error's verdict came out before LinearClassifier even started its 6 s
    printed = next(at for at, line in arrivals if line.startswith("FAIL  rel_error"))
    assert arrivals[-1][0] - printed > 5, [(round(at - arrivals[0][0], 1), line[:40]) for at, line in arrivals]
    assert stdout.splitlines()[-1] == passing(len(PARTS) - 2)


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
    waiting = {"svm_loss_vectorized", "softmax_loss_vectorized"}  # right, but compared with the naive versions
    assert {name for name, v in verdicts(run.stdout).items() if v == "FAIL"} == set(odd) | waiting, run.stdout
    assert "rel_error must return the error as a number" in run.stdout and "raised SystemExit" in run.stdout, run.stdout
    assert run.stdout.splitlines()[-1] == passing(len(PARTS) - len(odd) - len(waiting))


# --- which Python runs the self-check (the README's commands) ------------------------------------

def _bare_python(folder) -> str:
    """The Python of a new venv with no package at all: one without requirements.txt's packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    return str(folder / "bin" / "python")


def test_a_python_without_the_packages_says_in_one_sentence_which_python_to_run_the_self_check_with(handout, tmp_path):
    bare = _bare_python(tmp_path / "bare")
    for verb in ["check", "collect"]:
        run = selfcheck(handout, verb, python=bare)
        assert run.returncode == 2 and not run.stderr, run.stderr  # no traceback
        assert run.stdout.startswith("selfcheck needs the packages of requirements.txt, and this Python"), run.stdout
        assert f"for a venv made in this folder, .venv/bin/python -m selfcheck {verb}" in run.stdout, run.stdout
        assert len(run.stdout.strip().splitlines()) == 1 and run.stdout.strip().count(". ") == 0, run.stdout
    # the folder's .venv, named when it exists; run by that venv before its packages are installed: install them
    venv_python = _bare_python(handout / ".venv")
    run = selfcheck(handout, "check", python=bare)
    assert "(here that is .venv/bin/python -m selfcheck check)" in run.stdout, run.stdout
    run = selfcheck(handout, "check", python=venv_python)
    assert run.returncode == 2 and "install them with .venv/bin/python -m pip install -r requirements.txt" in run.stdout, run.stdout


@pytest.mark.parametrize("assignment", all_assignments(), ids=lambda a: a.id)
def test_the_readme_runs_every_command_with_the_venvs_python_from_the_handout_folder(assignment):
    """No command of the hand-out's README depends on an activated venv: each names the venv's
    Python (macOS/Linux, and its Windows twin), and the README says to run them in the folder,
    and how to activate the venv instead on each system."""
    readme = (assignment.release / "README.md").read_text()
    commands = [line.split("#")[0].strip() for block in re.findall(r"```[a-z]*\n(.*?)```", readme, flags=re.S)
                for line in block.splitlines() if line.split("#")[0].strip()]
    assert any("-m selfcheck check" in c for c in commands) and any("-m selfcheck collect" in c for c in commands)
    for command in commands:
        assert command.startswith((".venv/bin/python -m ", ".venv\\Scripts\\python -m ", "python3 -m venv ", "py -m venv ")), command
    unix = {c.split()[2] for c in commands if c.startswith(".venv/bin/python -m ")}  # the modules run
    windows = set(re.findall(r"\.venv\\Scripts\\python -m ([\w.]+)", readme))
    assert unix >= {"pip", "jupyter", "selfcheck"} and unix <= windows, (unix, windows)
    for said in ["in this folder", "source .venv/bin/activate", ".venv\\Scripts\\Activate.ps1",
                 ".venv\\Scripts\\activate.bat", "JupyterLab's own"]:
        assert said in readme, said


# --- the notebook's visible checks ---------------------------------------------------------------

RUN_CELLS = r'''
import json, sys
import matplotlib
matplotlib.use("Agg")
import nbformat
from IPython.core.inputtransformer2 import TransformerManager

path, wanted = sys.argv[1], set(json.loads(sys.argv[2]))
sys.path.insert(0, ".")


class Shell:
    def run_line_magic(self, *args):
        pass


space, outcomes = {"__name__": "__main__", "get_ipython": Shell}, {}
for cell in nbformat.read(path, as_version=4).cells:
    if cell.cell_type != "code" or not wanted - set(outcomes):
        continue
    grade_id = ((cell.metadata.get("nbgrader") or {}).get("grade_id")) or ""
    code = compile(TransformerManager().transform_cell(cell.source), grade_id or "cell", "exec")
    if not grade_id.startswith("test_"):
        exec(code, space)  # a part or the provided code: must run
        continue
    try:
        exec(code, space)
        outcomes[grade_id] = "passed"
    except AssertionError as exc:
        outcomes[grade_id] = "AssertionError: " + str(exc)
print(json.dumps({name: outcomes[name] for name in wanted}))
'''


def visible_checks(folder, notebook, wanted) -> dict:
    """{check cell id: "passed" or "AssertionError: ..."} of the notebook's check cells ``wanted``,
    its code cells run in order in a process of their own (as Run All would)."""
    run = subprocess.run([sys.executable, "-c", RUN_CELLS, notebook, json.dumps(sorted(wanted))], cwd=folder,
                         capture_output=True, text=True, timeout=600, env=dict(os.environ, CIFAR10_DIR=str(folder / "no-cifar")))
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


LOOPED = {
    "svm_loss_vectorized": """def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(num_train):
        scores = X[i].dot(W)
        margins = np.maximum(0, scores - scores[y[i]] + 1)
        margins[y[i]] = 0
        loss += margins.sum()
        coeff = (margins > 0).astype(float)
        coeff[y[i]] = -coeff.sum()
        dW += np.outer(X[i], coeff)
    return loss / num_train + reg * np.sum(W * W), dW / num_train + 2 * reg * W
""",
    "softmax_loss_vectorized": """def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(num_train):
        scores = X[i].dot(W)
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        loss -= np.log(probs[y[i]])
        probs[y[i]] -= 1
        dW += np.outer(X[i], probs)
    return loss / num_train + reg * np.sum(W * W), dW / num_train + 2 * reg * W
""",
    "eval_numerical_gradient": """def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    grad = np.zeros(x.shape)
    fx = f(x)
    for ix in np.ndindex(*x.shape):
        oldval = x[ix]
        x[ix] = oldval + h
        grad[ix] = (f(x) - fx) / h
        x[ix] = oldval
    return grad
""",
}
LOOPED_DISTANCES = {
    "test points": "def compute_distances_no_loops(X, X_train):\n    return compute_distances_one_loop(X, X_train)\n",
    "training points": """def compute_distances_no_loops(X, X_train):
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for j in range(X_train.shape[0]):
        dists[:, j] = np.sqrt(np.sum((X - X_train[j]) ** 2, axis=1))
    return dists
""",
}


def test_the_visible_checks_fail_a_loop_over_the_examples_and_say_why_a_one_sided_difference_fails(handout):
    """The check cells of the vectorized losses time them on many small examples against a loop
    doing one product per example: a loss that loops over the examples fails with a clear
    assert (a correct one passes: test_the_visible_checks_pass_the_reference_...); and the first assert a
    one-sided eval_numerical_gradient meets is the one that says so."""
    nbformat.write(answered(LOOPED), handout / NOTEBOOK)
    outcomes = visible_checks(handout, NOTEBOOK, {f"test_{name}" for name in LOOPED})
    assert outcomes["test_eval_numerical_gradient"].startswith("AssertionError: these are one-sided differences"), outcomes
    for name in ["svm_loss_vectorized", "softmax_loss_vectorized"]:
        assert outcomes[f"test_{name}"].startswith(f"AssertionError: {name} took "), outcomes
        assert "it still loops over the examples" in outcomes[f"test_{name}"], outcomes


@pytest.mark.slow
def test_the_visible_check_of_the_distances_without_loops_fails_a_loop_over_either_points(tmp_path):
    knn = find_assignment("knn")
    for looped, source in LOOPED_DISTANCES.items():
        folder = copy_handout(tmp_path / looped.replace(" ", "_"), knn)
        nbformat.write(answered({"compute_distances_no_loops": source}, assignment=knn), folder / "knn.ipynb")
        outcome = visible_checks(folder, "knn.ipynb", {"test_compute_distances_no_loops"})["test_compute_distances_no_loops"]
        assert outcome.startswith("AssertionError: compute_distances_no_loops took "), outcome
        assert f"it still loops over the {looped}" in outcome, outcome


@pytest.mark.slow
@pytest.mark.parametrize("assignment", all_assignments(), ids=lambda a: a.id)
def test_the_visible_checks_pass_the_reference_also_the_timed_ones(assignment, tmp_path):
    folder = copy_handout(tmp_path / assignment.id, assignment)
    notebook = notebook_of(assignment)
    nbformat.write(answered(assignment=assignment), folder / notebook)
    wanted = {f"test_{part.name}" for part in load_parts(assignment.source)}
    assert set(visible_checks(folder, notebook, wanted).values()) == {"passed"}


# --- what collect warns about --------------------------------------------------------------------

def _code_cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def _error(ename: str, evalue: str, *frames):
    """An error output as IPython's kernel saves it: its traceback quotes, for each frame (an
    execution count, a line number and that line's text), the line of the cell that ran there."""
    traceback = ["\x1b[31m---------------------------------------------------------------------------\x1b[39m",
                 f"\x1b[31m{ename}\x1b[39m                            Traceback (most recent call last)"]
    for count, line, text in frames:
        traceback.append(f"\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[{count}]\x1b[39m\x1b[32m, line {line}\x1b[39m\n"
                         f"\x1b[32m----> \x1b[39m\x1b[32m{line}\x1b[39m {text}\n")
    traceback.append(f"\x1b[31m{ename}\x1b[39m: {evalue}")
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=traceback)


def _line(cell, start: str):
    """(number, text) of the cell's first line starting with ``start``."""
    return next((n, text) for n, text in enumerate(cell.source.splitlines(), start=1) if text.strip().startswith(start))


def test_collect_warns_naming_check_cells_that_raised_and_cells_edited_after_their_error(handout, tmp_path):
    nb = answered()
    check = _code_cell(nb, "test_svm_loss_vectorized")
    check.outputs = [_error("AssertionError", "worked example: the mean SVM loss is 15.8 / 3 = 5.2667, got 15.8",
                            (check.execution_count, *_line(check, "assert abs(loss - 5.2667)")))]
    # rel_error's visible checks met the stub; rel_error was then written, and saved without a run
    stub = answered({"rel_error": None})
    part, part_check = _code_cell(nb, "rel_error"), _code_cell(nb, "test_rel_error")
    part_check.outputs = [_error("NotImplementedError", "", (part_check.execution_count, *_line(part_check, "r = rel_error(1.0, 3.0)")),
                                 (part.execution_count, *_line(_code_cell(stub, "rel_error"), "raise NotImplementedError()")))]
    nbformat.write(nb, handout / NOTEBOOK)
    run = selfcheck(handout, "collect", env=dict(os.environ, IPYTHONDIR=str(tmp_path / "no-history")))
    assert run.returncode == 0 and (handout / "linear_classifiers_submission.zip").is_file(), run.stdout
    number = {grade_id: nb.cells.index(_code_cell(nb, grade_id)) + 1 for grade_id in ["test_svm_loss_vectorized", "rel_error", "test_rel_error"]}
    assert (f"cell {number['test_svm_loss_vectorized']} (test_svm_loss_vectorized, the visible checks of svm_loss_vectorized) "
            "raised AssertionError (worked example: the mean SVM loss is 15.8 / 3 = 5.2667, got 15.8) when it last ran.") in run.stdout
    assert (f"cell {number['rel_error']} (rel_error) was edited after it ran (the error of cell {number['test_rel_error']} "
            "quotes a line of it that it no longer holds).") in run.stdout, run.stdout
    assert f"cell {number['test_rel_error']} (test_rel_error, the visible checks of rel_error) raised NotImplementedError when" in run.stdout
    assert run.stdout.count("  - cell ") == 3 and run.stdout.index("Warnings") < run.stdout.index("wrote "), run.stdout


def _history(ipython_dir, sessions) -> None:
    """IPython's history database (created by IPython itself), with ``sessions``: [{line: source}]."""
    from IPython.core.history import HistoryAccessor

    path = ipython_dir / "profile_default" / "history.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    HistoryAccessor(hist_file=str(path)).db.close()  # IPython's own tables
    with sqlite3.connect(path) as db:
        for number, lines in enumerate(sessions, start=1):
            db.execute("INSERT INTO sessions (session, start, end, num_cmds, remark) VALUES (?, ?, ?, ?, '')",
                       (number, f"2026-12-0{number} 10:00:00", f"2026-12-0{number} 11:00:00", len(lines)))
            db.executemany("INSERT INTO history (session, line, source, source_raw) VALUES (?, ?, ?, ?)",
                           [(number, line, source, source) for line, source in lines.items()])


def test_collect_warns_about_cells_edited_after_their_run_when_ipythons_history_holds_the_run(handout, tmp_path):
    nb = answered()  # the saved notebook: the reference, and counts as after one run
    ran = {c.execution_count: c.source for c in nb.cells if c.cell_type == "code"}
    svm = _code_cell(nb, "svm_loss_naive")
    before = {**ran, svm.execution_count: svm.source.replace("loss /= num_train", "pass")}  # what the kernel ran
    other = {count: f"print({count})" for count in ran}  # another notebook's session
    nbformat.write(nb, handout / NOTEBOOK)
    env = dict(os.environ, IPYTHONDIR=str(tmp_path / "ipython"))

    _history(tmp_path / "ipython", [other, before])
    run = selfcheck(handout, "collect", env=env)
    assert run.returncode == 0 and "Warnings" in run.stdout, run.stdout
    assert (f"cell {nb.cells.index(svm) + 1} (svm_loss_naive) was edited after it ran (In [{svm.execution_count}], which "
            "its outputs come from, ran other code, says IPython's history on this computer).") in run.stdout, run.stdout
    assert run.stdout.count("was edited") == 1, run.stdout

    shutil.rmtree(tmp_path / "ipython")
    _history(tmp_path / "ipython", [before, ran])  # then it ran again as saved: nothing to say
    run = selfcheck(handout, "collect", env=env)
    assert run.returncode == 0 and "Warnings" not in run.stdout, run.stdout

    shutil.rmtree(tmp_path / "ipython")  # the kernel ran the hand-out's stubs: every part was written after the run
    stubs = answered({part.name: None for part in PARTS})
    _history(tmp_path / "ipython", [{c.execution_count: c.source for c in stubs.cells if c.cell_type == "code"}])
    run = selfcheck(handout, "collect", env=env)
    assert run.returncode == 0 and run.stdout.count("was edited after it ran (In [") == len(PARTS), run.stdout

    shutil.rmtree(tmp_path / "ipython")
    _history(tmp_path / "ipython", [other])  # the run is not in this history: nothing can be told
    run = selfcheck(handout, "collect", env=env)
    assert run.returncode == 0 and "Warnings" not in run.stdout, run.stdout
