"""Checks: the engine's side. Each assignment's checks live in its own grading package,
solutions/<id>/grading/, run from the grader's process: a part's checks are either a check file
(``test_<part>.py``, pytest tests: checkfiles.py) or a function registered with ``@checks_for``
(this module); ``load_all`` gathers both, and refuses a part that has both or neither.

Every check compares what the student's code returned in its kernel (plain values through the
bridge) with an oracle computed here, on the same inputs, with an explicit tolerance, and
says in one sentence what went wrong. A part's checks are declared once, each a ``Check`` with
a stable id, and run by the function registered for the part with
``@checks_for(name, checks=...)``, which returns a ``CheckResult`` per check it ran. Gating
("not awarded" unless another check passed), the corpus's expectations and stored grades refer
to a check by its id, never by its title: a title can be reworded without changing a grade.

The registered functions are never handed out: the students' self-check (``selfcheck/`` in the
hand-out) runs the public tests of the check files, copied by release (they hold no reference
code), and, for the other parts, checks of its own (``solutions/<id>/selfcheck/checks.py``) that
compare with numbers stored at release, never with a reference function.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from typing import Callable

import numpy as np

from autograder.sandbox.bridge import Bridge


class Status(enum.StrEnum):
    """What became of a check, or of a part: decided where it happens (a reply, a gate, the
    engine), carried as data, never read back out of a message."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_AWARDED = "not awarded"  # a check that held, whose credit depends on another that did not
    NOT_IMPLEMENTED = "not implemented"  # the student's function raises NotImplementedError (a stub)
    TIMED_OUT = "timed out"  # a call, or the submission's time budget, ran out
    NOT_GRADED = "not graded"  # a part: no cell defines it, its cell does not run, its checks could not finish
    GRADER_FAILED = "grader failed"  # the grader, not the student, failed: not kept, graded again next run


class Failure(str):
    """A sentence for the student that knows the status it stands for (a call that timed out, a
    stub): ``Check.fail`` and ``Unusable`` keep it, so that the engine reads the status, not the words."""

    def __new__(cls, text: str, status: Status = Status.FAILED):
        failure = super().__new__(cls, text)
        failure.status = Status(status)
        return failure


def status_of(message) -> Status:
    """The status a failure message stands for: a Failure's own, else FAILED."""
    return getattr(message, "status", Status.FAILED)


@dataclasses.dataclass
class CheckResult:
    """id: the check's stable id; title: what was checked, in words; weight: its share of the
    part's points; message: why it failed; slip: for a failed check, the id of the declared
    mistake (the assignment's diagnosis) that explains the student's values, if one does;
    status: passed, or how it failed (Status; ``passed`` is True exactly when it is PASSED).
    Made by ``Check.ok`` / ``Check.fail`` / ``Check.result``."""

    id: str
    title: str
    weight: float
    passed: bool
    message: str = ""
    slip: str = ""
    status: str = ""

    def __post_init__(self):
        self.status = Status(self.status or (Status.PASSED if self.passed else Status.FAILED))
        self.passed = self.status is Status.PASSED  # numpy booleans are not JSON
        self.message = str.__str__(self.message) if isinstance(self.message, str) else str(self.message)
        self.weight = float(self.weight)


#: A check id: lower case words joined by hyphens ("random-loss"), so that corpus lines parse.
CHECK_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclasses.dataclass(frozen=True)
class Check:
    """One check of a part, declared once in the assignment's grading package.

    id: stable and unique within the part (gating, the corpus and stored grades use it); title:
    what the student reads, free to be reworded; weight: its share of the part's points."""

    id: str
    title: str
    weight: float

    def __post_init__(self):
        if not CHECK_ID.fullmatch(self.id):
            raise ValueError(f"check id {self.id!r} must be lower-case words joined by hyphens")

    def result(self, passed: bool, message: str = "", slip: str = "") -> CheckResult:
        """Passed, or failed with ``message`` (its status: status_of(message))."""
        if passed:
            return CheckResult(self.id, self.title, self.weight, True)
        return CheckResult(self.id, self.title, self.weight, False, str(message), slip, status_of(message))

    def ok(self) -> CheckResult:
        return self.result(True)

    def fail(self, message, slip: str = "") -> CheckResult:
        """Failed with ``message`` (a sentence, a Failure or an Unusable, whose status it keeps)."""
        return self.result(False, message, slip)


#: How a check's credit that is withheld starts its message.
NOT_AWARDED = "not awarded"


def not_awarded(why: str) -> Failure:
    """The failure of a check whose credit depends on something else that did not hold."""
    return Failure(f"{NOT_AWARDED}: {why}", Status.NOT_AWARDED)


def withhold(result: CheckResult, why: str) -> CheckResult:
    """``result`` failed as not awarded (not_awarded(why)) if it had passed, else unchanged."""
    if not result.passed:
        return result
    return dataclasses.replace(result, passed=False, message=f"{NOT_AWARDED}: {why}", status=Status.NOT_AWARDED)


