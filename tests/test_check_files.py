"""A part's checks as one pytest file (autograder/checks/checkfiles.py): the same file runs
against the reference (``pytest solutions/<id>/grading``, the TA's gate) and grades submissions
(the corpus tests compare those grades, check by check)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import all_assignments
from autograder.authoring.release import reference_problems
from autograder.checks import ChecksMismatch
from autograder.checks.checkfiles import CheckFiles, check_files
from autograder.layout import ROOT
from autograder.parts import load_parts, nbgrader_meta

WITH_FILES = [a for a in all_assignments() if any(a.grading.glob("test_*.py"))]


def reference_run(folder: Path, *args, rootdir: Path = ROOT):
    return subprocess.run([sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider",
                           f"--rootdir={rootdir}", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_some_assignment_has_check_files():
    assert WITH_FILES, "no assignment has a grading/test_*.py yet"


@pytest.mark.parametrize("assignment", WITH_FILES, ids=lambda a: a.id)
def test_every_check_file_passes_against_the_reference(assignment):
    run = reference_run(assignment.grading)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout, run.stdout[-2000:]


def copy_of(assignment, tmp_path: Path) -> Path:
    """solutions/<id>/ and solutions/conftest.py, copied under ``tmp_path``/solutions/."""
    folder = tmp_path / "solutions" / assignment.id
    shutil.copytree(assignment.source, folder, ignore=shutil.ignore_patterns("corpus", "__pycache__"))
    shutil.copy2(ROOT / "solutions" / "conftest.py", tmp_path / "solutions" / "conftest.py")
    return folder


def test_one_broken_line_of_the_reference_fails_its_check_with_its_message(tmp_path):
    """rel_error's reference averaging instead of taking the largest error: the worked case,
    whose answer the check file derives by hand, fails, saying so to the student."""
    (assignment,) = [a for a in WITH_FILES if a.id == "linear_classifiers"]
    folder = copy_of(assignment, tmp_path)
    (path,) = folder.glob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "rel_error"]
    assert "return float(np.max(" in cell.source
    cell.source = cell.source.replace("return float(np.max(", "return float(np.mean(")
    nbformat.write(nb, path)
    run = reference_run(folder / "grading", rootdir=tmp_path)
    assert run.returncode == 1, run.stdout[-3000:]
    failed = sorted(line.split("::")[1].split()[0] for line in run.stdout.splitlines() if line.startswith("FAILED"))
    assert failed == ["test_arrays_worked"], run.stdout[-3000:]
    assert "your error, 0.1, is about 50% too small: it should be max |x - y|" in run.stdout, run.stdout[-3000:]
    (problem,) = reference_problems(folder)  # release --check says it too
    assert problem.startswith("the reference solution fails its own check test_rel_error.py::test_arrays_worked - "
                              "AssertionError: your error, 0.1"), problem


def test_a_check_file_without_its_declarations_stops_the_grader_before_it_grades(tmp_path):
    """A test with no check marker, or taking no part's function, is a TA's mistake: the grader
    refuses to load the file, naming the test, instead of grading without it."""
    for body, said in [("def test_x(rel_error):\n    assert True\n", "must be marked once with @pytest.mark.check"),
                       ("import pytest\n\n@pytest.mark.check('x', 'x', points=1, core=True)\n@pytest.mark.public\n"
                        "def test_x(rel_error, loops):\n    assert rel_error(1.0, 2.0) == 1 / 3\n", "do not mark it public"),
                       ("import pytest\n\n@pytest.mark.check('x', 'x', points=1, core=True)\ndef test_x():\n    assert True\n",
                        "must take exactly one part's function")]:
        folder = tmp_path / str(len(said)) / "grading"
        folder.mkdir(parents=True)
        (folder / "test_x.py").write_text(body)
        with pytest.raises(ChecksMismatch, match=said):
            CheckFiles(folder, ["rel_error"]).part_checks()


def test_check_files_changed_after_they_were_collected_are_collected_again(tmp_path):
    """A process that graded before a TA added or edited a check file (or a part) grades with the
    files as they are now, not as it first read them."""
    folder = tmp_path / "grading"
    folder.mkdir()
    body = "import pytest\n\n@pytest.mark.check({id!r}, 'x', points=1, core=True)\ndef test_x({part}):\n    assert True\n"
    (folder / "test_a.py").write_text(body.format(id="first", part="rel_error"))
    assert set(check_files(folder, ["rel_error"]).part_checks()["rel_error"].declared) == {"first"}
    (folder / "test_a.py").write_text(body.format(id="edited-since", part="rel_error"))
    assert set(check_files(folder, ["rel_error"]).part_checks()["rel_error"].declared) == {"edited-since"}
    (folder / "test_b.py").write_text(body.format(id="new", part="center"))
    assert set(check_files(folder, ["rel_error", "center"]).part_checks()) == {"rel_error", "center"}


MISTAKES = """import pytest
from selfcheck.expect import known_mistake

