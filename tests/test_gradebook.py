"""Grades into nbgrader's gradebook: what ``nbgrader export`` and the formgrader then show.

The kit's part scores must come out of nbgrader's own export, out of the assignment's full
points (the written answers included, graded by hand), in SQLite and in a real PostgreSQL;
exporting again must update, never duplicate, and keep what a grader typed in the formgrader.
"""

from __future__ import annotations

import csv
import functools
import zipfile
from pathlib import Path

import nbformat
import nbgrader.api
import pytest
from nbconvert.exporters import HTMLExporter
from nbgrader.api import Grade, Gradebook, SubmittedAssignment
from nbgrader.apps import NbGraderAPI
from nbgrader.plugins.export import CsvExportPlugin
from nbgrader.server_extensions.formgrader import handlers
from traitlets.config import Config

from autograder.outputs import gradebook
from autograder.checks import CheckResult
from linear import PARTLY_WRONG
from autograder.outputs.run import grade_run
from autograder.layout import submission_folder
from linear import ASSIGNMENT, RELEASE, SOLUTIONS
from autograder.parts import load_parts, nbgrader_meta
from autograder.grading.store import OutputFolder, kit_fingerprint, record_fingerprint
from autograder.outputs.reports import write_grades_csv
from autograder.intake import Submission
from autograder.authoring.corpus import write_submission
from autograder.grading.scoring import PartResult, StudentGrade
from tests.postgres_server import PostgresMissing, running_postgres, server_bin

#: nbgrader's API used as the kit uses it must not make SQLAlchemy warn (each SAWarning fails the test).
pytestmark = pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")

PARTS = {p.name: p.points for p in load_parts(SOLUTIONS)}
NOTEBOOK = "linear_classifiers"
WRITTEN = {"inline_question_1": 2.0, "inline_question_2": 2.0, "inline_question_3": 2.0}
TOTAL = sum(PARTS.values())  # the parts' points, whatever parts the assignment has
MAX_SCORE = TOTAL + sum(WRITTEN.values())
#: (student, cell, score) a grader types in the formgrader
GRADERS = [("ada", "inline_question_1", 1.5), ("bob", "test_rel_error", 1.0), ("bob", "test_svm_loss_vectorized", 10.0)]


