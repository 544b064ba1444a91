"""``python -m selfcheck check``: run the public checks on a saved notebook and print, per part,
PASS or FAIL with what failed and a hint. The last line is always
``K of N parts pass every public check.``; the exit status is 0 only when K = N."""

from __future__ import annotations

from pathlib import Path
from typing import List

from selfcheck.parts import PartResult, check_parts
from selfcheck.notebook import CannotCheck, find_notebook, load_data, read_notebook
from selfcheck.worker import StudentProcess

PASS, FAIL = "PASS", "FAIL"


def run_checks(notebook: Path, data: dict, timeout: float = 20.0) -> List[PartResult]:
    prelude, cells = read_notebook(notebook, data)
    with StudentProcess(Path(notebook).resolve().parent, timeout) as student:
        return check_parts(student, prelude, cells, data)


def render(results: List[PartResult]) -> List[str]:
    lines = []
    for part in results:
        passed = sum(bool(c.passed) for c in part.checks)
        count = f"{passed}/{len(part.checks)} checks" if part.checks else "not checked"
        lines.append(f"{PASS if part.passes else FAIL}  {part.name}  ({count})")
        failing = [c for c in part.checks if c.passed is False]
        if part.problem:
            lines.append(f"      {part.problem}")
        elif failing and all("raised NotImplementedError" in c.message for c in failing):
            lines.append("      not implemented yet: replace the `raise NotImplementedError()` stub with your code.")
        else:
            lines += [f"      - {c.title}: {c.message}" for c in failing]
            lines += [f"      - {c.title}: {c.message}" for c in part.checks if c.passed is None]
    return lines


def main(*, notebook=None, timeout: float = 20.0, out=print) -> int:
    """0 when every part passes every public check; 1 when some part does not; 2 when nothing
    could be checked (no data, no notebook, not this assignment's notebook)."""
    total = 0
    try:
        data = load_data()
        total = len(data["parts"])
        path, note = find_notebook(notebook, data)
        results = run_checks(path, data, timeout)
    except CannotCheck as exc:
        out(f"Cannot check: {exc}")
        out("")
        out(f"0 of {total or '?'} parts pass every public check.")
        return 2
    out(f"Public checks of {path.name} as last saved (save before checking). "
        "Hidden checks with other inputs run when your work is graded.")
    if note:
        out(f"note: {note}")
    out("")
    for line in render(results):
        out(line)
    good = sum(part.passes for part in results)
    out("")
    out(f"{good} of {len(results)} parts pass every public check.")
    return 0 if good == len(results) else 1
