"""What every assignment's public checks are made of: a part's result and its checks, the calls
into the student's process, the reading of returned values, and the run over every part.

The assignment's own ``selfcheck/checks.py`` holds ``CHECKS`` ({part name: function of (PartCalls,
data, {part name: passes so far}) returning a list of Verdict}) and ``PROBES`` (code of its own
placed next to the student's, names starting with _selfcheck_).
"""

from __future__ import annotations

import dataclasses
import math
from typing import List, Optional

import numpy as np

from selfcheck.expect import describe
from selfcheck.loops import loops_message as vectorized_or_not
from selfcheck.notebook import as_python
from selfcheck.worker import CallFailed, StudentProcess


@dataclasses.dataclass
class Verdict:
    """title: what is checked; passed: True, False, or None when it did not run (it needs
    another part to pass first, or the part stopped before it); message: why it failed or did
    not run, with a hint."""

    title: str
    passed: Optional[bool]
    message: str = ''  # empty when it passed


@dataclasses.dataclass
class PartVerdict:
    name: str
    checks: List[Verdict] = dataclasses.field(default_factory=list)
    problem: str = ""  # the part could not be checked at all (no cell, the cell raised)
    stopped: str = ""  # why the part's remaining checks did not run (its code did not finish, or its process died)

    @property
    def passes(self) -> bool:
        """Every public check ran and passed: a check that did not run is not a pass."""
        return not self.problem and bool(self.checks) and all(c.passed is True for c in self.checks)


class Wrong(Exception):
    """A returned value that is not what the check needs; the message says what it was."""


def array(value, shape, what: str) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Wrong(f"{what} must be a numeric numpy array; got {describe(value)}.")
    if value.shape != tuple(shape):
        raise Wrong(f"{what} must have shape {tuple(shape)}; got shape {value.shape}.")
    if not np.all(np.isfinite(value)):
        raise Wrong(f"{what} holds inf or nan.")
    return value.astype(np.float64)


def number(value, what: str) -> float:
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        value = value.reshape(()).item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Wrong(f"{what} must be a single number; got {describe(value)}.")
    if not math.isfinite(value):
        raise Wrong(f"{what} is {value}.")
    return float(value)


def close(got, want, rtol=1e-6) -> bool:
    want = np.asarray(want, dtype=np.float64)
    scale = float(np.abs(want).max(initial=1.0))
    return bool(np.allclose(got, want, rtol=rtol, atol=1e-9 * scale))


class PartCalls:
    """Calls into one part's function. After a call that hung or killed the process, the part
    stops: its other calls fail at once, and its checks not yet run are marked not run (the
    report says once that the part did not finish, and goes on with the next part)."""

    def __init__(self, student: StudentProcess, name: str):
        self.student, self.name, self.stuck = student, name, ""

    def call(self, expression: str, **inputs):
        if self.stuck:
            raise CallFailed(self.stuck)
        try:
            return self.student.call(expression, **inputs)
        except CallFailed as exc:
            if exc.stuck:
                self.stuck = str(exc)
            raise

    def check(self, title: str, test) -> Verdict:
        """Run ``test()`` (returns "" when it passes, else the message) as one check; once the
        part is stuck, the check is not run."""
        if self.stuck:
            return Verdict(title, None, NOT_FINISHED)
        try:
            message = test()
        except CallFailed as exc:
            message = f"{self.name} {exc}" + ("." if exc.stuck else "")
        except Wrong as exc:
            message = str(exc)
        except Exception as exc:  # a value shaped in a way no check foresaw is a failed check, not a crash
            message = f"{self.name} returned something this check cannot read ({type(exc).__name__}: {exc})."
        return Verdict(title, not message, message)


#: What a check the part never reached says (the reason is said once, at the check that stopped it).
NOT_FINISHED = "not run: the part stopped at the call above that did not finish"


def loops_message(part: PartCalls, data: dict) -> str:
    """The grader's own loop check (selfcheck/loops.py, the same file) on the notebook's cells, as
    the grader reads them: every part's cell but those that do not compile (they run nothing), after
    the notebook's imports. "" when ``part`` loops nowhere, else the grader's sentence."""
    cells = {name: source for name, source in data.get("_cells", {}).items()
             if name == part.name or _compiles(source)}
    return vectorized_or_not(cells, part.name, (data.get("_prelude", ""),))


def _compiles(source: str) -> bool:
    try:
        compile(as_python(source), "<cell>", "exec")
        return True
    except Exception:  # noqa: BLE001 (what IPython or Python cannot read does not run)
        return False


def check_parts(student: StudentProcess, prelude: str, cells: dict, data: dict, on_result=None) -> List[PartVerdict]:
    """Every part's result, in the notebook's order: the assignment's ``checks.CHECKS[name]``
    (a function of (PartCalls, data, {part: passes so far})) after ``checks.PROBES`` (its own helpers,
    placed next to the student's code) and the notebook's imports. ``on_result(result)`` is
    called as soon as each part is done (the report prints it then)."""
    from selfcheck.checks import CHECKS, PROBES

    data = dict(data, _cells=cells, _prelude=prelude)
    for line in [PROBES] + prelude.splitlines():
        try:
            student.run(line)
        except CallFailed:
            pass  # an import that fails here fails in the part that needs it, with its message
    results, passed = [], {}
    for name in data["parts"]:
        result = PartVerdict(name)
        if name not in cells:
            result.problem = f"no cell defines {name}: keep its cell (with its def/class line first) in the notebook."
        else:
            try:
                student.run(cells[name])
            except CallFailed as exc:
                result.problem = f"its cell {exc}; fix the cell so that it runs."
        if not result.problem and name not in CHECKS:  # the check files' public tests (checkfiles.py)
            from selfcheck.checkfiles import public_checks

            try:
                result.checks, result.stopped = public_checks(
                    student, name, data["parts"], lambda name=name: loops_message(PartCalls(student, name), data))
            except Exception as exc:  # noqa: BLE001 (the report must still come out, for every part)
                result.problem = f"the self-check could not finish on this code ({type(exc).__name__}: {exc})."
        elif not result.problem:
            part = PartCalls(student, name)
            try:
                result.checks = CHECKS[name](part, data, passed)
            except Exception as exc:  # noqa: BLE001 (the report must still come out, for every part)
                result.problem = f"the self-check could not finish on this code ({type(exc).__name__}: {exc})."
            result.stopped = part.stuck
        passed[name] = result.passes
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
