"""Finding the student's notebook, telling whether it is this assignment's, and reading the
cell of each part (by its nbgrader id, else by the cell whose code defines it)."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
DATA = HERE / "expected.json"


class CannotCheck(Exception):
    """The check cannot be run at all (no data, no notebook, another assignment's notebook)."""


def load_data(path: Path = DATA) -> dict:
    """The numbers the public checks compare with, stored by the course's release."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        data["parts"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CannotCheck(f"the self-check's data ({path}) is missing or unreadable ({type(exc).__name__}); "
                          "download the hand-out again: without its data nothing can be checked.") from None
    return data


def nbgrader_id(cell) -> str:
    return ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id") or ""


def _defines(source: str, name: str) -> bool:
    try:
        tree = ast.parse(as_python(source))
    except SyntaxError:
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name for node in tree.body)


def as_python(source: str) -> str:
    """The cell as Python: IPython's %magics and !shell lines become calls (IPython's own
    transformer, as the kernel does it)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # no IPython: the cell as it is
        return source
    return TransformerManager().transform_cell(source)


def _holds_assignment(path: Path, parts) -> bool:
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:
        return False
    ids = {nbgrader_id(cell) for cell in nb.cells}
    return bool(ids & set(parts))


def find_notebook(given, data: dict, folder: Path = Path(".")):
    """(the notebook to check, a note or ""): ``given`` if there is one; else the notebook the
    running Jupyter session names; else the one notebook in ``folder`` holding this
    assignment's cells, or the most recently saved of several (named in the note)."""
    if given is not None:
        path = Path(given)
        if path.is_dir():
            folder, given = path, None
        elif not path.is_file():
            raise CannotCheck(f"no notebook at {path}")
        else:
            return path, ""
    folder = Path(folder)
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb") and (folder / Path(session).name).is_file():
        return folder / Path(session).name, ""
    candidates = sorted(p for p in folder.glob("*.ipynb") if _holds_assignment(p, data["parts"]))
    if not candidates:
        raise CannotCheck(f"no notebook of the {data['assignment']} assignment in {folder.resolve()}: "
                          "run this in the folder holding your notebook, or name it.")
    newest = max(candidates, key=lambda p: p.stat().st_mtime)
    if len(candidates) == 1:
        return newest, ""
    others = ", ".join(p.name for p in candidates if p != newest)
    return newest, f"several notebooks hold this assignment; checked {newest.name}, the most recently saved (others: {others})."


def read_notebook(path: Path, data: dict):
    """(prelude, {part: cell source}) of this assignment's notebook at ``path``: the prelude is
    every top-level import of the notebook's code cells; a part's cell is the one with its
    nbgrader id, else the last cell defining it. Raises CannotCheck for a notebook that is not
    this assignment's, or that comes from another version of the hand-out."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:
        raise CannotCheck(f"{path.name} is not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})") from None
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    by_id = {nbgrader_id(cell): cell for cell in nb.cells if nbgrader_id(cell)}
    cells = {}
    for part in data["parts"]:
        if part in by_id and by_id[part].cell_type == "code":
            cells[part] = by_id[part].source
        else:
            defining = [cell.source for cell in code if _defines(cell.source, part)]
            if defining:
                cells[part] = defining[-1]
    if not set(by_id) & set(data["parts"]) and len(cells) < len(data["parts"]):
        raise CannotCheck(f"{path.name} is not the notebook this self-check was made for: it holds none of the "
                          f"{data['assignment']} assignment's cells ({', '.join(data['parts'])}).")
    for grade_id, checksum in data.get("locked_cells", {}).items():
        stored = ((by_id.get(grade_id, {}).get("metadata") or {}).get("nbgrader") or {}).get("checksum")
        if stored is not None and stored != checksum:
            raise CannotCheck(f"{path.name} comes from another version of the hand-out (its cell {grade_id} is not "
                              "the one this self-check was made for): use the self-check that came with it.")
    return _imports(code, _names_used(cells.values())), cells


def _names_used(sources) -> set:
    names = set()
    for source in sources:
        try:
            names |= {node.id for node in ast.walk(ast.parse(as_python(source))) if isinstance(node, ast.Name)}
        except SyntaxError:
            pass
    return names


def _imports(code_cells, used: set) -> str:
    """The notebook's top-level imports that bind a name the parts' cells use, in order (so that
    the plotting libraries are not loaded for nothing)."""
    lines = []
    for cell in code_cells:
        source = as_python(cell.source)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bound = {(alias.asname or alias.name).split(".")[0] for alias in node.names}
                if bound & used or "*" in bound:
                    lines.append(ast.get_source_segment(source, node))
    return "\n".join(line for line in lines if line)
