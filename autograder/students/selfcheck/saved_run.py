"""What a saved notebook tells about its last run, for ``collect`` to warn about (it never refuses
for these): code cells that raised when they last ran (a visible check that failed, say), and
cells edited after they ran, so that the saved code is not the code whose outputs are shown.

A notebook file records, per code cell, its source, its execution count and its outputs, but not
the code that produced them, so an edit after the run can only be told where something else kept
that code:
  - an error's traceback quotes, frame by frame, the line that ran in each cell it went through
    (``Cell In[n], line k``: its own cell's, and those of the cells whose functions it called): a
    quoted line that the cell which ran as ``In [n]`` no longer holds was edited since;
  - IPython's history on this computer (``profile_default/history.sqlite`` in ``IPYTHONDIR``, by
    default ``~/.ipython``), where JupyterLab's and VS Code's kernels store every cell they run
    as ``In [n]`` of their session: the session whose inputs match the saved cells at their
    execution counts is the run, and a cell whose source differs from its ``In [n]`` there was
    edited after it ran. (A notebook run elsewhere, or by a kernel that keeps no history, such as
    ``jupyter nbconvert --execute``, shows no such session: then nothing is said.)
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Dict, List, Optional

ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: The header of a traceback frame in a notebook cell, across IPython versions: "Cell In[12], line 3",
#: "Input In [12], in <cell line: 3>()", "<ipython-input-12-...>".
FRAME = re.compile(r"^(?:Cell In\s*\[(\d+)\]|Input In \[(\d+)\]|.*<ipython-input-(\d+)-)")
#: A quoted source line of a frame: "----> 3 code" or "      3 code".
QUOTED = re.compile(r"^(?:-*>)?\s*(\d+)\s(.*)$")
#: Sessions of IPython's history looked at (the most recent ones).
SESSIONS = 200


def run_warnings(nb, describe) -> List[str]:
    """Warnings about ``nb``'s last run, one per cell at most; ``describe(number, cell)`` names a
    cell in them."""
    code = [(number, cell) for number, cell in enumerate(nb.cells, start=1) if cell.cell_type == "code"]
    by_count = {cell.get("execution_count"): number for number, cell in code if isinstance(cell.get("execution_count"), int)}
    cells = dict(code)
    raised, edited = {}, {}
    for number, cell in code:
        errors = [o for o in cell.get("outputs") or [] if o.get("output_type") == "error"]
        if not errors:
            continue
        evalue = str(errors[0].get("evalue", "")).strip()
        raised[number] = errors[0].get("ename", "an error") + (f" ({evalue.splitlines()[0][:240]})" if evalue else "")
        for count, quoted in _quoted_lines(errors[0].get("traceback") or []):
            target = by_count.get(count)  # the cell that ran as In [count]: the traceback quotes its line
            if target is not None and target not in edited and quoted not in _lines(cells[target]):
                edited[target] = ("its error quotes a line it no longer holds" if target == number else
                                  f"the error of cell {number} quotes a line of it that it no longer holds")
    for number, cell, count in _edited_since_history(code):
        edited[number] = f"In [{count}], which its outputs come from, ran other code, says IPython's history on this computer"
    warnings = []
    for number in sorted(set(raised) | set(edited)):
        name = describe(number, cells[number])
        if number in edited:
            warnings.append(f"{name} was edited after it ran ({edited[number]})"
                            + (f"; that run raised {raised[number]}." if number in raised else "."))
        else:
            warnings.append(f"{name} raised {raised[number]} when it last ran.")
    return warnings


def _lines(cell) -> set:
    return {line.strip() for line in cell.source.splitlines() if line.strip()}


def _quoted_lines(traceback: list) -> list:
    """[(execution count, source line)] that the traceback quotes from notebook cells."""
    quoted, count = [], None
    for line in ANSI.sub("", "\n".join(traceback)).splitlines():
        frame = FRAME.match(line.strip())
        if frame:
            count = int(next(g for g in frame.groups() if g))
            continue
        if line.strip() and not line.startswith(" ") and not line.startswith("-"):
            count = None  # past the frame: a library's frame header or the error line
            continue
        source = QUOTED.match(line)
        if count is not None and source and source.group(2).strip():
            quoted.append((count, source.group(2).strip()))
    return quoted


def history_file() -> Optional[Path]:
    folder = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
    path = Path(folder) / "profile_default" / "history.sqlite"
    return path if path.is_file() else None


def _edited_since_history(code) -> list:
    """[(cell number, cell, execution count)] of the cells whose source differs from what the
    matching session of IPython's history ran at their execution count."""
    counted = [(number, cell, cell.get("execution_count")) for number, cell in code
               if isinstance(cell.get("execution_count"), int) and cell.source.strip()]
    path = history_file()
    if len(counted) < 3 or path is None:
        return []
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            rows = db.execute(
                f"SELECT session, line, source_raw FROM history WHERE session IN "
                f"(SELECT session FROM sessions ORDER BY session DESC LIMIT {SESSIONS}) "
                f"AND line IN ({','.join('?' * len(counted))})", [count for _, _, count in counted]).fetchall()
        finally:
            db.close()
    except (sqlite3.Error, OSError, ValueError):
        return []
    ran: Dict[int, Dict[int, str]] = {}
    for session, line, source in rows:
        ran.setdefault(session, {})[line] = source or ""
    best, best_same = None, 0
    for session in sorted(ran, reverse=True):  # the most recent first: it wins a tie
        same = sum(_same(ran[session].get(count), cell.source) for _, cell, count in counted)
        if same > best_same:
            best, best_same = session, same
    # The run is the session that ran most of the saved cells as they are (a student may well have
    # written every part after a first run of the hand-out: a third of its cells); with fewer
    # matches the notebook's run is not in this history, and nothing is told.
    if best is None or best_same < max(3, 0.5 * len(counted)):
        return []
    return [(number, cell, count) for number, cell, count in counted
            if count in ran[best] and not _same(ran[best][count], cell.source)]


def _same(ran: Optional[str], source: str) -> bool:
    return ran is not None and ran.rstrip() == source.rstrip()
