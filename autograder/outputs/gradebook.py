"""Gradebook: the kit's grades written into nbgrader's gradebook database (SQLite, PostgreSQL,
any SQLAlchemy URL), so that ``nbgrader export`` and the formgrader show them next to the
written answers graded by hand.

nbgrader itself defines the assignment in the database: generate_assignment on the source
notebooks, in a throwaway course directory, as release.py does (notebooks, grade cells with
their points, solution and source cells). Then, for each student, nbgrader's Gradebook API: the
student, their submission (one Grade row per grade cell), and on each part's check cell
``test_<part>`` an auto_score of the points the kit gave that part. The written answers' Grade
rows are left to the graders (needs_manual_grade). Exporting again updates the same rows: a
score a grader typed in the formgrader is kept, and a check cell whose auto_score changed
under a grader's score is flagged for review again.

With a course directory, each student's notebooks are also placed where the formgrader reads
them, COURSE/autograded/<student>/<assignment>/<notebook>.ipynb with the submission's
timestamp.txt beside them: the notebook grading read (found by intake, also when handed in
renamed or inside a zip), under the assignment's notebook name, sanitized as ``nbgrader
autograde`` sanitizes them (DeduplicateIds, OverwriteCells: grade cells' points and locked
cells restored from the gradebook, deleted grade cells added back) but not executed: the kit
never runs student code outside its sandbox, and the outputs stay those the student saved. A
notebook a student did not hand in (or that cannot be read) has nothing to grade by hand: as
``nbgrader autograde`` does, its written answers get 0 and wait for no grader.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from autograder.assignments import of_source
from autograder.intake import NOTEBOOK_LIMIT, Submission, handed_in
from autograder.layout import command, submission_folder
from autograder.parts import load_parts
from autograder.grading.store import write_atomic
from autograder.grading.scoring import StudentGrade
from autograder.outputs.reports import number

#: nbgrader's own default; the course row assignments must point to (PostgreSQL enforces it).
COURSE_ID = "default_course"


class GradebookError(RuntimeError):
    """The grades cannot be written into the gradebook as they are; the message says why."""


@dataclasses.dataclass
class HandGraded:
    """What graders entered in the gradebook for one student: the written answers' points, their
    maximum, how many still wait for a grader, and scores a grader gave an auto-graded part in
    place of the kit's ({part name: points})."""

    points: float = 0.0
    max_points: float = 0.0
    pending: int = 0
    overrides: dict = dataclasses.field(default_factory=dict)


def hand_graded(db_url: str, source: Path, students: list[str]) -> dict[str, HandGraded]:
    """{student_id: HandGraded} for ``students``, read from the gradebook at ``db_url``. The
    written answers are the assignment's graded cells that are no part's check cell; a student
    the gradebook has no submission of gets 0 points for them, all pending."""
    from nbgrader.api import Gradebook, MissingEntry

    assignment_id = of_source(source).id
    checks = {f"test_{part.name}": part.name for part in load_parts(source)}
    with Gradebook(db_url, COURSE_ID) as gradebook:
        try:
            assignment = gradebook.find_assignment(assignment_id)
        except MissingEntry:
            raise GradebookError(f"the gradebook has no assignment {assignment_id}: run `{command('gradebook')}` "
                                 "first, then grade the written answers in the formgrader") from None
        written = [cell for notebook in assignment.notebooks for cell in notebook.grade_cells if cell.name not in checks]
        found = {}
        for student in students:
            entry = HandGraded(max_points=sum(cell.max_score for cell in written), pending=len(written))
            try:
                submission = gradebook.find_submission(assignment_id, student)
            except MissingEntry:
                found[student] = entry
                continue
            entry.pending = 0
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name in checks:
                        if grade.manual_score is not None:
                            entry.overrides[checks[grade.name]] = float(grade.manual_score)
                    elif grade.manual_score is None and grade.needs_manual_grade:
                        entry.pending += 1
                    else:
                        entry.points += float(grade.score)
            found[student] = entry
    return found


