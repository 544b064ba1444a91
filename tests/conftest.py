"""Shared fixtures: submissions built in code from the release (or the reference) with some
cells replaced (by autograder.authoring.corpus.write_submission, as the corpus test builds its submissions).

hypothesis is imported up front: its pytest plugin otherwise imports it in the terminal summary,
after minutes of kernels and finalizers, where CPython 3.11's ast.parse can fail spuriously
("AST constructor recursion depth mismatch") and take the whole run's exit status with it."""

from __future__ import annotations

import concurrent.futures
import os
import tempfile
from pathlib import Path

import hypothesis  # noqa: F401  imported (and assertion-rewritten) now, not lazily by its plugin at the end
import pytest

# The course's secret (autograder/grading/seeds.py) of every grade, export and Gradescope bundle the
# tests make: one for the session, never the secret of whoever runs the tests.
os.environ["AUTOGRADER_SECRET"] = str(Path(tempfile.mkdtemp(prefix="autograder-test-secret-")) / "course-secret")

from linear import RELEASE  # noqa: E402
from autograder.authoring.corpus import write_submission  # noqa: E402


#: The corpus test of every assignment (python -m autograder corpus), started as soon as the run is known to include
#: it: it grades ~100 submissions with two worker processes while the other tests run (they mostly wait on one
#: kernel at a time), which keeps the suite within CI's time. test_corpus waits for it. It runs as a process of its
#: own, as a TA runs it: nothing a test does to this process (nbgrader's release changes the working folder to a
#: temporary course folder, which the corpus's worker processes would inherit and lose) reaches it.
CORPUS_TEST = "test_corpus.py::test_every_corpus_entry_is_graded_as_it_expects"
_background = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="corpus")
corpus_run: concurrent.futures.Future | None = None


@pytest.hookimpl(trylast=True)  # after -k/-m deselection: a deselected corpus test is not started
def pytest_collection_modifyitems(session, config, items):
    global corpus_run
    selected = {item.callspec.id for item in items if CORPUS_TEST in item.nodeid}
    if selected:
        import subprocess
        import sys

        from autograder.assignments import all_assignments
        from autograder.layout import ROOT

        def run():
            """{assignment id: (exit status, printed lines)}, one assignment after the other."""
            runs = {}
            for assignment in [a for a in all_assignments() if a.id in selected]:
                done = subprocess.run([sys.executable, "-m", "autograder", "corpus", "--assignment", assignment.id],
                                      cwd=ROOT, capture_output=True, text=True)
                errors = done.stderr.splitlines()[-40:] if done.returncode else []  # a crash says where
                runs[assignment.id] = done.returncode, done.stdout.splitlines() + errors
            return runs

        corpus_run = _background.submit(run)


@pytest.fixture
def submissions(tmp_path):
    """Factory: add(student_id, cells=None, base=RELEASE) writes a submission; returns its folder.
    ``add.root`` is the SUBMISSIONS folder."""
    root = tmp_path / "submitted"
    root.mkdir()

    def add(student_id: str, cells: dict | None = None, base: Path = RELEASE):
        return write_submission(root, student_id, cells or {}, base)

    add.root = root
    return add
