"""Gradescope: the bundle, and run_autograder in a folder laid out as Gradescope lays out
/autograder, its results.json checked against Gradescope's results format."""

import json
import os
import subprocess
import sys
import zipfile

import jsonschema
import pytest

from autograder.outputs import gradescope
from autograder.checks import CheckResult
from linear import ASSIGNMENT, SOLUTIONS
from autograder.parts import load_parts
from autograder.grading.scoring import GRADER_FAILED, PartResult, StudentGrade

PARTS = {p.name: p.points for p in load_parts(SOLUTIONS)}
NOTEBOOK = "linear_classifiers.ipynb"

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
#: Gradescope's results.json (gradescope-autograders.readthedocs.io, "Autograder Specifications").
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["score", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "score", "max_score", "status", "output", "visibility"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "score": {"type": "number", "minimum": 0},
                "max_score": {"type": "number", "minimum": 0},
                "status": {"enum": ["passed", "failed"]},
                "output": {"type": "string"},
                "visibility": VISIBILITY,
            },
        }},
    },
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The zip, built by the ``gradescope`` verb's entry point."""
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert gradescope.main(out=out, assignment=ASSIGNMENT) == 0
    return out


def run_autograder(bundle, tmp_path, upload: dict, parts: dict = PARTS) -> dict:
    """Lay out <tmp>/autograder as Gradescope does, with ``upload`` ({name: bytes}) as the
    student's files, run run_autograder with bash, and return results.json, schema-checked
    (one test per part of ``parts``, {name: points}, in order)."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, data in upload.items():
        (root / "submission" / name).write_bytes(data)
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"id": 4242, "name": "A Student"}]}))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert [t["name"] for t in results["tests"]] == list(parts)
    assert [t["max_score"] for t in results["tests"]] == list(parts.values())
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    return results


def test_the_bundle_holds_the_scripts_at_its_root_and_the_kit_without_tests(bundle):
    names = zipfile.ZipFile(bundle).namelist()
    for name in ("setup.sh", "run_autograder", "requirements.txt", f"solutions/linear_classifiers/{NOTEBOOK}",
                 "autograder/grading/submission.py", "solutions/linear_classifiers/grading/losses.py", "data_scripts/digits.py"):
        assert name in names
    assert not [n for n in names if n.startswith(("tests/", ".venv/", "out/")) or "__pycache__" in n or "/corpus/" in n]
    assert {n.split("/")[1] for n in names if n.startswith("solutions/")} == {ASSIGNMENT}  # this assignment only
    assert zipfile.ZipFile(bundle).getinfo("run_autograder").external_attr >> 16 & 0o111
    for script in ("setup.sh", "run_autograder"):
        text = zipfile.ZipFile(bundle).read(script)
        assert subprocess.run(["bash", "-n"], input=text, capture_output=True, check=False).returncode == 0, script


def test_the_reference_renamed_in_a_zip_gets_full_marks(bundle, tmp_path):
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hw/my_homework.ipynb", (SOLUTIONS / NOTEBOOK).read_bytes())
    results = run_autograder(bundle, tmp_path, {"upload.zip": archive.read_bytes()})
    assert results["score"] == sum(PARTS.values()), json.dumps(results, indent=1, ensure_ascii=False)
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert "graded the notebook found in upload.zip" in results["output"]
    assert "✓" in results["tests"][0]["output"] and "✗" not in json.dumps(results, ensure_ascii=False)


def test_the_kernel_is_kept_from_the_whole_root_and_a_grader_failure_still_writes_results(tmp_path, monkeypatch):
    seen = {}

    def failing(submission, **options):
        seen.update(options, notebooks=[p.name for p in submission.folder.parent.rglob("*.ipynb")])
        raise MemoryError("grader out of memory")

    monkeypatch.setattr("autograder.grading.submission.grade_submission", failing)
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "hw.ipynb").write_text("{}")
    (tmp_path / "submission" / "link.ipynb").symlink_to(SOLUTIONS / NOTEBOOK)
    assert gradescope.run(tmp_path, assignment=ASSIGNMENT) == 1
    assert str(tmp_path) in seen["hide"] and seen["notebooks"] == ["hw.ipynb"]  # links are not copied
    results = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 0 and all(GRADER_FAILED in t["output"] and "MemoryError: grader out of memory" in t["output"]
                                         for t in results["tests"])


def test_an_upload_without_a_notebook_scores_zero_and_says_what_to_upload(bundle, tmp_path):
    results = run_autograder(bundle, tmp_path, {"answers.py": b"print('hello')\n"})
    assert results["score"] == 0
    # the reason once, at the top; each part points to it
    assert results["output"].count("missing from the submission") == 1, results["output"]
    assert all(t["status"] == "failed" and "not graded: see the note at the top" in t["output"] for t in results["tests"])
    assert f"upload {NOTEBOOK}" in results["output"] and "Received: answers.py" in results["output"]


def test_each_part_shows_its_own_score_and_the_reasons_it_lost_points():
    grade = StudentGrade("s", 7, notes=["graded hw.ipynb instead"], parts=[
        PartResult("rel_error", 5, [CheckResult("values", "the values", 1, True)]),
        PartResult("svm_loss_naive", 10, [CheckResult("loss", "the loss", 3, True), CheckResult("gradient", "the gradient", 1, False, "dW is off by 2")]),
        PartResult("softmax_loss_naive", 10, problem="the cell defining softmax_loss_naive does not run: RuntimeError: boom"),
    ])
    results = gradescope.results_json(grade, seconds=12.3)
    jsonschema.validate(results, RESULTS_SCHEMA)
    tests = {t["name"]: t for t in results["tests"]}
    assert (tests["rel_error"]["score"], tests["rel_error"]["status"]) == (5, "passed")
    assert (tests["svm_loss_naive"]["score"], tests["svm_loss_naive"]["status"]) == (7.5, "failed")
    assert tests["svm_loss_naive"]["output"] == "✓ the loss\n✗ the gradient\n    dW is off by 2"
    assert (tests["softmax_loss_naive"]["score"], tests["softmax_loss_naive"]["status"]) == (0, "failed")
    assert "does not run: RuntimeError: boom" in tests["softmax_loss_naive"]["output"]
    assert results["score"] == 12.5 and results["execution_time"] == 12
    assert "12.5 / 25" in results["output"] and "Note: graded hw.ipynb instead" in results["output"]
