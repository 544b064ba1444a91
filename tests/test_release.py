"""The committed hand-out (assignment/linear_classifiers/) is exactly what `release` makes of
solutions/ and data_scripts/, holds no line of a solution or of the grader's checks (bytecode
included), runs where students are, and is never written over someone's work."""

import ast
import compileall
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.layout import ROOT
from linear import LINEAR, RELEASE, SOLUTIONS, passing
from autograder.parts import load_parts, nbgrader_meta
from autograder.authoring.release import SELFCHECK, ReleaseError, manifest_path, release
from autograder.assignments import all_assignments
from handout import NOTEBOOK, copy_handout, notebook_of


def handout_files(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module", params=all_assignments(), ids=lambda a: a.id)
def fresh(request, tmp_path_factory):
    """(the assignment, a release of it generated now into an empty folder), for every assignment."""
    assignment = request.param
    target = tmp_path_factory.mktemp("fresh") / assignment.id
    release(source=assignment.source, target=target)
    return assignment, target


def test_committed_handout_equals_a_fresh_regeneration(fresh):
    assignment, target = fresh
    committed, regenerated = handout_files(assignment.release), handout_files(target)
    stale = f"assignment/{assignment.id}/ is stale: run `./kit python -m autograder release --assignment {assignment.id}` and commit"
    assert sorted(committed) == sorted(regenerated), stale
    assert [name for name in committed if committed[name] != regenerated[name]] == [], stale
    assert manifest_path(assignment.release).read_text() == manifest_path(target).read_text()


def test_the_handout_is_the_notebook_its_helpers_and_nothing_else(fresh):
    assignment, target = fresh
    source, notebook = assignment.source, notebook_of(assignment)
    names = set(handout_files(target))
    check_files = {f"selfcheck/check_files/{p.name}" for p in assignment.grading.glob("test_*.py")}
    assert names == {"README.md", "requirements.txt", notebook, "selfcheck/expected.json"} | {
        f"data_scripts/{p.name}" for p in (ROOT / "data_scripts").glob("*.py")} | {
        f"selfcheck/{p.name}" for p in [*(source / "selfcheck").glob("*.py"), *SELFCHECK.glob("*.py")]} | check_files | (
        {"selfcheck/check_files/pytest.ini"} if check_files else set())
    assert "grading" not in {name.split("/")[0] for name in names}  # the hidden checks' modules stay out
    for name in names - {notebook, "selfcheck/expected.json", "selfcheck/check_files/pytest.ini"}:  # copied as they are
        origin = next(path for path in (source / name, ROOT / name, SELFCHECK.parent / name,
                                        assignment.grading / Path(name).name) if path.exists())
        assert (target / name).read_bytes() == origin.read_bytes(), name


REGION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", flags=re.S)


def solution_lines(source=SOLUTIONS) -> set:
    """Every substantial line written between BEGIN/END SOLUTION in the source notebooks, except
    lines the source also shows on purpose outside those regions (hints in the prose)."""
    lines, public = set(), ""
    for path in source.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if nbgrader_meta(cell).get("solution") and cell.cell_type == "markdown":
                continue  # written answers: nbgrader replaces the whole cell
            for block in REGION.findall(cell.source):
                lines |= {line.strip() for line in block.splitlines() if len(line.strip()) > 12}
            public += REGION.sub("", cell.source)
    return {line for line in lines if line not in public}


def check_lines(assignment=LINEAR) -> set:
    """Every line of the grader's checks that is code of its own: not an import, a decorator,
    a comment, a short line, or a line the student's notebook shows anyway (the API). The check
    files (grading/test_*.py) are handed out on purpose, for their public tests: they hold no
    reference code (their oracle is the ``reference`` fixture) and no answer but the worked
    ones written in them; the solution lines are looked for in them like everywhere else."""
    shown = (assignment.release / notebook_of(assignment)).read_text() + "".join(  # and what the hand-out holds on purpose
        path.read_text() for path in [*SELFCHECK.glob("*.py"), *(ROOT / "data_scripts").glob("*.py")])
    lines = set()
    for path in [*(ROOT / "autograder" / "checks").glob("*.py"),
                 *(path for path in assignment.grading.glob("*.py") if not path.name.startswith("test_"))]:
        for line in path.read_text().splitlines():
            line = line.strip()
            if len(line) >= 16 and not line.startswith(("#", "@", "import ", "from ")) and line not in shown:
                lines.add(line)
    return lines


@pytest.mark.parametrize("assignment", all_assignments(), ids=lambda a: a.id)
def test_no_line_of_a_solution_or_of_the_checks_is_in_the_handout_bytecode_included(tmp_path, assignment):
    solutions, checks = solution_lines(assignment.source), check_lines(assignment)
    assert len(solutions) > 10 and len(checks) > 300  # there really is something to hide
    notebook = notebook_of(assignment)
    handout = copy_handout(tmp_path / "handout", assignment)
    assert compileall.compile_dir(str(handout), quiet=1)
    files = handout_files(handout)
    files.update({p.relative_to(handout).as_posix(): p.read_bytes() for p in handout.rglob("*.pyc")})
    assert any(name.endswith(".pyc") for name in files)
    for name, data in files.items():
        text = data.decode("utf-8", errors="replace") if not name.endswith(".pyc") else data.decode("latin-1")
        leaked = [line for line in solutions | checks if line in text]
        assert not leaked, f"{name} holds {leaked[:3]}"
    nb = nbformat.read(handout / notebook, as_version=4)
    assert "BEGIN SOLUTION" not in files[notebook].decode() and "END SOLUTION" not in files[notebook].decode()
    answers = [c for c in nb.cells if c.cell_type == "markdown" and nbgrader_meta(c).get("solution")]
    assert all(c.source.strip() == "YOUR ANSWER HERE" for c in answers)  # written answers, where there are


def _imported_modules(source: str) -> set:
    tree = ast.parse(source)
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module and not node.level}


