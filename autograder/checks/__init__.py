"""Hidden checks, one module per kind of graded part, all run from the grader's process.

Every check compares what the student's code returned in its kernel (plain values through the
bridge) with an oracle computed here, on the same inputs, with an explicit tolerance, and
says in one sentence what went wrong. A part's checks are listed by the function registered
for it with ``@checks_for(name)``; each returns a list of ``CheckResult``.

None of them is handed out: the students' self-check (``selfcheck/`` in the hand-out, whose
source is ``solutions/<assignment>/selfcheck/``) has checks of its own that compare with numbers
stored at release, never with a reference function.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from autograder.bridge import Bridge


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


REGISTRY: dict[str, Callable[[Context], list[CheckResult]]] = {}


def checks_for(*names: str):
    """Register a function as the checks of the parts ``names`` (it receives (ctx, name))."""

    def register(function):
        for name in names:
            REGISTRY[name] = lambda ctx, _name=name: function(ctx, _name)
        return function

    return register


class ChecksMismatch(RuntimeError):
    """The graded parts and the registered checks differ: the grader must not run."""


def load_all(parts=None) -> dict:
    """Import every check module so that it registers its parts; with ``parts``, require that
    every part has checks and every registration a part (else ChecksMismatch, before anyone is
    graded: a part without checks would give every student the same zero)."""
    from autograder.checks import classifier, gradients, losses  # noqa: F401

    if parts is not None:
        names = {part.name for part in parts}
        missing, unknown = sorted(names - set(REGISTRY)), sorted(set(REGISTRY) - names)
        if missing or unknown:
            raise ChecksMismatch(
                "the graded parts and the registered checks differ"
                + (f"; parts without checks: {', '.join(missing)}" if missing else "")
                + (f"; checks of no part: {', '.join(unknown)}" if unknown else "")
                + " (register each part's checks with @checks_for in autograder/checks/)")
    return REGISTRY