SAME = lambda a, b: a == b


@pytest.mark.check("values", "values", points=1, core=True)
@pytest.mark.parametrize("got", [2, 3])
def test_values(rel_error, got):
    known_mistake(got, {"ignored": (-1, "not this one"), "one-too-many": (got, "one too many")}, SAME)


@pytest.mark.check("mixed", "mixed", points=1, core=True)
@pytest.mark.parametrize("mistaken", [True, False])
def test_mixed(rel_error, mistaken):
    known_mistake(1 if mistaken else 0, {"one-too-many": (1, "one too many")}, SAME)
    assert False, "something else is wrong"
"""


def test_a_declared_mistake_on_every_failed_case_of_a_check_is_its_slip(tmp_path):
    """known_mistake raises a Mistake whose id the check's result carries (a slip: "nothing for
    nothing" keeps the part's other credit), when every failed case of the check is that mistake."""
    import types

    folder = tmp_path / "mistakes" / "grading"
    folder.mkdir(parents=True)
    (folder / "test_m.py").write_text(MISTAKES)
    context = types.SimpleNamespace(bridge=None, reference={}, seed=1)
    results = {r.id: r for r in CheckFiles(folder, ["rel_error"]).run(context, "rel_error")}
    assert (results["values"].passed, results["values"].slip, results["values"].message) == (False, "one-too-many",
                                                                                            "one too many")
    assert (results["mixed"].passed, results["mixed"].slip) == (False, ""), results["mixed"]


def test_each_calls_the_students_function_on_every_case_and_a_failed_case_fails_the_test():
    """A check file's ``part.each(cases)``: in the grader, every case in one request to the kernel,
    results in order; a case that raises fails with its reason; a hang is not waited for twice."""
    from autograder.checks.checkfiles import KernelFunction
    from autograder.checks.values import Unusable
    from autograder.sandbox.bridge import Bridge
    from autograder.sandbox.kernel import Sandbox

    with Sandbox(timeout=3) as box:
        bridge = Bridge(box)
        assert bridge.load("def twice(x, k=2):\n    if x < 0:\n        raise ValueError('negative')\n"
                           "    if x > 100:\n        while True:\n            pass\n    return k * x\n").ok
        twice = KernelFunction(bridge, "twice")
        assert twice.each([(1,), (2.5,), (4,)], k=3) == [3, 7.5, 12] and twice(5) == 10
        with pytest.raises(Unusable, match="ValueError: negative"):
            twice.each([(1,), (-1,), (2,)])
        with pytest.raises(Unusable, match="time"):
            twice.each([(1,), (101,)])
        with pytest.raises(Unusable, match="time"):  # said again at once, not waited for
            twice(1)


LOOP_CHECK = """import pytest


@pytest.mark.check("no-loops", "no Python loops", points=1)
def test_no_loops(rel_error, loops):
    assert not loops, loops
"""


def test_a_loop_check_in_a_check_file_reads_the_code_the_grader_loaded(tmp_path):
    """The ``loops`` fixture: the grader's loop check (students/selfcheck/loops.py) on the part's
    code as loaded, a loop hidden in a helper included; such a test sends nothing to the kernel,
    so it grades (and the self-check runs it) whether or not it is public."""
    import types

    from autograder.students.selfcheck.declarations import reads_code

    folder = tmp_path / "loop-check" / "grading"
    folder.mkdir(parents=True)
    (folder / "test_loops.py").write_text(LOOP_CHECK)
    files = CheckFiles(folder, ["rel_error"])
    assert [reads_code(item) for item in files.items["rel_error"]] == [True]
    helper = "def _largest(values):\n    best = 0\n    for v in values:\n        best = max(best, v)\n    return best\n"
    for cells, want in [({"rel_error": "def rel_error(x, y):\n    return np.max(np.abs(x - y))\n"}, ""),
                        ({"rel_error": helper + "def rel_error(x, y):\n    return _largest(np.abs(x - y).ravel())\n"},
                         "rel_error must be vectorized, but it contains")]:
        context = types.SimpleNamespace(bridge=None, reference={}, seed=1, sources=cells, source=cells["rel_error"],
                                        setup=("import numpy as np",))
        (result,) = files.run(context, "rel_error")
        assert result.passed == (not want) and result.message.startswith(want), result


