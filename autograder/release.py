"""Release: generate the students' hand-out, ``assignment/<id>/``, from ``solutions/<id>/``,
``data_scripts/`` and the students' side of the self-check (autograder/students/selfcheck/),
with nbgrader's generate_assignment in a throwaway course directory.

The nbgrader source folder is ``solutions/<id>/`` plus a copy of ``data_scripts/``: its notebooks
(nbgrader replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region with a stub that
raises NotImplementedError, removes hidden tests, clears outputs and records cell checksums) and
its supporting files, copied as they are: the students' README.md and requirements.txt, and the
``selfcheck`` package (the assignment's checks.py beside the engine's student-side files); the
assignment's ``grading/`` stays out. Then ``selfcheck/expected.json``, the numbers the public
checks compare with, is computed from the reference (``public_data``). The result is the folder
nbgrader's ``release_assignment`` hands out, and what a course zips for its LMS.

Nothing a student worked in is overwritten: ``assignment/<id>.manifest.json`` records every file
the last release wrote, with its sha256, and a file that differs from that record (or that no
release wrote) stops the release with its name, unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from autograder.assignments import of_source
from autograder.layout import ROOT

DATA_SCRIPTS = ROOT / "data_scripts"
#: The student-side files of every hand-out's selfcheck/ (beside the assignment's own checks.py).
SELFCHECK = ROOT / "autograder" / "students" / "selfcheck"
#: never part of a hand-out (nbgrader's own CourseDirectory.ignore, plus downloaded data, plus
#: the assignment's hidden checks and corpus)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "datasets", "*.zip", "grading")


def alembic_on_path() -> None:
    """nbgrader runs `alembic` as a subprocess when it creates a gradebook: put this Python's
    bin folder (the kit's venv) on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])


class ReleaseError(RuntimeError):
    """The release could not be generated, or would overwrite someone's work; the message says which."""


def manifest_path(target: Path) -> Path:
    return Path(target).parent / f"{Path(target).name}.manifest.json"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> dict[str, Path]:
    """{relative posix path: path} of every file under ``folder``, bytecode caches left out."""
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.relative_to(folder).parts}


def generate(source: Path, folder: Path) -> None:
    """Write the complete hand-out of ``source`` into the new folder ``folder``."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    source = Path(source)
    assignment = of_source(source).id
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise ReleaseError(f"no source notebooks in {source}")
    alembic_on_path()
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as course:
        course = Path(course)
        staged = course / "source" / assignment
        shutil.copytree(source, staged, ignore=IGNORED)
        shutil.copytree(SELFCHECK, staged / "selfcheck", ignore=IGNORED, dirs_exist_ok=True)
        shutil.copytree(DATA_SCRIPTS, staged / "data_scripts", ignore=IGNORED)
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        config.Application.log_level = "WARN"
        result = NbGraderAPI(config=config).generate_assignment(assignment, force=True, create=True)
        if not result.get("success"):
            raise ReleaseError(f"nbgrader generate_assignment failed:\n{result.get('error', '')}\n{result.get('log', '')}")
        shutil.copytree(course / "release" / assignment, folder, ignore=IGNORED)
    released = sorted(folder.glob("*.ipynb"))
    (folder / "selfcheck" / "expected.json").write_text(dumps(public_data(source, released[0])), encoding="utf-8")


def public_data(source: Path, release_notebook: Path) -> dict:
    """What the hand-out's selfcheck/expected.json holds: what every hand-out's does (the
    assignment, its notebook, its parts, the checksums of its locked cells, which identify the
    hand-out's version), and the assignment's own numbers, ``grading.public.public_data``
    computed from the reference on fixed inputs."""
    import importlib

    import nbformat

    from autograder.checks import grading_package
    from autograder.parts import load_parts, nbgrader_meta
    from autograder.reference import load_reference

    locked = {}
    for cell in nbformat.read(release_notebook, as_version=4).cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution") and meta.get("checksum"):
            locked[meta["grade_id"]] = meta["checksum"]
    own = importlib.import_module(grading_package(source).__name__ + ".public").public_data(load_reference(source))
    return {**own, "assignment": Path(source).name, "notebook": release_notebook.name,
            "parts": [part.name for part in load_parts(source)], "locked_cells": locked}


def dumps(data: dict) -> str:
    """expected.json's text: stable key order, floats written exactly (repr round-trips)."""
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def release(*, source: Path, target: Path | None = None, force: bool = False) -> list[Path]:
    """Generate the hand-out of ``source`` into ``target`` (default: the assignment's
    assignment/<id>/); return the files written. Raises
    ReleaseError, writing nothing, when a file in ``target`` is not what the last release
    wrote (someone's work) and ``force`` is not given."""
    target = Path(target) if target is not None else of_source(source).release
    with tempfile.TemporaryDirectory(prefix="autograder-handout-") as staging:
        fresh = Path(staging) / "handout"
        generate(source, fresh)
        new = _files(fresh)
        manifest = manifest_path(target)
        recorded = json.loads(manifest.read_text()) if manifest.is_file() else {}
        current = _files(target) if target.is_dir() else {}
        changed = [name for name, path in current.items()
                   if _digest(path) != recorded.get(name) and not (name in new and _digest(path) == _digest(new[name]))]
        if changed and not force:
            raise ReleaseError(
                f"not overwriting {', '.join(str(target / name) for name in changed)}: "
                f"{'these differ' if len(changed) > 1 else 'it differs'} from what the last release wrote "
                "(someone's work?). Move them away, or run release with --force to replace them.")
        if target.is_dir():
            shutil.rmtree(target)
        shutil.copytree(fresh, target)
    written = sorted(_files(target).values())
    manifest.write_text(json.dumps({p.relative_to(target).as_posix(): _digest(p) for p in written}, indent=1, sort_keys=True) + "\n")
    return written
