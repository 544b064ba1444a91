"""The source notebook, placed in a copy of the hand-out as a student's finished work, runs top to
bottom on the embedded data in a fresh kernel: every visible check passes on the reference, and
its last cell runs the self-check, which finds the notebook (renamed) and passes every part."""

import nbformat
import pytest
from nbclient import NotebookClient

from linear import PARTS, SOLUTIONS, passing
from handout import NOTEBOOK, copy_handout, selfcheck


@pytest.mark.slow
def test_the_reference_runs_top_to_bottom_in_the_handout_and_passes_its_self_check(monkeypatch, tmp_path):
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path / "no-cifar"))  # force the embedded default
    handout = copy_handout(tmp_path / "handout")
    (handout / NOTEBOOK).unlink()
    nb = nbformat.read(SOLUTIONS / NOTEBOOK, as_version=4)
    nbformat.write(nb, handout / "linear_classifiers-Copy1.ipynb")  # saved before the run, as a student would
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(handout)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "dataset: digits" in text
    self_check = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "Public checks of linear_classifiers-Copy1.ipynb" in self_check, self_check
    assert self_check.strip().splitlines()[-1] == passing(len(PARTS)), self_check
    nbformat.write(nb, handout / "linear_classifiers-Copy1.ipynb")
    run = selfcheck(handout, "collect")
    assert run.returncode == 0 and (handout / "linear_classifiers_submission.zip").is_file(), run.stdout
