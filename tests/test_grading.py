"""End-to-end grading of whole submissions in real kernels.

These are the verdicts instructors must be able to defend: the reference and an independent
correct solution get full marks, the untouched release gets 0, a bug costs only its part, and
a submission that hangs, crashes or cannot be read gets zeros with reasons while the rest of
the batch is graded as if alone.
"""

import csv
import dataclasses
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.checks import Status
from autograder.cli import main as cli_main
from linear import PARTLY_WRONG
from autograder.grading.executors import grade_all
from autograder.layout import submission_folder
from linear import ASSIGNMENT, SOLUTIONS
from autograder.parts import load_parts
from autograder.outputs.reports import number, student_report

PARTS = {p.name: p.points for p in load_parts(SOLUTIONS)}


def by_part(grade):
    return {p.name: p.points for p in grade.parts}


def test_every_part_of_the_untouched_release_scores_zero_with_a_reason(submissions):
    # (Full marks for the reference and for independent solutions: see the corpus test.)
    submissions("release")
    (release,) = grade_all(submissions.root)
    assert release.score == 0 and release.max_score == sum(PARTS.values())
    for part in release.parts:  # one reason per part, said once, no dangling colon
        assert part.problem == f"{part.name} is not implemented yet (it raises NotImplementedError).", part.problem
        assert part.checks == [] and part.verdict is Status.NOT_IMPLEMENTED


def test_a_bug_costs_only_its_part(submissions):
    submissions("partly_wrong", {"svm_loss_vectorized": PARTLY_WRONG["svm_loss_vectorized"]}, base=SOLUTIONS)
    (grade,) = grade_all(submissions.root)
    scores = by_part(grade)
    assert scores["svm_loss_vectorized"] < PARTS["svm_loss_vectorized"]
    assert {k: v for k, v in scores.items() if k != "svm_loss_vectorized"} == \
        {k: v for k, v in PARTS.items() if k != "svm_loss_vectorized"}
    report = student_report(grade)
    assert "✗ loss on random inputs of several shapes, reg = 0" in report
    assert "The loss is N times too large: average the data loss over the N examples." in report


HANGS = "def svm_loss_naive(W, X, y, reg):\n    while True:\n        pass\n"
CRASHES = "def softmax_loss_naive(W, X, y, reg):\n    import os\n    os._exit(1)\n"
BROKEN = "def rel_error(x, y):\n    return x - y)\n"


@pytest.mark.slow
def test_hangs_crashes_and_broken_cells_cost_only_their_parts(submissions):
    folder = submissions("faulty", {"svm_loss_naive": HANGS, "softmax_loss_naive": CRASHES, "rel_error": BROKEN},
                         base=SOLUTIONS)
    nb_path = next(folder.glob("*.ipynb"))
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "grad_check_sparse"]
    nbformat.write(nb, nb_path)
    unreadable = submissions("unreadable")
    next(unreadable.glob("*.ipynb")).write_text("{ this is not json")
    submissions("reference", base=SOLUTIONS)

    grades = {g.student_id: g for g in grade_all(submissions.root, timeout=3)}
    faulty = {p.name: p for p in grades["faulty"].parts}
    affected = {"svm_loss_naive", "softmax_loss_naive", "rel_error", "grad_check_sparse"}
    for name in affected:
        assert faulty[name].points == 0, name
    assert "SyntaxError" in faulty["rel_error"].problem
    assert "no cell that defines grad_check_sparse" in faulty["grad_check_sparse"].problem
    assert "time limit" in student_report(grades["faulty"]).split("svm_loss_naive:")[1].split("\n\n")[0]
    assert "crashed the kernel" in student_report(grades["faulty"]).split("softmax_loss_naive:")[1].split("\n\n")[0]
    assert Status.TIMED_OUT in {c.status for c in faulty["svm_loss_naive"].checks}  # as data, not read from the words
    assert faulty["rel_error"].verdict is faulty["grad_check_sparse"].verdict is Status.NOT_GRADED
    assert {faulty[name].verdict for name in set(PARTS) - affected} == {Status.PASSED}
    for name in set(PARTS) - affected:
        assert faulty[name].points == PARTS[name], (name, student_report(grades["faulty"]))
    assert grades["unreadable"].score == 0  # the reason is said once, and every part points to it
    report = student_report(grades["unreadable"])
    assert report.count("could not be read as a notebook") == 1, report
    assert all(p.problem == "not graded: see the note at the top" for p in grades["unreadable"].parts)
    assert by_part(grades["reference"]) == PARTS


