"""``./kit python -m pytest solutions/<id>/grading``: every check of the assignment's check files
(grading/test_*.py) run against its reference solution, which must pass them all; a TA tries a
new check here in seconds. The grader runs the same files in a view of its own (no conftest):
autograder/checks/checkfiles.py."""

from autograder.checks import checkfiles


def pytest_configure(config):
    checkfiles.pytest_configure(config)
