"""A part's checks as one pytest file, and the views that run it.

    solutions/<id>/grading/test_<part>.py

holds plain pytest tests. Each is marked ``@pytest.mark.check(id, title, points=P)`` (add
``core=True`` to a check that compares the part's result with the oracle: see PartChecks), and
takes any of these fixtures:

    <part name>   the student's function (a fixture per graded part, e.g. ``rel_error``)
    reference     the reference solution, the oracle: ``reference.rel_error(x, y)``
    rng           a numpy Generator of its own for each test (and case): drawn for each
                  submission when grading, fixed when run against the reference

Cases are pytest's parametrized cases, drawn from ``rng`` inside the test. A test or case marked
``pytest.mark.public`` has inputs the hand-out may show (a worked example whose answer the test
derives by hand): it runs against the reference and in the hand-out's self-check, never in a
student's kernel; the others, hidden, grade, on inputs drawn for each submission. Assertions say, for the student, what is wrong (``assert ok, message``); values
are plain Python and numpy values as the student's function returned them (helpers for reading
them: students/selfcheck/expect.py, imported as ``selfcheck.expect``). A test ids a check; several
tests may share one (declared the same), and it passes when all of them do.

Views of the same file:

- against the reference (solutions/conftest.py): ``./kit python -m pytest solutions/<id>/grading``,
  the student's function being the reference itself; every check must pass;
- grading (CheckFiles): one pytest session per assignment and process, collected once, in a
  thread of its own; each part's tests run for one submission on request, the student's function
  called in the submission's kernel through the bridge, the reference in this process;
- the hand-out's self-check (students/selfcheck/checkfiles.py, on the copy release puts in
  selfcheck/check_files/): the public tests, the student's function in its own process.

What the views share (markers, part fixtures, a test's seed) is students/selfcheck/declarations.py.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import sys
import threading
import types
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import Check, CheckResult, ChecksMismatch, Context, Failure, PartChecks, status_of
from autograder.checks.values import Unusable, reply_failure
from autograder.sandbox.bridge import Value
from autograder.students.selfcheck.loops import loops_message
from autograder.students.selfcheck.declarations import PartFunction, is_public, markers, part_fixtures, reads_code, test_seed
from autograder.students.selfcheck.expect import Mistake

#: pytest's options for a view: no terminal, capture, cache or third-party plugin (a grader's
#: process is not a test run), messages as the checks wrote them, modules imported by path (two
#: assignments' grading/ folders never clash).
SESSION_OPTIONS = ["--import-mode=importlib", "--assert=plain", "-s", "--disable-plugin-autoload",
                   "-p", "no:cacheprovider", "-p", "no:faulthandler", "-p", "no:terminal", "-p", "no:stepwise",
                   "-W", "ignore::pytest.PytestAssertRewriteWarning"]


def student_side_importable() -> None:
    """Check files import ``selfcheck.expect``: in the hand-out, its own selfcheck/ package; here the
    kit's, autograder/students/selfcheck/, whatever else sys.path holds (a folder with a hand-out's
    selfcheck/, or benchmarks/selfcheck.py beside a script, would otherwise be found first)."""
    import autograder.students.selfcheck as package
    import autograder.students.selfcheck.expect  # noqa: F401  (one module: a check's Mistake is the grader's)

    if sys.modules.get("selfcheck") is not package:
        for name in [name for name in sys.modules if name.startswith("selfcheck.")]:
            del sys.modules[name]  # submodules of another selfcheck
        sys.modules["selfcheck"] = package
    prefix = package.__name__ + "."
    for name, module in list(sys.modules.items()):
        if name.startswith(prefix):
            sys.modules["selfcheck." + name[len(prefix):]] = module


@dataclasses.dataclass(frozen=True)
class Declared:
    """A test's check (its ``check`` marker) and the part it checks (the part fixture it takes)."""

    check: Check
    core: bool
    part: str


def declared(item, parts) -> Declared:
    """The check and part of a collected test; ChecksMismatch when either is missing or ambiguous."""
    marks = list(item.iter_markers("check"))
    where = f"{Path(str(item.path)).name}::{item.name}"
    if len(marks) != 1:
        raise ChecksMismatch(f"{where} must be marked once with @pytest.mark.check(id, title, points=...)")
    mark = marks[0]
    if len(mark.args) != 2 or set(mark.kwargs) - {"points", "core"}:
        raise ChecksMismatch(f"{where}: write @pytest.mark.check(id, title, points=P[, core=True])")
    if reads_code(item) and is_public(item):  # it would run in the grader: a public input must never reach a kernel
        raise ChecksMismatch(f"{where} takes loops, so it runs in the grader and the self-check alike: do not mark it "
                             "public (a public test's inputs must never reach a student's kernel)")
    check = Check(mark.args[0], mark.args[1], float(mark.kwargs.get("points", 1)))
    used = [name for name in item.fixturenames if name in parts]
    if len(used) != 1:
        raise ChecksMismatch(f"{where} must take exactly one part's function as a fixture (it takes "
                             f"{', '.join(used) or 'none'}; parts: {', '.join(sorted(parts))})")
    return Declared(check, bool(mark.kwargs.get("core", False)), used[0])


