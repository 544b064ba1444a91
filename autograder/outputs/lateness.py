"""Late work: when a submission was handed in (nbgrader's timestamp.txt) and what lateness costs.

nbgrader's exchange writes SUBMISSIONS/<student_id>/<assignment>/timestamp.txt when a student
submits: one line, ``datetime.now(tz).strftime("%Y-%m-%d %H:%M:%S.%f %Z")`` in its configured
time zone (``Exchange.timezone``, UTC by default), e.g. ``2026-11-20 23:59:00.123456 UTC``;
``nbgrader zip_collect`` writes ``isoformat(" ")``. nbgrader reads it with
``nbgrader.utils.parse_utc``, and so does this module, with one guard: a zone abbreviation that
dateutil does not know (PST, CEST, IST...) is refused, where parse_utc would silently read the
time as UTC.

A LatePolicy turns a submission time into points off: ``rate`` per started ``per`` (day or hour)
after the deadline, nothing within the grace period (a submission later than that is late by
its whole delay from the deadline), at most ``max_penalty`` and never more than the raw score.
Amounts are points, or percentages of the assignment's max score, or (``percent_of="earned"``)
of the score the submission earned. A student with an extension (``extensions``) has a deadline
of their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import dateutil.tz

from autograder.grading.scoring import rounded

#: What a submission without a timestamp gets: counted as on time, or the maximum penalty.
MISSING = ("on-time", "max")

PERIODS = {"day": dt.timedelta(days=1), "hour": dt.timedelta(hours=1)}

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


@dataclasses.dataclass(frozen=True)
class Amount:
    """A number of points, or (``percent``) a percentage of the assignment's max score."""

    value: float
    percent: bool = False

    @classmethod
    def parse(cls, text: str) -> Amount:
        """``"10%"`` or ``"5"`` (points)."""
        stripped = str(text).strip()
        percent = stripped.endswith("%")
        try:
            value = float(stripped.removesuffix("%"))
        except ValueError:
            raise ValueError(f"not an amount: {text!r} (write points, e.g. 5, or a percentage, e.g. 10%)") from None
        if not value >= 0:
            raise ValueError(f"an amount cannot be negative: {text!r}")
        return cls(value, percent)

    def points(self, max_score: float, earned: float | None = None) -> float:
        """The amount in points: a percentage is of ``earned`` when given, else of ``max_score``."""
        base = max_score if earned is None else earned
        return self.value * base / 100 if self.percent else self.value


@dataclasses.dataclass(frozen=True)
class Lateness:
    """One submission under a policy: when it was handed in (None: no timestamp), how late
    (None when unknown; zero when on time) and the points it loses."""

    submitted_at: dt.datetime | None
    late_by: dt.timedelta | None
    penalty: float


