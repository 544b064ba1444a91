"""A TA adds a third assignment by adding a folder, as the README says, and edits nothing under
autograder/: the kit releases it, checks it, lets a student self-check it and grades it. Then
the TA adds a second part to it as "Adding a part" says: the notebook's cells, one check file and
a corpus entry, then ``release``, and no other file changes (``git status`` says so).

The folder is written here in a copy of the kit's layout (solutions/ and assignment/ under a
temporary folder, which the engine is pointed at), with one part, ``normalize``, and the files
the README's "Adding an assignment" lists; the part added is ``center``."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import nbformat
import pytest

from autograder import assignments
from autograder.authoring import corpus as corpus_test
from autograder.authoring.release import check
from autograder.cli import main as cli_main
from autograder.grading.executors import grade_all
from handout import answered, copy_handout

SOLUTION = '''def normalize(X):
    """Each row of X (N, D) scaled to unit L2 norm; a row of zeros stays zeros."""
    ### BEGIN SOLUTION
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms == 0, 1.0, norms)
    ### END SOLUTION
'''

CHECKS = '''"""Hidden checks of normalize."""
import numpy as np

from autograder.checks import Check, checks_for
from autograder.checks.values import Unusable, array, reply_failure

RANDOM = Check("random-rows", "random rows", 1)
ZEROS = Check("zero-row", "a row of zeros stays zeros", 1)


@checks_for("normalize", checks=[RANDOM, ZEROS], core=[RANDOM, ZEROS])
def check_normalize(ctx, name):
    results = []
    for check, X in [(RANDOM, ctx.rng.normal(size=(6, 4))), (ZEROS, np.zeros((2, 3)))]:
        reply = ctx.bridge.call(name, "_autograder_X.copy()", inputs={"_autograder_X": X})
        try:
            if not reply.ok:
                raise Unusable(reply_failure(name, reply))
            got = array(name, "its result", reply.value, X.shape)
        except Unusable as exc:
            results.append(check.fail(str(exc)))
            continue
        want = ctx.reference[name](X.copy())
        ok = np.allclose(got, want)
        results.append(check.result(ok, "divide each row by its own L2 norm (axis=1)"))
    return results
'''

PUBLIC_CHECKS = '''"""Public checks of normalize."""
import numpy as np

from selfcheck.parts import array

PROBES = ""


def check_normalize(part, data, passed):
    def fixed():
        got = array(part.call("normalize(_selfcheck_X)", _selfcheck_X=np.array(data["X"])), (2, 2), "normalize(X)")
        return "" if np.allclose(got, data["expected"]) else "divide each row by its own L2 norm (axis=1)."
    return [part.check("a fixed 2 x 2 case", fixed)]


CHECKS = {"normalize": check_normalize}
'''


#: The part added to it: the solution cell, its check cell (5 points, said in the prose), and
#: its check file, with a public worked test and a hidden one.
CENTER = '''def center(X):
    """Each row of X (N, D) minus its own mean."""
    ### BEGIN SOLUTION
    return X - X.mean(axis=1, keepdims=True)
    ### END SOLUTION
'''

CENTER_CHECKS = '''"""Checks of center(X): each row of X (N, D) minus its own mean."""
import numpy as np
import pytest

from selfcheck.expect import describe


def assert_centered(got, want):
    assert isinstance(got, np.ndarray) and got.shape == want.shape, (
        f"center must return an array of shape {want.shape}; it returned {describe(got)}.")
    assert np.allclose(got, want), "subtract from each row its own mean (axis=1, keepdims=True)."


@pytest.mark.check("rows", "each row minus its own mean", points=1, core=True)
@pytest.mark.public
def test_rows_worked(center):
    """[1, 2, 3] has mean 2, [4, 4, 10] mean 6."""
    assert_centered(center(np.array([[1.0, 2.0, 3.0], [4.0, 4.0, 10.0]])), np.array([[-1.0, 0.0, 1.0], [-2.0, -2.0, 4.0]]))


@pytest.mark.check("rows", "each row minus its own mean", points=1, core=True)
def test_rows(center, reference, rng):
    X = rng.normal(size=(5, 4))
    assert_centered(center(X.copy()), reference.center(X.copy()))
'''

CENTER_ENTRY = ("# Subtracts the mean of the whole matrix.\n# expect-lose: center\n# expect-fail: center: rows\n"
                "# expect-hint: center: axis=1\n# %% center\ndef center(X):\n    return X - X.mean()\n")


def cell(source, **nbgrader):
    made = nbformat.v4.new_code_cell(source)
    if nbgrader:
        made.metadata["nbgrader"] = {"schema_version": 3, "locked": not nbgrader.get("solution"), **nbgrader}
    return made


def notebook() -> nbformat.NotebookNode:
    intro = nbformat.v4.new_markdown_cell("# Normalizing rows\n\n`normalize` (10 points): scale each row to unit norm.")
    return nbformat.v4.new_notebook(cells=[
        intro, cell("import numpy as np"),
        cell(SOLUTION, grade=False, solution=True, grade_id="normalize"),
        cell("assert np.allclose(normalize(np.array([[3.0, 4.0]])), [[0.6, 0.8]])", grade=True, solution=False,
             grade_id="test_normalize", points=10),
        cell(textwrap.dedent('''\
            import os
            if not os.getenv("NBGRADER_EXECUTION"):
                import selfcheck
                selfcheck.check_in_notebook(globals().get("__vsc_ipynb_file__"))''')),
    ], metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})


@pytest.fixture
def kit(tmp_path, monkeypatch):
    """solutions/rownorm/ written as a TA would, in a kit layout under tmp_path (the engine's
    assignments are looked for there)."""
    source = tmp_path / "solutions" / "rownorm"
    (source / "grading" / "corpus").mkdir(parents=True)
    (source / "selfcheck").mkdir()
    (tmp_path / "assignment").mkdir()
    nbformat.write(notebook(), source / "rownorm.ipynb")
    (source / "README.md").write_text("# Normalizing rows\n")
    (source / "requirements.txt").write_text("numpy\nnbformat\n")
    (source / "selfcheck" / "checks.py").write_text(PUBLIC_CHECKS)
    (source / "grading" / "__init__.py").write_text("from . import rows  # noqa: F401\n")
    (source / "grading" / "rows.py").write_text(CHECKS)
    (source / "grading" / "public.py").write_text(
        "def public_data(reference):\n    import numpy as np\n    X = np.array([[3.0, 4.0], [0.0, 0.0]])\n"
        "    return {'X': X.tolist(), 'expected': reference['normalize'](X).tolist()}\n")
    (source / "grading" / "corpus" / "forgets_the_axis.py").write_text(
        "# Divides by the norm of the whole matrix.\n# expect-lose: normalize\n# expect-hint: normalize: axis=1\n"
        "# %% normalize\ndef normalize(X):\n    return X / np.linalg.norm(X)\n")
    monkeypatch.setattr(assignments, "SOLUTIONS_ROOT", tmp_path / "solutions")
    return assignments.find_assignment("rownorm")


def git(folder, *args) -> str:
    return subprocess.run(["git", "-c", "user.name=TA", "-c", "user.email=ta@example.org", *args], cwd=folder,
                          capture_output=True, text=True, check=True).stdout


def add_center(source) -> None:
    """"Adding a part": its cells before the self-check cell, its check file, a corpus entry."""
    path = source / "rownorm.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1:-1] = [nbformat.v4.new_markdown_cell("`center` (5 points): subtract each row's mean."),
                       cell(CENTER, grade=False, solution=True, grade_id="center"),
                       cell("assert np.allclose(center(np.array([[1.0, 3.0]])), [[-1.0, 1.0]])", grade=True,
                            solution=False, grade_id="test_center", points=5)]
    nbformat.write(nb, path)
    (source / "grading" / "test_center.py").write_text(CENTER_CHECKS)
    (source / "grading" / "corpus" / "center_whole_matrix_mean.py").write_text(CENTER_ENTRY)


@pytest.mark.slow
def test_a_third_assignment_is_a_folder_and_no_edit_of_the_engine(kit, tmp_path, capsys):
    engine = subprocess.run(["git", "status", "--porcelain", "autograder"], capture_output=True, text=True,
                            cwd=assignments.ROOT).stdout
    assert cli_main(["release", "--check"]) == 1  # not released yet: said, not crashed
    assert "assignment/rownorm/ is stale" in capsys.readouterr().out
    assert cli_main(["release", "--assignment", "rownorm"]) == 0
    assert check(kit.source) == []
    assert (kit.release / "selfcheck" / "parts.py").is_file() and not (kit.release / "grading").exists()

    # a part added: the cells, one check file, a corpus entry, then release; nothing else changes
    (tmp_path / ".gitignore").write_text((assignments.ROOT / ".gitignore").read_text())
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "rownorm, released")
    add_center(kit.source)
    assert cli_main(["release", "--assignment", "rownorm"]) == 0
    assert "warning" not in capsys.readouterr().err and check(kit.source) == []
    changed = {line[3:] for line in git(tmp_path, "status", "--porcelain", "--untracked-files=all").splitlines()}
    assert {path for path in changed if not path.startswith("assignment/")} == {
        "solutions/rownorm/rownorm.ipynb", "solutions/rownorm/grading/test_center.py",
        "solutions/rownorm/grading/corpus/center_whole_matrix_mean.py"}, changed
    assert "assignment/rownorm/selfcheck/check_files/test_center.py" in changed, changed

    # the student's side: the public self-check on the reference answers, from a copy of the hand-out
    handout = copy_handout(tmp_path / "student", kit)
    nbformat.write(answered(assignment=kit), handout / "rownorm.ipynb")
    run = subprocess.run([sys.executable, "-m", "selfcheck", "check"], cwd=handout, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.splitlines()[-1] == "2 of 2 parts pass every public check.", run.stdout
    nbformat.write(answered({"center": "def center(X):\n    return X - X.mean()\n"}, assignment=kit),
                   handout / "rownorm.ipynb")
    run = subprocess.run([sys.executable, "-m", "selfcheck", "check"], cwd=handout, capture_output=True, text=True)
    assert "FAIL  center" in run.stdout and "axis=1" in run.stdout and "PASS  normalize" in run.stdout, run.stdout

    # grading, and the TA's corpus test
    from autograder.authoring.corpus import write_submission

    write_submission(tmp_path / "submitted", "ada", {}, kit.source)
    write_submission(tmp_path / "submitted", "bob", {}, kit.release)
    grades = {g.student_id: g for g in grade_all(tmp_path / "submitted")}
    assert (grades["ada"].score, grades["bob"].score, grades["ada"].max_score) == (15, 0, 15), [(p.name, p.points, p.problem, [(c.id, c.message) for c in p.checks]) for p in grades["ada"].parts]
    lines = []
    assert corpus_test.main(assignment=kit, out=lines.append) == 0, "\n".join(lines)
    assert lines[-1].strip().startswith("4 of 4 entries graded as expected")
    # nothing under autograder/ was edited for it
    assert subprocess.run(["git", "status", "--porcelain", "autograder"], capture_output=True, text=True,
                          cwd=assignments.ROOT).stdout == engine