def define_assignment(db_url: str, source: Path) -> None:
    """Create or update the assignment, its notebooks and cells in the database, with nbgrader's
    generate_assignment on the source notebooks."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    from autograder.layout import alembic_on_path

    alembic_on_path()
    assignment_id = of_source(source).id
    with Gradebook(db_url, COURSE_ID):  # creates it if need be; a database that cannot be reached fails here, briefly
        pass
    with tempfile.TemporaryDirectory(prefix="autograder-gradebook-") as course:
        (Path(course) / "source" / assignment_id).mkdir(parents=True)
        for notebook in sorted(Path(source).glob("*.ipynb")):
            shutil.copy2(notebook, Path(course) / "source" / assignment_id / notebook.name)
        config = Config()
        config.CourseDirectory.root = course
        config.CourseDirectory.db_url = db_url
        config.CourseDirectory.course_id = COURSE_ID
        config.Application.log_level = "WARN"
        result = NbGraderAPI(config=config).generate_assignment(assignment_id, force=True, create=True)
    if not result.get("success"):
        causes = [line.strip() for line in f"{result.get('log', '')}\n{result.get('error', '')}".splitlines()
                  if re.match(r"\s*[\w.]+(Error|Exception): ", line)]
        raise GradebookError(f"nbgrader generate_assignment could not define {assignment_id} in the gradebook: "
                             f"{causes[0] if causes else result.get('log', '')}")


def record_grades(grades: list[StudentGrade], db_url: str, *, submissions: Path | None = None,
                  source: Path) -> None:
    """Each student's submission and the auto_score of each part's check cell ``test_<part>``.
    With ``submissions``, a submission's time is read from its timestamp.txt, as nbgrader does,
    and a notebook the student did not hand in (or that cannot be read) has every other grade
    cell set to 0, needing no manual grade, as ``nbgrader autograde`` sets a missing notebook's."""
    from nbgrader.api import Gradebook

    notebook_of = {part.name: Path(part.notebook).stem for part in load_parts(source)}
    assignment_id = of_source(source).id
    with Gradebook(db_url, COURSE_ID) as gradebook:
        for grade in grades:
            gradebook.update_or_create_student(grade.student_id)
            timestamp = _timestamp(submission_folder(submissions, grade.student_id, assignment_id)) if submissions else None
            # nbgrader's add_submission builds the submission's rows, then adds them: loading the
            # assignment's notebooks and cells on the way would autoflush rows not yet added
            # (SQLAlchemy's SAWarning "not in session, add operation ... will not proceed").
            with gradebook.db.no_autoflush:
                gradebook.update_or_create_submission(assignment_id, grade.student_id,
                                                      **({"timestamp": timestamp} if timestamp else {}))
            for part in grade.parts:
                if part.name not in notebook_of:
                    raise GradebookError(f"{grade.student_id} has a score for {part.name}, which the source "
                                         f"notebooks no longer hold: grade again before exporting")
                cell = gradebook.find_grade(f"test_{part.name}", notebook_of[part.name], assignment_id, grade.student_id)
                if cell.max_score != part.max_points:
                    raise GradebookError(f"{grade.student_id}'s {part.name} was graded out of {number(part.max_points)} "
                                         f"but is worth {number(cell.max_score)} in the gradebook: grade again before "
                                         "exporting")
                changed = cell.auto_score != part.points
                cell.auto_score = part.points
                if cell.manual_score is None:
                    cell.needs_manual_grade = False
                elif changed:  # a grader overrode an older score: have them look again
                    cell.needs_manual_grade = True
            checks = {f"test_{name}" for name in notebook_of}
            for name, found in (handed_in_notebooks(submissions, grade.student_id, source).items() if submissions else ()):
                missing = isinstance(found, str)  # nothing the formgrader could show: nothing to grade by hand
                for cell in gradebook.find_submission_notebook(Path(name).stem, assignment_id, grade.student_id).grades:
                    if cell.name not in checks and cell.manual_score is None:
                        cell.auto_score, cell.needs_manual_grade = (0.0, False) if missing else (None, True)
            gradebook.db.commit()


def handed_in_notebooks(submissions: Path, student_id: str, source: Path) -> dict:
    """{notebook name: the notebook grading read for it, as a NotebookNode, or (a str) why there
    is none}: each of the assignment's notebooks as intake finds it (at its place, renamed, or
    inside a zip)."""
    assignment_id = of_source(source).id
    names = sorted(p.name for p in Path(source).glob("*.ipynb"))
    read = {}
    with handed_in(Submission(student_id, submission_folder(submissions, student_id, assignment_id)), names) as (found, _):
        for name, path in found.items():
            if path is None:
                read[name] = "it was not handed in"
            elif path.stat().st_size > NOTEBOOK_LIMIT:
                read[name] = f"it is over the {NOTEBOOK_LIMIT // 1024**2} MB grading reads"
            else:
                try:
                    read[name] = nbformat.read(path, as_version=4)
                except Exception as exc:  # unreadable: intake said so in the report
                    read[name] = f"it could not be read as a notebook ({type(exc).__name__})"
    return read


def _timestamp(folder: Path):
    """The time in the submission's timestamp.txt (nbgrader's submit writes it), or None."""
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    text = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
    try:
        return parse_utc(text) if text else None
    except ValueError:
        raise GradebookError(f"{path} does not hold a time ({text[:40]!r})") from None


