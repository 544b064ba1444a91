"""A part added to the linear-classifier assignment exactly as the README's "Adding a part" says,
step by step, in any copy of the kit (a temporary kit layout, or a git worktree of the whole kit).

``add_part(source)`` adds ``hinge_loss_single`` (5 points): the multiclass SVM loss of one example.
Each step is a function of its own, so that a test can leave one out (the hidden checks, the
public ones, the check cell) and see what the kit says about it; ``name`` adds the same part
under another name (a kit that already has hinge_loss_single gets a second one)."""

from __future__ import annotations

from pathlib import Path

import nbformat

NAME = "hinge_loss_single"
POINTS = 5
ENTRY = f"{NAME}_counts_correct_class"  # its corpus entry

SOLUTION = '''def hinge_loss_single(scores, y):
    """
    Multiclass SVM loss of one example, with margin 1.

    Inputs:
    - scores: (C,) array of the example's class scores
    - y: int, its correct class, 0 <= y < C

    Returns the loss, a float: the sum over j != y of max(0, scores[j] - scores[y] + 1).
    """
    ### BEGIN SOLUTION
    margins = np.maximum(0.0, scores - scores[y] + 1.0)
    margins[y] = 0.0
    return float(np.sum(margins))
    ### END SOLUTION
'''

VISIBLE_CHECKS = '''# Checks for hinge_loss_single: the cat image of the worked example.
assert abs(hinge_loss_single(np.array([3.2, 5.1, -1.7]), 0) - 2.9) < 1e-9
print("hinge_loss_single: the worked example passes")
'''

PROSE = f"""### 5.4 `{NAME}` ({POINTS} points)

The SVM loss of a single example: the sum, over the wrong classes, of how far each score comes
within a margin of 1 of the correct class's score."""

CHECK_FILE = '''"""Checks of hinge_loss_single(scores, y): the multiclass SVM loss of one example,
the sum over j != y of max(0, scores[j] - scores[y] + 1)."""

import numpy as np
import pytest

from selfcheck.expect import known_mistake, number, off_by

RULE = "sum max(0, s_j - s_y + 1) over the wrong classes j != y only"


def loss_of(hinge_loss_single, scores, y) -> float:
    return number(hinge_loss_single(np.array(scores, dtype=float), y), "the loss", "hinge_loss_single")


def close(got, want) -> bool:
    return bool(np.isfinite(got)) and abs(got - want) <= 1e-9 * max(1.0, abs(want))


def assert_loss(got, want, scores, y):
    if not close(got, want):  # the correct class's own term, max(0, s_y - s_y + 1), is always 1
        known_mistake(got, {"counts-correct-class": (want + 1, f"The loss is 1 too large: {RULE}.")}, close)
    assert close(got, want), f"for scores {np.round(scores, 3).tolist()} and y = {y} your loss is {off_by(got, want)}: {RULE}."


@pytest.mark.check("three-classes", "scores of 3 classes", points=2, core=True)
@pytest.mark.public
@pytest.mark.parametrize("scores, y, want", [
    ([3.2, 5.1, -1.7], 0, 2.9),   # (5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9 + 0
    ([1.3, 4.9, 2.0], 1, 0.0),    # max(0, 1.3 - 4.9 + 1) + max(0, 2.0 - 4.9 + 1) = 0 + 0
    ([2.2, 2.5, -3.1], 2, 12.9),  # (2.2 + 3.1 + 1) + (2.5 + 3.1 + 1) = 6.3 + 6.6
])
def test_three_classes_worked(hinge_loss_single, scores, y, want):
    assert_loss(loss_of(hinge_loss_single, scores, y), want, scores, y)


@pytest.mark.check("three-classes", "scores of 3 classes", points=2, core=True)
def test_three_classes(hinge_loss_single, reference, rng):
    scores, y = rng.normal(size=3), int(rng.integers(3))
    assert_loss(loss_of(hinge_loss_single, scores, y), reference.hinge_loss_single(scores.copy(), y), scores, y)


@pytest.mark.check("more-classes", "scores of 5 to 12 classes", points=3, core=True)
@pytest.mark.public
def test_more_classes_worked(hinge_loss_single):
    """Five equal scores: each of the 4 wrong classes adds 0 - 0 + 1 = 1."""
    assert_loss(loss_of(hinge_loss_single, [0.0] * 5, 3), 4.0, [0.0] * 5, 3)


@pytest.mark.check("more-classes", "scores of 5 to 12 classes", points=3, core=True)
def test_more_classes(hinge_loss_single, reference, rng):
    cases = [(rng.normal(size=classes), int(rng.integers(classes))) for classes in (7, 9, 12)]
    # every case in one call of each (one request to the student's kernel)
    for (scores, y), got in zip(cases, hinge_loss_single.each([(scores.copy(), y) for scores, y in cases])):
        got = number(got, "the loss", "hinge_loss_single")
        assert_loss(got, reference.hinge_loss_single(scores.copy(), y), scores, y)


@pytest.mark.check("no-loops", "no Python loops (array operations)", points=1)
def test_no_loops(hinge_loss_single, loops):
    assert not loops, loops
'''

