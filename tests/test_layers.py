"""The engine's stages import only the stages they build on (pyproject.toml's import-linter
contract: cli, authoring, outputs, grading, checks, then intake/reference/sandbox, parts and
assignments, layout, and the students' files, which import nothing of the kit)."""

import subprocess
import sys
from pathlib import Path

from autograder.layout import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(*args, config: Path | None = None):
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *(["--config", str(config)] if config else []), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_each_stage_imports_only_the_stages_it_builds_on():
    run = lint()
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "1 kept, 0 broken" in run.stdout, run.stdout[-2000:]


def test_an_import_back_up_a_stage_breaks_the_contract(tmp_path):
    """The same tool, told that grading sits above outputs (outputs/ reads grading's scores), finds it."""
    config = tmp_path / "upside_down.toml"
    config.write_text('[tool.importlinter]\nroot_package = "autograder"\n\n[[tool.importlinter.contracts]]\n'
                      'name = "upside down"\ntype = "layers"\nlayers = ["autograder.grading", "autograder.outputs"]\n')
    run = lint(config=config)
    assert run.returncode != 0 and "BROKEN" in run.stdout, run.stdout[-2000:]
    assert "autograder.outputs." in run.stdout and "autograder.grading." in run.stdout, run.stdout[-2000:]
