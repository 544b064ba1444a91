"""The hand-out exactly as a student gets it: a copy of assignment/linear_classifiers/ away from
the kit, a fresh venv made from its own requirements.txt (cached by that file's hash), and the
notebook executed there by Jupyter, untouched, then with the reference answers pasted in, then
with one realistic bug. Then the zip its `collect` writes is graded by the kit: 100/100."""

import hashlib
import json
import os
import re
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
from autograder.parts import load_parts, nbgrader_meta
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


def execute(python: str, folder: Path, allow_errors: bool, notebook: str = NOTEBOOK, history: Path | None = None):
    """Run All in the student's Jupyter (nbconvert --execute), saving the executed notebook; with
    ``history``, its kernel keeps IPython's history there, as JupyterLab's kernels do (nbconvert's
    keep none)."""
    command = [python, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
               "--ExecutePreprocessor.timeout=600", notebook] + (["--allow-errors"] if allow_errors else [])
    if history is not None:
        command.append(f"--ExecutePreprocessor.ipython_hist_file={history}")
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, CIFAR10_DIR=str(folder / "no-cifar")))


def last_cell_text(folder: Path, notebook: str = NOTEBOOK) -> str:
    nb = nbformat.read(folder / notebook, as_version=4)
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs)


def test_the_handout_in_a_fresh_venv_untouched_answered_and_with_a_bug(student_python, tmp_path):
    handout = copy_handout(tmp_path / "student" / "linear_classifiers")

    ipython = tmp_path / "ipython"  # IPython's folder, where the kernel keeps its history
    (ipython / "profile_default").mkdir(parents=True)
    run = execute(student_python, handout, allow_errors=True, history=ipython / "profile_default" / "history.sqlite")
    assert run.returncode == 0, run.stderr[-2000:]
    assert last_cell_text(handout).strip().splitlines()[-1] == passing(0)
    # the answers pasted in after that run, saved without running again: collect hands it in, and warns
    ran = nbformat.read(handout / NOTEBOOK, as_version=4)
    pasted = answered(run=False)
    for cell, answer in zip(ran.cells, pasted.cells):
        cell.source = answer.source
    nbformat.write(ran, handout / NOTEBOOK)
    run = selfcheck(handout, "collect", python=student_python, env=dict(os.environ, IPYTHONDIR=str(ipython)))
    assert run.returncode == 0 and "Warnings" in run.stdout, run.stdout
    for number, cell in enumerate(ran.cells, start=1):
        name = nbgrader_meta(cell).get("grade_id")
        if name in {part.name for part in PARTS}:  # IPython's history holds the stub it ran
            assert (f"cell {number} ({name}) was edited after it ran (In [{cell.execution_count}], which its outputs come "
                    "from, ran other code, says IPython's history on this computer).") in run.stdout, run.stdout
        elif name and name.startswith("test_"):  # the visible checks raised the stub's error
            assert f"cell {number} ({name}, the visible checks of {name[5:]}) raised NotImplementedError" in run.stdout, run.stdout
    assert run.stdout.count("was edited") == len(PARTS), run.stdout
    # without the history, the visible checks' tracebacks still quote each part's stub
    run = selfcheck(handout, "collect", python=student_python, env=dict(os.environ, IPYTHONDIR=str(tmp_path / "none")))
    assert run.stdout.count("was edited") == len(PARTS) and "quotes a line of it that it no longer holds" in run.stdout, run.stdout

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
    assert run.stdout.splitlines()[-1] == passing(len(PARTS) - 2)  # svm_loss_vectorized waits on svm_loss_naive


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


# --- plain pip, as the README says, on the oldest and the newest Python students may have ----------

#: The Pythons of this machine that students' versions stand for (pyenv's, on every machine of this kind).
PYTHONS = {"3.9": Path("/root/.pyenv/versions/3.9.18/bin/python"), "3.13": Path("/root/.pyenv/versions/3.13.0/bin/python")}


