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
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.assignments import of_source
from autograder.layout import ROOT, alembic_on_path, command
from autograder.outputs.reports import number

DATA_SCRIPTS = ROOT / "data_scripts"
#: The student-side files of every hand-out's selfcheck/ (beside the assignment's own checks.py).
SELFCHECK = ROOT / "autograder" / "students" / "selfcheck"
#: never part of a hand-out (nbgrader's own CourseDirectory.ignore, plus downloaded data, plus
#: the assignment's hidden checks and corpus)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "datasets", "*.zip", "grading")


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


#: Where the hand-out's selfcheck/ holds the assignment's check files (grading/test_*.py, copied as they are).
CHECK_FILES = "check_files"


def check_files_of(source: Path) -> list[Path]:
    """The assignment's check files: grading/test_*.py (a part's checks, all views)."""
    return sorted((Path(source) / "grading").glob("test_*.py"))


def stage_check_files(source: Path, folder: Path) -> None:
    """The check files, as they are, and the pytest configuration the self-check runs them with
    (its own: no pytest settings of the student's folders apply)."""
    if not check_files_of(source):
        return
    folder.mkdir(parents=True, exist_ok=True)
    for path in check_files_of(source):
        shutil.copy2(path, folder / path.name)
    (folder / "pytest.ini").write_text("[pytest]\n# The self-check's own pytest settings (selfcheck/checkfiles.py): none.\n",
                                       encoding="utf-8")


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
        stage_check_files(source, staged / "selfcheck" / CHECK_FILES)
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


#: What release did to each file of the hand-out (and its manifest).
ADDED, CHANGED, REMOVED, UNCHANGED = "added", "changed", "removed", "unchanged"


