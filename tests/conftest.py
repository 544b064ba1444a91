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


#: Tests whose work is long processes of their own, started in the background as soon as the run is known to
#: include them, while the other tests run (they mostly wait on one kernel at a time), which keeps the suite within
#: CI's time; each test, run last, waits for its result (``background[name].result()``):
#: - the corpus test of every assignment (python -m autograder corpus, two worker processes);
#: - the TA's whole path on a copy of the kit, its quick tests included (tests/ta_adds_a_part.py).
#: Each is a process of its own, as a TA runs it: nothing a test does to this process (nbgrader's release changes
#: the working folder to a temporary course folder, which the corpus's worker processes would inherit and lose)
#: reaches it, and the tests beside it tell their own kernels and files from theirs.
CORPUS_TEST = "test_corpus.py::test_every_corpus_entry_is_graded_as_it_expects"
TA_TEST = "test_adding_a_part.py::test_the_tas_whole_path_holds_on_a_copy_of_the_kit_quick_tests_included"
#: One after the other (the corpus, then the TA's path): with both at once beside the tests and four busy processes,
#: a notebook's whole run in test_handout_venv was starved past its 900 s (its kernel got about 1 % of a core).
_background = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="background")
background: dict[str, concurrent.futures.Future] = {}


@pytest.hookimpl(trylast=True)  # after -k/-m deselection: a deselected test is not started
def pytest_collection_modifyitems(session, config, items):
    import subprocess
    import sys

    from autograder.layout import ROOT

    def lines_of(*command: str) -> tuple[int, list[str]]:
        """(exit status, printed lines) of a command run in the kit's folder (a crash says where)."""
        done = subprocess.run(list(command), cwd=ROOT, capture_output=True, text=True, timeout=3600)
        return done.returncode, done.stdout.splitlines() + (done.stderr.splitlines()[-40:] if done.returncode else [])

    if config.option.collectonly:
        return  # nothing runs: nothing to start
    waiting = [item for item in items if CORPUS_TEST in item.nodeid or TA_TEST in item.nodeid]
    items[:] = [item for item in items if item not in waiting] + waiting  # last: they wait on the background
    corpora = {item.callspec.id for item in items if CORPUS_TEST in item.nodeid}
    if corpora:
        from autograder.assignments import all_assignments

        def corpus():
            """{assignment id: (exit status, printed lines)}, one assignment after the other."""
            return {assignment.id: lines_of(sys.executable, "-m", "autograder", "corpus", "--assignment", assignment.id)
                    for assignment in all_assignments() if assignment.id in corpora}

        background["corpus"] = _background.submit(corpus)
    if any(TA_TEST in item.nodeid for item in items):
        background["ta"] = _background.submit(lines_of, sys.executable, str(ROOT / "tests" / "ta_adds_a_part.py"))


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
