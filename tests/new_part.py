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

HIDDEN_CHECKS = '''"""Hidden checks of hinge_loss_single: the loss of one example, against the reference."""
import numpy as np

from autograder.checks import Check, checks_for
from autograder.checks.values import Unusable, reply_failure, scalar

WORKED = Check("worked-example", "the cat image of the worked example", 1)
RANDOM = Check("random-scores", "random scores of 3 to 12 classes", 2)


@checks_for("hinge_loss_single", checks=[WORKED, RANDOM], core=[WORKED, RANDOM])
def check_hinge_loss_single(ctx, name):
    cases = {WORKED: [(np.array([3.2, 5.1, -1.7]), 0)],
             RANDOM: [(ctx.rng.normal(size=c), int(ctx.rng.integers(c))) for c in (3, 7, 12)]}
    results = []
    for check, inputs in cases.items():
        message = ""
        for scores, y in inputs:
            reply = ctx.bridge.call(name, "_autograder_s.copy()", str(y), inputs={"_autograder_s": scores})
            try:
                if not reply.ok:
                    raise Unusable(reply_failure(name, reply))
                got = scalar(name, "the loss", reply.value)
            except Unusable as exc:
                message = str(exc)
                break
            want = ctx.reference[name](scores.copy(), y)
            if not np.isclose(got, want, rtol=1e-9, atol=1e-12):
                message = (f"for scores {np.round(scores, 3).tolist()} and y = {y} expected {want:.6f}, got {got:.6g}: "
                           "sum max(0, s_j - s_y + 1) over the wrong classes j != y only")
                break
        results.append(check.result(not message, message))
    return results
'''

PUBLIC_CHECKS = '''

# --- added with hinge_loss_single ------------------------------------------------------------

def check_hinge_loss_single(part: PartCalls, data: dict, passed: dict) -> List[Verdict]:
    def values():
        for case in data["hinge_loss_single"]:
            got = _number(part.call("hinge_loss_single(_selfcheck_s, _selfcheck_y)",
                                    _selfcheck_s=np.array(case["scores"]), _selfcheck_y=case["y"]), "the loss")
            if abs(got - case["expected"]) > 1e-9 * max(1.0, abs(case["expected"])):
                return (f"for scores {case['scores']} and y = {case['y']} expected {case['expected']:.6g}, got {got:.6g}: "
                        "sum max(0, s_j - s_y + 1) over the wrong classes j != y only.")
        return ""
    return [part.check("fixed scores (the worked example's three images)", values)]


CHECKS["hinge_loss_single"] = check_hinge_loss_single
'''

PUBLIC_DATA = '''

def _cases_of_hinge_loss_single(reference: dict) -> list:
    """hinge_loss_single on the worked example's three images."""
    scores = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
    return [{"scores": s, "y": y, "expected": float(reference["hinge_loss_single"](np.array(s), y))}
            for y, s in enumerate(scores)]


_public_data_before_hinge_loss_single = public_data


def public_data(reference: dict) -> dict:  # noqa: F811  (the numbers of hinge_loss_single added)
    return {**_public_data_before_hinge_loss_single(reference), "hinge_loss_single": _cases_of_hinge_loss_single(reference)}
'''

#: A corpus entry: the correct class's own term counted (max(0, 1) = 1 too much).
CORPUS_ENTRY = '''# hinge_loss_single counts the correct class's own term, max(0, s_y - s_y + 1) = 1, in the loss.
# expect-lose: hinge_loss_single
# expect-fail: hinge_loss_single: worked-example
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


def add_hidden_checks(source: Path, name: str = NAME) -> None:
    """Step 3: a module of the grading package, imported by its __init__.py."""
    grading = Path(source) / "grading"
    (grading / f"{name}.py").write_text(_named(HIDDEN_CHECKS, name))
    with open(grading / "__init__.py", "a") as handle:
        handle.write(f"\nfrom . import {name}  # noqa: E402,F401  (registers its checks)\n")


def add_public_checks(source: Path, name: str = NAME) -> None:
    """Step 4: CHECKS["hinge_loss_single"] in selfcheck/checks.py, its numbers in grading/public.py."""
    with open(Path(source) / "selfcheck" / "checks.py", "a") as handle:
        handle.write(_named(PUBLIC_CHECKS, name))
    with open(Path(source) / "grading" / "public.py", "a") as handle:
        handle.write(_named(PUBLIC_DATA, name))


def add_corpus_entry(source: Path, name: str = NAME) -> Path:
    """Step 5's corpus entry for the part's typical mistake."""
    path = Path(source) / "grading" / "corpus" / f"{_named(ENTRY, name)}.py"
    path.write_text(_named(CORPUS_ENTRY, name))
    return path


def add_part(source: Path, name: str = NAME) -> None:
    """Every step of "Adding a part" but the release (steps 1 to 5's files)."""
    add_cells(source, name=name)
    add_hidden_checks(source, name=name)
    add_public_checks(source, name=name)
    add_corpus_entry(source, name=name)
