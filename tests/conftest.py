"""Shared fixtures: submissions built in code from the release (or the reference) with some
cells replaced (by autograder.selftest.write_submission, as the selftest builds its corpus).

hypothesis is imported up front: its pytest plugin otherwise imports it in the terminal summary,
after minutes of kernels and finalizers, where CPython 3.11's ast.parse can fail spuriously
("AST constructor recursion depth mismatch") and take the whole run's exit status with it."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import hypothesis  # noqa: F401  imported (and assertion-rewritten) now, not lazily by its plugin at the end
import pytest

from autograder.layout import RELEASE
from autograder.selftest import write_submission


#: The whole-corpus selftest, started as soon as the run is known to include it: it grades ~60
#: submissions with two worker processes while the other tests run (they mostly wait on one
#: kernel at a time), which keeps the suite within CI's time. test_selftest waits for it.
SELFTEST = "test_selftest.py::test_selftest_grades_every_entry_as_expected"
_background = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="selftest")
selftest_run: concurrent.futures.Future | None = None


@pytest.hookimpl(trylast=True)  # after -k/-m deselection: a deselected selftest is not started
def pytest_collection_modifyitems(session, config, items):
    global selftest_run
    if any(item.nodeid.endswith(SELFTEST) for item in items):
        from autograder import selftest

        def run():
            lines = []
            return selftest.main(out=lines.append), lines

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
