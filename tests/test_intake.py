"""Intake reads what each part's cell holds, and turns unreadable input into messages."""

import nbformat

from autograder.intake import Submission, find_submissions, read_student_code
from autograder.parts import Part
from linear import ASSIGNMENT

PARTS = [Part("f", "nb.ipynb", 5), Part("g", "nb.ipynb", 5)]


def cell(source, grade_id=None):
    c = nbformat.v4.new_code_cell(source)
    if grade_id:
        c.metadata["nbgrader"] = {"grade_id": grade_id, "solution": True, "grade": False}
    return c


def write(folder, *cells):
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nbformat.write(nb, folder / "nb.ipynb")
    return Submission("s", folder)


def test_cells_are_found_by_grade_id_and_imports_collected(tmp_path):
    sub = write(tmp_path, cell("%matplotlib inline\nimport numpy as np\nimport matplotlib.pyplot as plt"),
                cell("def f():\n    return np.ones(1)", "f"), cell("x = 1"), cell("def g():\n    return 2", "g"))
    code = read_student_code(sub, PARTS)
    assert code.cells == {"f": "def f():\n    return np.ones(1)", "g": "def g():\n    return 2"}
    assert code.setup == ["import numpy as np"]  # only what the graded cells use
    assert code.problems == {}


def test_a_cell_that_lost_its_metadata_is_found_by_its_def_line(tmp_path):
    sub = write(tmp_path, cell("def f():\n    return 1"), cell("def g():\n    return 2", "g"))
    assert read_student_code(sub, PARTS).cells["f"] == "def f():\n    return 1"


def test_missing_and_duplicated_cells_are_reported(tmp_path):
    sub = write(tmp_path, cell("def g():\n    return 2", "g"), cell("def g():\n    return 3", "g"))
    code = read_student_code(sub, PARTS)
    assert "no cell that defines f" in code.problems["f"]
    assert code.cells["g"] == "def g():\n    return 2" and "2 cells with grade id 'g'" in code.problems["g"]


def test_unreadable_or_missing_notebooks_affect_their_parts_only(tmp_path):
    folder = tmp_path / "s" / "a"
    folder.mkdir(parents=True)
    (folder / "nb.ipynb").write_bytes(b"\xff\xfe not json")
    code = read_student_code(Submission("s", folder), PARTS)
    # one reason, said once, each part pointing to it
    assert set(code.problems) == {"f", "g"} and set(code.problems.values()) == {"not graded: see the note at the top"}
    assert len(code.notes) == 1 and "could not be read" in code.notes[0]
    (tmp_path / "alone").mkdir()
    code = read_student_code(Submission("s", tmp_path / "alone" / "linear_classifiers"), PARTS)
    assert set(code.problems) == {"f", "g"} and [n for n in code.notes if "missing from the submission" in n]


def test_find_submissions_lists_student_folders_sorted(tmp_path):
    for name in ["bob", "alice", ".hidden"]:
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("x")
    assert [s.student_id for s in find_submissions(tmp_path, ASSIGNMENT)] == ["alice", "bob"]


def test_a_notebook_of_none_of_the_parts_is_said_to_be_another_assignments_once(tmp_path):
    sub = write(tmp_path / "s" / "a", cell("def knn(X):\n    return X", "knn"))
    code = read_student_code(sub, PARTS)
    assert set(code.problems.values()) == {"not graded: see the note at the top"}
    assert len(code.notes) == 1 and "is not this assignment's notebook" in code.notes[0]
    sub = write(tmp_path / "t" / "a", cell("def f():\n    return 1", "f"))  # one part present: a deleted cell
    code = read_student_code(sub, PARTS)
    assert "has no cell that defines g" in code.problems["g"] and not code.notes


def test_a_renamed_notebook_is_graded_with_a_note(tmp_path):
    folder = tmp_path / "student" / "linear_classifiers"
    write(folder, cell("def f():\n    return 1", "f"))
    (folder / "nb.ipynb").rename(folder / "nb (1).ipynb")
    code = read_student_code(Submission("s", folder), PARTS)
    assert code.cells["f"] == "def f():\n    return 1"
    assert any("graded nb (1).ipynb instead" in note for note in code.notes)


def test_a_zip_submission_is_opened_and_a_zip_escaping_its_folder_is_refused(tmp_path):
    import zipfile

    source = tmp_path / "src"
    write(source, cell("def f():\n    return 1", "f"))
    home = tmp_path / "student"
    home.mkdir()
    with zipfile.ZipFile(home / "work.zip", "w") as zf:
        zf.write(source / "nb.ipynb", "linear_classifiers/nb.ipynb")
    code = read_student_code(Submission("s", home / "linear_classifiers"), PARTS)
    assert "f" in code.cells and any("work.zip" in n for n in code.notes)

    evil = tmp_path / "evil"
    evil.mkdir()
    with zipfile.ZipFile(evil / "work.zip", "w") as zf:
        zf.write(source / "nb.ipynb", "../../escaped.ipynb")
    code = read_student_code(Submission("e", evil / "linear_classifiers"), PARTS)
    assert not code.cells and any("escapes its folder" in n for n in code.notes)
    assert not list(tmp_path.rglob("escaped.ipynb"))


