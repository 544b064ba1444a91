"""Submission intake: find the submissions and read the code a student wrote for each part.

Nothing here executes student code. A notebook that cannot be read, a part that cannot be
found, a duplicated cell: each becomes a ``problem`` string for that student's report, and the
parts that can be graded still are.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import hashlib
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

import nbformat

from autograder.assignments import UnknownAssignment, all_assignments, find_assignment, in_submissions
from autograder.parts import Part, nbgrader_meta
from autograder.students.selfcheck.magics import parse

#: Lines of IPython magics (% and !), dropped only to find a notebook's import cells and the cell
#: that defines a part; the loop check reads cells as the kernel runs them (students/selfcheck/magics.py).
_MAGIC = re.compile(r"^\s*[%!].*$", re.MULTILINE)


@dataclasses.dataclass
class Submission:
    """One student's folder: SUBMISSIONS/<student_id>/<assignment id>/ (so ``folder.name`` is the id)."""

    student_id: str
    folder: Path


@dataclasses.dataclass
class StudentCode:
    """What intake read from one submission.

    cells: {part name: the source of the cell that defines it}.
    setup: sources of the notebook's import-only cells, run before the parts.
    problems: {part name: message} for parts that cannot be graded (or were read with a doubt).
    notes: what concerns the whole submission (a renamed notebook, a zip file...).
    """

    cells: dict = dataclasses.field(default_factory=dict)
    setup: list = dataclasses.field(default_factory=list)
    problems: dict = dataclasses.field(default_factory=dict)
    notes: list = dataclasses.field(default_factory=list)


class SubmissionsFolderError(FileNotFoundError):
    """SUBMISSIONS is not a folder of student folders: missing, empty, or one student's own."""


def find_submissions(root: Path, assignment: str) -> list[Submission]:
    """Every student folder under ``root`` (nbgrader's submitted/ layout), sorted by id, with
    its folder of the assignment called ``assignment``.
    Raises SubmissionsFolderError, saying what to pass instead, when ``root`` is missing, holds
    no student folder, or is one student's folder (it holds <assignment>/ or notebooks itself)."""
    root = Path(root)
    if not root.is_dir():
        raise SubmissionsFolderError(f"no submissions folder at {root}")
    if (root / assignment).is_dir() or _notebooks_here(root):
        raise SubmissionsFolderError(
            f"{root} looks like one student's folder (it holds {assignment + '/' if (root / assignment).is_dir() else 'notebooks'} "
            f"itself); pass the folder that holds one folder per student, SUBMISSIONS/<student_id>/{assignment}/ "
            f"(nbgrader's submitted/), e.g. {root.parent}")
    found = [
        Submission(entry.name, entry / assignment)
        for entry in sorted(root.iterdir())
        if entry.is_dir() and not entry.name.startswith(".")
    ]
    if not found:
        raise SubmissionsFolderError(f"{root} holds no student folder (expected SUBMISSIONS/<student_id>/{assignment}/); "
                                     "nothing to grade")
    return found


def _notebooks_here(folder: Path) -> bool:
    return any(p.suffix == ".ipynb" and p.is_file() for p in folder.iterdir())


def assignment_of(submissions: Path, name: str | None):
    """The assignment named, else the one SUBMISSIONS holds; a wrong SUBMISSIONS folder is said first."""
    try:
        return find_assignment(name) if name else in_submissions(submissions)
    except UnknownAssignment:
        find_submissions(submissions, "<assignment>")  # missing, empty, one student's: that is the problem
        raise


def submission_fingerprint(submission: Submission) -> str:
    """A hash of every file of the student's folder (names and bytes)."""
    digest = hashlib.sha256()
    root = submission.folder.parent
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            with open(path, "rb") as handle:  # in chunks: a file of gigabytes costs no memory
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


@contextlib.contextmanager
def handed_in(submission: Submission, notebooks) -> Iterator[tuple[dict[str, Path | None], list[str]]]:
    """({notebook name: the file graded for it, or None}, notes on what was found): each of
    the assignment's ``notebooks`` found as grading finds it, at its place, else handed in under
    another name or folder, else inside a zip file (opened into a temporary folder that lasts
    as long as the with block). The gradebook places for the formgrader what this finds."""
    notes: list[str] = []
    graded = set(notebooks)
    with tempfile.TemporaryDirectory(prefix="autograder-unzip-") as unzipped:
        yield {name: _locate(submission, name, Path(unzipped), notes, graded) for name in sorted(graded)}, notes


