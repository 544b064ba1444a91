"""The graded parts of the assignment, read from the nbgrader source notebooks.

A part is one function or class a student writes: a solution code cell whose grade_id is the
part's name, and the visible check cell ``test_<name>`` right after it whose ``points`` are the
part's points. The source notebooks are the single place where parts and points are declared.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nbformat


@dataclasses.dataclass(frozen=True)
class Part:
    """name: the function/class name (and grade_id); notebook: file name; points: its weight."""

    name: str
    notebook: str
    points: float


class PartsError(ValueError):
    """The source notebooks do not declare their parts as the kit reads them; the message says
    what to add."""


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def load_parts(source: Path) -> list[Part]:
    """Every auto-graded part of the assignment whose source folder is ``source``, in notebook
    order. Raises PartsError when a solution cell has no check cell ``test_<name>``."""
    parts = []
    for path in sorted(Path(source).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        points = {}
        names = []
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if cell.cell_type == "code" and meta.get("solution") and not meta.get("grade"):
                names.append(meta["grade_id"])
            if meta.get("grade") and not meta.get("solution"):
                points[meta["grade_id"]] = float(meta.get("points", 0))
        for name in names:
            if f"test_{name}" not in points:
                raise PartsError(
                    f"{path.name}: solution cell {name!r} has no check cell 'test_{name}', which holds its points: "
                    f"add one right after it, a code cell of visible asserts with nbgrader metadata "
                    f'{{"grade": true, "solution": false, "locked": true, "grade_id": "test_{name}", "points": P, '
                    f'"schema_version": 3}} (Jupyter\'s Create Assignment toolbar: "Autograder tests")')
            parts.append(Part(name, path.name, points[f"test_{name}"]))
    return parts