def readme_commands(readme: str, section: str) -> list:
    """The commands of the first bash block of the README's ``section`` (its macOS/Linux ones), as written."""
    block = re.search(rf"^## {re.escape(section)}.*?```bash\n(.*?)```", readme, flags=re.S | re.M).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def pinned_for(requirements: Path, python: str) -> dict:
    """{name: version} that requirements.txt pins for ``python``'s environment (its markers evaluated there)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    environment = json.loads(subprocess.run(
        [python, "-c", "import json; from pip._vendor.packaging.markers import default_environment as e; print(json.dumps(e()))"],
        capture_output=True, text=True, check=True).stdout)
    pins = {}
    for line in requirements.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                pins[canonicalize_name(requirement.name)] = str(requirement.specifier).lstrip("=")
    return pins


@pytest.mark.parametrize("version", sorted(PYTHONS), ids=lambda v: f"python{v}")
def test_plain_pip_installs_the_pinned_requirements_by_the_readmes_commands_and_every_handout_passes(version, tmp_path):
    """A student's first install, with an empty pip cache: the README's own commands (its venv
    made by this Python, pip as it comes with it), in a copy of the hand-out away from the kit.
    pip installs exactly the pinned versions (nothing left to resolve, nothing missing: pip check),
    in the time it takes to download and unpack them; the self-check then passes the reference
    answers of every assignment."""
    python = PYTHONS[version]
    assert python.is_file(), f"{python}: pyenv's Python {version}, on every machine of this kind"
    handout = copy_handout(tmp_path / "student" / LINEAR.id)
    commands = readme_commands((handout / "README.md").read_text(), "Set up")
    assert commands[:2] == ["python3 -m venv .venv", ".venv/bin/python -m pip install -r requirements.txt"], commands
    # pip as a student has it: no configuration of this machine's (extra indexes, local wheels), an empty cache
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_CACHE_DIR=str(tmp_path / "pip-cache"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    timings = []
    for command in commands[:2]:
        started = time.perf_counter()
        run = subprocess.run(command.replace("python3 ", f"{python} ", 1), shell=True, cwd=handout, env=env,
                             capture_output=True, text=True, timeout=1800)
        timings.append(time.perf_counter() - started)
        assert run.returncode == 0, f"{command}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    venv_python = str(handout / ".venv" / "bin" / "python")
    print(f"python {version}: venv {timings[0]:.1f} s, pip install -r requirements.txt {timings[1]:.1f} s (empty cache), "
          f"pip {subprocess.run([venv_python, '-m', 'pip', '--version'], capture_output=True, text=True).stdout.split()[1]}")
    installed = {item["name"].lower().replace("_", "-"): item["version"] for item in json.loads(subprocess.run(
        [venv_python, "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True).stdout)}
    pinned = pinned_for(handout / "requirements.txt", venv_python)
    assert {name: installed.get(name) for name in pinned} == pinned  # the pins, as pinned
    assert set(installed) - set(pinned) <= {"pip", "setuptools", "wheel"}, set(installed) - set(pinned)  # nothing else
    check = subprocess.run([venv_python, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout

    for assignment in all_assignments():  # their hand-outs share the requirements
        folder = handout if assignment == LINEAR else copy_handout(tmp_path / "student" / assignment.id, assignment)
        assert (folder / "requirements.txt").read_bytes() == (handout / "requirements.txt").read_bytes()
        notebook, count = notebook_of(assignment), len(load_parts(assignment.source))
        nbformat.write(answered(assignment=assignment), folder / notebook)
        command = readme_commands((folder / "README.md").read_text(), "Check your work")[0]
        assert command == ".venv/bin/python -m selfcheck check", command
        run = subprocess.run(command.replace(".venv/bin/python", venv_python, 1), shell=True, cwd=folder,
                             capture_output=True, text=True, timeout=600, env=env)
        assert run.returncode == 0 and run.stdout.splitlines()[-1] == f"{count} of {count} parts pass every public check.", \
            run.stdout + run.stderr
