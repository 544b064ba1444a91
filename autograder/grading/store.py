"""The grade store: OUT/results/<student_id>.json, each grade kept with the fingerprint of what it
was made from (the kit, the base seed, the submission's files), written atomically. Every reader
of stored grades (a grade run resuming, export, gradebook) reads them through ``stored_grades``
or ``OutputFolder.load``, which give nothing for a record made from another submission, kit or
seed: a stale grade is never passed on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
from pathlib import Path

from autograder.grading.scoring import StudentGrade
from autograder.intake import Submission


def write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class OutputFolder:
    """OUT/: grades.csv, reports/<id>.txt, and results/<id>.json, the record each of them is
    made from. A student's record is written atomically as soon as they are graded, so a
    grade run that is killed loses nothing finished: the next run into the same folder reuses
    every record whose submission has not changed, grades the rest, and rewrites grades.csv
    from the records. One run at a time: ``lock()`` refuses a second one."""

    def __init__(self, out: Path):
        self.out = Path(out)

    @contextlib.contextmanager
    def lock(self):
        self.out.mkdir(parents=True, exist_ok=True)
        with open(self.out / ".grading.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                raise OutputBusy(f"another grade run is writing to {self.out} (process {handle.read().strip() or '?'}); "
                                 "wait for it to finish, or grade into another --out folder") from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            try:
                yield self
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _record(self, student_id: str) -> Path:
        return self.out / "results" / f"{student_id}.json"

    def load(self, student_id: str, fingerprint: str) -> StudentGrade | None:
        """The stored grade of ``student_id`` if it was made from the same submission and kit."""
        try:
            record = json.loads(self._record(student_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("fingerprint") != fingerprint:
            return None
        return StudentGrade.from_dict(record["grade"])

    def save(self, grade: StudentGrade, fingerprint: str) -> None:
        """Record ``grade`` (the report and grades.csv made from it are written by outputs/)."""
        record = {"fingerprint": fingerprint, "grade": dataclasses.asdict(grade)}
        write_atomic(self._record(grade.student_id), json.dumps(record, indent=1))


class OutputBusy(RuntimeError):
    """Another grade run holds the output folder."""


def record_fingerprint(submission: Submission, base_seed: int, kit: str) -> str:
    """What a stored grade is valid for: the kit, the base seed and the submission's files."""
    from autograder.intake import submission_fingerprint

    return f"{kit}:{base_seed}:{submission_fingerprint(submission)}"


def kit_fingerprint(source: Path) -> str:
    """Changes whenever the assignment's reference or checks, or the grader, change (stored grades expire)."""
    digest = hashlib.sha256()
    checks = [p for p in (Path(source) / "grading").rglob("*.py") if "corpus" not in p.relative_to(source).parts]
    for path in sorted([*Path(source).glob("*.ipynb"), *checks, *Path(__file__).parents[1].rglob("*.py")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def stored_grades(folder: OutputFolder, found: list[Submission], base_seed: int,
                  source: Path) -> tuple[list[StudentGrade], list[str]]:
    """The grades stored for ``found`` (in order), and the ids of the students without a current
    one (graded from another submission, kit, seed or assignment ``source``)."""
    kit = kit_fingerprint(source)
    grades, stale = [], []
    for submission in found:
        grade = folder.load(submission.student_id, record_fingerprint(submission, base_seed, kit))
        if grade is None:
            stale.append(submission.student_id)
        else:
            grades.append(grade)
    return grades, stale