@pytest.fixture(autouse=True, scope="module")
def alembic_asked_once():
    """nbgrader asks ``alembic`` (a subprocess: seconds) for the schema version each time it
    creates a gradebook; the answer never changes, so it is asked once here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nbgrader.api, "get_alembic_version", functools.cache(nbgrader.api.get_alembic_version))
        yield


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty gradebook database: a SQLite file, or a database on a private PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gradebook.db'}"
        return
    try:
        server_bin()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    with running_postgres() as url:
        yield url


def made_up_grade(student_id: str, failed: dict) -> StudentGrade:
    """Two checks of equal weight per part; ``failed``: {part: checks failed (0, 1 or 2)}."""
    parts = [PartResult(name, points, [CheckResult(f"check-{k}", f"check {k}", weight=1.0, passed=k >= failed.get(name, 0))
                                       for k in range(2)])
             for name, points in PARTS.items()]
    return StudentGrade(student_id, seed=1, parts=parts)


def save(out: Path, grades: list[StudentGrade], submitted: Path) -> None:
    """Store ``grades`` in OUT as made from the submissions in ``submitted`` as they are now."""
    folder, kit = OutputFolder(out), kit_fingerprint(SOLUTIONS)
    for grade in grades:
        submission = Submission(grade.student_id, submission_folder(submitted, grade.student_id, ASSIGNMENT))
        folder.save(grade, record_fingerprint(submission, 0, kit))
    write_grades_csv(grades, out)


def exported(db_url: str, path: Path) -> dict:
    """{student: (score, max_score)} as ``nbgrader export`` writes them (its CSV export plugin)."""
    with Gradebook(db_url) as gb:
        CsvExportPlugin(to=str(path)).export(gb)
    with open(path, newline="") as handle:
        table = list(csv.DictReader(handle))
    assert all(row["assignment"] == ASSIGNMENT for row in table)
    return {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in table}


def rows(db_url: str) -> tuple:
    with Gradebook(db_url) as gb:
        return len(gb.students), gb.db.query(SubmittedAssignment).count(), gb.db.query(Grade).count()


def test_grades_reach_nbgrader_export_and_exporting_again_updates_them(db_url, tmp_path, submissions):
    out, root = tmp_path / "out", submissions.root
    submissions("ada"), submissions("bob")
    save(out, [made_up_grade("ada", {}), made_up_grade("bob", {"rel_error": 2, "svm_loss_vectorized": 1})], root)
    assert gradebook.main(out=out, db_url=db_url, submissions=root) == 0
    bob_score = TOTAL - PARTS["rel_error"] - PARTS["svm_loss_vectorized"] / 2
    assert exported(db_url, tmp_path / "1.csv") == {"ada": (TOTAL, MAX_SCORE), "bob": (bob_score, MAX_SCORE)}

    with Gradebook(db_url) as gb:
        for student in ("ada", "bob"):
            for name, points in WRITTEN.items():
                answer = gb.find_grade(name, NOTEBOOK, ASSIGNMENT, student)
                assert (answer.max_score, answer.needs_manual_grade, answer.score) == (points, True, 0)
            check = gb.find_grade("test_svm_loss_vectorized", NOTEBOOK, ASSIGNMENT, student)
            assert (check.auto_score, check.needs_manual_grade) == \
                (PARTS["svm_loss_vectorized"] / (2 if student == "bob" else 1), False)
        # graders in the formgrader: ada's first written answer, and two of bob's check cells
        for student, cell, score in GRADERS:
            grade = gb.find_grade(cell, NOTEBOOK, ASSIGNMENT, student)
            grade.manual_score, grade.needs_manual_grade = score, False
        gb.db.commit()
    counts = rows(db_url)
    assert counts == (2, 2, 2 * (len(PARTS) + len(WRITTEN)))

    # bob's rel_error is regraded after a fix (his svm_loss_vectorized is not); both are exported again
    save(out, [made_up_grade("ada", {}), made_up_grade("bob", {"svm_loss_vectorized": 1})], root)
    assert gradebook.main(out=out, db_url=db_url, submissions=root) == 0
    assert rows(db_url) == counts
    bob_score = TOTAL - (PARTS["rel_error"] - 1) - (PARTS["svm_loss_vectorized"] - 10)  # a grader's score wins
    assert exported(db_url, tmp_path / "2.csv") == {"ada": (TOTAL + 1.5, MAX_SCORE), "bob": (bob_score, MAX_SCORE)}
    with Gradebook(db_url) as gb:
        found = {(student, cell): gb.find_grade(cell, NOTEBOOK, ASSIGNMENT, student)
                 for student, cell, _ in [*GRADERS, ("ada", "inline_question_2", None)]}
        state = {key: (grade.manual_score, grade.needs_manual_grade) for key, grade in found.items()}
        assert gb.find_grade("test_rel_error", NOTEBOOK, ASSIGNMENT, "bob").auto_score == PARTS["rel_error"]
    assert state == {("ada", "inline_question_1"): (1.5, False),
                     ("ada", "inline_question_2"): (None, True),
                     ("bob", "test_rel_error"): (1.0, True),  # its auto_score changed under the grader's score
                     ("bob", "test_svm_loss_vectorized"): (10.0, False)}


def test_a_graded_submission_shows_in_nbgrader_export_and_the_formgrader(submissions, tmp_path):
    submissions("ada", {"svm_loss_vectorized": PARTLY_WRONG["svm_loss_vectorized"]}, base=SOLUTIONS)
    (submission_folder(submissions.root, "ada", ASSIGNMENT) / "timestamp.txt").write_text("2026-11-20 09:30:00.000000 UTC")
    out, course = tmp_path / "out", tmp_path / "course"
    (grade,) = grade_run(submissions.root, out)
    assert 0 < grade.score < TOTAL
    assert gradebook.main(out=out, course=course, submissions=submissions.root) == 0

    db_url = f"sqlite:///{course / 'gradebook.db'}"  # nbgrader's default gradebook of the course
    assert exported(db_url, tmp_path / "grades.csv") == {"ada": (grade.score, MAX_SCORE)}

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = db_url
    api = NbGraderAPI(config=config)
    (listed,) = api.get_submissions(ASSIGNMENT)
    assert (listed["student"], listed["autograded"], listed["needs_manual_grade"]) == ("ada", True, True)
    assert listed["timestamp"].startswith("2026-11-20T09:30:00")
    (notebook,) = api.get_notebook_submissions(ASSIGNMENT, NOTEBOOK)
    assert (notebook["student"], notebook["needs_manual_grade"]) == ("ada", True)

    # the page the formgrader serves for it (as its SubmissionHandler renders it)
    placed = course / "autograded" / "ada" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    assert (placed.parent / "timestamp.txt").is_file()
    page = Config()
    page.HTMLExporter.template_name = "formgrade"
    page.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    html, _ = HTMLExporter(config=page).from_filename(str(placed), resources={
        "assignment_id": ASSIGNMENT, "notebook_id": NOTEBOOK, "submission_id": notebook["id"], "index": 0,
        "total": 1, "base_url": "", "student": "ada", "last_name": None, "first_name": None,
        "notebook_path": str(placed)})
    for name in WRITTEN:
        assert f'id="{name}"' in html, f"no score box for {name}"


def test_a_grade_made_from_another_submission_is_not_written(db_url, tmp_path, submissions, capsys):
    out, root = tmp_path / "out", submissions.root
    submissions("ada"), submissions("bob")
    save(out, [made_up_grade("ada", {}), made_up_grade("bob", {})], root)
    notebook = next(submission_folder(root, "bob", ASSIGNMENT).glob("*.ipynb"))
    notebook.write_text(notebook.read_text().replace("raise NotImplementedError", "return 0  # changed after grading", 1))
    assert gradebook.main(out=out, db_url=db_url, submissions=root) == 1
    err = capsys.readouterr().err
    assert "not graded in" in err and "bob" in err and "ada" not in err, err
    assert rows(db_url) == (0, 0, 0)  # nothing written, not even ada


def test_export_with_the_gradebook_is_the_final_grade(db_url, tmp_path, submissions):
    from autograder.outputs import export

    submissions("ada", {"svm_loss_vectorized": PARTLY_WRONG["svm_loss_vectorized"]}, base=SOLUTIONS)
    (submission_folder(submissions.root, "ada", ASSIGNMENT) / "timestamp.txt").write_text("2026-11-21 09:30:00.000000 UTC")
    out = tmp_path / "out"
    (grade,) = grade_run(submissions.root, out)
    assert gradebook.main(out=out, db_url=db_url, submissions=submissions.root) == 0
    with Gradebook(db_url) as gb:  # a grader: one written answer, and an override of the kit's score of a part
        gb.find_grade("inline_question_1", NOTEBOOK, ASSIGNMENT, "ada").manual_score = 1.5
        gb.find_grade("test_svm_loss_vectorized", NOTEBOOK, ASSIGNMENT, "ada").manual_score = 12.0
        gb.db.commit()
    csv_path = tmp_path / "final.csv"
    assert export.main(submissions=submissions.root, out=out, csv_path=csv_path, gradebook_url=db_url,
                       deadline="2026-11-20T23:59:00+00:00", late_penalty="10%", percent_of="earned") == 0
    (row,) = list(csv.DictReader(open(csv_path, newline="")))
    kit_points = {p.name: p.points for p in grade.parts}
    auto = sum(kit_points.values()) - kit_points["svm_loss_vectorized"] + 12
    assert kit_points["svm_loss_vectorized"] != 12 and row["svm_loss_vectorized"] == "12"
    assert float(row["auto_score"]) == pytest.approx(auto) and float(row["manual_score"]) == 1.5
    assert row["needs_manual_grading"] == "2" and float(row["max_score"]) == MAX_SCORE
    raw = auto + 1.5
    assert float(row["raw_score"]) == pytest.approx(raw)
    assert float(row["late_penalty"]) == pytest.approx(round(0.1 * raw, 2))  # one started day, 10% of the earned score
    assert float(row["final_score"]) == pytest.approx(round(raw - round(0.1 * raw, 2), 2))


def test_zipped_renamed_blank_and_empty_hand_ins_are_placed_for_the_formgrader(tmp_path):
    """Every graded submission reaches the formgrader as nbgrader's autograde would leave it:
    COURSE/autograded/<student>/<assignment>/<assignment>.ipynb (the notebook grading read, also
    from a zip or under another name) and timestamp.txt beside it, so that the formgrader lists
    it as autograded; a student who handed in no notebook is autograded with nothing to grade by hand."""
    course, out = tmp_path / "course", tmp_path / "out"
    root = course / "submitted"
    work = {"svm_loss_vectorized": PARTLY_WRONG["svm_loss_vectorized"]}
    folders = {student: submission_folder(root, student, ASSIGNMENT) for student in ("alice", "bob", "carol", "dan")}
    for student in ("alice", "bob"):
        write_submission(root, student, work, SOLUTIONS)
    write_submission(root, "carol", {}, RELEASE)  # blank: the untouched hand-out
    folders["dan"].mkdir(parents=True)  # empty: nothing but the time of submission
    placed_name = f"{NOTEBOOK}.ipynb"
    handed = folders["alice"] / placed_name  # zipped, as the students' `python -m selfcheck collect` zips it
    with zipfile.ZipFile(folders["alice"] / f"{ASSIGNMENT}_submission.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(handed, arcname=placed_name)
    handed.unlink()
    (folders["bob"] / placed_name).rename(folders["bob"] / f"{NOTEBOOK}-Copy1.ipynb")  # renamed
    for k, folder in enumerate(folders.values()):
        (folder / "timestamp.txt").write_text(f"2026-11-20 09:3{k}:00.000000 UTC")
    grades = [made_up_grade(student, {"svm_loss_vectorized": 1} if student in ("alice", "bob") else
                            {name: 2 for name in PARTS}) for student in folders]
    save(out, grades, root)

    assert gradebook.main(out=out, course=course) == 0

    config = Config()
    config.CourseDirectory.root = str(course)
    api = NbGraderAPI(config=config)
    listed = {s["student"]: s for s in api.get_submissions(ASSIGNMENT)}
    assert {student: s["autograded"] for student, s in listed.items()} == dict.fromkeys(folders, True)
    for k, (student, folder) in enumerate(folders.items()):
        autograded = course / "autograded" / student / ASSIGNMENT
        assert (autograded / "timestamp.txt").read_text() == (folder / "timestamp.txt").read_text()
        assert listed[student]["timestamp"].startswith(f"2026-11-20T09:3{k}:00"), listed[student]
    for student in ("alice", "bob", "carol"):
        placed = nbformat.read(course / "autograded" / student / ASSIGNMENT / placed_name, as_version=4)
        cell = next(c for c in placed.cells if nbgrader_meta(c).get("grade_id") == "svm_loss_vectorized")
        assert (cell.source == PARTLY_WRONG["svm_loss_vectorized"]) == (student != "carol"), student
        assert listed[student]["needs_manual_grade"], student  # its written answers wait for a grader
    assert not list((course / "autograded" / "dan" / ASSIGNMENT).glob("*.ipynb"))
    assert not listed["dan"]["needs_manual_grade"]  # no notebook: nothing to grade by hand, as nbgrader autograde does
