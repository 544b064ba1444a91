"""Benchmark (not a test): the grader's own peak memory while it grades hostile submissions.

Each submission below is graded alone, by grade_run in a fresh Python process, once with this
code and once with the code of --before (a git revision, checked out in a temporary worktree).
That process measures itself: its RSS right after its imports, and its peak RSS at the end
(VmHWM of /proc/self/status: the student kernels it starts are other processes, not counted;
not getrusage's ru_maxrss, which after fork and exec also holds the forking parent's peak, here
the benchmark's own while it built a 30 MB notebook).
  - honest: the reference solution (the baseline; must get full marks);
  - display_bomb: svm_loss_naive's cell first publishes a display of 20 million empty lists
    (~80 MB of JSON), then defines the function correctly: may cost svm_loss_naive, and the two
    vectorized parts (the loop check cannot follow a cell that runs get_ipython() when loaded);
  - big_cell: softmax_loss_naive's cell is the right function followed by an 8 MB comment:
    may cost softmax_loss_naive only (over the size a cell may have);
  - zip_bomb: no notebook at its place, six zip files of 150 MB of zeros each (~1 MB in all),
    the notebook in the last one: may cost its own submission (the zip files together may not
    expand past 200 MB, so the notebook is never reached: 0, said in a note);
  - huge_notebook: the reference with a 26 MB output in its first code cell (a 30 MB file): may
    cost its own submission (the notebook is refused before it is parsed: 0, said in a note).
A verdict says whether each bomb cost no more than that, and whether the grader's peak stayed
under 500 MB. The default --before is af82700, the parent of 16d5428 (notebook and cell size
limits, one unzip budget per submission), the first of the two commits that added those defences
(then cf5627c: ZeroMQ MAXMSGSIZE through _CappedKernelManager).

    cd /work/main && .venv/bin/python benchmarks/grader_memory_bombs.py [--before REV|none] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from autograder.assignments import find_assignment  # noqa: E402
from autograder.layout import submission_folder  # noqa: E402

#: The assignment benchmarked.
LINEAR = find_assignment("linear_classifiers")
ASSIGNMENT, RELEASE, SOLUTIONS, CORPUS = LINEAR.id, LINEAR.release, LINEAR.source, LINEAR.corpus
from autograder.parts import nbgrader_meta  # noqa: E402
from autograder.authoring.corpus import write_submission  # noqa: E402

#: What each submission may cost: a set of parts, or "all" (its own submission).
MAY_COST = {"honest": set(), "display_bomb": {"svm_loss_naive", "svm_loss_vectorized", "softmax_loss_vectorized"},
            "big_cell": {"softmax_loss_naive"},
            "zip_bomb": "all", "huge_notebook": "all"}
TIMEOUT = 600  # seconds per graded submission
PEAK_LIMIT = 500  # MB: the grader's peak at this code must stay under it
MB = 1024**2

#: Run in the measured process: python -c CHILD SUBMISSIONS OUT STUDENT; prints one RESULT line.
CHILD = r'''
import json, sys
from pathlib import Path
import autograder
from autograder.outputs.run import grade_run
import autograder.outputs.feedback, autograder.outputs.reports  # imported by grade_run: counted before grading

def status_kb(field):
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(field + ":"))

def rss_kb():
    return status_kb("VmRSS")

after_imports = rss_kb()
grades = grade_run(Path(sys.argv[1]), Path(sys.argv[2]), student=sys.argv[3])
grade = next(g for g in grades if g.student_id == sys.argv[3])
lost = {p.name: p.problem or "; ".join(c.message for c in p.checks if not c.passed)
        for p in grade.parts if p.points < p.max_points}
print("RESULT " + json.dumps(dict(file=autograder.__file__, after_imports=after_imports,
      peak=status_kb("VmHWM"), score=grade.score, max=grade.max_score,
      lost=lost, notes=grade.notes)), flush=True)
'''


def reference_cells() -> dict:
    """{grade id: source} of the reference notebook."""
    return {nbgrader_meta(c).get("grade_id"): c.source
            for p in SOLUTIONS.glob("*.ipynb") for c in nbformat.read(p, as_version=4).cells}


def build(root: Path, name: str) -> Path:
    """SUBMISSIONS folder holding only the student ``name``'s submission; returns it."""
    subs = root / "submissions" / name
    cells = reference_cells()
    if name == "display_bomb":
        bomb = 'get_ipython().display_pub.publish(data={"text/plain": [[]] * 20_000_000})\n\n'
        write_submission(subs, name, {"svm_loss_naive": bomb + cells["svm_loss_naive"]}, SOLUTIONS)
    elif name == "big_cell":
        filler = ("# " + "x" * 78 + "\n") * (8 * MB // 81)
        write_submission(subs, name, {"softmax_loss_naive": cells["softmax_loss_naive"] + "\n" + filler}, SOLUTIONS)
    elif name == "huge_notebook":
        path = next(write_submission(subs, name, {}, SOLUTIONS).glob("*.ipynb"))
        nb = nbformat.read(path, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        first.outputs = [nbformat.v4.new_output("stream", name="stdout", text=("y" * 99 + "\n") * (26 * MB // 100))]
        nbformat.write(nb, path)
    elif name == "zip_bomb":
        notebook = next(write_submission(root / "scratch", name, {}, SOLUTIONS).glob("*.ipynb"))
        folder = submission_folder(subs, name, ASSIGNMENT)
        folder.mkdir(parents=True)
        for k in range(1, 7):  # 1_filler.zip ... 5_filler.zip, then 6_work.zip with the notebook
            path = folder / (f"{k}_filler.zip" if k < 6 else "6_work.zip")
            if 1 < k < 6:
                shutil.copy(folder / "1_filler.zip", path)
                continue
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                with zf.open("filler.bin", "w", force_zip64=True) as f:
                    for _ in range(150):
                        f.write(bytes(MB))
                if k == 6:
                    zf.write(notebook, f"{ASSIGNMENT}/{notebook.name}")
    else:
        write_submission(subs, name, {}, SOLUTIONS)
    return subs


def grade(kit: Path, subs: Path, out: Path, student: str) -> dict:
    """Grade ``student`` with the kit at ``kit`` in a fresh process: its RESULT, or {"failed": why}."""
    env = {**os.environ, "PYTHONPATH": str(kit)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(subs), str(out), student], cwd=kit, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)  # lets its sandboxes stop their kernels
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
        return {"failed": f"timed out after {TIMEOUT} s", "seconds": time.perf_counter() - started}
    found = [line[7:] for line in stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not found:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return {"failed": f"exit status {proc.returncode}: {last[:200]}", "seconds": time.perf_counter() - started}
    return {**json.loads(found[0]), "seconds": time.perf_counter() - started}


def verdict(name: str, result: dict, honest: dict | None) -> str:
    """Whether ``name`` cost only what MAY_COST allows, with the grader's peak under PEAK_LIMIT."""
    if "failed" in result:
        return "FAIL: the grader " + result["failed"]
    problems = []
    allowed = MAY_COST[name]
    if allowed != "all" and set(result["lost"]) - allowed:
        problems.append("cost " + ", ".join(sorted(set(result["lost"]) - allowed)))
    if result["peak"] / 1024 > PEAK_LIMIT:
        problems.append(f"peak over {PEAK_LIMIT} MB")
    if honest and honest.get("lost"):
        problems.append("the honest student lost points")
    return "ok" if not problems else "FAIL: " + "; ".join(problems)


def cell(result: dict | None) -> str:
    if result is None:
        return "- | - | -"
    if "failed" in result:
        return f"grader failed: {result['failed'][:60]} | - | {result['seconds']:.0f} s"
    return (f"{result['peak'] / 1024:.0f} MB (+{(result['peak'] - result['after_imports']) / 1024:.0f}) "
            f"| {result['score']:g}/{result['max']:g} | {result['seconds']:.0f} s")


def short(text: str, width: int = 150) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="af82700", help="git revision graded beside this code, or none")
    parser.add_argument("--only", choices=[n for n in MAY_COST if n != "honest"], help="one bomb (and honest)")
    args = parser.parse_args()
    names = ["honest"] + [n for n in MAY_COST if n != "honest" and args.only in (None, n)]
    work = Path(tempfile.mkdtemp(prefix="grader-memory-bombs-"))
    kits = {"HEAD": ROOT}
    if args.before != "none":
        kits["before"] = work / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(kits["before"]), args.before],
                       check=True)
    results, shown = {}, set()
    try:
        for name in names:
            subs = build(work, name)
            for version, kit in kits.items():
                print(f"  grading {name} with {version}...", flush=True)
                results[name, version] = result = grade(kit, subs, work / f"out-{version}-{name}", name)
                if "file" in result and version not in shown:
                    shown.add(version)
                    print(f"  {version} imports {result['file']}")
    finally:
        if "before" in kits:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(kits["before"])])
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nThe grading process's peak RSS (MB; + growth over its RSS after imports) | score | wall time; "
          f"before = {args.before}, HEAD = the work tree of {ROOT}\n")
    print("| submission | may cost | before: peak (+grown) | score | time | HEAD: peak (+grown) | score | time | HEAD verdict |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in names:
        allowed = MAY_COST[name]
        allowed = "its submission" if allowed == "all" else ", ".join(sorted(allowed)) or "nothing"
        print(f"| {name} | {allowed} | {cell(results.get((name, 'before')))} | {cell(results[name, 'HEAD'])} "
              f"| {verdict(name, results[name, 'HEAD'], results['honest', 'HEAD'])} |")
    print("\nWhat was lost, and the notes:")
    for name in names:
        for version in kits:
            result = results[name, version]
            if "failed" in result:
                print(f"  {name} [{version}]: the grader {result['failed']}")
                continue
            for part, why in result["lost"].items():
                print(f"  {name} [{version}] {part}: {short(why)}")
            for note in result["notes"]:
                print(f"  {name} [{version}] note: {short(note)}")


if __name__ == "__main__":
    main()
