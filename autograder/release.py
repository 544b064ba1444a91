"""Release: regenerate the student notebooks (assignment/) from the source notebooks (solutions/)
with nbgrader's generate_assignment, in a throwaway course directory.

nbgrader replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region with a stub that
raises NotImplementedError, removes hidden tests, clears outputs and records cell checksums.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from autograder.layout import ASSIGNMENT, RELEASE, SOLUTIONS


def alembic_on_path() -> None:
    """nbgrader runs `alembic` as a subprocess when it creates a gradebook: put this Python's
    bin folder (the kit's venv) on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])


class ReleaseError(RuntimeError):
    """nbgrader could not generate the release; the message carries its log."""


def release(*, source: Path = SOLUTIONS, target: Path = RELEASE) -> list[Path]:
    """Generate the release of every notebook in ``source`` into ``target``; return the files."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    source, target = Path(source), Path(target)
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise ReleaseError(f"no source notebooks in {source}")
    alembic_on_path()
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as course:
        course = Path(course)
        (course / "source" / ASSIGNMENT).mkdir(parents=True)
        for nb in notebooks:
            shutil.copy2(nb, course / "source" / ASSIGNMENT / nb.name)
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        config.Application.log_level = "WARN"
        result = NbGraderAPI(config=config).generate_assignment(ASSIGNMENT, force=True, create=True)
        if not result.get("success"):
            raise ReleaseError(f"nbgrader generate_assignment failed:\n{result.get('error', '')}\n{result.get('log', '')}")
        target.mkdir(parents=True, exist_ok=True)
        for stale in target.glob("*.ipynb"):
            stale.unlink()
        written = []
        for nb in sorted((course / "release" / ASSIGNMENT).glob("*.ipynb")):
            shutil.copy2(nb, target / nb.name)
            written.append(target / nb.name)
    return written
