"""A TA adds a part to an assignment as the README's "Adding a part" says (tests/new_part.py:
``hinge_loss_single``, 5 points, in the linear-classifier assignment): the kit checks it,
releases it, lets a student self-check it, grades it and runs its corpus entry, and every
count and total follows (the assignment's points are whatever its check cells say).

The first test does it in a copy of the assignment's layout, in this process (as
tests/test_third_assignment.py adds a whole assignment); the second is the whole rehearsal on a
copy of the kit, quick tests included (tests/ta_adds_a_part.py, which the README names)."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

import conftest
import new_part
from autograder import assignments
from autograder.authoring import corpus as corpus_test
from autograder.authoring.corpus import write_submission
from autograder.authoring.release import check
from autograder.cli import main as cli_main
from autograder.grading.executors import grade_all
from autograder.parts import load_parts
from handout import answered, copy_handout, selfcheck
from linear import ASSIGNMENT, RELEASE, SOLUTIONS


@pytest.fixture
def kit(tmp_path, monkeypatch):
    """The assignment and its committed hand-out in a kit layout under tmp_path (the engine's
    assignments are looked for there)."""
    shutil.copytree(SOLUTIONS, tmp_path / "solutions" / ASSIGNMENT, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(RELEASE, tmp_path / "assignment" / ASSIGNMENT)
    shutil.copy2(RELEASE.parent / f"{ASSIGNMENT}.manifest.json", tmp_path / "assignment")
    monkeypatch.setattr(assignments, "SOLUTIONS_ROOT", tmp_path / "solutions")
    return assignments.find_assignment(ASSIGNMENT)


@pytest.mark.slow
def test_a_part_added_as_the_readme_says_is_checked_released_self_checked_graded_and_in_the_corpus(kit, tmp_path, capsys):
    before = load_parts(kit.source)
    new_part.add_part(kit.source)
    parts = load_parts(kit.source)
    assert [p.name for p in parts if p not in before] == [new_part.NAME]
    total = sum(p.points for p in before) + new_part.POINTS
    assert sum(p.points for p in parts) == total  # the points are the check cells': no total is imposed

    assert [p for p in check(kit.source) if "is stale" not in p] == []  # nothing but the release to do
    assert cli_main(["release", "--assignment", ASSIGNMENT]) == 0
    assert "warning" not in capsys.readouterr().err
    assert check(kit.source) == []

    # the student's side: the reference passes every public check, the untouched hand-out none
    handout = copy_handout(tmp_path / "student", kit)
    nbformat.write(answered(assignment=kit), handout / "mine.ipynb")
    run = selfcheck(handout, "check", "mine.ipynb")
    assert run.returncode == 0 and run.stdout.splitlines()[-1] == f"{len(parts)} of {len(parts)} parts pass every " \
        "public check.", run.stdout
    run = selfcheck(handout, "check", f"{ASSIGNMENT}.ipynb")
    assert set(re.findall(r"^(?:PASS|FAIL)  (\w+)", run.stdout, re.M)) == {p.name for p in parts}, run.stdout
    assert "PASS" not in run.stdout and run.stdout.count("not implemented yet") == len(parts), run.stdout

    # grading and the TA's corpus test of the new entry
    write_submission(tmp_path / "submitted", "ada", {}, kit.source)
    write_submission(tmp_path / "submitted", "bob", {}, kit.release)
    grades = {g.student_id: g for g in grade_all(tmp_path / "submitted", source=kit.source)}
    assert (grades["ada"].score, grades["ada"].max_score, grades["bob"].score) == (total, total, 0)
    lines = []
    assert corpus_test.main(assignment=kit, only=new_part.ENTRY, out=lines.append) == 0, "\n".join(lines)


@pytest.mark.slow
def test_the_tas_whole_path_holds_on_a_copy_of_the_kit_quick_tests_included():
    """tests/ta_adds_a_part.py: a copy of the kit, the part added, release --check, release,
    the corpus entry and ``./kit test -m "not slow"`` there; any failure is one the README does
    not tell the TA how to fix."""
    # started in the background when the run was collected (see conftest.py)
    code, lines = conftest.background["ta"].result()
    assert code == 0, "\n".join(lines)[-25000:]
    assert lines[-1] == f'every step of "Adding a part" passed for {ASSIGNMENT}', "\n".join(lines)[-25000:]
