"""Packing a submission: ``python -m autograder collect [FOLDER]``.

Writes <ASSIGNMENT>_submission.zip holding the assignment's notebooks and nothing else, after
refusing, with a message saying what to do, a notebook that
  - is missing or is not a readable notebook,
  - still holds nbgrader's ``raise NotImplementedError()`` stub in a cell the student must fill in, or
  - does not hold one complete run, top to bottom, saved after that run: a code cell that
    never ran, or ran before the cell above it, means the file is not what the student last
    saw (for example, edited and re-run but not saved, or run out of order).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import nbformat

from autograder.layout import ASSIGNMENT, RELEASE
from autograder.parts import nbgrader_meta

#: nbgrader's code stub (ClearSolutions.code_stub), as the release holds it
STUB = re.compile(r"#\s*YOUR CODE HERE\s*\n\s*raise NotImplementedError\(\)")
RERUN = "run Kernel > Restart Kernel and Run All Cells, save (Ctrl+S), then collect again"


def notebook_problems(path: Path) -> list[str]:
    """Why ``path`` cannot be handed in as it is (empty when it can)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:
        return [f"{path.name} is not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})"]
    problems = []
    stubs = [_cell_name(cell) for cell in nb.cells
             if cell.cell_type == "code" and nbgrader_meta(cell).get("solution") and STUB.search(cell.source)]
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


def _cell_name(cell) -> str:
    grade_id = nbgrader_meta(cell).get("grade_id")
    if grade_id:
        return grade_id
    first = cell.source.strip().splitlines()[0]
    return first if len(first) <= 40 else first[:37] + "..."


def collect(folder: Path, out: Path | None = None, names: list[str] | None = None) -> tuple[Path | None, list[str]]:
    """(the zip written, []) or (None, the problems). ``names``: the notebooks to hand in
    (default: those of the release)."""
    folder = Path(folder)
    names = names or sorted(p.name for p in RELEASE.glob("*.ipynb"))
    problems = []
    for name in names:
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is not in {folder}: run collect in the folder holding your notebook")
        else:
            problems += notebook_problems(path)
    if problems:
        return None, problems
    out = Path(out) if out else folder / f"{ASSIGNMENT}_submission.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.write(folder / name, arcname=name)
    return out, []


def main(*, folder: Path, zip_path: Path | None = None, out=print) -> int:
    """Exit status 0 with the zip written, 1 with the problems listed."""
    written, problems = collect(folder, zip_path)
    if problems:
        out("Not collected:")
        for problem in problems:
            out(f"  - {problem}")
        return 1
    out(f"wrote {written}: upload this file.")
    return 0
