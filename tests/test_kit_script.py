"""The ``kit`` script, run as a user runs it from a course folder elsewhere: ``KIT/kit python``
reads the user's relative paths from where they typed the command, and the commands its
messages suggest are the ones they type; ``KIT/kit test`` and ``KIT/kit demo`` still run in
the kit's folder."""

from __future__ import annotations

import os
import subprocess

import pytest

from autograder.authoring.corpus import write_submission
from autograder.layout import ROOT
from linear import SOLUTIONS

KIT = ROOT / "kit"


def kit(*args: str, cwd, timeout: float = 600) -> subprocess.CompletedProcess:
    """``KIT/kit ARGS`` run in ``cwd``, in the environment a user's shell would give it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "PYTEST_"))}
    return subprocess.run([str(KIT), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def test_relative_paths_are_the_users_and_hints_say_what_to_type(tmp_path):
    course = tmp_path / "course"
    write_submission(course / "submitted", "ada", {}, SOLUTIONS)
    # nothing graded yet: export finds submitted/ where the user is, and says what to type, paths as given
    run = kit("python", "-m", "autograder", "export", "submitted", "--out", "grades", cwd=course)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"run `{KIT} python -m autograder grade submitted --out grades` first" in run.stderr, run.stderr
    run = kit("python", "-m", "autograder", "--help", cwd=course)
    assert " ".join(run.stdout.split()).startswith(f"usage: {KIT} python -m autograder "), run.stdout


@pytest.mark.slow
def test_a_course_folder_is_graded_from_where_the_user_stands(tmp_path):
    course = tmp_path / "course"
    write_submission(course / "submitted", "ada", {}, SOLUTIONS)
    run = kit("python", "-m", "autograder", "grade", "submitted", "--out", "grades", cwd=course)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (course / "grades" / "grades.csv").read_text().splitlines()[1].startswith("ada,")
    run = kit("python", "-m", "autograder", "export", "submitted", "--out", "grades", cwd=course)
    assert run.returncode == 0 and (course / "grades" / "export.csv").is_file(), run.stdout + run.stderr


def test_test_and_demo_run_in_the_kits_folder_from_anywhere(tmp_path):
    run = kit("test", "--collect-only", "-q", "tests/test_intake.py", cwd=tmp_path)
    assert run.returncode == 0 and "tests/test_intake.py" in run.stdout, run.stdout + run.stderr
    run = kit("demo", "--help", cwd=tmp_path)
    assert run.returncode == 0 and "--out" in run.stdout, run.stdout + run.stderr
