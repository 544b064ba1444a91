"""Reports: grades.csv for the gradebook/spreadsheet, and one readable report per student.

grades.csv has one row per student: student_id, score, max_score, then one column per part
named after its function or class. Files are written to a temporary name and renamed, so a
reader never sees half a file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from autograder.grading.scoring import DECIMALS, PartResult, StudentGrade, rounded
from autograder.grading.store import write_atomic
from autograder.layout import report_path


def number(x: float) -> str:
    """Points as every output writes them (reports, grades.csv and export.csv, feedback pages,
    Gradescope's results, the progress lines and the grade table): rounded as scores are
    (scoring.rounded), without trailing zeros or an exponent: 15, 7.5, 66.63, 12345.67."""
    text = f"{rounded(float(x)):.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def csv_text(header: list, rows: list[list]) -> str:
    """A CSV file's text (every CSV the kit writes: grades.csv, export.csv)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def grades_csv(grades: list[StudentGrade]) -> str:
    names = [p.name for p in grades[0].parts] if grades else []
    return csv_text(["student_id", "score", "max_score", *names],
                    [[g.student_id, number(g.score), number(g.max_score), *(number(p.points) for p in g.parts)] for g in grades])


def check_lines(part: PartResult, indent: str = "  ") -> list[str]:
    """A part's verdicts as text lines: its problem, then each check with ✓ or ✗ and, under a
    failed one, why (one line each, see _one_line). The text report and Gradescope's tests use it."""
    lines = [f"{indent}✗ {_one_line(part.problem)}"] if part.problem else []
    lines += [f"{indent}Note: {_one_line(note)}" for note in part.notes]
    for check in part.checks:
        lines.append(f"{indent}{'✓' if check.passed else '✗'} {_one_line(check.title)}")
        if not check.passed and check.message:
            lines.append(f"{indent}    {_one_line(check.message)}")
    return lines


def student_report(grade: StudentGrade) -> str:
    """A plain-text report: the score, then per part what passed, what failed and why."""
    lines = [
        f"Student: {grade.student_id}",
        f"Score: {number(grade.score)} / {number(grade.max_score)}",
        f"Random inputs drawn from seed {grade.seed} (grading again gives the same inputs and verdicts).",
    ]
    lines += [f"Note: {_one_line(note)}" for note in grade.notes]
    for part in grade.parts:
        lines += ["", f"{part.name}: {number(part.points)} / {number(part.max_points)}", *check_lines(part)]
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
    rows = [[g.student_id, *(number(p.points) for p in g.parts), f"{number(g.score)}/{number(g.max_score)}"] for g in grades]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(header), *map(fmt, rows)]) + "\n"


def run_summary(grades: list[StudentGrade], out: Path) -> str:
    """The line that ends a grade run: how many were graded, which have something to read in
    their report (a part not graded, a note), and which the grader failed on (graded again by
    the next run)."""
    failed = [g.student_id for g in grades if g.grader_failed]
    to_read = [g.student_id for g in grades if not g.grader_failed
               and (g.notes or any(p.problem or p.notes for p in g.parts))]
    names = lambda ids: ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
    line = f"{len(grades) - len(failed)} of {len(grades)} submissions graded"
    if to_read:
        line += f"; {len(to_read)} with a problem or note in {Path(out) / 'reports'}/<student_id>.txt ({names(to_read)})"
    if failed:
        line += (f"; {len(failed)} could not be graded, the grader failed ({names(failed)}): run the same "
                 "command again to grade them")
    return line + "\n"


def write_report(grade: StudentGrade, out: Path) -> None:
    """OUT/reports/<student_id>.txt: the student's report."""
    write_atomic(report_path(Path(out), grade.student_id), student_report(grade))


def write_grades_csv(grades: list[StudentGrade], out: Path) -> None:
    """OUT/grades.csv: one row per grade."""
    write_atomic(Path(out) / "grades.csv", grades_csv(grades))


def write_reports(grades: list[StudentGrade], out: Path) -> None:
    """Reports and grades.csv for grades made outside a grade run (the demo)."""
    for grade in grades:
        write_report(grade, out)
    write_grades_csv(grades, out)
