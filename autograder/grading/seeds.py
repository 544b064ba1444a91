"""Seeds of the hidden inputs: drawn anew for every version of a submission, the same again for the
same version.

A submission's seed comes from the course's secret (and ``--seed``), the student's id and the
submission's own content (every file of its folder: ``intake.submission_fingerprint``). Grading
the same files again reproduces every input and verdict (the seed is printed in the report);
any resubmission, even one changed character, gets new inputs, so nothing a report says about
one version's inputs helps the next. The secret is what makes the seeds unpredictable to a
student who has the kit's source: the instructor keeps it outside the kit (by default in
~/.config/autograder/course-secret, made on first use, readable by its owner only; ``--secret``
or $AUTOGRADER_SECRET name another file) and every verb that reads stored grades must use the same.
The Gradescope bundle carries a copy of it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import numpy as np


def default_secret_file() -> Path:
    """$AUTOGRADER_SECRET, else $XDG_CONFIG_HOME/autograder/course-secret (~/.config/...)."""
    if os.environ.get("AUTOGRADER_SECRET"):
        return Path(os.environ["AUTOGRADER_SECRET"])
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "autograder" / "course-secret"


def course_secret(path: Path | None = None) -> str:
    """The course's secret, read from ``path`` (default: default_secret_file()), made there with
    32 random bytes and mode 0600 the first time."""
    path = Path(path) if path is not None else default_secret_file()
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = secrets.token_hex(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # another run may race us: then read its
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text + "\n")
    if not text:
        raise ValueError(f"the course secret {path} is empty: delete it to make a new one (seeds, and so every input "
                         "of the hidden checks, will change)")
    return text


def base_seed(secret: str, seed: int = 0) -> int:
    """The run's base seed, from the course's secret and ``--seed``."""
    return int.from_bytes(hashlib.sha256(f"{secret}:{seed}".encode()).digest()[:8], "little")


def submission_seed(base: int, student_id: str, content: str = "") -> int:
    """The seed of a submission's random check inputs: fixed for (base seed, student, the
    submission's content fingerprint), so that a verdict can be reproduced exactly, and new for
    any other student or version."""
    digest = hashlib.sha256(f"{base}:{student_id}:{content}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


def part_rng(seed: int, part: str) -> np.random.Generator:
    """Each part draws from its own stream, so one part's checks never shift another's inputs."""
    return np.random.default_rng([seed, int.from_bytes(hashlib.sha256(part.encode()).digest()[:4], "little")])
