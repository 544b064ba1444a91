"""Reports: grades.csv for the gradebook/spreadsheet, and one readable report per student.

grades.csv has one row per student: student_id, score, max_score, then one column per part
named after its function or class. Files are written to a temporary name and renamed, so a
reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import fcntl
import io
import json
import os
from pathlib import Path

from autograder.layout import report_path
from autograder.scoring import StudentGrade


def write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def grades_csv(grades: list[StudentGrade]) -> str:
    names = [p.name for p in grades[0].parts] if grades else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "score", "max_score", *names])
    for grade in grades:
        writer.writerow([grade.student_id, _num(grade.score), _num(grade.max_score), *(_num(p.points) for p in grade.parts)])
    return buffer.getvalue()


def student_report(grade: StudentGrade) -> str:
    """A plain-text report: the score, then per part what passed, what failed and why."""
    lines = [
        f"Student: {grade.student_id}",
        f"Score: {_num(grade.score)} / {_num(grade.max_score)}",
        f"Random inputs drawn from seed {grade.seed} (grading again gives the same inputs and verdicts).",
    ]
    lines += [f"Note: {_one_line(note)}" for note in grade.notes]
    for part in grade.parts:
        lines += ["", f"{part.name}: {_num(part.points)} / {_num(part.max_points)}"]
        if part.problem:
            lines.append(f"  ✗ {_one_line(part.problem)}")
        for check in part.checks:
            lines.append(f"  {'✓' if check.passed else '✗'} {check.name}")
            if not check.passed and check.message:
                lines.append(f"      {_one_line(check.message)}")
    return "\n".join(lines) + "\n"


#: Characters of one message kept in a plain-text report (the rest is cut, and said so).
MESSAGE_LIMIT = 500


def _one_line(text: str) -> str:
    """A message on one line: text from the student's code (an exception's message) cannot
    start lines of its own, such as a forged '✓ ...' line, nor move a terminal's cursor (other
    control characters are shown escaped, as \\x1b), nor fill the report (cut to MESSAGE_LIMIT)."""
    line = " ".join(str(text).split())
    line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
    return line if len(line) <= MESSAGE_LIMIT else line[:MESSAGE_LIMIT] + f"... (cut at {MESSAGE_LIMIT} characters)"


def grade_table(grades: list[StudentGrade]) -> str:
    """The grade table printed at the end of a run (points per part, then the total)."""
    if not grades:
        return "no submissions graded\n"
    names = [p.name for p in grades[0].parts]
    header = ["student_id", *names, "score"]
    rows = [[g.student_id, *(_num(p.points) for p in g.parts), f"{_num(g.score)}/{_num(g.max_score)}"] for g in grades]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(header), *map(fmt, rows)]) + "\n"


def run_summary(grades: list[StudentGrade], out: Path) -> str:
    """The line that ends a grade run: how many were graded, which have something to read in
    their report (a part not graded, a note), and which the grader failed on (graded again by
    the next run)."""
    failed = [g.student_id for g in grades if g.grader_failed]
    to_read = [g.student_id for g in grades if not g.grader_failed and (g.notes or any(p.problem for p in g.parts))]
    names = lambda ids: ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
    line = f"{len(grades) - len(failed)} of {len(grades)} submissions graded"
    if to_read:
        line += f"; {len(to_read)} with a problem or note in {Path(out) / 'reports'}/<student_id>.txt ({names(to_read)})"
    if failed:
        line += (f"; {len(failed)} could not be graded, the grader failed ({names(failed)}): run the same "
                 "command again to grade them")
    return line + "\n"


class OutputFolder:
    """OUT/: grades.csv, reports/<id>.txt, and results/<id>.json, the record each of them is
    made from. A student's record is written atomically as soon as they are graded, so a
    grade run that is killed loses nothing finished: the next run into the same folder reuses
    every record whose submission has not changed, grades the rest, and rewrites grades.csv
    from the records. One run at a time: ``lock()`` refuses a second one."""

    def __init__(self, out: Path):
        self.out = Path(out)

    @contextlib.contextmanager
    def lock(self):
        self.out.mkdir(parents=True, exist_ok=True)
        with open(self.out / ".grading.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                raise OutputBusy(f"another grade run is writing to {self.out} (process {handle.read().strip() or '?'}); "
                                 "wait for it to finish, or grade into another --out folder") from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            try:
                yield self
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _record(self, student_id: str) -> Path:
        return self.out / "results" / f"{student_id}.json"

    def load(self, student_id: str, fingerprint: str) -> StudentGrade | None:
        """The stored grade of ``student_id`` if it was made from the same submission and kit."""
        try:
            record = json.loads(self._record(student_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("fingerprint") != fingerprint:
            return None
        return StudentGrade.from_dict(record["grade"])

    def save(self, grade: StudentGrade, fingerprint: str) -> None:
        record = {"fingerprint": fingerprint, "grade": dataclasses.asdict(grade)}
        write_atomic(report_path(self.out, grade.student_id), student_report(grade))
        write_atomic(self._record(grade.student_id), json.dumps(record, indent=1))

    def write_csv(self, grades: list[StudentGrade]) -> None:
        write_atomic(self.out / "grades.csv", grades_csv(grades))


class OutputBusy(RuntimeError):
    """Another grade run holds the output folder."""


def write_reports(grades: list[StudentGrade], out: Path) -> None:
    """Reports and grades.csv for grades made outside a grade run (the demo)."""
    folder = OutputFolder(out)
    for grade in grades:
        write_atomic(report_path(folder.out, grade.student_id), student_report(grade))
    folder.write_csv(grades)


def _num(x: float) -> str:
    return f"{x:g}"