def test_grading_twice_gives_identical_reports(submissions):
    submissions("partly_wrong", {"svm_loss_vectorized": PARTLY_WRONG["svm_loss_vectorized"]}, base=SOLUTIONS)
    first = [student_report(g) for g in grade_all(submissions.root)]
    second = [student_report(g) for g in grade_all(submissions.root)]
    assert first == second


@pytest.mark.slow
def test_cli_writes_grades_csv_and_regrades_one_student(submissions, tmp_path, capsys):
    submissions("alice", base=SOLUTIONS)
    submissions("bob")
    out = tmp_path / "out"
    assert cli_main(["grade", str(submissions.root), "--out", str(out)]) == 0
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert list(rows[0]) == ["student_id", "score", "max_score", *PARTS]
    assert [(r["student_id"], float(r["score"])) for r in rows] == [("alice", sum(PARTS.values())), ("bob", 0.0)]
    assert (out / "reports" / "bob.txt").read_text().startswith("Student: bob")

    # Bob fixes his work; regrading only bob changes only bob's row.
    for nb in submission_folder(submissions.root, "bob", ASSIGNMENT).glob("*.ipynb"):
        nb.write_bytes((SOLUTIONS / nb.name).read_bytes())
    alice_before = (out / "reports" / "alice.txt").read_text()
    assert cli_main(["grade", str(submissions.root), "--out", str(out), "--student", "bob"]) == 0
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [(r["student_id"], float(r["score"])) for r in rows] == [("alice", sum(PARTS.values())), ("bob", sum(PARTS.values()))]
    assert (out / "reports" / "alice.txt").read_text() == alice_before