def checks_by_view(assignment) -> dict:
    """{part: {check id: True when the self-check runs it too}} of the assignment's check files: it
    has public tests, or tests that read the part's code (the loop check), which run everywhere."""
    from autograder.students.selfcheck.declarations import is_public, reads_code

    files = CheckFiles(assignment.grading, [p.name for p in load_parts(assignment.source)])
    found = {}
    for item in files.all_items:
        declared_here = files.declared[item.nodeid]
        seen = found.setdefault(declared_here.part, {})
        seen[declared_here.check.id] = seen.get(declared_here.check.id, False) or is_public(item) or reads_code(item)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("assignment", WITH_FILES, ids=lambda a: a.id)
def test_the_self_check_and_the_grader_agree_on_the_parts_with_check_files(assignment, tmp_path):
    """Every corpus entry that touches a part with a check file, and the reference, through both
    views: the self-check (a copy of the hand-out, as a student runs it) never fails a part the
    grader gives full marks, and never passes one that fails a check with public tests when
    graded; what only hidden checks catch may pass the self-check (those checks are listed in the
    README)."""
    from autograder.authoring.corpus import load_corpus, write_submission
    from autograder.grading.executors import grade_all
    from handout import answered, copy_handout, notebook_of, selfcheck

    views = checks_by_view(assignment)
    entries = [("reference", {})] + [(e.name, e.cells) for e in load_corpus(assignment.corpus)
                                     if e.base is None and set(e.cells) & set(views)]
    assert len(entries) > 1
    for name, cells in entries:
        write_submission(tmp_path / "submissions", name, cells, assignment.source)
    grades = {g.student_id: g for g in grade_all(tmp_path / "submissions", source=assignment.source, workers=2)}
    for name, cells in entries:
        handout = copy_handout(tmp_path / "handouts" / name, assignment)
        nbformat.write(answered(cells, assignment=assignment), handout / notebook_of(assignment))
        run = selfcheck(handout, "check")
        said = dict((part, verdict) for verdict, part in re.findall(r"^(PASS|FAIL)  (\w+)", run.stdout, flags=re.M))
        for part, checks in views.items():
            graded = {p.name: p for p in grades[name].parts}[part]
            if graded.points == graded.max_points:
                assert said[part] == "PASS", (name, part, run.stdout)
            if said[part] == "PASS":
                failed = [c.id for c in graded.checks if not c.passed and checks.get(c.id)]
                assert not failed and not graded.problem, (name, part, failed, graded.problem, run.stdout)


def test_the_readme_lists_the_checks_only_grading_runs():
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"^- `(\w+)`: (.*)$", readme.split("Checks only grading runs")[1].split("\n\n")[1], flags=re.M))
    hidden_only = {(part, ", ".join(f"`{c}`" for c in sorted(i for i, public in checks.items() if not public)))
                   for assignment in WITH_FILES for part, checks in checks_by_view(assignment).items()
                   if not all(checks.values())}
    assert listed == hidden_only, (listed, hidden_only)


def test_check_files_import_the_kits_selfcheck_whatever_else_is_called_so(tmp_path, monkeypatch):
    """A grader run beside a hand-out's selfcheck/, or a script beside benchmarks/selfcheck.py:
    the check files' ``selfcheck.expect`` is still the kit's."""
    import types

    (tmp_path / "selfcheck.py").write_text("raise ImportError('not the kit selfcheck')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sys.modules, "selfcheck", types.ModuleType("selfcheck"))  # someone else's, imported already
    folder = tmp_path / "other" / "grading"
    folder.mkdir(parents=True)
    (folder / "test_x.py").write_text("import pytest\nfrom selfcheck.expect import number\n\n"
                                      "@pytest.mark.check('x', 'x', points=1, core=True)\ndef test_x(rel_error):\n"
                                      "    assert number(1, 'one', 'rel_error') == 1.0\n")
    assert set(CheckFiles(folder, ["rel_error"]).part_checks()) == {"rel_error"}
