"""Gradescope: the autograder bundle, and the grading run Gradescope starts for each upload.

``python -m autograder gradescope --out out/autograder.zip`` writes the zip to upload as a
programming assignment's autograder: setup.sh and run_autograder at its root, with the kit's
code (autograder/, data_scripts/), the source notebooks (the grader's reference) and
requirements.txt. Gradescope unzips it into /autograder/source and runs setup.sh once, as root,
when it builds the image; for every upload it puts the student's files in
/autograder/submission and runs run_autograder, which runs ``python -m autograder.outputs.gradescope``:

  1. lay the upload out as a one-student SUBMISSIONS folder (intake then finds the notebook
     under another name, in a subfolder, or inside a zip, as for any submission);
  2. probe the sandbox (sandbox.preflight) and grade the upload with grading.submission.grade_safely in
     what this container allows: bubblewrap's allowlist where it can make namespaces (the kernel
     then sees nothing of /autograder), else the system-call filter, the sandbox user and the
     limits only; never refused for that, but said;
  3. write /autograder/results/results.json in Gradescope's format: the score, one test per
     graded part (its points, passed or failed, and each check with the reason it failed), and
     in the top-level output the sandbox's start-up line (what holds).

The root is $AUTOGRADER_ROOT (default /autograder), so that a run can be tried anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from autograder.assignments import Assignment, find_assignment
from autograder.layout import ROOT
from autograder.grading.scoring import PartResult, StudentGrade

#: The Gradescope root, as Gradescope lays it out (override with $AUTOGRADER_ROOT).
DEFAULT_ROOT = Path("/autograder")
#: Where setup.sh installs the grader's Python environment: outside /autograder, which student
#: kernels do not see.
VENV = "/opt/autograder-venv"
#: Who sees what on Gradescope: the results as soon as they are in; the grader's own log
#: (run_autograder's output) only staff.
VISIBILITY = "visible"
STDOUT_VISIBILITY = "hidden"

SETUP_SH = f"""\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu): it
# installs Python 3.11 if the image has none, and the kit's pinned requirements in a virtual
# environment at {VENV}. The environment must stay outside /autograder, which the students'
# kernels do not see.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
if ! command -v python3.11 >/dev/null; then
  apt-get update
  apt-get install -y --no-install-recommends software-properties-common
  add-apt-repository -y ppa:deadsnakes/ppa
  apt-get update
  apt-get install -y --no-install-recommends python3.11 python3.11-venv
fi
python3.11 -m venv {VENV}
{VENV}/bin/python -m pip install --no-cache-dir --disable-pip-version-check -r requirements.txt
"""

RUN_AUTOGRADER = f"""\
#!/usr/bin/env bash
# Gradescope runs this (copied to /autograder/run_autograder) for every upload: grade the files
# in $AUTOGRADER_ROOT/submission and write $AUTOGRADER_ROOT/results/results.json.
# AUTOGRADER_ROOT defaults to /autograder; AUTOGRADER_PYTHON to the environment setup.sh made.
set -euo pipefail
root=${{AUTOGRADER_ROOT:-/autograder}}
cd "$root/source"
export AUTOGRADER_ROOT="$root" PYTHONPATH="$root/source"
exec "${{AUTOGRADER_PYTHON:-{VENV}/bin/python}}" -m autograder.outputs.gradescope
"""


# -- the bundle ---------------------------------------------------------------------------
def bundle_files(assignment: Assignment) -> dict[str, Path]:
    """{name in the zip: file in the kit}: the engine's code, the assignment's source notebooks
    and grading package (its corpus left out), and the requirements. The bundle holds this one
    assignment only, so that its run finds it as the kit's only assignment."""
    files = {}
    for package in (ROOT / "autograder", ROOT / "data_scripts", assignment.grading):
        for path in sorted(package.rglob("*.py")):
            if "__pycache__" not in path.parts and "corpus" not in path.relative_to(package).parts:
                files[path.relative_to(ROOT).as_posix()] = path
    for path in assignment.notebooks():
        files[path.relative_to(ROOT).as_posix()] = path
    files["requirements.txt"] = ROOT / "requirements.txt"
    return files


