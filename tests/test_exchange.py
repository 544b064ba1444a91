"""The hand-out through nbgrader's exchange, with the real nbgrader in a temporary exchange
folder: the instructor's release_assignment, a student's fetch_assignment and submit, the
instructor's collect; then `python -m autograder grade COURSE/submitted`: the reference pasted
into the fetched notebook gets 100/100, the untouched fetch 0."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.outputs.reports import number
from linear import RELEASE, TOTAL
from handout import NOTEBOOK, answered

pytestmark = pytest.mark.slow


def nbgrader(folder: Path, *args: str) -> None:
    """nbgrader's own command line (its collect starts `alembic`, from the venv's bin)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=folder, capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, PATH=path))
    assert run.returncode == 0, run.stdout + run.stderr


def test_release_fetch_submit_collect_then_grade(tmp_path):
    course, home, exchange = tmp_path / "course", tmp_path / "student", tmp_path / "exchange"
    for folder in (course, home, exchange):
        folder.mkdir()
    config = f'c = get_config()\nc.CourseDirectory.course_id = "cv101"\nc.Exchange.root = r"{exchange}"\n'
    (course / "nbgrader_config.py").write_text(config + f'c.CourseDirectory.root = r"{course}"\n')
    (home / "nbgrader_config.py").write_text(config)
    shutil.copytree(RELEASE, course / "release" / "linear_classifiers")
    nbgrader(course, "release_assignment", "linear_classifiers")

    nbgrader(home, "fetch_assignment", "linear_classifiers")
    fetched = home / "linear_classifiers"
    assert sorted(p.name for p in fetched.iterdir()) == sorted(p.name for p in RELEASE.iterdir() if p.name != "__pycache__")
    nbgrader(home, "submit", "linear_classifiers")  # untouched
    nbgrader(course, "collect", "linear_classifiers")
    (course / "submitted" / nbgrader_user(course)).rename(course / "submitted" / "untouched_fetch")

    nbformat.write(answered(), fetched / NOTEBOOK)  # the student's work: the reference pasted in
    nbgrader(home, "submit", "linear_classifiers")
    nbgrader(course, "collect", "linear_classifiers")
    student = nbgrader_user(course)

    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = dict(line.split(",")[:2] for line in (tmp_path / "out" / "grades.csv").read_text().splitlines()[1:])
    assert rows == {student: number(TOTAL), "untouched_fetch": "0"}, rows


def nbgrader_user(course: Path) -> str:
    """The one student folder collect wrote besides the renamed one (nbgrader names it after the OS user)."""
    (name,) = [p.name for p in (course / "submitted").iterdir() if p.name != "untouched_fetch"]
    return name
