"""``python -m selfcheck check``: run the public checks on a saved notebook and print, per part
as soon as it is checked, PASS or FAIL with what failed and a hint. A part passes only when
every one of its public checks ran and passed. The last line is always
``K of N parts pass every public check.``; the exit status is 0 only when K = N."""

from __future__ import annotations

from pathlib import Path
from typing import List

from selfcheck.parts import NOT_FINISHED, PartVerdict, check_parts
from selfcheck.notebook import CannotCheck, find_notebook, load_data, read_notebook
from selfcheck.worker import StudentProcess

PASS, FAIL = "PASS", "FAIL"


def run_checks(notebook: Path, data: dict, timeout: float = 20.0, on_result=None) -> List[PartVerdict]:
    prelude, cells = read_notebook(notebook, data)
    with StudentProcess(Path(notebook).resolve().parent, timeout) as student:
        return check_parts(student, prelude, cells, data, on_result)


def _count(part: PartVerdict) -> str:
    if not part.checks:
        return "not checked"
    passed = sum(c.passed is True for c in part.checks)
    not_run = sum(c.passed is None for c in part.checks)
    text = f"{passed} of {len(part.checks)} checks pass"
    if part.stopped:
        return text + f", {not_run} not run: it did not finish" if not_run else text + ": it did not finish"
    return text + (f", {not_run} not run" if not_run else "")


def render_part(part: PartVerdict) -> List[str]:
    """The lines of one part: its verdict, then each check that failed or did not run, once."""
    lines = [f"{PASS if part.passes else FAIL}  {part.name}  ({_count(part)})"]
    failing = [c for c in part.checks if c.passed is False]
    if part.problem:
        return lines + [f"      {part.problem}"]
    if failing and all("raised NotImplementedError" in c.message for c in failing):
        return lines + ["      not implemented yet: replace the `raise NotImplementedError()` stub with your code."]
    lines += [f"      - {c.title}: {c.message}" for c in failing]
    unreached = [c.title for c in part.checks if c.passed is None and c.message == NOT_FINISHED]
    lines += [f"      - {c.title}: {c.message}" for c in part.checks if c.passed is None and c.message != NOT_FINISHED]
    if unreached:
        lines.append(f"      - not run, since {part.name} did not finish above: {'; '.join(unreached)}.")
    return lines


def render(results: List[PartVerdict]) -> List[str]:
    return [line for part in results for line in render_part(part)]


def _say(line: str) -> None:
    print(line, flush=True)  # at once, also into a pipe (the notebook's cell reads one)


def main(*, notebook=None, timeout: float = 20.0, out=_say) -> int:
    """0 when every part passes every public check; 1 when some part does not; 2 when nothing
    could be checked (no data, no notebook, not this assignment's notebook). Each part's lines
    are printed as soon as it is checked."""
    total = 0
    try:
        data = load_data()
        total = len(data["parts"])
        path, note = find_notebook(notebook, data)
        prelude, cells = read_notebook(path, data)
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

    def show(part: PartVerdict) -> None:
        for line in render_part(part):
            out(line)

    with StudentProcess(path.resolve().parent, timeout) as student:
        results = check_parts(student, prelude, cells, data, on_result=show)
    good = sum(part.passes for part in results)
    out("")
    out(f"{good} of {len(results)} parts pass every public check.")
    return 0 if good == len(results) else 1
