"""The hand-out as a student receives it: a copy of assignment/<id>/ in a folder of its own,
notebooks made from it (the reference answers pasted into the graded cells, or one part
replaced), and the students' commands run there. Every helper takes the assignment (default:
the linear-classifier one, which most tests use)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder.assignments import Assignment
from autograder.parts import load_parts, nbgrader_meta
from linear import LINEAR

NOTEBOOK = "linear_classifiers.ipynb"


def notebook_of(assignment: Assignment) -> str:
    """The name of the assignment's (one) notebook."""
    (path,) = assignment.notebooks()
    return path.name


def copy_handout(folder: Path, assignment: Assignment = LINEAR) -> Path:
    """A copy of the hand-out, away from the kit."""
    shutil.copytree(assignment.release, folder)
    return folder


def answered(replace: dict | None = None, run: bool = True, assignment: Assignment = LINEAR):
    """The hand-out notebook with the reference pasted into every graded cell (``replace``:
    {part: source} instead, or None to keep the hand-out's stub), and, with ``run``, execution
    counts as after one full run."""
    name = notebook_of(assignment)
    reference = {nbgrader_meta(c).get("grade_id"): c.source
                 for c in nbformat.read(assignment.source / name, as_version=4).cells}
    nb = nbformat.read(assignment.release / name, as_version=4)
    parts = {part.name for part in load_parts(assignment.source)}
    count = 0
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in parts and (replace or {}).get(grade_id, "") is not None:
            cell.source = (replace or {}).get(grade_id, reference[grade_id])
        if run and cell.cell_type == "code":
            count += 1
            cell.execution_count = count
    return nb


def selfcheck(folder: Path, *args, python: str = sys.executable, env: dict | None = None, timeout: float = 300):
    """``python -m selfcheck ARGS`` run in ``folder``, as a student runs it."""
    return subprocess.run([python, "-m", "selfcheck", *map(str, args)], cwd=folder, capture_output=True,
                          text=True, timeout=timeout, env=env)
