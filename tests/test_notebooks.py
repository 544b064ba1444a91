"""The source notebook runs top to bottom on the embedded data in a fresh kernel, with every
visible check passing on the reference solution, its last cell running the self-check; once
run and saved, `collect` packs it."""

import zipfile

import nbformat
from nbclient import NotebookClient

from autograder import collect
from autograder.layout import SOLUTIONS


def test_source_notebooks_run_top_to_bottom_on_the_embedded_data(monkeypatch, tmp_path):
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path / "no-cifar"))  # force the embedded default
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        assert "dataset: digits" in text
        assert "8 of 8 parts pass every public check" in text, text[-2000:]
        saved = tmp_path / "saved"
        saved.mkdir()
        nbformat.write(nb, saved / path.name)
        written, problems = collect.collect(saved)
        assert problems == []
        assert zipfile.ZipFile(written).namelist() == [path.name]
