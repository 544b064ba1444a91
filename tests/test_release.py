"""The committed release is exactly what nbgrader makes of solutions/, holds no solution code,
and every stub fails its visible checks."""

import re

import nbformat
from nbclient import NotebookClient

from autograder.layout import RELEASE, SOLUTIONS
from autograder.parts import load_parts, nbgrader_meta
from autograder.release import release


def test_committed_release_equals_a_fresh_regeneration(tmp_path):
    fresh = release(target=tmp_path)
    assert [p.name for p in fresh] == sorted(p.name for p in RELEASE.glob("*.ipynb"))
    for path in fresh:
        assert path.read_text() == (RELEASE / path.name).read_text(), \
            f"assignment/ is stale: run `./kit python -m autograder release` and commit ({path.name})"


REGION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", flags=re.S)


def solution_lines():
    """Every substantial line written between BEGIN/END SOLUTION in the source notebooks, except
    lines the source also shows on purpose outside those regions (hints in the prose)."""
    lines, public = set(), ""
    for path in SOLUTIONS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if nbgrader_meta(cell).get("solution") and cell.cell_type == "markdown":
                continue  # written answers: nbgrader replaces the whole cell
            for block in REGION.findall(cell.source):
                lines |= {line.strip() for line in block.splitlines() if len(line.strip()) > 12}
            public += REGION.sub("", cell.source)
    return {line for line in lines if line not in public}


def test_release_holds_no_solution_code():
    lines = solution_lines()
    assert len(lines) > 30  # the source really has solution regions to hide
    for path in RELEASE.glob("*.ipynb"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        leaked = [line for line in lines if line in text]
        assert not leaked, f"solution code in the release: {leaked[:3]}"
        nb = nbformat.read(path, as_version=4)
        answers = [c for c in nb.cells if c.cell_type == "markdown" and nbgrader_meta(c).get("solution")]
        assert answers and all(c.source.strip() == "YOUR ANSWER HERE" for c in answers)


def test_every_stub_fails_its_visible_check():
    parts = load_parts()
    for path in RELEASE.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        for part in (p for p in parts if p.notebook == path.name):
            (check,) = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == f"test_{part.name}"]
            errors = [o for o in check.outputs if o.output_type == "error"]
            assert errors, f"the visible check of {part.name} passes on the stub"
        self_check = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
        assert "0 of 8 parts pass every public check" in self_check, self_check
        assert self_check.count("not implemented yet") == 8