def read_student_code(submission: Submission, parts: list[Part]) -> StudentCode:
    """Collect, for each part, the cell its notebook holds (by grade_id, else by its def line)."""
    code = StudentCode()
    with handed_in(submission, {part.notebook for part in parts}) as (found, notes):
        code.notes += notes
        for notebook, path in found.items():
            wanted = [part.name for part in parts if part.notebook == notebook]
            if path is None:
                _not_graded(code, wanted, f"{submission.folder.name}/{notebook} is missing from the submission")
                continue
            size = path.stat().st_size
            if size > NOTEBOOK_LIMIT:  # before parsing: a huge notebook costs the grader memory and time
                _not_graded(code, wanted, f"{notebook} is {size / 1024**2:.0f} MB, over the {NOTEBOOK_LIMIT // 1024**2} MB "
                                          "a notebook may have (clear its outputs); it was not read")
                continue
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception as exc:  # invalid JSON, unknown format, undecodable bytes...
                _not_graded(code, wanted, f"{notebook} could not be read as a notebook ({type(exc).__name__}: {str(exc)[:200]})")
                continue
            _collect(nb, notebook, wanted, code)
            if not any(name in code.cells for name in wanted):
                for name in wanted:
                    code.problems.pop(name, None)
                _not_graded(code, wanted, f"{path.name} is not this assignment's notebook: it defines none of its parts "
                                          f"({', '.join(wanted)}); was another notebook handed in?")
    for name, source in list(code.cells.items()):
        reason = (f"is {len(source) / 1024**2:.1f} MB long, over the {CELL_LIMIT // 1024**2} MB a cell may have"
                  if len(source) > CELL_LIMIT else _forbidden(source))
        if reason:
            del code.cells[name]
            code.problems[name] = f"the cell defining {name} {reason}, so it is not graded"
    code.setup = _needed_imports([cell for cell in code.setup if not _forbidden(cell) and len(cell) <= CELL_LIMIT],
                                 code.cells.values())
    return code


def _not_graded(code: StudentCode, wanted: list[str], reason: str) -> None:
    """One reason that stops every part of a notebook: said once, as a note of the submission;
    each part then only points to it."""
    code.notes.append(reason)
    for name in wanted:
        code.problems[name] = "not graded: " + (reason if len(wanted) == 1 else "see the note at the top")


def _needed_imports(setup: list[str], cells) -> list[str]:
    """The import statements of the notebook's import cells that bind a name the graded cells
    use (plotting and data loading are not needed to grade, and cost a second per kernel)."""
    used = set()
    for source in cells:
        tree = _parse(source)
        if tree:
            used |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    kept = []
    for source in setup:
        tree = _parse(source)
        for node in tree.body if tree else []:
            names = [(a.asname or a.name).split(".")[0] for a in node.names]
            if any(name in used or name == "*" for name in names):
                kept.append(ast.unparse(node))
    return ["\n".join(kept)] if kept else []


#: Names a student's code has no business touching: the grader's helpers in the kernel, and
#: class hooks that could rewrite the grader's subclasses of LinearClassifier.
FORBIDDEN = {"_autograder": "refers to the grader's internal names (_autograder...)",
             "__init_subclass__": "defines __init_subclass__, which could rewrite the grader's subclasses",
             "metaclass": "uses a metaclass, which could rewrite the grader's subclasses"}


def _forbidden(source: str) -> str:
    return next((why for word, why in FORBIDDEN.items() if word in source), "")


