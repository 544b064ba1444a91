"""``python -m selfcheck collect [NOTEBOOK]``: the zip to hand in.

It holds the notebook alone, under the assignment's notebook name, and is what the course's
grader and its Gradescope autograder accept. It refuses, saying what to do, a notebook that
  - is not a readable notebook, or not this assignment's,
  - still holds the ``raise NotImplementedError()`` stub in a cell you must fill in, or
  - does not hold one complete run, top to bottom, saved after that run: a code cell that
    never ran, or ran before the cell above it, means the file is not what you last saw.
It writes the zip but warns, naming the cells, about a run in which cells raised (a visible check
that failed) and about cells edited after they ran, where that can be told (see saved_run.py).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import List

import nbformat

from selfcheck.notebook import CannotCheck, find_notebook, load_data, nbgrader_id, read_notebook
from selfcheck.saved_run import run_warnings

#: nbgrader's stub, as the hand-out holds it
STUB = re.compile(r"#\s*YOUR CODE HERE\s*\n\s*raise NotImplementedError\(\)")
RERUN = "run Kernel > Restart Kernel and Run All Cells, save (Ctrl+S), then collect again"


def _cell_name(cell) -> str:
    if nbgrader_id(cell):
        return nbgrader_id(cell)
    first = cell.source.strip().splitlines()[0]
    return first if len(first) <= 40 else first[:37] + "..."


def _described(number: int, cell) -> str:
    name = _cell_name(cell) if cell.source.strip() else "empty"
    if name.startswith("test_") and nbgrader_id(cell) == name:
        return f"cell {number} ({name}, the visible checks of {name[len('test_'):]})"
    return f"cell {number} ({name})"


def notebook_warnings(path: Path) -> List[str]:
    """What is worth knowing about the saved run of ``path`` before handing it in (the zip is
    written anyway): cells that raised in it, cells edited after it."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # noqa: BLE001 (notebook_problems says it)
        return []
    return run_warnings(nb, _described)


def notebook_problems(path: Path, data: dict) -> List[str]:
    """Why ``path`` cannot be handed in as it is (empty when it can)."""
    try:
        read_notebook(path, data)
        nb = nbformat.read(str(path), as_version=4)
    except CannotCheck as exc:
        return [str(exc)]
    problems = []
    solution_cells = [c for c in nb.cells if ((c.get("metadata") or {}).get("nbgrader") or {}).get("solution")]
    stubs = [_cell_name(c) for c in solution_cells if c.cell_type == "code" and STUB.search(c.source)]
    if stubs:
        problems.append(f"{path.name} still raises NotImplementedError in: {', '.join(stubs)}; write your code in place of the stub")
    previous = 0
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        count = cell.get("execution_count")
        if count is None:
            problems.append(f"{path.name}: cell {number} ({_cell_name(cell)}) has not run in the saved file; {RERUN}")
            break
        if count <= previous:
            problems.append(f"{path.name}: cell {number} ({_cell_name(cell)}) ran before the cell above it; {RERUN}")
            break
        previous = count
    return problems


def collect(notebook=None, zip_path=None, data=None):
    """(the zip written or None, the problems, a note naming the notebook found or "", the warnings)."""
    try:
        data = data or load_data()
        path, note = find_notebook(notebook, data)
    except CannotCheck as exc:
        return None, [str(exc)], "", []
    problems = notebook_problems(path, data)
    if problems:
        return None, problems, note, []
    warnings = notebook_warnings(path)
    target = Path(zip_path) if zip_path else path.parent / f"{data['assignment']}_submission.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, arcname=data["notebook"])
    if path.name != data["notebook"]:
        note = (note + " " if note else "") + f"packed {path.name} as {data['notebook']}."
    return target, [], note, warnings


def main(*, notebook=None, zip_path=None, out=print) -> int:
    """Exit status 0 with the zip written (after warnings, if any), 1 with the problems listed."""
    written, problems, note, warnings = collect(notebook, zip_path)
    if note:
        out(f"note: {note}")
    if problems:
        out("Not collected:")
        for problem in problems:
            out(f"  - {problem}")
        return 1
    if warnings:
        out("Warnings (the zip is written; what is graded is the code as saved):")
        for warning in warnings:
            out(f"  - {warning}")
        out(f"  If that is not what you meant to hand in: {RERUN}.")
    out(f"wrote {written}: upload this file.")
    return 0