# -- the reference view --------------------------------------------------------------------

class ReferenceView:
    """Every check against the reference solution, the reference standing in for the student
    (registered by solutions/conftest.py): ``./kit python -m pytest solutions/<id>/grading``. A
    check that fails here would fail every correct submission."""

    def pytest_configure(self, config):
        from autograder.assignments import all_assignments
        from autograder.parts import load_parts

        student_side_importable()
        markers(config)
        # The kit's assignments, and the one each path given lies in (a copy of one, say).
        sources = {assignment.source for assignment in all_assignments()}
        for arg in config.args:
            path = Path(arg.split("::")[0]).resolve()
            sources |= {folder for folder in [path, *path.parents]
                        if (folder / "grading").is_dir() and any(folder.glob("*.ipynb"))}
        names = {part.name for source in sources for part in load_parts(source)}
        self.parts = names
        config.pluginmanager.register(part_fixtures(sorted(names), self._function), "part-functions")

    def pytest_collection_modifyitems(self, items):
        problems = []
        for item in items:
            try:
                declared(item, self.parts)
            except ChecksMismatch as exc:
                problems.append(str(exc))
        if problems:
            raise pytest.UsageError("; ".join(problems))

    @staticmethod
    def _solution(request) -> dict:
        from autograder.reference import load_reference

        return load_reference(Path(str(request.path)).resolve().parents[1])  # solutions/<id>/grading/test_*.py

    def _function(self, name: str, request):
        return PartFunction(self._solution(request)[name])

    @pytest.fixture
    def reference(self, request):
        return types.SimpleNamespace(**self._solution(request))

    @pytest.fixture
    def rng(self, request):
        return np.random.default_rng(test_seed(request.node))

    @pytest.fixture
    def loops(self, request):
        """The loop check's sentence on the reference's code (its solution cells, after its import cells)."""
        from autograder.intake import Submission, read_student_code
        from autograder.parts import load_parts

        source = Path(str(request.path)).resolve().parents[1]  # solutions/<id>/grading/test_*.py
        part = declared(request.node, self.parts).part
        code = read_student_code(Submission("reference", source), load_parts(source))  # as the grader reads a notebook
        return loops_message(code.cells, part, tuple(code.setup))


def pytest_configure(config):
    """This module as a pytest plugin (``-p autograder.checks.checkfiles``, as release --check runs
    the check files of any copy of an assignment) is the reference view; solutions/conftest.py
    registers the same for a plain ``pytest solutions/<id>/grading``."""
    if not config.pluginmanager.has_plugin("reference-view"):
        config.pluginmanager.register(ReferenceView(), "reference-view")


# -- the grading view ----------------------------------------------------------------------

class Opaque:
    """A returned object the bridge could not carry (its kernel type named)."""

    def __init__(self, kernel_type: str):
        self.kernel_type = kernel_type

    def __repr__(self):
        return f"an object of type {self.kernel_type}"


def plain(value: Value):
    """A bridge Value as the plain Python/numpy value it was in the kernel."""
    if value.kind in ("none", "bool", "int", "float", "str", "array"):
        return value.value
    if value.kind == "tuple":
        return tuple(plain(v) for v in value.value)
    if value.kind == "list":
        return [plain(v) for v in value.value]
    if value.kind == "dict":
        return {k: plain(v) for k, v in value.value.items()}
    return Opaque(value.type)


