"""Hidden checks: the engine's side. Each assignment's checks live in its own grading package,
solutions/<id>/grading/, one module per kind of graded part, all run from the grader's process.

Every check compares what the student's code returned in its kernel (plain values through the
bridge) with an oracle computed here, on the same inputs, with an explicit tolerance, and
says in one sentence what went wrong. A part's checks are listed by the function registered
for it with ``@checks_for(name)``; each returns a list of ``CheckResult``.

None of them is handed out: the students' self-check (``selfcheck/`` in the hand-out, whose
source is ``solutions/<id>/selfcheck/``) has checks of its own that compare with numbers
stored at release, never with a reference function.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import sys
from pathlib import Path
from typing import Callable

import numpy as np

from autograder.sandbox.bridge import Bridge


@dataclasses.dataclass
class CheckResult:
    """name: what was checked; weight: its share of the part's points; message: why it failed."""

    name: str
    weight: float
    passed: bool
    message: str = ""

    def __post_init__(self):
        self.passed = bool(self.passed)  # numpy booleans are not JSON
        self.weight = float(self.weight)


@dataclasses.dataclass
class Context:
    """What a part's checks get: the bridge to the student's kernel, the student's cell source
    (and, in ``sources``, every graded cell of the submission by part name, in the order the
    grader runs them; in ``setup``, the import cells run before them), the reference (oracle) functions, and a random generator
    seeded for this submission and part."""

    bridge: Bridge
    source: str
    reference: dict
    rng: np.random.Generator
    seed: int
    sources: dict = dataclasses.field(default_factory=dict)
    setup: tuple = ()


#: {assignment package name: {part name: its checks}}, filled as an assignment's grading/ loads.
REGISTRY: dict[str, dict[str, Callable[[Context], list[CheckResult]]]] = {}


def checks_for(*names: str):
    """Register a function as the checks of the parts ``names`` (it receives (ctx, name)), for
    the assignment whose grading package defines it."""

    def register(function):
        checks = REGISTRY.setdefault(function.__module__.split(".")[0], {})
        for name in names:
            checks[name] = lambda ctx, _name=name: function(ctx, _name)
        return function

    return register


class ChecksMismatch(RuntimeError):
    """The graded parts and the registered checks differ: the grader must not run."""


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
    registry = REGISTRY.get(package.__name__, {})
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
