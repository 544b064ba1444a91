"""A student's self-check: ``python -m autograder check NOTEBOOK``.

Runs the public checks (the grading checks minus the hidden ones, see autograder/checks) on
one saved notebook, with the student's code in its own kernel exactly as in grading, offline,
and prints per part what passes, what fails and the hint. No score is printed: the hidden
checks, which only run at grading, decide the points.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from autograder.layout import submission_folder
from autograder.intake import Submission
from autograder.scoring import PartResult, StudentGrade

PASS, FAIL = "PASS", "FAIL"


def check_notebook(notebook: Path) -> StudentGrade:
    """The public checks' results for ``notebook`` (graded as a one-student submission)."""
    from autograder.grading import grade_submission

    notebook = Path(notebook)
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as root:
        folder = submission_folder(Path(root), "you")
        folder.mkdir(parents=True)
        shutil.copy2(notebook, folder / notebook.name)
        return grade_submission(Submission("you", folder), public=True, hide=(root,))


def part_passes(part: PartResult) -> bool:
    return not part.problem and bool(part.checks) and all(c.passed for c in part.checks)


def render(grade: StudentGrade, notebook: Path) -> str:
    """Per part: PASS/FAIL, then each failing check with its message (the hint)."""
    lines = [f"Public checks of {notebook.name} as last saved (save before checking). "
             "Hidden checks with other inputs run when your work is graded.", ""]
    lines += [f"note: {note}" for note in grade.notes]
    for part in grade.parts:
        ok = part_passes(part)
        passed = sum(c.passed for c in part.checks)
        count = f"{passed}/{len(part.checks)} checks" if part.checks else "not checked"
        lines.append(f"{PASS if ok else FAIL}  {part.name}  ({count})")
        failing = [c for c in part.checks if not c.passed]
        if part.problem:
            lines.append(f"      {part.problem}")
        elif any("raised NotImplementedError" in c.message for c in failing):
            lines.append("      not implemented yet: replace the `raise NotImplementedError` stub with your code.")
        else:
            lines += [f"      - {c.name}: {c.message}" for c in failing]
    good = sum(part_passes(p) for p in grade.parts)
    lines += ["", f"{good} of {len(grade.parts)} parts pass every public check."]
    return "\n".join(lines) + "\n"


def main(*, notebook: Path, out=print) -> int:
    """Exit status: 0 when every part passes every public check, 1 otherwise, 2 without a notebook."""
    notebook = Path(notebook)
    if not notebook.is_file():
        out(f"error: no notebook at {notebook}")
        return 2
    grade = check_notebook(notebook)
    out(render(grade, notebook), end="")
    return 0 if all(part_passes(p) for p in grade.parts) else 1