class KernelFunction(PartFunction):
    """The student's function ``name`` in the submission's kernel: each call sends its arguments
    (plain values) and brings back what it returned, or raises Unusable saying why it could not
    (a Failure: raised, timed out, not implemented). ``each`` sends every case in one request
    (Bridge.call_each); after a hang or a dead kernel, the function is not called again."""

    def __init__(self, bridge, name: str):
        self.bridge, self.name = bridge, name
        self.stuck = ""

    def __call__(self, *args, **kwargs):
        if self.stuck:
            raise Unusable(self.stuck)
        given = [f"_autograder_args[{i}]" for i in range(len(args))]
        named = {key: f"_autograder_kwargs[{key!r}]" for key in kwargs}
        return self._value(self.bridge.call(self.name, *given, **named,
                                            inputs={"_autograder_args": list(args), "_autograder_kwargs": kwargs}))

    def each(self, cases, **kwargs) -> list:
        if self.stuck:
            raise Unusable(self.stuck)
        cases = [tuple(case) for case in cases]
        replies = self.bridge.call_each(self.name, "*_c['args']", "**_c['kwargs']",
                                        cases=[{"args": list(case), "kwargs": kwargs} for case in cases])
        # A case the request left undecided (after an earlier case used up the time) is called on its own.
        return [self(*case, **kwargs) if reply is None else self._value(reply) for case, reply in zip(cases, replies)]

    def _value(self, reply):
        if not reply.ok:
            failure = reply_failure(self.name, reply)
            if reply.status in ("timeout", "dead"):
                self.stuck = failure
            raise Unusable(failure)
        return plain(reply.value)


class CheckFiles:
    """The check files of one assignment (its grading/test_*.py), collected once in this process
    by a pytest session that lives in a thread of its own, and run for one part of one submission
    whenever ``run`` asks (the session's run loop waits for requests)."""

    def __init__(self, folder: Path, parts):
        self.folder, self.parts = Path(folder), set(parts)
        self.files = sorted(self.folder.glob("test_*.py"))
        self.items: dict[str, list] = {}  # part: its hidden tests (those that grade), in file order
        self.all_items: list = []  # every test, public ones included
        self.declared: dict = {}  # item nodeid: Declared
        self.error = ""
        self._requests: queue.Queue = queue.Queue()
        self._context = None  # the request being run (its fixtures read it)
        self._functions: dict = {}  # its part functions (KernelFunction), by name
        self._outcomes: dict = {}
        self._collected = threading.Event()
        self._thread = threading.Thread(target=self._session, name=f"checks-{self.folder.parent.name}", daemon=True)
        if self.files:
            self._thread.start()
            self._collected.wait()
        if self.error:
            raise ChecksMismatch(f"the check files of {self.folder} cannot be collected: {self.error}")

    # what the engine sees: a PartChecks per part that has tests
    def part_checks(self) -> dict[str, PartChecks]:
        found = {}
        for part, items in self.items.items():
            checks, core = {}, set()
            for item in items:
                declared_here = self.declared[item.nodeid]
                known = checks.setdefault(declared_here.check.id, declared_here.check)
                if known != declared_here.check:
                    raise ChecksMismatch(f"check {known.id!r} of {part} is declared differently by two tests "
                                         f"({known} and {declared_here.check})")
                if declared_here.core:
                    core.add(known.id)
            if not core:
                raise ChecksMismatch(f"{part} declares no core check (core=True on one that compares its result "
                                     "with the oracle)")
            found[part] = PartChecks(part, self.run, checks, frozenset(core))
        return found

    def run(self, ctx: Context, part: str) -> list[CheckResult]:
        """The results of ``part``'s checks for the submission behind ``ctx``, by check id (the
        session runs one request at a time; threads grading side by side, as a Dask worker's
        do, each wait for their own)."""
        request = _Request(ctx, part)
        self._requests.put(request)
        while not request.done.wait(1.0):
            if not self._thread.is_alive():  # a grader that cannot run its checks stops, never hangs
                raise ChecksMismatch(f"the pytest session running the check files of {self.folder} has ended")
        if request.error is not None:
            raise request.error
        return request.results

    def close(self) -> None:
        """End the session (its thread returns once a request being run is done)."""
        self._requests.put(None)

    # the session, in its thread
    def _session(self):
        student_side_importable()
        try:
            # No configuration file nor conftest.py: the view is this object alone (solutions/conftest.py is
            # the reference view's). The root is the file system's, so that a module's name is its whole
            # path: two assignments' test_x.py are two modules.
            pytest.main([*map(str, self.files), *SESSION_OPTIONS, "--noconftest", "-c", os.devnull,
                         "--rootdir", self.folder.anchor], plugins=[self])
        except BaseException as exc:  # noqa: BLE001 (said by the constructor)
            self.error = self.error or f"{type(exc).__name__}: {exc}"
        finally:
            if not self._collected.is_set():
                self.error = self.error or "pytest stopped before collecting them"
                self._collected.set()

    def pytest_configure(self, config):
        markers(config)
        config.pluginmanager.register(part_fixtures(sorted(self.parts), self._function), "part-functions")

    def pytest_collectreport(self, report):
        if report.failed:
            self.error = str(report.longrepr)[-2000:]

    def pytest_collection_finish(self, session):
        try:
            for item in session.items:
                found = declared(item, self.parts)
                self.declared[item.nodeid] = found
                self.all_items.append(item)
                # a public test's inputs are the hand-out's: the kernel never sees them (a test that reads the
                # part's code, not its values, sends none)
                if not is_public(item) or reads_code(item):
                    self.items.setdefault(found.part, []).append(item)
        except ChecksMismatch as exc:
            self.error = str(exc)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        self._collected.set()
        if self.error:
            return True
        while True:
            request = self._requests.get()
            if request is None:  # close(): the files changed, a new session took over
                return True
            self._context, self._outcomes, self._functions = request.ctx, {}, {}
            try:
                for item in self.items[request.part]:
                    item.ihook.pytest_runtest_protocol(item=item, nextitem=None)
                request.results = self._gather(request.part)
            except BaseException as exc:  # noqa: BLE001 (the grading thread raises it: this part's checks could not finish)
                request.error = exc
            finally:
                self._context = None
                request.done.set()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.failed and item.nodeid not in self._outcomes:
            exc = call.excinfo.value if call.excinfo is not None else None
            self._outcomes[item.nodeid] = (_failure(item, call.excinfo, self.declared[item.nodeid].part),
                                           exc.slip if isinstance(exc, Mistake) else "")
        return report

    def _gather(self, part: str) -> list[CheckResult]:
        """A result per check: passed when all its tests passed; else the first failure's message,
        and a declared mistake (slip) only when every failed test of the check is that mistake."""
        failures: dict[str, list] = {}
        checks = {}
        for item in self.items[part]:
            check = checks.setdefault(self.declared[item.nodeid].check.id, self.declared[item.nodeid].check)
            failures.setdefault(check.id, [])
            if item.nodeid in self._outcomes:
                failures[check.id].append(self._outcomes[item.nodeid])
        results = []
        for check_id, failed in failures.items():
            if not failed:
                results.append(checks[check_id].ok())
                continue
            slips = {slip for _, slip in failed}
            results.append(checks[check_id].fail(failed[0][0], slips.pop() if len(slips) == 1 else ""))
        return results

    # fixtures
    def _function(self, name: str, request):
        # One per part and submission: after a hang, the part's later tests do not wait again.
        if name not in self._functions:
            self._functions[name] = KernelFunction(self._context.bridge, name)
        return self._functions[name]

    @pytest.fixture
    def reference(self):
        return types.SimpleNamespace(**self._context.reference)

    @pytest.fixture
    def rng(self, request):
        return np.random.default_rng([self._context.seed, test_seed(request.node)])

    @pytest.fixture
    def loops(self, request):
        """The loop check's sentence on the part's code as the grader loaded it ("" when it loops nowhere)."""
        part = self.declared[request.node.nodeid].part
        return loops_message(self._context.sources or {part: self._context.source}, part, self._context.setup)


