"""Progress of a grade run: a tqdm bar of the submissions graded, their rate, and how many had problems.

A submission has *problems* when the grader could not score at least one of its parts by its
checks: a PartResult with a ``problem`` (the notebook or the part's cell is missing or unreadable,
the cell does not run, the submission used up its time budget, the kernel could not start, the
checks or the grader itself failed). Wrong answers are not problems: they are scored. The bar
counts submissions with problems in its label (``problems=3``); their reports say why.
"""

from __future__ import annotations

from typing import Self, TextIO

from tqdm import tqdm

from autograder.grading.scoring import StudentGrade
from autograder.outputs.reports import number


def problem_parts(grade: StudentGrade) -> list[str]:
    """The parts of ``grade`` the grader could not score by their checks."""
    return [part.name for part in grade.parts if part.problem]


def student_line(grade: StudentGrade) -> str:
    """One line per graded student, e.g. ``ada: 87.5/100 (6.1 s)``, naming the parts with problems."""
    line = f"{grade.student_id}: {number(grade.score)}/{number(grade.max_score)} ({grade.seconds:.1f} s)"
    problems = problem_parts(grade)
    return f"{line}, problems in {', '.join(problems)}" if problems else line


class GradeProgress:
    """A progress bar fed one StudentGrade at a time, as each is graded.

    An instance is the ``progress`` callback of grading.grade_run (and grade_all), and its
    ``plan`` method grade_run's ``planned`` callback (the number of submissions it will grade,
    once stored grades are reused)::

        with GradeProgress(lines=sys.stdout) as bar:
            grade_run(submissions, out, progress=bar, planned=bar.plan)

    file: where the bar is drawn (stderr by default). lines: a stream that also gets one
    student_line per student, written above the bar (tqdm.write), or None. disable: None hides
    the bar when ``file`` is not a terminal (a log then gets only the lines). The rate is the
    average over the run (completions come in bursts when several workers grade).
    """

    def __init__(self, total: int | None = None, *, file: TextIO | None = None, lines: TextIO | None = None,
                 disable: bool | None = None):
        self.problems = 0
        self.lines = lines
        self.bar = tqdm(total=total, desc="grading", unit="student", file=file, disable=disable,
                        smoothing=0, dynamic_ncols=True, postfix="problems=0")

    def plan(self, total: int) -> None:
        """Set the number of submissions to grade (before the first one is reported)."""
        self.bar.reset(total=total)

    def __call__(self, grade: StudentGrade) -> None:
        if problem_parts(grade):
            self.problems += 1
        if self.lines is not None:
            self.bar.write(student_line(grade), file=self.lines)
        self.bar.set_postfix_str(f"problems={self.problems}", refresh=False)
        self.bar.update()

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