def _locate(submission: Submission, notebook: str, unzipped: Path, notes: list,
            graded: set = frozenset()) -> Path | None:
    """The submitted file for ``notebook``: at its place, else the only notebook the student
    handed in under another name or folder, else the same inside a zip file they handed in.
    What was found elsewhere is said in ``notes``, but for the hand-in the students' ``collect``
    writes (see hand_in_zip). Notebooks handed in beside it, other than the assignment's own
    (``graded``), are noted."""
    expected = submission.folder / notebook
    if expected.is_file():
        assignments = {a.id for a in all_assignments()} - {submission.folder.name}  # another assignment's folder
        others = [p for p in _notebooks(submission.folder.parent)
                  if p != expected and not (p.parent == submission.folder and p.name in graded)
                  and p.relative_to(submission.folder.parent).parts[0] not in assignments]
        if others:  # an untouched original beside a worked copy: graded as handed in, but said
            names = ", ".join(str(p.relative_to(submission.folder.parent)) for p in others[:5])
            notes.append(f"only {submission.folder.name}/{notebook} was graded; the submission also holds {names} "
                         f"(if the work is there, copy it into {notebook} and hand in again)")
        return expected
    home = submission.folder.parent
    found, archive = _notebooks(home), None
    if not found:
        budget = UNZIPPED_LIMIT  # for all of the submission's archives together
        for candidate in sorted(home.rglob("*.zip")) if home.is_dir() else []:
            target = unzipped / candidate.stem
            problem = safe_unzip(candidate, target, budget)
            budget -= _expanded(target)
            if problem:
                notes.append(f"{candidate.name} was not opened: {problem}")
                continue
            found = _notebooks(target)
            if found:
                archive = candidate
                break
    matching = [p for p in found if p.name.casefold() == notebook.casefold()]
    if len(matching) == 1 or len(found) == 1:
        chosen = (matching or found)[0]
        if archive is not None:
            if not hand_in_zip(archive, submission.folder.name, notebook):
                inside = chosen.relative_to(unzipped / archive.stem).as_posix()
                notes.append(f"graded the notebook found in {archive.name}" + ("" if inside == notebook else f": {inside}"))
        elif chosen.name != notebook or chosen.parent != submission.folder:
            notes.append(f"{notebook} was not at {submission.folder.name}/{notebook}; graded {chosen.name} instead")
        return chosen
    if found:
        notes.append(f"{notebook} is missing and {len(found)} other notebooks were handed in; none was graded")
    return None


def hand_in_zip(archive: Path, assignment: str, notebook: str) -> bool:
    """Whether ``archive`` is the hand-in the students' ``python -m selfcheck collect`` writes:
    ``<assignment>_submission.zip`` holding the notebook alone, under its name. Graded without a
    note: it is the format the students' README asks for."""
    try:
        with zipfile.ZipFile(archive) as zf:
            return archive.name == f"{assignment}_submission.zip" and zf.namelist() == [notebook]
    except (zipfile.BadZipFile, OSError):
        return False


def _notebooks(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file())


#: Largest total size a submission's zip files may expand to, all of them together.
UNZIPPED_LIMIT = 200 * 1024**2
#: Largest notebook read, and largest cell graded (both checked before anything is parsed).
NOTEBOOK_LIMIT = 20 * 1024**2
CELL_LIMIT = 1024**2


def _expanded(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def safe_unzip(archive: Path, target: Path, budget: int = UNZIPPED_LIMIT) -> str:
    """Extract ``archive`` into ``target``; refuse (returning why) paths that escape the folder,
    links, and archives that would expand past ``budget`` bytes. '' on success."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            for member in members:
                name = member.filename
                parts = Path(name).parts
                if name.startswith(("/", "\\")) or ".." in parts or ":" in name or (member.external_attr >> 16) & 0o170000 == 0o120000:
                    return f"it holds a path that escapes its folder or a link ({name!r})"
            if sum(m.file_size for m in members) > budget:
                return (f"it would expand past the {UNZIPPED_LIMIT // 1024**2} MB that all of a submission's "
                        "zip files may expand to")
            target.mkdir(parents=True, exist_ok=True)
            zf.extractall(target)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"it is not a readable zip file ({exc})"
    return ""


def _collect(nb, notebook: str, wanted: list[str], code: StudentCode) -> None:
    code_cells = [cell for cell in nb.cells if cell.get("cell_type") == "code"]
    for cell in code_cells:
        if _is_import_only(cell.get("source", "")):
            code.setup.append(cell["source"])
    for name in wanted:
        by_id = [c for c in code_cells if nbgrader_meta(c).get("grade_id") == name]
        if len(by_id) > 1:
            code.problems.setdefault(name, f"{notebook} has {len(by_id)} cells with grade id {name!r}; the first is graded")
        if by_id:
            code.cells[name] = by_id[0].get("source", "")
            continue
        by_def = [c for c in code_cells if _defines(c.get("source", ""), name)]
        if by_def:
            code.cells[name] = by_def[0].get("source", "")
        else:
            code.problems[name] = f"{notebook} has no cell that defines {name} (its solution cell was deleted or renamed)"


def _parse(source: str):
    try:
        return parse(_MAGIC.sub("", source))
    except (SyntaxError, ValueError, SystemError, RecursionError, MemoryError):
        return None


def _is_import_only(source: str) -> bool:
    if isinstance(source, str) and "import" not in source:
        return False  # no import statement in it: not parsed (most cells of a notebook; a parse is ~1 ms)
    tree = _parse(source)
    return bool(tree and tree.body) and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body)


def _defines(source: str, name: str) -> bool:
    tree = _parse(source)
    return bool(tree) and any(
        isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name for n in tree.body
    )