@dataclasses.dataclass(frozen=True)
class LatePolicy:
    """deadline: time-zone aware; rate: points off per started ``per`` late; grace: lateness
    forgiven; max_penalty: the most a submission can lose (None: up to its whole raw score);
    missing: what a submission without a timestamp gets, one of MISSING; percent_of: what a
    percentage is of, the max score ("max") or the submission's own score ("earned");
    extensions: {student_id: their own deadline}."""

    deadline: dt.datetime
    rate: Amount = Amount(0)
    per: dt.timedelta = PERIODS["day"]
    grace: dt.timedelta = dt.timedelta(0)
    max_penalty: Amount | None = None
    missing: str = "on-time"
    percent_of: str = "max"
    extensions: dict = dataclasses.field(default_factory=dict, hash=False)

    def __post_init__(self):
        if self.deadline.tzinfo is None:
            raise ValueError(f"the deadline {self.deadline} needs a time zone (e.g. +00:00)")
        if self.per <= dt.timedelta(0) or self.grace < dt.timedelta(0):
            raise ValueError("the penalty period must be positive and the grace period not negative")
        if self.missing not in MISSING:
            raise ValueError(f"missing must be one of {MISSING}, not {self.missing!r}")
        if self.percent_of not in ("max", "earned"):
            raise ValueError(f"a percentage is of the max or the earned score, not {self.percent_of!r}")
        for student, when in self.extensions.items():
            if when.tzinfo is None:
                raise ValueError(f"{student}'s extended deadline {when} needs a time zone (e.g. +00:00)")

    @classmethod
    def parse(cls, deadline: str, *, rate: str = "0", per: str = "day", grace: str = "0",
              max_penalty: str | None = None, missing: str = "on-time", percent_of: str = "max",
              extensions: dict | None = None) -> LatePolicy:
        """A policy from command-line text: ``"2026-11-20T23:59:00+00:00"``, ``"10%"``,
        ``"day"`` or ``"hour"``, ``"15m"``, ``"50%"``, ``"on-time"`` or ``"max"``."""
        try:
            when = dt.datetime.fromisoformat(deadline)
        except ValueError:
            raise ValueError(f"not an ISO date-time: {deadline!r} (e.g. 2026-11-20T23:59:00+00:00)") from None
        if per not in PERIODS:
            raise ValueError(f"the penalty period is one of {sorted(PERIODS)}, not {per!r}")
        return cls(when, Amount.parse(rate), PERIODS[per], parse_duration(grace),
                   None if max_penalty is None else Amount.parse(max_penalty), missing, percent_of, extensions or {})

    def for_student(self, student_id: str) -> LatePolicy:
        """This policy with the student's extended deadline, if they have one."""
        if student_id not in self.extensions:
            return self
        return dataclasses.replace(self, deadline=self.extensions[student_id], extensions={})

    def late_by(self, submitted_at: dt.datetime) -> dt.timedelta:
        """How long after the deadline ``submitted_at`` is (zero if before)."""
        return max(submitted_at - self.deadline, dt.timedelta(0))

    def penalty(self, submitted_at: dt.datetime | None, max_score: float, raw_score: float) -> float:
        """The points a submission handed in at ``submitted_at`` (None: no timestamp) loses."""
        earned = raw_score if self.percent_of == "earned" else None
        cap = max(0.0, raw_score if self.max_penalty is None else min(raw_score, self.max_penalty.points(max_score, earned)))
        if submitted_at is None:
            return cap if self.missing == "max" else 0.0
        late = self.late_by(submitted_at)
        if late <= self.grace:
            return 0.0
        started = -(-late // self.per)
        return min(started * self.rate.points(max_score, earned), cap)

    def assess(self, submitted_at: dt.datetime | None, max_score: float, raw_score: float) -> Lateness:
        """The submission's lateness, its penalty rounded as every score is (so that the final
        score is the raw score less the penalty as written)."""
        late = None if submitted_at is None else self.late_by(submitted_at)
        return Lateness(submitted_at, late, rounded(self.penalty(submitted_at, max_score, raw_score)))


def parse_duration(text: str) -> dt.timedelta:
    """``"0"``, ``"15m"``, ``"2h"``, ``"1d"``, ``"1h30m"``, ``"90s"``."""
    compact = str(text).replace(" ", "")
    if compact == "0":
        return dt.timedelta(0)
    if not compact or _DURATION.sub("", compact):
        raise ValueError(f"not a duration: {text!r} (e.g. 15m, 2h, 1d, 1h30m)")
    return sum((dt.timedelta(**{_UNITS[unit]: float(n)}) for n, unit in _DURATION.findall(compact)), dt.timedelta(0))


def read_timestamp(folder: Path) -> dt.datetime | None:
    """The submission time in ``folder``/timestamp.txt as an aware UTC datetime; None if the
    file is missing or empty (as nbgrader treats them). Raises ValueError on an unreadable one."""
    path = Path(folder) / "timestamp.txt"
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not text:
        return None
    fields = text.split(" ")
    if len(fields) == 3 and not fields[2].lstrip("+-").isdigit() and dateutil.tz.gettz(fields[2]) is None:
        raise ValueError(f"{path}: unknown time zone {fields[2]!r} in {text!r}; write the time in UTC "
                         "(nbgrader's Exchange.timezone = 'UTC', its default)")
    from nbgrader.utils import parse_utc  # here: importing nbgrader costs most of a second, which only export needs

    try:
        naive_utc = parse_utc(text)
    except (ValueError, OverflowError):
        raise ValueError(f"{path}: not a timestamp: {text!r}") from None
    return naive_utc.replace(tzinfo=dt.UTC)


def read_extensions(path: Path) -> dict[str, dt.datetime]:
    """{student_id: new deadline} from a CSV with the columns student_id,new_deadline (ISO
    date-times with their time zone). Raises ValueError, naming the line, on anything else."""
    import csv

    extensions = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not {"student_id", "new_deadline"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{path}: the header must be student_id,new_deadline (got {','.join(reader.fieldnames or [])})")
        for row in reader:
            try:
                when = dt.datetime.fromisoformat(row["new_deadline"].strip())
            except ValueError:
                raise ValueError(f"{path}, line {reader.line_num}: not an ISO date-time: {row['new_deadline']!r}") from None
            if when.tzinfo is None:
                raise ValueError(f"{path}, line {reader.line_num}: {row['new_deadline']!r} needs a time zone (e.g. +00:00)")
            if row["student_id"].strip() in extensions:
                raise ValueError(f"{path}, line {reader.line_num}: a second extension for {row['student_id'].strip()}")
            extensions[row["student_id"].strip()] = when
    return extensions
