"""The corpus test (for TAs; students have their own ``selfcheck``): grade the reference, the
untouched release and every corpus entry, and compare each part's verdict with what the entry
expects. TAs run it after editing checks:

    ./kit python -m autograder corpus --assignment knn     # exits non-zero on any mismatch

A corpus entry is solutions/<id>/grading/corpus/<name>.py: a header, then the cells it replaces in the
reference notebook, each starting with '# %% <part>'::

    # The SVM loss is not averaged over the examples.
    # expect-lose: svm_loss_naive
    # expect-hint: svm_loss_naive: divide by N
    # %% svm_loss_naive
    def svm_loss_naive(W, X, y, reg):
        ...

``expect-lose`` lists the parts that must lose points (empty for a correct solution: then
every part must get full marks); every part not listed must keep all its points.
``expect-zero`` lists parts that must score 0 (they lose points too).
``expect-hint`` (optional, repeatable) is text the report must show for that part.
``expect-fail`` and ``expect-pass`` (optional, repeatable), as ``part: check-id``, name a check
by its id (declared in the grading package, e.g. ``no-loops``) that must fail, or pass, for
that part; an id the part does not declare is a mismatch, so a renamed check is never silently
unexpected.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

import nbformat

from autograder.assignments import Assignment, find_assignment
from autograder.checks import grading_package, load_all
from autograder.grading.executors import grade_all
from autograder.layout import submission_folder
from autograder.parts import load_parts, nbgrader_meta
from autograder.outputs.reports import number, student_report


@dataclasses.dataclass
class Entry:
    """name: file stem; about: first header line; cells: {part: source}; lose: parts expected to
    lose points; hints: [(part, text)] the report must show; base: the notebook folder to patch;
    zero: parts that must score 0; checks: [(part, check id, must pass)]."""

    name: str
    about: str
    cells: dict
    lose: set
    hints: list
    base: Path | None = None  # None: the assignment's source notebooks
    zero: set = dataclasses.field(default_factory=set)
    checks: list = dataclasses.field(default_factory=list)


def parse_entry(path: Path) -> Entry:
    text = Path(path).read_text()
    header, _, _ = text.partition("# %% ")
    chunks = re.split(r"^# %% (\w+)\s*$", text, flags=re.MULTILINE)
    cells = {name: body.strip() + "\n" for name, body in zip(chunks[1::2], chunks[2::2])}
    about, lose, zero, hints, checks = "", set(), set(), [], []
    for line in header.splitlines():
        line = line.lstrip("# ").rstrip()
        key, _, value = line.partition(":")
        if key in ("expect-lose", "expect-zero"):
            names = set(value.replace(",", " ").split())
            lose |= names
            zero |= names if key == "expect-zero" else set()
        elif key in ("expect-hint", "expect-fail", "expect-pass"):
            part, _, text = value.strip().partition(":")
            if key == "expect-hint":
                hints.append((part.strip(), text.strip()))
            else:
                checks.append((part.strip(), text.strip(), key == "expect-pass"))
        elif line and not about:
            about = line
    return Entry(Path(path).stem, about, cells, lose, hints, zero=zero, checks=checks)


def load_corpus(folder: Path) -> list[Entry]:
    return [parse_entry(p) for p in sorted(Path(folder).glob("*.py"))]


def write_submission(root: Path, student_id: str, cells: dict, base: Path) -> Path:
    """SUBMISSIONS/<student_id>/<id>/: the notebooks of ``base`` (solutions/<id>/ or
    assignment/<id>/) with ``cells`` replaced by grade id."""
    folder = submission_folder(root, student_id, Path(base).name)
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(base).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if grade_id in cells:
                cell.source = cells[grade_id]
        nbformat.write(nb, folder / path.name)
    return folder


def verdicts(entry: Entry, grade, parts, declared: dict | None = None) -> list[str]:
    """The mismatches between what ``entry`` expects and ``grade`` (empty when all is as
    expected); ``declared``: {part: its PartChecks}, against which the entry's check ids are read."""
    got = {p.name: p for p in grade.parts}
    problems = []
    for part in parts:
        result = got[part.name]
        full = result.points == part.points
        if part.name in entry.lose and full:
            problems.append(f"{part.name}: expected to lose points, got full marks")
        if part.name not in entry.lose and not full:
            failed = "; ".join([result.problem] + [f"{c.id}: {c.message}" for c in result.checks if not c.passed])
            problems.append(f"{part.name}: expected full marks, got {number(result.points)}/{number(part.points)} "
                            f"({failed.strip('; ')})")
        if part.name in entry.zero and result.points != 0:
            problems.append(f"{part.name}: expected 0, got {number(result.points)}/{number(part.points)}")
    for name, check_id, must_pass in entry.checks:
        known = declared[name].declared if declared and name in declared else None
        found = [c for c in got[name].checks if c.id == check_id] if name in got else []
        if known is not None and check_id not in known:
            problems.append(f"{name}: declares no check {check_id!r} (its checks: {', '.join(known)})")
        elif not found:
            why = got[name].problem if name in got else "no such part"
            problems.append(f"{name}: the check {check_id!r} was not run ({why or 'no problem noted'})")
        elif found[0].passed != must_pass:
            problems.append(f"{name}: the check {check_id!r} should {'pass' if must_pass else 'fail'}"
                            + (f" ({found[0].message})" if found[0].message else ""))
    report = student_report(grade)
    for part, hint in entry.hints:
        section = report.split(f"\n{part}: ", 1)[-1].split("\n\n", 1)[0]
        if hint not in section:
            problems.append(f"{part}: the report should say {hint!r}")
    return problems


