"""The course's check files in the self-check: ``selfcheck/check_files/test_<part>.py`` are the
very files the grader grades with (release copies them here). Their public tests, whose inputs
and answers are written in them, run here by pytest, your function called in its own process
(worker.py); their hidden tests run only when your work is graded, on inputs drawn for you then.

What the grader's side (the kit's autograder/checks/checkfiles.py) shares with this one is here
too, in declarations.py: the markers, a fixture per part, a test's own random stream.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest

from selfcheck.declarations import PartFunction, is_public, markers, part_fixtures, reads_code, test_seed
from selfcheck.parts import NOT_FINISHED, Verdict
from selfcheck.worker import CallFailed

#: Where release puts the check files.
FOLDER = Path(__file__).resolve().parent / "check_files"

#: pytest as a library: no cache, no capture of this report's own output, messages as written.
OPTIONS = ["-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise", "-s", "--assert=plain",
           "-W", "ignore::pytest.PytestAssertRewriteWarning", "--noconftest"]


def check_of(item):
    """(id, title) of a test's check marker, or None."""
    mark = item.get_closest_marker("check")
    return (mark.args[0], mark.args[1]) if mark is not None and len(mark.args) == 2 else None


class NotRun(Exception):
    """A call not made: an earlier one hung or killed the process (said once, where it happened)."""


class ProcessFunction(PartFunction):
    """Your function ``name``, called in the process running your code."""

    def __init__(self, view, name: str):
        self.view, self.name = view, name

    def __call__(self, *args, **kwargs):
        if self.view.stuck:
            raise NotRun(self.view.stuck)
        try:
            return self.view.student.call(f"{self.name}(*_selfcheck_args, **_selfcheck_kwargs)",
                                          _selfcheck_args=list(args), _selfcheck_kwargs=dict(kwargs))
        except CallFailed as exc:
            if exc.stuck:
                self.view.stuck = f"{self.name} {exc}"
            raise


class PublicView:
    """One part's public tests, in the self-check: a pytest plugin."""

    def __init__(self, student, part: str, parts, loops=lambda: ""):
        self.student, self.part, self.parts, self.loop_sentence = student, part, list(parts), loops
        self.stuck = ""
        self.results = {}  # check id: Verdict, in the order the tests ran

    def pytest_configure(self, config):
        markers(config)
        config.pluginmanager.register(part_fixtures(self.parts, lambda name, request: ProcessFunction(self, name)),
                                      "part-functions")

    def pytest_collection_modifyitems(self, session, config, items):
        keep = [item for item in items if (is_public(item) or reads_code(item)) and self.part in item.fixturenames
                and check_of(item) is not None]
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep

    def pytest_runtest_makereport(self, item, call):
        if call.when == "call" or call.excinfo is not None:
            self._record(item, call.excinfo)

    def _record(self, item, excinfo) -> None:
        check_id, title = check_of(item)
        if excinfo is None:
            check = Verdict(title, True)
        elif isinstance(excinfo.value, NotRun):
            check = Verdict(title, None, NOT_FINISHED)
        else:
            check = Verdict(title, False, _message(self.part, excinfo.value))
        known = self.results.get(check_id)
        if known is None or known.passed is True:
            self.results[check_id] = check

    @pytest.fixture
    def rng(self, request):
        return np.random.default_rng(test_seed(request.node))

    @pytest.fixture
    def reference(self):
        raise RuntimeError("a public test compares with answers written in it, not with the reference")

    @pytest.fixture
    def loops(self):
        return self.loop_sentence()


def _message(part: str, exc: BaseException) -> str:
    if isinstance(exc, CallFailed):
        return f"{part} {exc}" + ("." if exc.stuck else "")
    if isinstance(exc, AssertionError):
        return str(exc).strip() or "failed"
    return f"{part} returned something this check cannot read ({type(exc).__name__}: {exc})."


def public_checks(student, part: str, parts, loops=lambda: "") -> Tuple[List[Verdict], str]:
    """The results of ``part``'s public tests (and of the tests that read its code, whose ``loops``
    fixture is ``loops()``: the loop check's sentence on the notebook's cells), a Verdict per check id ([] when
    it has none), and why the part stopped early ("" when it did not: see parts.PartVerdict.stopped)."""
    files = sorted(FOLDER.glob("test_*.py"))
    if not files:
        return [], ""
    view = PublicView(student, part, parts, loops)
    # Its own configuration (release writes it): none of the student's folders' pytest settings apply.
    pytest.main([*map(str, files), *OPTIONS, "--rootdir", str(FOLDER), "-c", str(FOLDER / "pytest.ini")],
                plugins=[view])
    return list(view.results.values()), view.stuck


class _Parts:
    """Collects which parts have public tests (no test runs)."""

    def __init__(self, parts):
        self.parts, self.found = list(parts), set()

    def pytest_configure(self, config):
        markers(config)
        config.pluginmanager.register(part_fixtures(self.parts, lambda name, request: None), "part-functions")

    def pytest_collection_modifyitems(self, items):
        self.found |= {name for item in items if is_public(item) for name in item.fixturenames if name in self.parts}


def public_parts(parts) -> set:
    """The parts among ``parts`` that have public tests in the check files."""
    files = sorted(FOLDER.glob("test_*.py"))
    if not files:
        return set()
    collector = _Parts(parts)
    pytest.main([*map(str, files), *OPTIONS, "--collect-only", "--rootdir", str(FOLDER), "-c", str(FOLDER / "pytest.ini")],
                plugins=[collector])
    return collector.found