def release(*, source: Path, target: Path | None = None, force: bool = False) -> dict[Path, str]:
    """Generate the hand-out of ``source`` into ``target`` (default: the assignment's
    assignment/<id>/); return {file: ADDED, CHANGED, REMOVED or UNCHANGED} for every file of the
    hand-out and its manifest (only added and changed files are written). Raises ReleaseError,
    writing nothing, when a file in ``target`` is not what the last release wrote (someone's
    work) and ``force`` is not given, or when the source's parts cannot be read."""
    from autograder.parts import PartsError, load_parts

    target = Path(target) if target is not None else of_source(source).release
    try:
        load_parts(source)
    except PartsError as exc:
        raise ReleaseError(str(exc)) from None
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
        done = {}
        for name, path in new.items():
            if name in current and _digest(current[name]) == _digest(path):
                done[target / name] = UNCHANGED
                continue
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / name)
            done[target / name] = CHANGED if name in current else ADDED
        for name in sorted(set(current) - set(new)):
            (target / name).unlink()
            done[target / name] = REMOVED
        for folder in sorted((p for p in target.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    record = {"files": {name: _digest(target / name) for name in sorted(new)}, "inputs": release_inputs(source)}
    text = json.dumps(record, indent=1, sort_keys=True) + "\n"
    before = manifest.read_text() if manifest.is_file() else None
    if text != before:
        manifest.write_text(text)
    done[manifest] = UNCHANGED if text == before else CHANGED if before is not None else ADDED
    return done


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

    from autograder.students.selfcheck.magics import parse

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
    inputs |= {f"{source.name}/grading/{path.name}": path for path in check_files_of(source)}
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


def points_problems(source: Path, parts: list | None = None) -> list[str]:
    """Where the source notebooks' prose or points table gives a part other points than its
    check cell's nbgrader metadata (the grade's truth), or none: every part is introduced with
    "`name` (N points)" in the prose and, in a notebook with a points table, has its row."""
    import nbformat

    from autograder.parts import load_parts

    parts = load_parts(source) if parts is None else parts
    problems = []
    for path in sorted(Path(source).glob("*.ipynb")):
        points = {part.name: part.points for part in parts if part.notebook == path.name}
        said = {"the prose": {}, "the points table": {}}
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for pattern, where in ((_PROSE_POINTS, "the prose"), (_TABLE_POINTS, "the points table")):
                for name, given in pattern.findall(cell.source):
                    said[where].setdefault(name, []).append(float(given))
        for where, found in said.items():
            for name, given in found.items():
                for value in given:
                    if name in points and value != points[name]:
                        problems.append(f"{path.name}: {where} gives {name} {number(value)} points, its check cell "
                                        f"test_{name} {number(points[name])} (nbgrader metadata): make them agree")
        for name, value in points.items():
            if name not in said["the prose"]:
                problems.append(f"{path.name}: the prose gives no points for {name}: say them where it is introduced, "
                                f"\"`{name}` ({number(value)} points)\"")
            if said["the points table"] and name not in said["the points table"]:
                problems.append(f"{path.name}: the points table has no row for {name}: add "
                                f"\"| `{name}` | what it does | {number(value)} |\"")
    return problems


def metadata_problems(source: Path) -> list[str]:
    """Cells whose nbgrader metadata nbgrader's generate_assignment would refuse (its own
    validator): an old or missing schema_version, a missing or misspelt key."""
    import nbformat
    from jsonschema import ValidationError
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import SchemaMismatchError

    validator, problems = MetadataValidator(), []
    for path in sorted(Path(source).glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells, start=1):
            try:
                validator.validate_cell(cell)
            except (SchemaMismatchError, ValidationError) as exc:
                name = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index}")
                fix = (f' (set "schema_version": {validator.schema_version}, as Jupyter\'s Create Assignment toolbar does)'
                       if isinstance(exc, SchemaMismatchError) else "")
                problems.append(f"{path.name}: the nbgrader metadata of {name} is refused by nbgrader: "
                                f"{str(exc).splitlines()[0]}{fix}")
    return problems


def public_parts(source: Path) -> list[str]:
    """The parts the students' public checks cover: the keys of ``CHECKS`` in
    solutions/<id>/selfcheck/checks.py and the parts with public tests in the check files, read as
    the hand-out reads them (beside the engine's selfcheck files) in a process of its own. Raises
    ReleaseError saying why they cannot be read."""

    from autograder.parts import load_parts

    checks = Path(source) / "selfcheck" / "checks.py"
    if not checks.is_file():
        raise ReleaseError(f"{checks.relative_to(Path(source).parent)} is missing: the students' public checks "
                           "(CHECKS, {part: its checks}) live there")
    with tempfile.TemporaryDirectory(prefix="autograder-public-") as folder:
        shutil.copytree(SELFCHECK, Path(folder) / "selfcheck", ignore=IGNORED)
        shutil.copy2(checks, Path(folder) / "selfcheck" / "checks.py")
        stage_check_files(source, Path(folder) / "selfcheck" / CHECK_FILES)
        run = subprocess.run([sys.executable, "-c", "import json, sys\nfrom selfcheck.checks import CHECKS\n"
                              "from selfcheck.checkfiles import public_parts\n"
                              "print(json.dumps(sorted(set(CHECKS) | public_parts(json.loads(sys.argv[1])))))",
                              json.dumps([p.name for p in load_parts(source)])],
                             cwd=folder, capture_output=True, text=True,
                             timeout=120, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise ReleaseError(f"{checks.relative_to(Path(source).parent)} cannot be imported as the hand-out imports "
                           f"it: {last}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def public_problems(source: Path, parts: list) -> list[str]:
    """Parts without public checks (students would read "FAIL <part> (not checked)", blamed on
    their code), and public checks of no part."""
    try:
        covered = set(public_parts(source))
    except ReleaseError as exc:
        return [str(exc)]
    names = [part.name for part in parts]
    where = f"{Path(source).name}/selfcheck/checks.py"
    problems = []
    missing = [name for name in names if name not in covered]
    if missing:
        problems.append(f"parts without public checks: {', '.join(missing)} (the students' self-check would fail "
                        f"them as 'not checked'): mark a test of {Path(source).name}/grading/test_{missing[0]}.py "
                        "whose answer it works out by hand @pytest.mark.public (the README's \"Writing a check\")")
    unknown = sorted(covered - set(names))
    if unknown:
        problems.append(f"public checks of no part: {', '.join(unknown)} (in CHECKS of {where}): rename them after "
                        "a part, or remove them")
    return problems


def reference_problems(source: Path) -> list[str]:
    """The assignment's check files (grading/test_*.py) run against its reference solution, as
    ``pytest solutions/<id>/grading`` runs them (otter's gate: a check the reference fails would
    fail every correct submission): one problem per failing test, with its message."""
    grading = Path(source) / "grading"
    if not any(grading.glob("test_*.py")):
        return []
    run = subprocess.run([sys.executable, "-m", "pytest", str(grading), "-q", "-rfE", "-p", "no:cacheprovider",
                          "-p", "autograder.checks.checkfiles",
                          f"--rootdir={Path(source).resolve().parent.parent}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1", COLUMNS="1000"))  # messages unabridged
    if run.returncode == 0:
        return []
    failed = [line.split(" ", 1)[1] for line in run.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    where = f"{Path(source).name}/grading/"
    if not failed:
        return [f"the check files of {where} cannot run against the reference: {(run.stdout + run.stderr)[-600:]}"]
    problems = []
    for item in failed:  # "path/test_x.py::test_y - AssertionError: message"
        node, _, message = item.partition(" - ")
        problems.append(f"the reference solution fails its own check {node.rsplit('/', 1)[-1]}"
                        + (f" - {message}" if message else ""))
    return problems


def check(source: Path) -> list[str]:
    """``release --check``, in seconds, without writing: every problem a TA's edit can leave.
    The hand-out is fresh and not edited by hand; every solution cell has its check cell and
    nbgrader accepts every cell's metadata; every part has hidden checks and public checks and
    every registered check a part; every part's points are in the prose and the points table
    (if there is one), and they are the metadata's."""
    from autograder.checks import ChecksMismatch, load_all
    from autograder.parts import PartsError, load_parts

    assignment = of_source(source)
    problems = metadata_problems(source)
    try:
        parts = load_parts(source)
    except PartsError as exc:
        parts = None
        problems.append(str(exc))
    if parts is not None:
        try:
            load_all(source, parts)
        except ChecksMismatch as exc:
            problems.append(str(exc))
        except Exception as exc:  # the TA's check modules do not import: said, not a traceback
            problems.append(f"{Path(source).name}/grading/ cannot be imported: {type(exc).__name__}: {exc}")
        problems += public_problems(source, parts)
        problems += points_problems(source, parts)
        problems += reference_problems(source)
    stale = stale_inputs(source)
    if stale:
        problems.append(f"assignment/{assignment.id}/ is stale: changed since its release: {', '.join(stale[:8])}"
                        f"{', ...' if len(stale) > 8 else ''} (run `{command(f'release --assignment {assignment.id}')}`)")
    edited = edited_handout(assignment.release)
    if edited and not stale:
        problems.append(f"assignment/{assignment.id}/ was edited by hand: {', '.join(edited[:8])} "
                        "(edit solutions/ and release instead)")
    return problems