def build(out: Path, assignment: Assignment | None = None, secret: str = "") -> Path:
    """Write the autograder zip of ``assignment`` (default: the only one) to ``out``, with the
    course's ``secret`` (seeds.py; without one, every upload's inputs depend on its content and
    student only). Entries carry a fixed date, so the same kit and secret give the same bytes."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            zf.writestr(_entry(name, 0o755), text)
        for name, path in bundle_files(assignment or find_assignment()).items():
            zf.writestr(_entry(name, 0o644), path.read_bytes())
        # The course's secret (seeds.py), with which every upload's inputs are drawn: a regrade on
        # Gradescope gives what grading the same notebook here gives. /autograder is never in a kernel's view.
        if secret:
            zf.writestr(_entry(SECRET_FILE, 0o600), secret + "\n")
    return out


def _entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def main(*, out: Path | None = None, assignment: str | None = None, secret: Path | None = None) -> int:
    """The ``gradescope`` verb: build the zip and say what to do with it."""
    from autograder.grading.seeds import course_secret

    chosen = find_assignment(assignment)
    path = build(out or Path("out") / chosen.id / "autograder.zip", chosen, course_secret(secret))
    print(f"wrote {path}: upload it as the autograder of the Gradescope programming assignment {chosen.id} "
          f"(students upload {', '.join(p.name for p in chosen.notebooks())} or a zip holding it)")
    return 0


# -- one run on Gradescope ----------------------------------------------------------------
def gradescope_root() -> Path:
    return Path(os.environ.get("AUTOGRADER_ROOT", DEFAULT_ROOT))


def run(root: Path | None = None, assignment: str | None = None) -> int:
    """Grade the upload in ROOT/submission and write ROOT/results/results.json. A failure of
    the grader itself still writes a results.json (0 points, saying so) and returns 1."""
    from autograder.grading.submission import grade_safely
    from autograder.intake import Submission
    from autograder.parts import load_parts

    root = Path(root or gradescope_root())
    started = time.perf_counter()
    assignment = find_assignment(assignment)  # the bundle holds one
    parts = load_parts(assignment.source)
    sandbox = sandbox_line()
    with tempfile.TemporaryDirectory(prefix="autograder-gradescope-") as tmp:
        student_id = _student_id(root)
        folder = Path(tmp) / student_id / assignment.id
        _copy_upload(root / "submission", folder)
        # The grader's own failure is recorded as every entry point records it (grade_safely): the
        # student still gets a results.json saying so, and the run exits 1.
        grade = grade_safely(Submission(student_id, folder), parts=parts, source=assignment.source,
                             hide=(str(root), tmp), base_seed=_bundled_seed(root))
        status = 1 if grade.grader_failed else 0
        if status:
            print(grade.parts[0].problem, flush=True)
    notebooks = sorted({p.notebook for p in parts})
    results = results_json(grade, upload_hint(root / "submission", notebooks), time.perf_counter() - started, sandbox)
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(results["output"])
    return status


#: The course's secret in the bundle, beside run_autograder.
SECRET_FILE = "course-secret"


def _bundled_seed(root: Path) -> int:
    """The base seed from the bundle's secret (seeds.base_seed); 0 for a bundle built without one."""
    from autograder.grading.seeds import base_seed

    secret = root / "source" / SECRET_FILE
    return base_seed(secret.read_text().strip()) if secret.is_file() else 0


def sandbox_line() -> str:
    """What holds of the sandbox here (preflight's start-up line), said in results.json: on
    Gradescope the upload is graded with what the container allows, not refused."""
    from autograder.sandbox import preflight

    try:
        report = preflight.check()
    except preflight.KernelsUnavailable as exc:
        return f"sandbox: {exc}"
    return report.line + (" (graded with what this container allows)" if report.broken else "")


def _student_id(root: Path) -> str:
    """The Gradescope user id of the (first) submitter, from submission_metadata.json: it seeds
    the random check inputs, so each student keeps the same inputs from one upload to the next."""
    try:
        users = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))["users"]
        return f"gradescope-{int(users[0]['id'])}"
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return "gradescope-student"


def _copy_upload(upload: Path, folder: Path) -> None:
    """Copy the uploaded files into the student's folder; links are left out (a link could
    point at the reference solution)."""
    folder.mkdir(parents=True)
    if upload.is_dir():
        shutil.copytree(upload, folder, dirs_exist_ok=True,
                        ignore=lambda parent, names: [n for n in names if (Path(parent) / n).is_symlink()])


def upload_hint(upload: Path, notebooks: list[str]) -> str:
    """What to tell a student whose upload holds no notebook and no zip ('' otherwise)."""
    files = sorted(p.relative_to(upload).as_posix() for p in upload.rglob("*") if p.is_file()) if upload.is_dir() else []
    if any(name.endswith((".ipynb", ".zip")) for name in files):
        return ""
    received = ", ".join(files[:10]) + (", ..." if len(files) > 10 else "") if files else "no files"
    return f"Your upload holds no notebook: upload {', '.join(notebooks)} (or a zip holding it). Received: {received}."


def results_json(grade: StudentGrade, hint: str = "", seconds: float = 0.0, sandbox: str = "") -> dict:
    """Gradescope's results.json for a grade: the total, one test per graded part, and in the
    output the notes and ``sandbox``, the sandbox's start-up line."""
    from autograder.outputs.reports import number

    lines = [f"Auto-graded score: {number(grade.score)} / {number(grade.max_score)} (written answers are graded by hand)."]
    if hint:
        lines.append(hint)
    lines += [f"Note: {note}" for note in grade.notes]
    lines.append(f"Random inputs drawn from seed {grade.seed}.")
    lines += [sandbox] if sandbox else []
    return {
        "score": grade.score,
        "execution_time": round(seconds),
        "output": "\n".join(lines),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": VISIBILITY,
        "stdout_visibility": STDOUT_VISIBILITY,
        "tests": [_test(part) for part in grade.parts],
    }


def _test(part: PartResult) -> dict:
    """One graded part as a Gradescope test: its checks, and for each failure why."""
    from autograder.outputs.reports import check_lines

    lines = check_lines(part, indent="")
    return {
        "name": part.name,
        "score": part.points,
        "max_score": part.max_points,
        "status": "passed" if part.points == part.max_points else "failed",
        "output": "\n".join(lines),
        "visibility": VISIBILITY,
    }


if __name__ == "__main__":
    sys.exit(run())