def place_notebooks(grades: list[StudentGrade], db_url: str, course: Path, submissions: Path,
                    source: Path) -> list[str]:
    """Put each student's notebooks, as grading read them, where the formgrader reads them, under
    the assignment's notebook names, sanitized with nbgrader's own preprocessors, and their
    timestamp.txt beside them; return a note per notebook that could not be placed."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import DeduplicateIds, OverwriteCells

    coursedir = CourseDirectory(root=str(Path(course).resolve()))
    assignment_id = of_source(source).id
    notes = []
    for grade in grades:
        handed_in_folder = submission_folder(submissions, grade.student_id, assignment_id)
        target = Path(coursedir.format_path(coursedir.autograded_directory, grade.student_id, assignment_id))
        target.mkdir(parents=True, exist_ok=True)  # the formgrader counts a submission autograded once it exists
        for name, nb in handed_in_notebooks(submissions, grade.student_id, source).items():
            if isinstance(nb, str):
                notes.append(f"{grade.student_id}: {name} was not placed for the formgrader: {nb}; "
                             "its written answers count 0 and wait for no grader")
                (target / name).unlink(missing_ok=True)  # placed by an earlier export: no longer what was graded
                continue
            resources = {"nbgrader": {"notebook": Path(name).stem, "assignment": assignment_id, "db_url": db_url}}
            for preprocessor in (DeduplicateIds(), OverwriteCells(add_missing_cells=True)):
                nb, resources = preprocessor.preprocess(nb, resources)
            write_atomic(target / name, nbformat.writes(nb))
        if (handed_in_folder / "timestamp.txt").is_file():
            shutil.copy2(handed_in_folder / "timestamp.txt", target / "timestamp.txt")
        else:
            (target / "timestamp.txt").unlink(missing_ok=True)
    return notes


def export_grades(grades: list[StudentGrade], db_url: str, *, course: Path | None = None,
                  submissions: Path | None = None, source: Path) -> list[str]:
    """Write ``grades`` into the gradebook at ``db_url``; with ``course``, also place the
    notebooks from ``submissions`` (default COURSE/submitted) for the formgrader. Returns notes."""
    if course is not None:
        Path(course).mkdir(parents=True, exist_ok=True)
        submissions = Path(course) / "submitted" if submissions is None else submissions
    if submissions is not None and not Path(submissions).is_dir():
        raise FileNotFoundError(f"no submissions folder at {submissions} (give the folder with --submissions)")
    define_assignment(db_url, source)
    record_grades(grades, db_url, submissions=submissions, source=source)
    return place_notebooks(grades, db_url, course, submissions, source) if course is not None else []


def main(*, out: Path, db_url: str | None = None, course: Path | None = None, submissions: Path | None = None,
         assignment: str | None = None, seed: int = 0, base_seed: int | None = None) -> int:
    """``python -m autograder gradebook OUT --db URL [--course DIR] [--submissions DIR]``: the
    grades stored in OUT for the submissions as they are now (graded with ``seed``), into the
    gradebook. Exit 1 (nothing written) when a submission has no current grade in OUT."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from autograder.intake import assignment_of
    from autograder.grading.store import OutputFolder, stored_grades
    from autograder.intake import find_submissions

    if db_url is None:
        if course is None:
            print("error: give the gradebook's --db URL, or the --course whose gradebook.db to use", file=sys.stderr)
            return 2
        db_url = f"sqlite:///{Path(course).resolve() / 'gradebook.db'}"
    if submissions is None and course is None:
        print("error: give the graded --submissions folder (or the --course whose submitted/ it is): each stored "
              "grade is checked against the submission as it is now", file=sys.stderr)
        return 2
    try:
        shown = make_url(db_url).render_as_string(hide_password=True)
    except SQLAlchemyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    submissions = Path(submissions) if submissions is not None else Path(course) / "submitted"
    chosen = assignment_of(submissions, assignment)
    found = find_submissions(submissions, chosen.id)
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
    try:
        notes = export_grades(grades, db_url, course=course, submissions=submissions, source=chosen.source)
    except GradebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"error: cannot write into the gradebook at {shown}: {exc}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:  # the database's driver
        print(f"error: cannot open the gradebook at {shown}: {exc} (PostgreSQL needs psycopg2-binary)", file=sys.stderr)
        return 1
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    print(f"wrote the grades of {len(grades)} student(s) into {shown} (assignment {chosen.id}); "
          f"the written answers wait in the formgrader for manual grading")
    return 0
