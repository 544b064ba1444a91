"""What a check file (selfcheck/check_files/test_*.py; in the kit, solutions/<id>/grading/) declares,
as every view of it reads it: the grader's, the reference's and the self-check's."""

from __future__ import annotations

import zlib

import pytest


def markers(config) -> None:
    """The markers of check files, declared to pytest."""
    config.addinivalue_line("markers", "check(id, title, points=1, core=False): the check a test belongs to")
    config.addinivalue_line("markers", "public: a case (or test) whose inputs and answer the hand-out may show")


class PartFunction:
    """A part's function as a check file's test gets it (its fixture): call it as the function,
    or ``each(cases, **kwargs)`` to call it on several cases, each a tuple of positional
    arguments, and get the list of what it returned (in the grader, all of them in one request to
    the student's kernel: a test with many cases costs one round trip). A call that fails fails
    the test, as it would called on its own."""

    def __init__(self, function):
        self._function = function

    def __call__(self, *args, **kwargs):
        return self._function(*args, **kwargs)

    def each(self, cases, **kwargs) -> list:
        return [self(*case, **kwargs) for case in cases]


def part_fixtures(names, provide):
    """A pytest plugin with a fixture per part name (the student's function, a PartFunction),
    each ``provide(name, request)``."""
    namespace = {}
    for name in names:
        def fixture(self, request, _name=name):
            return provide(_name, request)
        namespace[name] = pytest.fixture(name=name)(fixture)
    return type("PartFunctions", (), namespace)()


def test_seed(item) -> int:
    """A number of the test and case alone (not of its file's place): its inputs' stream."""
    return zlib.crc32(item.name.encode())


def reads_code(item) -> bool:
    """A test that reads the part's code (it takes the ``loops`` fixture), not its values: no
    input of it reaches a kernel, so it runs in every view, the grader's and the self-check's."""
    return "loops" in item.fixturenames


def is_public(item) -> bool:
    """A test or case marked public: its inputs and answer are written in it, the hand-out may
    show them, and it never reaches a student's kernel."""
    return item.get_closest_marker("public") is not None