#: A corpus entry: the correct class's own term counted (max(0, 1) = 1 too much).
CORPUS_ENTRY = '''# hinge_loss_single counts the correct class's own term, max(0, s_y - s_y + 1) = 1, in the loss.
# expect-lose: hinge_loss_single
# expect-fail: hinge_loss_single: three-classes
# expect-fail: hinge_loss_single: more-classes
# expect-hint: hinge_loss_single: over the wrong classes j != y only
# %% hinge_loss_single
def hinge_loss_single(scores, y):
    return float(np.sum(np.maximum(0.0, scores - scores[y] + 1.0)))
'''


def _cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    made = nbformat.v4.new_code_cell(source)
    made.metadata["nbgrader"] = dict(nbgrader, schema_version=3)
    return made


def _named(text: str, name: str) -> str:
    return text.replace(NAME, name)


def add_cells(source: Path, check_cell: bool = True, name: str = NAME) -> None:
    """Steps 1 and 2: the solution cell, the check cell right after it (unless ``check_cell`` is
    False), the points in the prose and in the points table. After grad_check_sparse's check cell."""
    path = Path(source) / f"{Path(source).name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells)
              if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_grad_check_sparse") + 1
    cells = [nbformat.v4.new_markdown_cell(_named(PROSE, name)),
             _cell(_named(SOLUTION, name), solution=True, grade=False, grade_id=name, locked=False)]
    if check_cell:
        cells.append(_cell(_named(VISIBLE_CHECKS, name), grade=True, solution=False, locked=True,
                           grade_id=f"test_{name}", points=POINTS))
    nb.cells[at:at] = cells
    table = nb.cells[0]
    row = "| `grad_check_sparse` |"
    line = next(line for line in table.source.splitlines() if line.startswith(row))
    table.source = table.source.replace(line, f"{line}\n| `{name}` | the SVM loss of one example | {POINTS} |")
    nbformat.write(nb, path)


def add_check_file(source: Path, name: str = NAME, public: bool = True) -> Path:
    """Step 3: its checks, grading/test_<name>.py; without ``public``, its worked example is not
    marked public (a part with hidden checks only)."""
    text = _named(CHECK_FILE, name)
    if not public:
        text = text.replace("@pytest.mark.public\n", "")
    path = Path(source) / "grading" / f"test_{name}.py"
    path.write_text(text)
    return path


def add_corpus_entry(source: Path, name: str = NAME) -> Path:
    """Step 4's corpus entry for the part's typical mistake."""
    path = Path(source) / "grading" / "corpus" / f"{_named(ENTRY, name)}.py"
    path.write_text(_named(CORPUS_ENTRY, name))
    return path


def add_part(source: Path, name: str = NAME) -> None:
    """Every step of "Adding a part" but the release (steps 1 to 4's files)."""
    add_cells(source, name=name)
    add_check_file(source, name=name)
    add_corpus_entry(source, name=name)
