"""The main job on the embedded data, end to end, for every assignment of the kit: generate its
hand-out (into OUT/<id>/, leaving assignment/ as it is), build three sample submissions (the
reference solution, a partly wrong one, the untouched hand-out notebook), grade them and print
the grade table.

The partly wrong sample is one of the assignment's corpus entries with mistakes: the one its
grading package names in ``DEMO_ENTRY``, else the first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.sandbox import preflight
from autograder.assignments import Assignment, all_assignments
from autograder.checks import grading_package
from autograder.grading.executors import grade_all
from autograder.authoring.release import release
from autograder.outputs.progress import student_line
from autograder.outputs.reports import grade_table, write_reports
from autograder.authoring.corpus import load_corpus, write_submission


def partly_wrong(assignment: Assignment):
    """The corpus entry the partly wrong sample is made of."""
    wrong = [entry for entry in load_corpus(assignment.corpus) if entry.lose]
    named = getattr(grading_package(assignment.source), "DEMO_ENTRY", None)
    return next((entry for entry in wrong if entry.name == named), wrong[0] if wrong else None)


def build_samples(assignment: Assignment, folder: Path, handout: Path) -> Path:
    """Write SUBMISSIONS/<student>/<id>/*.ipynb for the three sample students."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    mistake = partly_wrong(assignment)
    write_submission(folder, "correct", {}, assignment.source)
    write_submission(folder, "untouched_release", {}, handout)
    if mistake is not None:
        write_submission(folder, "partly_wrong", mistake.cells, assignment.source)
    return folder


def demo_one(assignment: Assignment, out: Path) -> None:
    handout = out / "handout" / assignment.id  # named as the assignment: its submissions' folders are
    print(f"== {assignment.id}")
    print(f"1/3 generating the students' hand-out with nbgrader into {handout}/ (assignment/ is left as it is) ...")
    release(source=assignment.source, target=handout, force=True)
    submissions = build_samples(assignment, out / "submissions", handout)
    mistake = partly_wrong(assignment)
    print(f"2/3 grading the sample submissions in {submissions}/ (correct, untouched_release"
          + (f", partly_wrong: {mistake.about[0].lower() + mistake.about[1:]}" if mistake else "") + ") ...")
    grades = grade_all(submissions, source=assignment.source,
                       progress=lambda g: print(f"    {student_line(g)}"))
    write_reports(grades, out)
    print(f"3/3 grades in {out / 'grades.csv'}, one report per student in {out / 'reports'}/\n")
    print(grade_table(grades))


def main(*, out: Path = Path("out/demo")) -> int:
    out = Path(out)
    print(preflight.check().line)
    for assignment in all_assignments():
        demo_one(assignment, out / assignment.id)
    return 0