@dataclasses.dataclass
class Context:
    """What a part's checks get: the bridge to the student's kernel, the student's cell source
    (and, in ``sources``, every graded cell of the submission by part name, in the order the
    grader runs them; in ``setup``, the import cells run before them), the reference (oracle) functions, and a random generator
    seeded for this submission and part. Checks may add ``notes`` for the part's report (see PartResult.notes)."""

    bridge: Bridge
    source: str
    reference: dict
    rng: np.random.Generator
    seed: int
    sources: dict = dataclasses.field(default_factory=dict)
    setup: tuple = ()
    notes: list = dataclasses.field(default_factory=list)  # for the part's report: what is no verdict


class ChecksMismatch(RuntimeError):
    """The graded parts and the registered checks differ, or a part's checks returned a check it
    does not declare: the grader must not run (or, mid-run, must fail, never score)."""


@dataclasses.dataclass(frozen=True)
class PartChecks:
    """The checks of one part: ``declared`` {id: Check}, run by ``function(ctx, part)``. Calling it
    runs them and refuses results whose ids are not declared, or repeated.

    ``core``: the ids of the checks that compare the part's result with the oracle. Nothing for
    nothing: when none of them passed and no failed check's values match a declared mistake
    (``CheckResult.slip``), the function does not compute its result, and every other check it
    passed (a shape, restoring its input, no loops...) is withheld."""

    part: str
    function: Callable
    declared: dict
    core: frozenset = frozenset()

    def __call__(self, ctx: Context) -> list[CheckResult]:
        results = self.function(ctx, self.part)
        ids = [r.id for r in results]
        unknown = [i for i in ids if i not in self.declared]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if unknown or repeated:
            raise ChecksMismatch(f"the checks of {self.part} returned "
                                 + (f"undeclared check ids {unknown}" if unknown else f"check ids {repeated} twice")
                                 + f" (declared: {', '.join(self.declared)})")
        computes = any(r.passed for r in results if r.id in self.core) or any(r.slip for r in results)
        if self.core and not computes:
            why = (f"{self.part} does not compute its result yet: none of its results is right, nor wrong by one of "
                   "the known mistakes (see above)")
            results = [withhold(r, why) for r in results]
        return results


#: {assignment package name: {part name: its PartChecks}}, filled as an assignment's grading/ loads.
REGISTRY: dict[str, dict[str, PartChecks]] = {}


def checks_for(*names: str, checks, core):
    """Register a function as the checks of the parts ``names`` (it receives (ctx, name)), for
    the assignment whose grading package defines it. ``checks``: the Checks it may return, or a
    function of the part's name giving them (when parts differ, e.g. only vectorized versions
    are timed). ``core``: the Checks among them that compare the part's result with the oracle
    (see PartChecks: a part none of whose core checks passes, and whose values no declared
    mistake explains, earns nothing)."""

    def register(function):
        registry = REGISTRY.setdefault(function.__module__.split(".")[0], {})
        for name in names:
            declared = list(checks(name) if callable(checks) else checks)
            ids = [c.id for c in declared]
            if len(set(ids)) != len(ids):
                raise ChecksMismatch(f"the checks declared for {name} repeat an id: {ids}")
            central = {c.id for c in core} & set(ids)
            if not central:
                raise ChecksMismatch(f"{name} declares no core check (one that compares its result with the oracle)")
            registry[name] = PartChecks(name, function, {c.id: c for c in declared}, frozenset(central))
        return function

    return register


def grading_package(source: Path):
    """The grading package (solutions/<id>/grading/) of the assignment whose source folder is
    ``source``, imported once per process under a name of its own, so that two assignments (or
    two copies of one) never share checks."""
    folder = (Path(source) / "grading").resolve()
    name = "_grading_" + hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    if name not in sys.modules:
        if not (folder / "__init__.py").is_file():
            raise ChecksMismatch(f"{Path(source).name} has no grading package ({folder / '__init__.py'} is missing)")
        spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            REGISTRY.pop(name, None)
            raise
    return sys.modules[name]


def load_all(source: Path, parts=None) -> dict:
    """{part name: its checks} of the assignment in ``source``, its grading package imported;
    with ``parts``, require that every part has checks and every registration a part (else
    ChecksMismatch, before anyone is graded: a part without checks would give every student the
    same zero)."""
    package = grading_package(source)
    registry = dict(REGISTRY.get(package.__name__, {}))
    from autograder.checks.checkfiles import check_files
    from autograder.parts import load_parts

    in_files = check_files(Path(source) / "grading", [p.name for p in (parts or load_parts(source))]).part_checks()
    twice = sorted(set(in_files) & set(registry))
    if twice:
        raise ChecksMismatch(f"{', '.join(twice)} of {Path(source).name} have checks both in a check file (test_*.py) "
                             "and registered with @checks_for: keep one")
    registry.update(in_files)
    if parts is not None:
        names = {part.name for part in parts}
        missing, unknown = sorted(names - set(registry)), sorted(set(registry) - names)
        if missing or unknown:
            raise ChecksMismatch(
                f"the graded parts of {Path(source).name} and its registered checks differ"
                + (f"; parts without checks: {', '.join(missing)}" if missing else "")
                + (f"; checks of no part: {', '.join(unknown)}" if unknown else "")
                + f" (register each part's checks with @checks_for in {Path(source) / 'grading'}/)")
    return registry