def main(*, assignment: Assignment | None = None, corpus: Path | None = None, only: str | None = None,
         workers: int = 2, out=print) -> int:
    """Grade the assignment's reference, release and corpus (default: its grading/corpus/);
    0 when every verdict is as expected, 1 on a mismatch, 2 when ``only`` names no entry."""
    assignment = assignment or find_assignment()
    parts = load_parts(assignment.source)
    everything = {p.name for p in parts}
    entries = [Entry("reference", "the reference solution", {}, set(), []),
               Entry("untouched_release", "the release as handed out", {}, everything, [], assignment.release)]
    entries += load_corpus(corpus or assignment.corpus)
    if only:
        entries = [e for e in entries if e.name == only]
        if not entries:
            out(f"no corpus entry named {only!r}")
            return 2
    with tempfile.TemporaryDirectory(prefix="autograder-corpus-") as tmp:
        root = Path(tmp)
        for entry in entries:
            write_submission(root, entry.name, entry.cells, entry.base or assignment.source)
        grades = {g.student_id: g for g in grade_all(root, source=assignment.source, workers=workers)}
    names = [p.name for p in parts]
    declared = load_all(assignment.source)
    short = getattr(grading_package(assignment.source), "SHORT_NAMES", {})
    _short = lambda name: short.get(name, name[:8])  # noqa: E731
    width = max(len(e.name) for e in entries)
    out(f"{'entry'.ljust(width)}  " + "  ".join(_short(n) for n in names) + "  verdict")
    failures = 0
    for entry in entries:
        grade = grades[entry.name]
        cells = []
        for part in parts:
            lost = {p.name: p.points for p in grade.parts}[part.name] < part.points
            mark = ("lose" if lost else "full") + ("" if lost == (part.name in entry.lose) else "!")
            cells.append(mark.center(len(_short(part.name))))
        problems = verdicts(entry, grade, parts, declared)
        failures += bool(problems)
        out(f"{entry.name.ljust(width)}  " + "  ".join(cells) + ("  ok" if not problems else "  MISMATCH"))
        for problem in problems:
            out(f"{''.ljust(width)}    {problem}")
    out(f"\n{len(entries) - failures} of {len(entries)} entries graded as expected "
        f"(lose = loses points, full = full marks, ! = not what the entry expects)")
    return 1 if failures else 0