def _notebook_code(path: Path) -> str:
    from IPython.core.inputtransformer2 import TransformerManager  # %magics as the kernel reads them

    nb = nbformat.read(path, as_version=4)
    return "\n".join(TransformerManager().transform_cell(c.source) for c in nb.cells if c.cell_type == "code")


def test_the_handout_runs_where_students_are(tmp_path):
    """No grader, no POSIX-only module, nothing newer than Python 3.9 (vermin), in its Python
    files and its notebook's code."""
    handout = copy_handout(tmp_path / "handout")
    (handout / "notebook_code.py").write_text(_notebook_code(handout / NOTEBOOK))
    posix_only = {"resource", "fcntl", "pwd", "grp", "termios", "tty", "pty", "posix", "crypt", "syslog", "spwd"}
    for path in handout.rglob("*.py"):
        modules = _imported_modules(path.read_text())
        assert not modules & ({"autograder", "nbgrader", "dask", "distributed", "psutil", "nbclient"} | posix_only), (path, modules)
        assert not re.search(r"\bos\.(fork|setsid|killpg|getuid|setuid)\b|signal\.SIG(KILL|ALRM)", path.read_text()), path
    run = subprocess.run([str(Path(sys.executable).parent / "vermin"), "-t=3.9-", "--no-tips", "--violations",
                          "--eval-annotations", str(handout)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_students_requirements_are_pinned_and_hold_no_grader_package():
    from packaging.requirements import Requirement

    text = (RELEASE / "requirements.txt").read_text()
    lines = [line.split(";")[0].strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.]*", line) for line in lines), lines
    names = {line.split("==")[0].lower() for line in lines}
    # every package is pinned, those that jupyterlab and ipykernel bring included (psutil, nbclient): none of the grader's
    assert not names & {"nbgrader", "dask", "distributed", "hypothesis", "sqlalchemy"}
    assert "pytest" in names  # the self-check runs the check files' public tests
    top_level = {Requirement(line[4:].split("#")[0]).name.lower() for line in text.splitlines() if re.match(r"#   [a-z]", line)}
    assert {"numpy", "matplotlib", "scikit-learn", "nbformat", "ipykernel", "jupyterlab"} <= top_level
    kit = dict(line.lower().split("==") for line in (ROOT / "requirements.txt").read_text().split() if "==" in line)
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):  # on the kit's own Python the students get the kit's versions
            requirement = Requirement(line)
            applies = requirement.marker is None or requirement.marker.evaluate()
            if requirement.name.lower() in top_level - {"argon2-cffi-bindings"} and applies:
                assert kit[requirement.name.lower()] == str(requirement.specifier)[2:], line


@pytest.mark.slow
def test_release_refuses_to_overwrite_someones_work_unless_forced(tmp_path):
    target = tmp_path / "course" / "linear_classifiers"
    release(source=SOLUTIONS, target=target)
    release(source=SOLUTIONS, target=target)  # what it wrote itself is replaced without a word
    nb = target / NOTEBOOK
    nb.write_text(nb.read_text().replace("# YOUR CODE HERE", "# my answer", 1))
    (target / "notes.txt").write_text("mine\n")
    with pytest.raises(ReleaseError, match=r"not overwriting .*linear_classifiers\.ipynb, .*notes\.txt"):
        release(source=SOLUTIONS, target=target)
    assert "# my answer" in nb.read_text() and (target / "notes.txt").exists()
    release(source=SOLUTIONS, target=target, force=True)
    assert "# my answer" not in nb.read_text() and not (target / "notes.txt").exists()
    assert json.loads(manifest_path(target).read_text())["files"].keys() == handout_files(target).keys()


@pytest.mark.slow
def test_every_stub_fails_its_visible_check_and_the_self_check_cell_says_0_of_them(tmp_path):
    handout = copy_handout(tmp_path / "handout")
    parts = load_parts(SOLUTIONS)
    nb = nbformat.read(handout / NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(handout)}}).execute()
    for part in parts:
        (check,) = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == f"test_{part.name}"]
        errors = [o for o in check.outputs if o.output_type == "error"]
        assert errors, f"the visible check of {part.name} passes on the stub"
    self_check = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert self_check.strip().splitlines()[-1] == passing(0), self_check
    assert self_check.count("not implemented yet") == len(parts)
    shutil.rmtree(handout)