@dataclasses.dataclass
class _Request:
    """One part of one submission, for the session's thread to run; its results, or what stopped them."""

    ctx: Context
    part: str
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    results: list = dataclasses.field(default_factory=list)
    error: BaseException | None = None


def _failure(item, excinfo, part: str) -> Failure:
    """What a failed test tells the student: its assertion's message, or what could not be had
    from the student's function (a Failure with its status), or, for anything else the check did
    not foresee, what it could not read."""
    exc = excinfo.value if excinfo is not None else None
    if isinstance(exc, Unusable):
        return Failure(str(exc), status_of(str(exc)))
    if isinstance(exc, AssertionError):
        return Failure(str(exc).strip() or f"{item.name} failed")
    return Failure(f"the check could not read what {part} returned ({type(exc).__name__}: {str(exc)[:200]})")


#: {grading folder: (what it was collected from, its CheckFiles)}, one per assignment in this process.
_COLLECTED: dict[Path, tuple] = {}
_COLLECTING = threading.Lock()


def check_files(folder: Path, parts) -> CheckFiles:
    """The CheckFiles of ``folder`` (an assignment's grading/), collected on first use, and again
    when its files or the assignment's parts have changed since (a TA's new part, in a process
    that graded before)."""
    folder = Path(folder).resolve()
    stamp = (tuple(sorted(parts)),
             tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in sorted(folder.glob("test_*.py"))))
    with _COLLECTING:
        known = _COLLECTED.get(folder)
        if known is None or known[0] != stamp:
            if known is not None:
                known[1].close()
                # pytest's importlib mode reuses a module imported before: an edited file must be read again
                for name, module in list(sys.modules.items()):
                    path = Path(getattr(module, "__file__", None) or "/")
                    if path.parent == folder and path.name.startswith("test_"):
                        del sys.modules[name]
            _COLLECTED[folder] = (stamp, CheckFiles(folder, parts))
        return _COLLECTED[folder][1]
