"""The reference solution, loaded from the one place it is written: the source notebooks.

The grader's own process executes the solution cells of solutions/ (trusted code) and uses the
resulting functions as oracles. They are never sent to a student's kernel.
"""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat
import numpy as np

from autograder.parts import load_parts, nbgrader_meta


def load_reference(source: Path) -> dict:
    """{part name: the reference function or class}, loaded once per version of the notebooks (a
    process that loaded them before a TA's edit loads them again)."""
    notebooks = sorted(Path(source).glob("*.ipynb"))
    return _loaded(Path(source), tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in notebooks))


@functools.lru_cache(maxsize=16)
def _loaded(source: Path, stamp: tuple) -> dict:
    namespace = {"np": np}
    names = {part.name for part in load_parts(source)}
    for path in sorted(Path(source).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and nbgrader_meta(cell).get("grade_id") in names:
                exec(compile(cell.source, f"{path.name}:{nbgrader_meta(cell)['grade_id']}", "exec"), namespace)
    return {name: namespace[name] for name in names}
