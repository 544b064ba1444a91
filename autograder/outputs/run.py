"""A grade run into OUT: grade what is not graded yet, record each grade as it is made (the grade
store), then write grades.csv for every submission. Safe to kill and run again.
"""

from __future__ import annotations

from pathlib import Path

from autograder.assignments import in_submissions, of_source
from autograder.grading.executors import grade_all
from autograder.grading.scoring import StudentGrade
from autograder.grading.store import OutputFolder, kit_fingerprint, record_fingerprint
from autograder.grading.submission import DEFAULT_BUDGET
from autograder.intake import find_submissions
from autograder.outputs.feedback import write_feedback
from autograder.outputs.reports import write_grades_csv, write_report
from autograder.sandbox.kernel import DEFAULT_TIMEOUT


def grade_run(submissions: Path, out: Path, *, student: str | None = None, regrade: bool = False,
              base_seed: int = 0, workers: int = 1, timeout: float = DEFAULT_TIMEOUT,
              budget: float = DEFAULT_BUDGET, hide: tuple = (), progress=None, planned=None,
              dask: str | None = None, require_confinement: bool = False,
              source: Path | None = None, probed=None) -> list[StudentGrade]:
    """A grade run into OUT: grade what is not graded yet (or ``student``, or everything with
    ``regrade``), record each grade as soon as it is made, then write grades.csv for every
    submission. Safe to kill and run again; a second run into the same OUT is refused.
    ``planned`` gets the number of submissions about to be graded, ``progress`` each new
    StudentGrade (a progress.GradeProgress serves as both); ``dask``, ``source``, ``probed``: see
    grade_all."""
    folder = OutputFolder(out)
    with folder.lock():
        source = Path(source) if source is not None else in_submissions(submissions).source
        found = find_submissions(submissions, of_source(source).id)
        if student is not None and student not in {s.student_id for s in found}:
            raise FileNotFoundError(f"no submission for student {student!r} in {submissions}")
        kit = kit_fingerprint(source)
        prints = {s.student_id: record_fingerprint(s, base_seed, kit) for s in found}
        done = {}
        for s in found:
            fresh = regrade or s.student_id == student
            stored = None if fresh else folder.load(s.student_id, prints[s.student_id])
            if stored is not None and not stored.grader_failed:
                done[s.student_id] = stored
        todo = [s for s in found if s.student_id not in done and (student is None or s.student_id == student)]

        def record(grade):
            folder.save(grade, prints[grade.student_id])
            write_report(grade, folder.out)
            write_feedback([grade], folder.out)
            if progress:
                progress(grade)

        if planned:
            planned(len(todo))
        graded = grade_all(submissions, only=todo, source=source, base_seed=base_seed, workers=workers, timeout=timeout,
                           budget=budget, hide=(str(folder.out), *hide), progress=record, dask=dask,
                           require_confinement=require_confinement, probed=probed)
        done.update({g.student_id: g for g in graded})
        grades = [done[s.student_id] for s in found if s.student_id in done]
        write_grades_csv(grades, folder.out)
        return grades
