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
import re
import shutil
import sys
import tempfile
from pathlib import Path

from autograder.assignments import of_source
from autograder.layout import ROOT, command

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
        recorded = read_manifest(target)["files"]
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
    record = {"files": {p.relative_to(target).as_posix(): _digest(p) for p in written}, "inputs": release_inputs(source)}
    manifest.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return written


def read_manifest(target: Path) -> dict:
    """{"files": {hand-out file: sha256}, "inputs": {release input: sha256}} of the last release
    into ``target`` (empty when there was none)."""
    path = manifest_path(target)
    recorded = json.loads(path.read_text()) if path.is_file() else {}
    if recorded and "files" not in recorded:  # written before inputs were recorded: {file: sha256}
        recorded = {"files": recorded}
    return {"files": recorded.get("files", {}), "inputs": recorded.get("inputs", {})}


def release_inputs(source: Path) -> dict[str, str]:
    """{name: sha256} of everything a release of ``source`` is made from: the assignment's
    hand-out sources (solutions/<id>/ but its grading/), the module computing expected.json
    (grading/public.py, and the grading modules it imports), data_scripts/ and the engine's
    selfcheck files. A release whose recorded inputs differ is stale."""
    import ast

    from autograder.intake import parse

    source = Path(source)
    inputs = {f"{source.name}/{name}": path for name, path in _files(source).items() if not name.startswith("grading/")}
    public = source / "grading" / "public.py"
    if public.is_file():
        inputs[f"{source.name}/grading/public.py"] = public
        for node in ast.walk(parse(public.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                module = source / "grading" / f"{node.module}.py"
                if module.is_file():
                    inputs[f"{source.name}/grading/{module.name}"] = module
    inputs |= {f"data_scripts/{name}": path for name, path in _files(DATA_SCRIPTS).items()}
    inputs |= {f"selfcheck/{name}": path for name, path in _files(SELFCHECK).items()}
    return {name: _digest(path) for name, path in sorted(inputs.items())
            if not name.endswith((".pyc", ".zip")) and not {"datasets", ".ipynb_checkpoints"} & set(name.split("/"))}


def stale_inputs(source: Path, target: Path | None = None) -> list[str]:
    """The release inputs changed (or added, or removed) since the last release into ``target``
    (default: the assignment's assignment/<id>/); every input when there was no release."""
    target = Path(target) if target is not None else of_source(source).release
    recorded, now = read_manifest(target)["inputs"], release_inputs(source)
    if not recorded:
        return sorted(now)
    return sorted(name for name in recorded.keys() | now.keys() if recorded.get(name) != now.get(name))


def edited_handout(target: Path) -> list[str]:
    """Hand-out files that are not what the last release wrote (edited by hand, added, removed)."""
    recorded, current = read_manifest(target)["files"], _files(target) if Path(target).is_dir() else {}
    return sorted(name for name in recorded.keys() | current.keys()
                  if name not in current or recorded.get(name) != _digest(current[name]))


class StaleRelease(RuntimeError):
    """The hand-out is not what the source would release now: grading it would not grade what students have."""


def require_fresh(source: Path) -> None:
    """Raise StaleRelease when the assignment's committed hand-out is stale or was edited by hand."""
    assignment = of_source(source)
    changed = stale_inputs(source)
    if changed:
        raise StaleRelease(
            f"the hand-out assignment/{assignment.id}/ is older than what it is made from (changed since its release: "
            f"{', '.join(changed[:5])}{', ...' if len(changed) > 5 else ''}): run "
            f"`{command(f'release --assignment {assignment.id}')}`, check what changed, and hand it out again "
            "(or, if students already have this version and the change does not concern them, grade with --stale-release)")


#: "`name` (3 points)" in the prose, and a points table's row "| `name` | ... | 3 |".
_PROSE_POINTS = re.compile(r"`(\w+)`\s*\((\d+(?:\.\d+)?)\s+points?\)")
_TABLE_POINTS = re.compile(r"^\|\s*`(\w+)`\s*\|.*\|\s*(\d+(?:\.\d+)?)\s*\|\s*$", re.MULTILINE)


def points_problems(source: Path) -> list[str]:
    """Where the source notebooks' prose or points table gives a part other points than its
    check cell's nbgrader metadata (the grade's truth)."""
    import nbformat

    from autograder.parts import load_parts

    points = {part.name: part.points for part in load_parts(source)}
    problems = []
    for path in sorted(Path(source).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for pattern, where in ((_PROSE_POINTS, "the prose"), (_TABLE_POINTS, "the points table")):
                for name, said in pattern.findall(cell.source):
                    if name in points and float(said) != points[name]:
                        problems.append(f"{path.name}: {where} gives {name} {float(said):g} points, its check cell "
                                        f"test_{name} {points[name]:g} (nbgrader metadata): make them agree")
    return problems


def check(source: Path) -> list[str]:
    """``release --check``, in seconds, without writing: every problem a TA's edit can leave.
    The hand-out is fresh and not edited by hand; every part has checks and every registered
    check a part (and every solution cell its check cell); the points in the prose and the
    points table are the metadata's."""
    from autograder.checks import ChecksMismatch, load_all
    from autograder.parts import load_parts

    assignment = of_source(source)
    problems = []
    try:
        load_all(source, load_parts(source))
    except (ChecksMismatch, ValueError, KeyError) as exc:
        problems.append(str(exc))
    problems += points_problems(source)
    stale = stale_inputs(source)
    if stale:
        problems.append(f"assignment/{assignment.id}/ is stale: changed since its release: {', '.join(stale[:8])}"
                        f"{', ...' if len(stale) > 8 else ''} (run `{command(f'release --assignment {assignment.id}')}`)")
    edited = edited_handout(assignment.release)
    if edited and not stale:
        problems.append(f"assignment/{assignment.id}/ was edited by hand: {', '.join(edited[:8])} "
                        "(edit solutions/ and release instead)")
    return problems
