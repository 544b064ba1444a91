"""Shared fixtures: submissions built in code from the release (or the reference) with some
cells replaced (by autograder.authoring.selftest.write_submission, as the selftest builds its corpus).

hypothesis is imported up front: its pytest plugin otherwise imports it in the terminal summary,
after minutes of kernels and finalizers, where CPython 3.11's ast.parse can fail spuriously
("AST constructor recursion depth mismatch") and take the whole run's exit status with it."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import hypothesis  # noqa: F401  imported (and assertion-rewritten) now, not lazily by its plugin at the end
import pytest

from linear import RELEASE
from autograder.authoring.selftest import write_submission


#: The whole-corpus selftest of every assignment, started as soon as the run is known to include
#: it: it grades ~100 submissions with two worker processes while the other tests run (they mostly wait on one
#: kernel at a time), which keeps the suite within CI's time. test_selftest waits for it.
SELFTEST = "test_selftest.py::test_selftest_grades_every_entry_as_expected"
_background = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="selftest")
selftest_run: concurrent.futures.Future | None = None


@pytest.hookimpl(trylast=True)  # after -k/-m deselection: a deselected selftest is not started
def pytest_collection_modifyitems(session, config, items):
    global selftest_run
    selected = {item.callspec.id for item in items if SELFTEST in item.nodeid}
    if selected:
        from autograder.authoring import selftest

        from autograder.assignments import all_assignments

        def run():
            """{assignment id: (exit status, printed lines)}, one assignment after the other."""
            runs = {}
            for assignment in [a for a in all_assignments() if a.id in selected]:
                lines = []
                runs[assignment.id] = selftest.main(assignment=assignment, out=lines.append), lines
            return runs

        selftest_run = _background.submit(run)


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
