"""The grade run's progress bar: done/total, the rate, and the submissions with problems."""

import io

from autograder.checks import CheckResult
from autograder.outputs.progress import GradeProgress
from autograder.grading.scoring import PartResult, StudentGrade


def grade(student_id, *problems, passed=True):
    """A grade with a scored part (passed or not) and one part per problem."""
    parts = [PartResult("svm_loss_naive", 10, [CheckResult("loss", "the loss", 1, passed)])]
    parts += [PartResult(f"part{i}", 5, problem=problem) for i, problem in enumerate(problems)]
    return StudentGrade(student_id, 0, parts, seconds=2.0)


def test_the_bar_counts_submissions_with_problems_not_wrong_answers():
    bar_file, lines = io.StringIO(), io.StringIO()
    with GradeProgress(file=bar_file, lines=lines, disable=False) as progress:
        progress.plan(4)
        progress(grade("ada"))
        progress(grade("bob", passed=False))  # a wrong answer is scored: not a problem
        progress(grade("cy", "the cell defining part0 does not run", "did not finish within 20 s"))
    bar = bar_file.getvalue().split("\r")[-1]
    assert "grading:" in bar and "3/4" in bar and "problems=1" in bar and "student/s" in bar
    assert progress.problems == 1
    assert lines.getvalue().splitlines() == [
        "ada: 10/10 (2.0 s)", "bob: 0/10 (2.0 s)", "cy: 10/20 (2.0 s), problems in part0, part1"]


def test_off_a_terminal_only_the_lines_are_written():
    bar_file, lines = io.StringIO(), io.StringIO()
    with GradeProgress(2, file=bar_file, lines=lines) as progress:
        progress(grade("ada", "the grader failed on this submission"))
    assert bar_file.getvalue() == "" and progress.problems == 1
    assert lines.getvalue() == "ada: 10/15 (2.0 s), problems in part0\n"
