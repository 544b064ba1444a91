"""A TA's changes are checked, not trusted: ``release --check`` and ``grade``'s refusal of a
stale hand-out, tried on a copy of the kit's layout (solutions/<id>/ beside assignment/<id>/)."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from autograder import assignments
from autograder.cli import EXIT_NOTHING_GRADED, main as cli_main
from autograder.parts import nbgrader_meta
from autograder.authoring.release import StaleRelease, check, release, require_fresh
from autograder.authoring.corpus import write_submission
from linear import ASSIGNMENT, RELEASE, SOLUTIONS

import new_part

#: The part these tests add (not hinge_loss_single, which tests/ta_adds_a_part.py may have added already).
PART = "hinge_loss_twice"

NOTEBOOK = f"{ASSIGNMENT}.ipynb"


@pytest.fixture
def kit(tmp_path, monkeypatch):
    """A copy of the assignment, as solutions/<id>/ and its committed hand-out assignment/<id>/,
    under tmp_path; the kit's verbs look for assignments there."""
    source = tmp_path / "solutions" / ASSIGNMENT
    shutil.copytree(SOLUTIONS, source, ignore=shutil.ignore_patterns("__pycache__", "corpus"))
    shutil.copytree(RELEASE, tmp_path / "assignment" / ASSIGNMENT)
    shutil.copy2(RELEASE.parent / f"{ASSIGNMENT}.manifest.json", tmp_path / "assignment")
    monkeypatch.setattr(assignments, "SOLUTIONS_ROOT", tmp_path / "solutions")
    return source


def edit_notebook(source, change) -> None:
    path = source / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def test_the_committed_handouts_pass_the_check_in_seconds():
    for assignment in assignments.all_assignments():
        assert check(assignment.source) == [], assignment.id


def test_a_part_added_without_checks_is_named_and_grading_stops(kit, tmp_path, capsys):
    def add_part(nb):
        cell = nbformat.v4.new_code_cell("def accuracy(y, y_pred):\n    ### BEGIN SOLUTION\n    return 1.0\n    ### END SOLUTION\n")
        cell.metadata["nbgrader"] = {"grade": False, "grade_id": "accuracy", "locked": False, "schema_version": 3, "solution": True}
        test = nbformat.v4.new_code_cell("assert accuracy(1, 1) == 1.0")
        test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_accuracy", "locked": True, "points": 5,
                                     "schema_version": 3, "solution": False}
        nb.cells[-1:-1] = [cell, test]

    edit_notebook(kit, add_part)
    problems = check(kit)
    assert any("parts without checks: accuracy" in p for p in problems), problems
    assert any("stale" in p and f"{ASSIGNMENT}/{NOTEBOOK}" in p for p in problems), problems
    assert cli_main(["release", "--assignment", ASSIGNMENT]) == 0  # released, with the warning
    assert "parts without checks: accuracy" in capsys.readouterr().err
    assert [p for p in check(kit) if "stale" in p] == []  # fresh now; the missing checks remain
    write_submission(tmp_path / "submitted", "ada", {}, kit)
    assert cli_main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out")]) == EXIT_NOTHING_GRADED
    assert "parts without checks: accuracy" in capsys.readouterr().err
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_grade_refuses_a_handout_older_than_its_source(kit, tmp_path, capsys):
    edit_notebook(kit, lambda nb: setattr(nb.cells[0], "source", nb.cells[0].source + "\nA new sentence."))
    with pytest.raises(StaleRelease, match=f"{ASSIGNMENT}/{NOTEBOOK}"):
        require_fresh(kit)
    write_submission(tmp_path / "submitted", "ada", {}, kit)
    assert cli_main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out"), "--no-confine"]) == 2
    err = capsys.readouterr().err
    assert "older than what it is made from" in err and "--stale-release" in err
    release(source=kit)
    require_fresh(kit)  # released again: nothing to say


def test_points_in_the_prose_and_the_table_must_be_the_metadatas(kit):
    def change_points(nb):
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade_id") == "test_rel_error":
                cell.metadata["nbgrader"]["points"] = 4

    edit_notebook(kit, change_points)
    problems = check(kit)
    assert any("the prose gives rel_error 3 points, its check cell test_rel_error 4" in p for p in problems), problems
    assert any("the points table gives rel_error 3 points" in p for p in problems), problems


