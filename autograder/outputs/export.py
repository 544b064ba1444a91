"""Export: the final grade of each student as one CSV for a spreadsheet or an LMS, and every
graded student's HTML feedback.

Columns: student_id, submitted_at (UTC, from nbgrader's timestamp.txt; empty without one),
late_by_hours (empty without a deadline or a timestamp), auto_score (the parts' points, a
grader's override in the gradebook in place of the kit's), manual_score (the written answers'
points from nbgrader's gradebook; empty without --gradebook), raw_score (both), late_penalty,
final_score, max_score (with the written answers'), needs_manual_grading (written answers still
waiting for a grader), then one column per part (its points, before any penalty).

Nothing is graded here: each student's grade is the record the grade run stored in OUT/results/,
read through the grade store, which only returns a record made from the submission as it is now
(timestamp.txt included), with the same kit and seed. If any submission has no such record the
export stops and says whom to grade, so a CSV never mixes a new submission time with an old grade.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.outputs.feedback import write_feedback
from autograder.intake import find_submissions
from autograder.layout import command
from autograder.outputs.gradebook import GradebookError, HandGraded, hand_graded
from autograder.outputs.lateness import Lateness, LatePolicy, read_extensions, read_timestamp
from autograder.grading.store import OutputFolder, stored_grades, write_atomic
from autograder.outputs.reports import csv_text, number
from autograder.grading.scoring import StudentGrade, rounded

COLUMNS = ["student_id", "submitted_at", "late_by_hours", "auto_score", "manual_score", "raw_score", "late_penalty",
           "final_score", "max_score", "needs_manual_grading"]


def final_scores(grade: StudentGrade, hand: HandGraded | None) -> tuple[dict, float, float, float]:
    """({part: points}, auto score, manual score, max score) of a grade, with what graders
    entered in the gradebook (``hand``; None: no gradebook)."""
    parts = {p.name: (hand.overrides.get(p.name, p.points) if hand else p.points) for p in grade.parts}
    auto = rounded(sum(parts.values()))
    manual = rounded(hand.points) if hand else 0.0
    return parts, auto, manual, rounded(grade.max_score + (hand.max_points if hand else 0.0))


def export_csv(grades: list[StudentGrade], lateness: dict[str, Lateness],
               hand: dict[str, HandGraded] | None = None) -> str:
    """The CSV text: one row per grade; ``lateness`` by student id (a student not in it: no
    timestamp read, no penalty); ``hand``: what graders entered in the gradebook, by student id
    (None: no gradebook read; the manual columns stay empty)."""
    names = [p.name for p in grades[0].parts] if grades else []
    rows = []
    for grade in grades:
        late = lateness.get(grade.student_id, Lateness(None, None, 0.0))
        mine = None if hand is None else hand[grade.student_id]
        parts, auto, manual, max_score = final_scores(grade, mine)
        submitted = "" if late.submitted_at is None else late.submitted_at.isoformat(sep=" ", timespec="seconds")
        hours = "" if late.late_by is None else number(late.late_by.total_seconds() / 3600)
        raw = rounded(auto + manual)
        rows.append([grade.student_id, submitted, hours, number(auto), "" if mine is None else number(manual),
                     number(raw), number(late.penalty), number(raw - late.penalty),
                     number(max_score), "" if mine is None else mine.pending, *(number(parts[n]) for n in names)])
    return csv_text([*COLUMNS, *names], rows)


def main(*, submissions: Path, out: Path, csv_path: Path | None = None, deadline: str | None = None,
         late_penalty: str = "0", per: str = "day", grace: str = "0", max_penalty: str | None = None,
         missing_timestamp: str = "on-time", seed: int = 0, assignment: str | None = None,
         percent_of: str = "max", extensions: Path | None = None, gradebook_url: str | None = None,
         base_seed: int | None = None) -> int:
    """Write ``csv_path`` (default OUT/export.csv) and OUT/feedback/<student_id>.html from the
    grades stored in OUT by ``grade`` with the same ``seed``, and, with ``gradebook_url``, what
    graders entered in nbgrader's gradebook. Without ``deadline`` nobody loses points; the other
    late options need one. ``extensions``: a CSV of student_id,new_deadline. Exit codes: 0
    written, 1 some submission is not graded or the gradebook cannot be read (nothing written),
    2 an option, the extensions or a timestamp.txt cannot be read."""
    from autograder.intake import assignment_of

    out = Path(out)
    csv_path = Path(csv_path) if csv_path else out / "export.csv"
    try:
        if deadline is None and (late_penalty != "0" or max_penalty is not None or missing_timestamp != "on-time"
                                 or extensions is not None or percent_of != "max"):
            raise ValueError("the late options need --deadline")
        policy = None if deadline is None else LatePolicy.parse(
            deadline, rate=late_penalty, per=per, grace=grace, max_penalty=max_penalty, missing=missing_timestamp,
            percent_of=percent_of, extensions=read_extensions(extensions) if extensions else None)
        chosen = assignment_of(submissions, assignment)
        found = find_submissions(submissions, chosen.id)
        times = {s.student_id: read_timestamp(s.folder) for s in found}
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    folder = OutputFolder(out)
    with folder.lock():
        # base_seed: the run's base seed (seeds.base_seed of the course's secret and --seed); ``seed``
        # is the --seed the user typed, said in hints
        grades, stale = stored_grades(folder, found, seed if base_seed is None else base_seed, chosen.source)
        if stale:
            print(f"error: not graded in {out} as submitted now (new or changed submission, other kit or --seed): "
                  f"{', '.join(stale)}\nrun `{command(f'grade {submissions} --out {out}' + (f' --seed {seed}' if seed else ''))}` "
                  "first; it grades only these", file=sys.stderr)
            return 1
        unknown = sorted(set(policy.extensions) - set(times)) if policy else []
        if unknown:
            print(f"warning: extensions for students without a submission: {', '.join(unknown)}", file=sys.stderr)
        try:
            hand = hand_graded(gradebook_url, chosen.source, [g.student_id for g in grades]) if gradebook_url else None
        except GradebookError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        lateness = {}
        for g in grades:
            _, auto, manual, max_score = final_scores(g, hand[g.student_id] if hand else None)
            lateness[g.student_id] = (Lateness(times[g.student_id], None, 0.0) if policy is None else
                                      policy.for_student(g.student_id).assess(times[g.student_id], max_score, auto + manual))
        write_atomic(csv_path, export_csv(grades, lateness, hand))
        write_feedback(grades, out, lateness if policy else None)
    late = [g.student_id for g in grades if lateness[g.student_id].penalty]
    untimed = [g.student_id for g in grades if times[g.student_id] is None]
    print(f"{csv_path}: {len(grades)} students, {len(late)} with a late penalty{': ' if late else ''}{', '.join(late)}")
    if untimed:
        treated = "" if policy is None else (
            " (counted as on time)" if policy.missing == "on-time" else " (given the maximum penalty)")
        print(f"no timestamp.txt{treated}: {', '.join(untimed)}")
    if hand:
        waiting = [g.student_id for g in grades if hand[g.student_id].pending]
        if waiting:
            print(f"written answers still to grade in the formgrader: {', '.join(waiting)} "
                  "(their manual_score counts them as 0 until then)")
    print(f"feedback: {out / 'feedback'}/")
    return 0
