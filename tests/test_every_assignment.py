"""What every assignment of the kit must give, whatever it is: its public self-check passes the
reference and fails the untouched hand-out part by part, and its Gradescope bundle grades an
upload as `grade` does. (Its hand-out's freshness and secrecy: test_release.py; its corpus:
test_corpus.py; a fresh venv: test_handout_venv.py.)"""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder.assignments import all_assignments
from autograder.parts import load_parts
from handout import answered, copy_handout, notebook_of, selfcheck

ASSIGNMENTS = all_assignments()


def verdicts(stdout: str) -> dict:
    return dict((name, verdict) for verdict, name in re.findall(r"^(PASS|FAIL)  (\w+)", stdout, flags=re.M))


def test_the_kit_has_more_than_one_assignment_and_each_has_parts_and_checks():
    from autograder.checks import load_all

    assert len(ASSIGNMENTS) >= 2, [a.id for a in ASSIGNMENTS]
    for assignment in ASSIGNMENTS:
        parts = load_parts(assignment.source)
        assert parts and sorted(load_all(assignment.source, parts)) == sorted(p.name for p in parts)
        assert all(p.points > 0 for p in parts), assignment.id  # any total: the points are the source's


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_the_public_self_check_passes_the_reference_and_no_part_of_the_handout(assignment, tmp_path):
    handout = copy_handout(tmp_path / assignment.id, assignment)
    notebook, parts = notebook_of(assignment), [p.name for p in load_parts(assignment.source)]
    nbformat.write(answered(assignment=assignment), handout / "mine.ipynb")
    run = selfcheck(handout, "check", "mine.ipynb")
    assert run.returncode == 0, run.stdout + run.stderr
    assert verdicts(run.stdout) == {name: "PASS" for name in parts}, run.stdout
    assert run.stdout.splitlines()[-1] == f"{len(parts)} of {len(parts)} parts pass every public check."
    run = selfcheck(handout, "check", notebook)
    assert run.returncode == 1 and verdicts(run.stdout) == {name: "FAIL" for name in parts}, run.stdout
    assert run.stdout.count("not implemented yet") == len(parts), run.stdout


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.id)
def test_the_gradescope_bundle_grades_the_reference_full_and_the_handout_zero(assignment, tmp_path):
    from test_gradescope import run_autograder

    from autograder.outputs import gradescope

    bundle = tmp_path / "autograder.zip"
    assert gradescope.main(out=bundle, assignment=assignment.id) == 0
    notebook, parts = notebook_of(assignment), {p.name: p.points for p in load_parts(assignment.source)}
    full = run_autograder(bundle, tmp_path / "reference", {notebook: (assignment.source / notebook).read_bytes()}, parts)
    assert full["score"] == sum(parts.values()) and all(t["status"] == "passed" for t in full["tests"]), full["output"]
    zero = run_autograder(bundle, tmp_path / "handout", {notebook: (assignment.release / notebook).read_bytes()}, parts)
    assert zero["score"] == 0 and all(t["status"] == "failed" for t in zero["tests"]), zero["output"]
