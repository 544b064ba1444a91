"""Export: the grades of a grade run as one CSV for a spreadsheet or an LMS, late penalties
applied, and every graded student's HTML feedback.

Columns: student_id, submitted_at (UTC, from nbgrader's timestamp.txt; empty without one),
late_by_hours (empty without a deadline or a timestamp), raw_score, late_penalty, final_score,
max_score, then one column per part (its auto-graded points, before any penalty).

Nothing is graded here: each student's grade is the record the grade run stored in OUT/results/,
read with OutputFolder.load, which only returns a record made from the submission as it is now
(timestamp.txt included), with the same kit and seed. If any submission has no such record the
export stops and says whom to grade, so a CSV never mixes a new submission time with an old grade.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.outputs.feedback import write_feedback
from autograder.intake import find_submissions
from autograder.outputs.lateness import Lateness, LatePolicy, read_timestamp
from autograder.grading.store import OutputFolder, stored_grades, write_atomic
from autograder.outputs.reports import csv_text, number
from autograder.grading.scoring import StudentGrade

COLUMNS = ["student_id", "submitted_at", "late_by_hours", "raw_score", "late_penalty", "final_score", "max_score"]


def export_csv(grades: list[StudentGrade], lateness: dict[str, Lateness]) -> str:
    """The CSV text: one row per grade; ``lateness`` by student id (a student not in it: no
    timestamp read, no penalty)."""
    names = [p.name for p in grades[0].parts] if grades else []
    rows = []
    for grade in grades:
        late = lateness.get(grade.student_id, Lateness(None, None, 0.0))
        submitted = "" if late.submitted_at is None else late.submitted_at.isoformat(sep=" ", timespec="seconds")
        hours = "" if late.late_by is None else number(round(late.late_by.total_seconds() / 3600, 2))
        rows.append([grade.student_id, submitted, hours, number(grade.score), number(round(late.penalty, 2)),
                     number(round(grade.score - late.penalty, 2)), number(grade.max_score),
                     *(number(p.points) for p in grade.parts)])
    return csv_text([*COLUMNS, *names], rows)


def main(*, submissions: Path, out: Path, csv_path: Path | None = None, deadline: str | None = None,
         late_penalty: str = "0", per: str = "day", grace: str = "0", max_penalty: str | None = None,
         missing_timestamp: str = "on-time", seed: int = 0, assignment: str | None = None) -> int:
    """Write ``csv_path`` (default OUT/export.csv) and OUT/feedback/<student_id>.html from the
    grades stored in OUT by ``grade`` with the same ``seed``. Without ``deadline`` nobody loses
    points; the other late options need one. Exit codes: 0 written, 1 some submission is not
    graded (nothing written), 2 an option or a timestamp.txt cannot be read."""
    from autograder.cli import assignment_of

    out = Path(out)
    csv_path = Path(csv_path) if csv_path else out / "export.csv"
    try:
        if deadline is None and (late_penalty != "0" or max_penalty is not None or missing_timestamp != "on-time"):
            raise ValueError("the late options need --deadline")
        policy = None if deadline is None else LatePolicy.parse(
            deadline, rate=late_penalty, per=per, grace=grace, max_penalty=max_penalty, missing=missing_timestamp)
        chosen = assignment_of(submissions, assignment)
        found = find_submissions(submissions, chosen.id)
        times = {s.student_id: read_timestamp(s.folder) for s in found}
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    folder = OutputFolder(out)
    with folder.lock():
        grades, stale = stored_grades(folder, found, seed, chosen.source)
        if stale:
            print(f"error: not graded in {out} as submitted now (new or changed submission, other kit or --seed): "
                  f"{', '.join(stale)}\nrun `python -m autograder grade {submissions} --out {out}"
                  f"{f' --seed {seed}' if seed else ''}` first; it grades only these", file=sys.stderr)
            return 1
        if policy is None:
            lateness = {g.student_id: Lateness(times[g.student_id], None, 0.0) for g in grades}
        else:
            lateness = {g.student_id: policy.assess(times[g.student_id], g.max_score, g.score) for g in grades}
        write_atomic(csv_path, export_csv(grades, lateness))
        write_feedback(grades, out, lateness if policy else None)
    late = [g.student_id for g in grades if lateness[g.student_id].penalty]
    untimed = [g.student_id for g in grades if times[g.student_id] is None]
    print(f"{csv_path}: {len(grades)} students, {len(late)} with a late penalty{': ' if late else ''}{', '.join(late)}")
    if untimed:
        treated = "" if policy is None else (
            " (counted as on time)" if policy.missing == "on-time" else " (given the maximum penalty)")
        print(f"no timestamp.txt{treated}: {', '.join(untimed)}")
    print(f"feedback: {out / 'feedback'}/")
    return 0
