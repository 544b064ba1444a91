"""One loop check: the hand-out's self-check runs the grader's own (students/selfcheck/loops.py,
copied by release), on the cells it reads from the student's notebook. On every corpus entry of
every assignment, for every part with a loop check, the self-check, run from a copy of the
hand-out, says what the grader says: a disguised loop (filter, a generator, recursion, reduce
under another name...) fails both, and loop-free code passes both."""

import json
import subprocess
import sys

import nbformat
import pytest

from autograder.assignments import all_assignments
from autograder.authoring.corpus import load_corpus
from autograder.checks import load_all
from autograder.intake import Submission, read_student_code
from autograder.parts import load_parts
from autograder.students.selfcheck.loops import loops_message
from autograder.students.selfcheck.magics import read_cell
from handout import answered, copy_handout, notebook_of

#: Run in the hand-out's folder: for each notebook, the self-check's reading and its loop message
#: for each part named ({notebook: [parts]} on stdin, {notebook: {part: message}} on stdout).
SELFCHECK_SIDE = """
import json, sys
from pathlib import Path
from selfcheck.notebook import load_data, read_notebook
from selfcheck.parts import PartCalls, loops_message

wanted, data, found = json.load(sys.stdin), load_data(), {}
for notebook, names in wanted.items():
    prelude, cells = read_notebook(Path(notebook), data)
    context = dict(data, _cells=cells, _prelude=prelude)
    found[notebook] = {name: loops_message(PartCalls(None, name), context) for name in names if name in cells}
print(json.dumps(found))
"""


def graders_message(folder, parts, name) -> str:
    """The grader's loop check as grade_submission runs it: every graded cell that compiles, after
    the import cells."""
    code = read_student_code(Submission("s", folder), parts)
    cells = {}
    for part in parts:
        if part.name in code.cells:
            try:
                read_cell(code.cells[part.name])
            except (SyntaxError, ValueError):
                if part.name != name:
                    continue  # the kernel cannot compile it: nothing of it ran
            cells[part.name] = code.cells[part.name]
    return loops_message(cells, name, tuple(code.setup))


@pytest.mark.slow
@pytest.mark.parametrize("assignment", all_assignments(), ids=lambda a: a.id)
def test_the_self_check_says_what_the_grader_says_about_loops_on_every_corpus_entry(assignment, tmp_path):
    parts = load_parts(assignment.source)
    looped = [name for name, checks in load_all(assignment.source, parts).items() if "no-loops" in checks.declared]
    assert looped, f"{assignment.id} has no part with a loop check"
    handout = copy_handout(tmp_path / "handout", assignment)
    entries = [("reference", {})] + [(entry.name, entry.cells) for entry in load_corpus(assignment.corpus)
                                     if entry.base is None]
    expected, wanted = {}, {}
    for label, cells in entries:
        folder = tmp_path / "submissions" / label / assignment.id
        folder.mkdir(parents=True)
        nbformat.write(answered(cells, assignment=assignment), folder / notebook_of(assignment))
        wanted[str(folder / notebook_of(assignment))] = looped
        expected[str(folder / notebook_of(assignment))] = {name: graders_message(folder, parts, name) for name in looped}
    run = subprocess.run([sys.executable, "-c", SELFCHECK_SIDE], cwd=handout, input=json.dumps(wanted),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout)
    differ = {(notebook.split("/")[-3], name): (found[notebook].get(name), message)
              for notebook, messages in expected.items() for name, message in messages.items()
              if found[notebook].get(name) != message}
    assert not differ, differ
    flagged = {(notebook.split("/")[-3], name) for notebook, messages in expected.items()
               for name, message in messages.items() if message}
    assert len(flagged) >= 3, flagged  # the corpus's disguised loops are there, and found by both
    assert not {label for label, _ in flagged} & {"reference"}, flagged