def test_cli_reports_a_missing_folder_clearly(tmp_path, capsys):
    assert cli_main(["grade", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
    assert "no submissions folder" in capsys.readouterr().err


def test_a_submission_over_its_time_budget_gets_zero_for_the_parts_not_yet_checked(submissions):
    from autograder.grading.submission import grade_submission
    from autograder.intake import find_submissions

    submissions("slow", base=SOLUTIONS)
    (submission,) = find_submissions(submissions.root, ASSIGNMENT)
    grade = grade_submission(submission, budget=0.0)
    assert grade.score == 0
    assert all("time budget of 0 s" in p.problem and p.verdict is Status.TIMED_OUT for p in grade.parts)


NOTHING_COMPUTED = {  # grad_check_sparse bodies that compute no relative error at all
    "inf": "def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):\n    return np.full(num_checks, np.inf)\n",
    "nan": "def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):\n    return np.full(num_checks, np.nan)\n",
    "zeros": "def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):\n    return np.zeros(num_checks)\n",
}


@pytest.mark.slow
def test_a_grad_check_sparse_that_computes_nothing_scores_zero(submissions):
    for name, body in NOTHING_COMPUTED.items():
        submissions(name, {"grad_check_sparse": body}, base=SOLUTIONS)
    for grade in grade_all(submissions.root):
        assert by_part(grade)["grad_check_sparse"] == 0, (grade.student_id, student_report(grade))
        assert by_part(grade)["eval_numerical_gradient"] == PARTS["eval_numerical_gradient"]


def _reference_classifier(old: str, new: str) -> str:
    (cell,) = [c.source for c in nbformat.read(SOLUTIONS / "linear_classifiers.ipynb", as_version=4).cells
               if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "LinearClassifier"]
    assert old in cell
    return cell.replace(old, new)


ONE_SLIP = {  # (the slip, the one check of LinearClassifier it must cost)
    "argmin": (_reference_classifier("y_pred = np.argmax(X.dot(self.W), axis=1)", "y_pred = np.argmin(X.dot(self.W), axis=1)"),
               "predict"),
    "loss_twice": (_reference_classifier("            loss_history.append(loss)\n",
                                         "            loss_history.append(loss)\n"
                                         "            loss_history.append(self.loss(X_batch, y_batch, reg)[0])\n"),
                   "history"),
}


def test_one_slip_in_linear_classifier_costs_one_check(submissions):
    for name, (cell, _) in ONE_SLIP.items():
        submissions(name, {"LinearClassifier": cell}, base=SOLUTIONS)
    for grade in grade_all(submissions.root):
        (part,) = [p for p in grade.parts if p.name == "LinearClassifier"]
        failed = [c.id for c in part.checks if not c.passed]
        assert failed == [ONE_SLIP[grade.student_id][1]], (grade.student_id, student_report(grade))


def test_a_part_without_checks_stops_the_run_before_anyone_is_graded(submissions, monkeypatch, capsys):
    from autograder import checks

    submissions("someone", base=SOLUTIONS)
    package = checks.grading_package(SOLUTIONS).__name__
    monkeypatch.delitem(checks.REGISTRY[package], "svm_loss_naive")  # as if its @checks_for were gone
    with pytest.raises(checks.ChecksMismatch, match="parts without checks: svm_loss_naive"):
        grade_all(submissions.root)
    assert cli_main(["grade", str(submissions.root), "--out", str(submissions.root.parent / "out")]) == 2
    assert "parts without checks: svm_loss_naive" in capsys.readouterr().err
    assert not (submissions.root.parent / "out" / "grades.csv").exists()


def test_a_wrong_gradient_while_timed_is_called_a_wrong_gradient(submissions):
    # Right on every input the other checks use, wrong only on the timing shape (N=1000, D=10).
    (cell,) = [c.source for c in nbformat.read(SOLUTIONS / "linear_classifiers.ipynb", as_version=4).cells
               if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "softmax_loss_vectorized"]
    assert cell.rstrip().endswith("return loss, dW")
    cell = cell.rstrip()[:-len("dW")] + "dW * (1.5 if X.shape == (1000, 10) else 1.0)\n"
    submissions("timed", {"softmax_loss_vectorized": cell}, base=SOLUTIONS)
    (grade,) = grade_all(submissions.root)
    (part,) = [p for p in grade.parts if p.name == "softmax_loss_vectorized"]
    failed = {c.id: c.message for c in part.checks if not c.passed}
    assert list(failed) == ["speed"], student_report(grade)
    assert "did not compute correct results" in failed["speed"] and "dW[" in failed["speed"], failed
    assert "50% too large" in failed["speed"], failed


def test_a_grader_whose_kernels_cannot_start_stops_before_grading_anyone(submissions, monkeypatch, tmp_path, capsys):
    import json

    from autograder.sandbox import preflight
    from autograder.sandbox import kernel as sandbox

    submissions("someone", base=SOLUTIONS)
    spec = tmp_path / "kernels"
    (spec / sandbox.KERNEL_NAME).mkdir(parents=True)
    (spec / sandbox.KERNEL_NAME / "kernel.json").write_text(json.dumps(
        {"argv": [str(tmp_path / "no-such-python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "broken", "language": "python"}))
    monkeypatch.setattr(sandbox, "_kernel_spec_dir", lambda: spec)
    monkeypatch.setattr(preflight, "_checked", None)
    out = submissions.root.parent / "out"
    assert cli_main(["grade", str(submissions.root), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "student kernels cannot start" in err and "nobody was graded" in err, err
    assert not (out / "grades.csv").exists() and not list(out.glob("results/*.json"))


def test_a_grade_the_grader_failed_to_make_is_made_by_the_next_run(submissions, monkeypatch, tmp_path):
    from autograder.grading import submission as grading
    from autograder.outputs.run import grade_run
    from autograder.grading.scoring import GRADER_FAILED

    submissions("unlucky", base=SOLUTIONS)
    out = tmp_path / "out"
    real = grading.grade_submission

    def broken(*args, **kwargs):
        raise MemoryError("the worker ran out of memory")

    monkeypatch.setattr(grading, "grade_submission", broken)
    (first,) = grade_run(submissions.root, out)
    assert first.score == 0 and GRADER_FAILED in first.parts[0].problem and first.parts[0].verdict is Status.GRADER_FAILED
    assert first.grader_failed
    monkeypatch.setattr(grading, "grade_submission", real)
    (second,) = grade_run(submissions.root, out)  # not kept: graded again
    assert second.score == second.max_score, student_report(second)


@pytest.mark.slow
def test_a_slow_call_cannot_overrun_the_time_budget(submissions):
    from autograder.grading.submission import grade_submission
    from autograder.intake import find_submissions

    sleeper = "def rel_error(x, y):\n    import time\n    time.sleep(60)\n    return 0.0\n"
    submissions("sleepy", {"rel_error": sleeper}, base=SOLUTIONS)
    (submission,) = find_submissions(submissions.root, ASSIGNMENT)
    grade = grade_submission(submission, budget=8.0, timeout=40.0)
    assert grade.seconds < 16, grade.seconds  # the budget, a kernel restart and some slack; not 40 s
    report = student_report(grade)
    assert "time budget" in report and grade.score < 10, report


# -- what a run says, and its exit status ------------------------------------------------------

def test_a_submissions_folder_that_is_empty_or_one_students_is_refused_with_what_to_pass(tmp_path, capsys):
    empty = tmp_path / "submitted"
    empty.mkdir()
    assert cli_main(["grade", str(empty), "--out", str(tmp_path / "out")]) == 2
    assert "holds no student folder" in capsys.readouterr().err
    one = tmp_path / "submitted" / "alice"
    (one / "linear_classifiers").mkdir(parents=True)
    (one / "linear_classifiers" / "linear_classifiers.ipynb").write_bytes(next(SOLUTIONS.glob("*.ipynb")).read_bytes())
    assert cli_main(["grade", str(one), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "looks like one student's folder" in err and str(one.parent) in err, err
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_odd_hand_ins_are_said_once_and_counted_in_the_summary(submissions, tmp_path, capsys):
    import shutil

    submissions("honest", base=SOLUTIONS)
    copy = submissions("kept_a_copy")  # the untouched original, and the work in a copy beside it
    shutil.copy(next(SOLUTIONS.glob("*.ipynb")), copy / "linear_classifiers-Copy1.ipynb")
    other = submissions("other_assignment")  # another course notebook, under this one's name
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def knn(X):\n    return X\n")])
    nbformat.write(nb, next(other.glob("*.ipynb")))
    zipped = submissions("zipped", base=SOLUTIONS)  # the hand-in `python -m selfcheck collect` writes: nothing odd
    notebook = next(zipped.glob("*.ipynb"))
    with zipfile.ZipFile(zipped / "linear_classifiers_submission.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(notebook, arcname=notebook.name)
    notebook.unlink()
    out = tmp_path / "out"
    assert cli_main(["grade", str(submissions.root), "--out", str(out)]) == 0
    printed = capsys.readouterr()
    kept = (out / "reports" / "kept_a_copy.txt").read_text()
    total = number(sum(p.points for p in load_parts(SOLUTIONS)))
    assert f"Score: 0 / {total}" in kept and "also holds linear_classifiers/linear_classifiers-Copy1.ipynb" in kept, kept
    wrong = (out / "reports" / "other_assignment.txt").read_text()
    assert wrong.count("is not this assignment's notebook") == 1 and "has no cell that defines" not in wrong, wrong
    assert f"Score: {total} / {total}" in (out / "reports" / "zipped.txt").read_text()
    summary = printed.out.strip().splitlines()[-1]
    assert summary.startswith("4 of 4 submissions graded; 2 with a problem or note"), summary
    assert "kept_a_copy" in summary and "other_assignment" in summary and "honest" not in summary
    assert "zipped" not in summary and "Notes on your submission" not in (out / "feedback" / "zipped.html").read_text()
    assert "sandbox: confined" in printed.err or "sandbox: not confined" in printed.err, printed.err


@pytest.mark.slow
def test_the_exit_status_says_whether_some_or_no_submission_could_be_graded(submissions, monkeypatch, tmp_path, capsys):
    from autograder.grading import submission as grading  # what grade_safely calls, in every executor

    submissions("lucky", base=SOLUTIONS)
    submissions("unlucky", base=SOLUTIONS)
    real = grading.grade_submission

    def fails_for(*names):
        def grade(submission, **options):
            if submission.student_id in names:
                raise MemoryError("the worker ran out of memory")
            return real(submission, **options)
        return grade

    monkeypatch.setattr(grading, "grade_submission", fails_for("unlucky"))
    assert cli_main(["grade", str(submissions.root), "--out", str(tmp_path / "a")]) == 1
    assert "1 could not be graded" in capsys.readouterr().out
    monkeypatch.setattr(grading, "grade_submission", fails_for("lucky", "unlucky"))
    assert cli_main(["grade", str(submissions.root), "--out", str(tmp_path / "b")]) == 2
    monkeypatch.setattr(grading, "grade_submission", real)
    assert cli_main(["grade", str(submissions.root), "--out", str(tmp_path / "b")]) == 0  # the rerun grades them
    assert "2 of 2 submissions graded" in capsys.readouterr().out


@pytest.mark.slow
def test_a_run_leaves_no_folder_behind_in_the_temporary_folder(submissions, tmp_path):
    import os
    import subprocess
    import sys

    from autograder.layout import ROOT

    submissions("someone", base=SOLUTIONS)
    temporary = tmp_path / "tmp"  # the runs' own temporary folder: what runs beside this test leaves its own
    temporary.mkdir()
    for _ in range(2):  # each run is a fresh process, as an instructor's are
        subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions.root), "--out",
                        str(tmp_path / "out"), "--regrade"], cwd=ROOT, check=True, capture_output=True,
                       env=dict(os.environ, TMPDIR=str(temporary)))
    left = list(temporary.iterdir())
    assert len(left) <= 1 and all(p.name.startswith("autograder-kernelspec-") for p in left), left  # one, shared


@pytest.mark.slow
def test_the_next_submissions_kernel_starts_beside_the_current_ones_checks_and_none_is_left(submissions, monkeypatch):
    import threading

    from autograder.grading import submission as one

    started, closed = [], []
    real_enter, real_exit = one.Sandbox.__enter__, one.Sandbox.__exit__

    def enter(box):
        started.append(threading.current_thread().name)
        return real_enter(box)

    def exit_(box, *exc):
        closed.append(box)
        return real_exit(box, *exc)

    monkeypatch.setattr(one.Sandbox, "__enter__", enter)
    monkeypatch.setattr(one.Sandbox, "__exit__", exit_)
    for student in ("first", "second", "third"):
        submissions(student, base=SOLUTIONS)
    grades = grade_all(submissions.root)  # in this process, one after the other
    assert [g.score for g in grades] == [sum(PARTS.values())] * 3
    # the first kernel is started ahead while the sandbox is probed, the next two beside the checks of the one before
    assert [s for s in started if s != "MainThread"] == ["spare-kernel"] * 3, started
    assert started.count("MainThread") <= 1, started  # the preflight's (once per process)
    assert len(closed) == len(started) and one.SPARE.thread is None and one.ahead is False  # nothing started for nobody


def test_grades_stored_before_statuses_load_with_their_statuses():
    """A results/<id>.json written by an earlier version (no status fields) loads with the status
    each part and check had: a grade the grader failed on is still regraded, a withheld check is
    still not awarded."""
    from autograder.grading.scoring import GRADER_FAILED, StudentGrade

    check = {"id": "speed", "title": "fast", "weight": 2.0, "passed": False, "message": "not awarded: see above", "slip": ""}
    stored = {"student_id": "s", "seed": 1, "notes": [], "seconds": 1.0, "parts": [
        {"name": "a", "max_points": 3, "checks": [check, dict(check, id="loss", passed=True, message="")], "problem": ""},
        {"name": "b", "max_points": 3, "checks": [], "problem": f"{GRADER_FAILED} (MemoryError: x); ask for a regrade"},
        {"name": "c", "max_points": 3, "checks": [], "problem": "c is not implemented yet (it raises NotImplementedError)."},
        {"name": "d", "max_points": 3, "checks": [], "problem": "the cell defining d does not run: NameError"}]}
    grade = StudentGrade.from_dict(stored)
    a, b, c, d = grade.parts
    assert [check.status for check in a.checks] == [Status.NOT_AWARDED, Status.PASSED] and a.verdict is Status.FAILED
    assert (b.verdict, c.verdict, d.verdict) == (Status.GRADER_FAILED, Status.NOT_IMPLEMENTED, Status.NOT_GRADED)
    assert grade.grader_failed and grade.score == 1.5  # part a: 3 points, half its weight passed
    again = StudentGrade.from_dict(json.loads(json.dumps(dataclasses.asdict(grade))))  # as stored now
    assert [p.verdict for p in again.parts] == [p.verdict for p in grade.parts]
    assert [c.status for c in again.parts[0].checks] == [Status.NOT_AWARDED, Status.PASSED]
