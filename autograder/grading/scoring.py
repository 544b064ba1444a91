"""Scores: from check results to points per part and per student.

A part's points are split among its checks by weight; a part that could not be graded at all
(missing, does not run) scores 0 with its reason. Every score is rounded once, by ``rounded``, to
2 decimals (and written by outputs.reports.number).
"""

from __future__ import annotations

import dataclasses

from autograder.checks import NOT_AWARDED, CheckResult, Status

#: The decimals of every score: a part's points, a total, a late penalty.
DECIMALS = 2


def rounded(points: float) -> float:
    """``points`` rounded as every score is, to DECIMALS decimals."""
    return round(points, DECIMALS)


@dataclasses.dataclass
class PartResult:
    """name: the part; max_points: its points; checks: what was checked; problem: why the
    part could not be graded at all (then it scores 0); notes: what the student should know
    that is no verdict (a helper that failed while this part was judged without it, a system
    call the sandbox refused)."""

    name: str
    max_points: float
    checks: list[CheckResult] = dataclasses.field(default_factory=list)
    problem: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)
    status: str = ""  # for a part with a problem, why it was not graded (Status); see ``verdict``

    def __post_init__(self):
        self.status = Status(self.status) if self.status else (Status.NOT_GRADED if self.problem else "")

    def not_graded(self, status: Status, problem: str) -> None:
        """The part scores 0 without its checks: ``problem`` says why, ``status`` is which kind
        (NOT_GRADED, NOT_IMPLEMENTED, TIMED_OUT, GRADER_FAILED)."""
        self.status, self.problem, self.checks = Status(status), problem, []

    @property
    def verdict(self) -> Status:
        """The part's status: why it was not graded, else PASSED when every check passed, else FAILED."""
        if self.status:
            return self.status
        return Status.PASSED if self.checks and all(c.passed for c in self.checks) else Status.FAILED

    @property
    def points(self) -> float:
        total = sum(c.weight for c in self.checks)
        if self.problem or total == 0:
            return 0.0
        return rounded(self.max_points * sum(c.weight for c in self.checks if c.passed) / total)


#: How a part's problem starts when the grader, not the student, failed (a kernel that could
#: not start, a worker that died): such a grade is not kept, and the next run grades it again.
GRADER_FAILED = "the grader failed on this submission"


@dataclasses.dataclass
class StudentGrade:
    """One student's grade: per-part results in assignment order, plus what concerns the whole
    submission (notes) and the seed that reproduces every random input of its checks."""

    student_id: str
    seed: int
    parts: list[PartResult] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    assignment: str = ""  # the assignment's id (its folder name under solutions/)

    @classmethod
    def from_dict(cls, data: dict) -> "StudentGrade":
        """The inverse of dataclasses.asdict, for grades stored as JSON."""
        parts = [PartResult(p["name"], p["max_points"], [_stored_check(c) for c in p["checks"]], p["problem"],
                            list(p.get("notes", [])), p.get("status") or _stored_status(p["problem"]))
                 for p in data["parts"]]
        return cls(data["student_id"], data["seed"], parts, list(data["notes"]), data["seconds"],
                   data.get("assignment", ""))

    @property
    def score(self) -> float:
        return rounded(sum(p.points for p in self.parts))

    @property
    def grader_failed(self) -> bool:
        """The grader, not the student, failed on this submission (it is graded again next run)."""
        return any(p.status is Status.GRADER_FAILED for p in self.parts)

    @property
    def max_score(self) -> float:
        return rounded(sum(p.max_points for p in self.parts))


# Grades stored before statuses were (kit versions before 2026-12-08): their status read once,
# from the words those versions wrote. Nothing else reads a status out of a message.

def _stored_check(stored: dict) -> CheckResult:
    if "status" not in stored and not stored["passed"] and stored.get("message", "").startswith(NOT_AWARDED):
        stored = dict(stored, status=Status.NOT_AWARDED)
    return CheckResult(**stored)


def _stored_status(problem: str) -> str:
    if problem.startswith(GRADER_FAILED):
        return Status.GRADER_FAILED
    if problem.endswith("is not implemented yet (it raises NotImplementedError)."):
        return Status.NOT_IMPLEMENTED
    if problem.startswith("not checked: the submission used up its time budget"):
        return Status.TIMED_OUT
    return Status.NOT_GRADED if problem else ""