def test_a_handout_edited_by_hand_is_named(kit):
    handout = kit.parent.parent / "assignment" / ASSIGNMENT
    (handout / "README.md").write_text("edited\n")
    assert any("edited by hand: README.md" in p for p in check(kit))


def test_a_part_with_hidden_checks_but_no_public_ones_is_named_with_what_to_add(kit, capsys):
    new_part.add_cells(kit, name=PART)
    new_part.add_check_file(kit, name=PART, public=False)
    problems = check(kit)
    assert [p for p in problems if "public checks" in p] == [
        f"parts without public checks: {PART} (the students' self-check would fail them as 'not checked'): "
        f"mark a test of {ASSIGNMENT}/grading/test_{PART}.py whose answer it works out by hand @pytest.mark.public "
        '(the README\'s "Writing a check")'], problems
    assert cli_main(["release", "--assignment", ASSIGNMENT]) == 0  # released, with the warning
    assert f"parts without public checks: {PART}" in capsys.readouterr().err
    new_part.add_check_file(kit, name=PART)
    assert cli_main(["release", "--assignment", ASSIGNMENT]) == 0
    assert "warning" not in capsys.readouterr().err and check(kit) == []


def test_a_solution_cell_without_its_check_cell_is_one_clear_message(kit, capsys):
    new_part.add_cells(kit, check_cell=False, name=PART)
    problems = check(kit)
    assert any(f"solution cell '{PART}' has no check cell 'test_{PART}'" in p and '"points": P' in p
               for p in problems), problems
    assert cli_main(["release", "--check", "--assignment", ASSIGNMENT]) == 1
    assert f"has no check cell 'test_{PART}'" in capsys.readouterr().out
    assert cli_main(["release", "--assignment", ASSIGNMENT]) == 1
    assert f"error: {ASSIGNMENT}: {NOTEBOOK}: solution cell '{PART}'" in capsys.readouterr().err


def test_a_part_missing_from_the_prose_or_the_points_table_is_named(kit):
    def forget_rel_error(nb):
        nb.cells[0].source = "\n".join(line for line in nb.cells[0].source.splitlines() if "| `rel_error` |" not in line)
        for cell in nb.cells:
            cell.source = cell.source.replace("`rel_error` (3 points)", "`rel_error`")

    edit_notebook(kit, forget_rel_error)
    problems = check(kit)
    assert f'{NOTEBOOK}: the prose gives no points for rel_error: say them where it is introduced, "`rel_error` (3 points)"' \
        in problems, problems
    assert f'{NOTEBOOK}: the points table has no row for rel_error: add "| `rel_error` | what it does | 3 |"' \
        in problems, problems


def test_metadata_nbgrader_would_refuse_is_named_before_release(kit):
    new_part.add_cells(kit, name=PART)
    edit_notebook(kit, lambda nb: [c.metadata["nbgrader"].pop("schema_version") for c in nb.cells
                                   if nbgrader_meta(c).get("grade_id") == PART])
    assert any(f"the nbgrader metadata of {PART} is refused by nbgrader: Outdated schema version: 0" in p
               and '"schema_version": 3' in p for p in check(kit))


def test_release_says_what_it_changed_and_nothing_else(kit, capsys):
    handout = kit.parent.parent / "assignment" / ASSIGNMENT
    release(source=kit)  # as it is now
    (kit / "README.md").write_text((kit / "README.md").read_text() + "\nOne more sentence.\n")
    assert cli_main(["release", "--assignment", ASSIGNMENT]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[:2] == [f"wrote {handout / 'README.md'}", f"wrote {handout.parent / f'{ASSIGNMENT}.manifest.json'}"], said
    assert said[2:] == [f"{ASSIGNMENT}: {len(list(p for p in handout.rglob('*') if p.is_file())) - 1} file(s) unchanged"], said
    assert cli_main(["release", "--assignment", ASSIGNMENT]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{ASSIGNMENT}: the hand-out is unchanged ({len(list(p for p in handout.rglob('*') if p.is_file())) + 1} files)"]