def test_cells_touching_the_grader_internals_are_not_graded(tmp_path):
    sub = write(tmp_path, cell("def f():\n    return _autograder_send", "f"),
                cell("class g(object):\n    def __init_subclass__(cls):\n        pass", "g"))
    code = read_student_code(sub, PARTS)
    assert code.cells == {}
    assert "grader's internal names" in code.problems["f"] and "__init_subclass__" in code.problems["g"]


def test_an_old_nbformat_notebook_is_read(tmp_path):
    import json

    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [{"metadata": {}, "cells": [
        {"cell_type": "code", "collapsed": False, "input": ["def f():\n", "    return 1"], "language": "python",
         "metadata": {}, "outputs": []}]}]}
    (tmp_path / "nb.ipynb").write_text(json.dumps(v3))
    code = read_student_code(Submission("s", tmp_path), PARTS)
    assert code.cells["f"] == "def f():\n    return 1"


def test_oversized_notebooks_cells_and_archives_are_refused_before_they_are_parsed(tmp_path):
    import zipfile

    from autograder import intake

    # A notebook over the limit: not read at all.
    big = tmp_path / "big" / "s1" / "a"
    big.mkdir(parents=True)
    (big / "nb.ipynb").write_bytes(b" " * (intake.NOTEBOOK_LIMIT + 1))
    code = read_student_code(Submission("s1", big), PARTS)
    assert not code.cells and set(code.problems) == {"f", "g"} and "over the 20 MB" in code.notes[0], code.notes
    # A cell over the limit: that part only.
    sub = write(tmp_path / "cell" / "s2" / "a", cell("def f():\n    return 1\n" + "#" * intake.CELL_LIMIT, "f"),
                cell("def g():\n    return 2", "g"))
    code = read_student_code(sub, PARTS)
    assert "f" not in code.cells and "over the 1 MB" in code.problems["f"] and code.cells["g"]
    # Sibling archives, each under the limit, together over it: the one past the budget is not opened.
    zips = tmp_path / "zips" / "s3" / "a"
    zips.mkdir(parents=True)
    for k in range(3):
        with zipfile.ZipFile(zips / f"part{k}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("filler.bin", b"\0" * (intake.UNZIPPED_LIMIT // 2 + 1024))
    code = read_student_code(Submission("s3", zips), PARTS)
    assert any("all of a submission's zip files" in note for note in code.notes), code.notes


def test_a_huge_file_in_a_submission_is_fingerprinted_without_reading_it_into_memory(tmp_path):
    """Every submission is fingerprinted before grading (to reuse stored grades): a 300 MB file
    beside the notebook once cost the grader 600 MB, for every student's run at stake."""
    import tracemalloc

    from autograder.intake import submission_fingerprint

    folder = tmp_path / "s" / "a"
    write(folder, cell("def f():\n    return 1", "f"))
    with open(folder / "huge.bin", "wb") as handle:
        handle.truncate(300 * 1024**2)  # sparse: no disk used
    tracemalloc.start()
    try:
        first = submission_fingerprint(Submission("s", folder))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024**2, f"{peak / 1024**2:.0f} MB"
    (folder / "huge.bin").write_bytes(b"changed")
    assert submission_fingerprint(Submission("s", folder)) != first  # and it still sees every change


def test_the_zip_the_students_collect_writes_is_graded_without_a_note_and_other_zips_with_one(tmp_path):
    """`python -m selfcheck collect` writes <assignment>_submission.zip holding the notebook alone
    under its name: the hand-in the students' README asks for, so nothing to note. A zip of any
    other name or content gets one note saying which notebook was graded, and no other."""
    import io
    import itertools
    import zipfile

    from autograder.parts import load_parts
    from handout import NOTEBOOK, answered, copy_handout, selfcheck
    from linear import LINEAR

    handout = copy_handout(tmp_path / "handout")
    nbformat.write(answered(), handout / NOTEBOOK)
    run = selfcheck(handout, "collect")
    assert run.returncode == 0, run.stdout + run.stderr
    handed_in = handout / f"{ASSIGNMENT}_submission.zip"
    parts, runs = load_parts(LINEAR.source), itertools.count()

    def graded(archive_name: str, archive: bytes) -> tuple:
        """(every part's cell found, the notes) for a student who handed in ``archive`` alone."""
        folder = tmp_path / f"submitted-{next(runs)}" / "student" / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / archive_name).write_bytes(archive)
        code = read_student_code(Submission("student", folder), parts)
        return sorted(code.cells) == sorted(p.name for p in parts), code.notes

    def zipped(members: dict) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        return buffer.getvalue()

    assert graded(handed_in.name, handed_in.read_bytes()) == (True, [])
    notebook = zipfile.ZipFile(handed_in).read(NOTEBOOK)
    assert graded("upload.zip", handed_in.read_bytes()) == (True, ["graded the notebook found in upload.zip"])
    assert graded(handed_in.name, zipped({f"hw/{NOTEBOOK}": notebook})) == (
        True, [f"graded the notebook found in {handed_in.name}: hw/{NOTEBOOK}"])
    assert graded(handed_in.name, zipped({"mine.ipynb": notebook})) == (
        True, [f"graded the notebook found in {handed_in.name}: mine.ipynb"])
