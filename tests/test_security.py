"""Hostile submissions: nothing a student does gains points, breaks the batch or loses a grade.

Each test submits attacks next to an honest submission and asserts: no points gained, the
affected part scores 0 with a reason, every other part and every other student graded as if
alone, and the grader's files untouched. The sandbox defenses (own user, hidden folders, no
network) need the grader to run as root on Linux, as it does in CI.
"""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.grading.executors import grade_all
from autograder.outputs.run import grade_run
from autograder.grading.seeds import base_seed, course_secret
from autograder.layout import ROOT
from linear import RELEASE, SOLUTIONS
from autograder.parts import load_parts
from autograder.grading.store import OutputFolder
from autograder.outputs.reports import student_report
from autograder.sandbox.kernel import Sandbox
from autograder.grading.scoring import StudentGrade

PARTS = {p.name: p.points for p in load_parts(SOLUTIONS)}
CONFINED = Sandbox().confined
needs_root = pytest.mark.skipif(not CONFINED, reason="the sandbox user and namespaces need root on Linux")


def scores(grade):
    return {p.name: p.points for p in grade.parts}


def host_shared_folders(depth: int = 4) -> list[str]:
    """Every folder of the host that any user may write (mode o+w: /tmp, /var/tmp, /dev/shm,
    /run/lock, /dev/mqueue...), found by walking ``depth`` levels below /, outside /proc and /sys:
    where a writer would leave something for a reader."""
    found, pending = [], [(Path("/"), 0)]
    while pending:
        folder, level = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if not entry.is_dir(follow_symlinks=False) or entry.path in ("/proc", "/sys"):
                    continue
                if entry.stat(follow_symlinks=False).st_mode & 0o002:
                    found.append(entry.path)
                elif level + 1 < depth:
                    pending.append((Path(entry.path), level + 1))
            except OSError:
                continue
    return sorted(set(found) | {p for p in ("/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(p)})


def reference_cell(name):
    import nbformat

    from autograder.parts import nbgrader_meta

    for path in SOLUTIONS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if nbgrader_meta(cell).get("grade_id") == name:
                return cell.source
    raise KeyError(name)


def assert_only_parts_lost(grade, lost):
    got = scores(grade)
    for name, points in PARTS.items():
        if name in lost:
            assert got[name] == 0, f"{grade.student_id}: {name} should score 0, got {got[name]}\n" + student_report(grade)
        else:
            assert got[name] == points, f"{grade.student_id}: {name} should keep {points}, got {got[name]}\n" + student_report(grade)


VECTORIZED = {"svm_loss_vectorized", "softmax_loss_vectorized"}


def assert_kept(grade, kept):
    """Full marks on every part in ``kept`` (the others are not asserted)."""
    got = scores(grade)
    assert {name: got[name] for name in kept} == {name: PARTS[name] for name in kept}, student_report(grade)


def tree_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


# -- exhausting resources ----------------------------------------------------------------------
RESOURCE_ATTACKS = {
    "sleeps": ("svm_loss_naive", "def svm_loss_naive(W, X, y, reg):\n    import time\n    time.sleep(10**6)\n"),
    "memory_bomb": ("softmax_loss_naive",
                    "def softmax_loss_naive(W, X, y, reg):\n    blocks = []\n    while True:\n"
                    "        blocks.append(bytearray(512 * 1024**2))\n"),
    "process_bomb": ("rel_error",
                     "def rel_error(x, y):\n    import os, time\n    while True:\n        if os.fork() == 0:\n"
                     "            time.sleep(1000)\n            os._exit(0)\n"),
    "prints_gigabytes": ("grad_check_sparse",
                         "def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):\n"
                         "    while True:\n        print('x' * 10**6)\n"),
    "kills_its_kernel": ("eval_numerical_gradient",
                         "def eval_numerical_gradient(f, x, verbose=True, h=1e-5):\n    import os, signal\n"
                         "    os.kill(os.getpid(), signal.SIGKILL)\n"),
    "deep_recursion": ("svm_loss_vectorized",
                       "def svm_loss_vectorized(W, X, y, reg):\n    import sys\n    sys.setrecursionlimit(10**8)\n"
                       "    def down(n):\n        return down(n + 1) + 1\n    return down(0), W\n"),
    "fills_the_disk": ("softmax_loss_vectorized",
                       "def softmax_loss_vectorized(W, X, y, reg):\n    chunk = b'x' * 2**20\n"
                       "    with open('fill.bin', 'wb') as f:\n        for _ in range(10**5):\n            f.write(chunk)\n"),
    "fills_tmp": ("LinearClassifier",
                  "class LinearClassifier(object):\n    def __init__(self):\n        chunk = b'x' * 2**20\n"
                  "        with open('/tmp/fill.bin', 'wb') as f:\n            for _ in range(10**5):\n"
                  "                f.write(chunk)\n"),
}


GRADES_AND_LISTS_LEFTOVERS = """
import ctypes, json, os, pwd, sys, time
from pathlib import Path
import psutil
ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: this run's orphans come back to this process
from autograder.outputs.run import grade_run
grade_run(Path(sys.argv[1]), Path(sys.argv[2]), timeout=3, workers=2)
time.sleep(0.5)
while True:  # reap what has ended
    try:
        if os.waitpid(-1, os.WNOHANG)[0] == 0:
            break
    except ChildProcessError:
        break
sandbox = {u.pw_uid for u in pwd.getpwall() if u.pw_name.startswith("autograder-sandbox-")}
left = []
for process in psutil.Process().children(recursive=True):
    try:
        if process.uids().real in sandbox:
            left.append(f"{process.pid} {' '.join(process.cmdline())[:80]}")
    except psutil.Error:
        pass
print(json.dumps(left))
"""


@needs_root
@pytest.mark.slow
def test_resource_attacks_cost_only_their_part_and_the_honest_student_is_untouched(submissions, tmp_path):
    submissions("honest", base=SOLUTIONS)
    for student, (part, cell) in RESOURCE_ATTACKS.items():
        submissions(student, {part: cell}, base=SOLUTIONS)
    started = time.perf_counter()
    # Graded in a process of its own that adopts every orphan of its run (a child subreaper), so
    # that what outlived this run's grading is told apart from the kernels of runs going on
    # beside it (the suite's background corpus test uses the same sandbox users).
    run = subprocess.run([sys.executable, "-c", GRADES_AND_LISTS_LEFTOVERS, str(submissions.root), str(tmp_path / "out")],
                         cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    leftovers = json.loads(run.stdout.strip().splitlines()[-1])
    grades = {g.student_id: g for g in (StudentGrade.from_dict(json.loads(record.read_text())["grade"])
                                        for record in (tmp_path / "out" / "results").glob("*.json"))}
    print(f"\n{len(grades)} submissions ({len(RESOURCE_ATTACKS)} hostile) graded in {time.perf_counter() - started:.0f} s")
    assert_only_parts_lost(grades["honest"], set())
    for student, (part, _) in RESOURCE_ATTACKS.items():
        assert_only_parts_lost(grades[student], {part})
        result = next(p for p in grades[student].parts if p.name == part)
        reasons = result.problem + " ".join(c.message for c in result.checks)
        assert reasons.strip(), f"{student}: {part} scored 0 without a reason"
    assert leftovers == [], f"processes of the sandbox users outlived their grading: {leftovers}"


# -- reaching outside --------------------------------------------------------------------------
@needs_root
@pytest.mark.slow
def test_reading_writing_networking_and_lingering_outside_the_kernel_gain_nothing(submissions, tmp_path):
    honest = submissions("honest", base=SOLUTIONS)
    out = tmp_path / "out"
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    port = server.getsockname()[1]
    connections = []
    done = threading.Event()

    def accept():
        deadline = time.time() + 300
        while time.time() < deadline and not done.is_set():
            try:
                connections.append(server.accept())
            except OSError:
                pass

    threading.Thread(target=accept, daemon=True).start()
    solutions_nb = next(SOLUTIONS.glob("*.ipynb"))
    honest_nb = next(honest.glob("*.ipynb"))
    # Copies the reference from disk: full marks if the kit's files were readable.
    steal = ("def svm_loss_naive(W, X, y, reg):\n    import json, numpy as np\n"
             f"    for c in json.load(open({str(solutions_nb)!r}))['cells']:\n"
             "        if c['metadata'].get('nbgrader', {}).get('grade_id') == 'svm_loss_naive':\n"
             "            ns = {'np': np}\n            exec(''.join(c['source']), ns)\n"
             "            return ns['svm_loss_naive'](W, X, y, reg)\n")
    copy = ("def softmax_loss_naive(W, X, y, reg):\n    import json, numpy as np\n"
            f"    for c in json.load(open({str(honest_nb)!r}))['cells']:\n"
            "        if c['metadata'].get('nbgrader', {}).get('grade_id') == 'softmax_loss_naive':\n"
            "            ns = {'np': np}\n            exec(''.join(c['source']), ns)\n"
            "            return ns['softmax_loss_naive'](W, X, y, reg)\n")
    phone = ("def rel_error(x, y):\n    import socket\n"
             f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'answers please')\n"
             "    import numpy as np\n    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))\n")
    targets = [out / "grades.csv", out / "results" / "honest.json", honest_nb, ROOT / "README.md",
               ROOT / "solutions" / "planted.py", ROOT / "autograder" / "planted.py"]
    vandal = reference_cell("svm_loss_vectorized") + (
        "\nfor _target in " + repr([str(t) for t in targets]) + ":\n"
        "    try:\n        open(_target, 'a').write('vandalized')\n    except OSError:\n        pass\n")
    # The process starts when the grader calls grad_check_sparse (at load time, a process running
    # code the loop check cannot read costs the vectorized parts' loop credit: loop_disguises.py, E32).
    linger = reference_cell("grad_check_sparse").replace(
        "def grad_check_sparse(", "def _grad_check_sparse(", 1) + (
        "\ndef grad_check_sparse(*args, **kwargs):\n    import subprocess\n"
        "    subprocess.Popen(['sleep', '4242'], start_new_session=True)\n"
        "    return _grad_check_sparse(*args, **kwargs)\n")
    submissions("steals_the_reference", {"svm_loss_naive": steal}, base=SOLUTIONS)
    submissions("copies_a_classmate", {"softmax_loss_naive": copy}, base=SOLUTIONS)
    submissions("phones_home", {"rel_error": phone}, base=SOLUTIONS)
    submissions("vandal", {"svm_loss_vectorized": vandal}, base=SOLUTIONS)
    submissions("lingers", {"grad_check_sparse": linger}, base=SOLUTIONS)
    before = {path: path.read_bytes() for path in [ROOT / "README.md", honest_nb]}
    kit_before = tree_digest(ROOT / "autograder") + tree_digest(ROOT / "solutions")

    grades = {g.student_id: g for g in grade_run(submissions.root, out, timeout=4, workers=2)}
    done.set()

    assert_only_parts_lost(grades["steals_the_reference"], {"svm_loss_naive"})
    assert_only_parts_lost(grades["copies_a_classmate"], {"softmax_loss_naive"})
    assert_only_parts_lost(grades["phones_home"], {"rel_error"})
    assert connections == [], "a kernel reached a server on the grader's loopback"
    assert_only_parts_lost(grades["vandal"], set())  # its code is right; its vandalism did nothing
    assert_only_parts_lost(grades["lingers"], set())
    assert_only_parts_lost(grades["honest"], set())
    for path, content in before.items():
        assert path.read_bytes() == content, f"{path} was modified"
    assert tree_digest(ROOT / "autograder") + tree_digest(ROOT / "solutions") == kit_before
    assert "vandalized" not in (out / "grades.csv").read_text()
    assert subprocess.run(["pgrep", "-f", "sleep 4242"], capture_output=True).stdout == b""


# -- changing the rules inside the kernel ------------------------------------------------------
TAMPER = """
import builtins as _b, time as _t, random as _r, numpy as _n
_n.allclose = lambda *a, **k: True
_n.isclose = lambda *a, **k: True
_n.array_equal = lambda *a, **k: True
_n.testing.assert_allclose = lambda *a, **k: None
_t.perf_counter = _t.time = _t.monotonic = _t.process_time = lambda: 0.0
_n.random.seed = lambda *a, **k: None
_r.random = lambda: 0.5
_b.abs = lambda x: 0
_b.AssertionError = type("AssertionError", (Exception,), {})
"""
WRONG = {
    "rel_error": "def rel_error(x, y):\n    return 0.0\n",
    "svm_loss_naive": "def svm_loss_naive(W, X, y, reg):\n    return 0.0, np.zeros_like(W)\n",
    "softmax_loss_naive": ("def softmax_loss_naive(W, X, y, reg):\n    S = X.dot(W)\n"
                           "    P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)\n"
                           "    return -np.mean(np.log10(P[np.arange(len(y)), y])), np.zeros_like(W)\n"),
}
# Right answers, but slow: a sleep is not a loop, so only the speed check can catch it.
SLOW = "\nimport time as _time\n_fast = svm_loss_vectorized\ndef svm_loss_vectorized(W, X, y, reg):\n    _time.sleep(0.02)\n    return _fast(W, X, y, reg)\n"
# Caches its first answer per shape and returns it again, fast.
CACHING = ("\n_cache = {}\n_real = softmax_loss_vectorized\ndef softmax_loss_vectorized(W, X, y, reg):\n"
           "    key = (W.shape, X.shape)\n    if key not in _cache:\n        _cache[key] = _real(W, X, y, reg)\n"
           "    return _cache[key]\n")


@pytest.mark.slow
def test_tampering_inside_the_kernel_gains_nothing(submissions):
    submissions("wrong", dict(WRONG), base=SOLUTIONS)
    submissions("wrong_and_tampering", {k: v + TAMPER for k, v in WRONG.items()}, base=SOLUTIONS)
    submissions("slow_with_a_frozen_clock", {"svm_loss_vectorized": reference_cell("svm_loss_vectorized") + TAMPER + SLOW},
                base=SOLUTIONS)
    submissions("caches_answers", {"softmax_loss_vectorized": reference_cell("softmax_loss_vectorized") + CACHING},
                base=SOLUTIONS)
    grades = {g.student_id: g for g in grade_all(submissions.root, workers=2)}
    plain, tampered = scores(grades["wrong"]), scores(grades["wrong_and_tampering"])
    for name in WRONG:
        assert plain[name] < PARTS[name]
        assert tampered[name] <= plain[name], f"tampering raised {name} from {plain[name]} to {tampered[name]}"
    slow = next(p for p in grades["slow_with_a_frozen_clock"].parts if p.name == "svm_loss_vectorized")
    speed = next(c for c in slow.checks if c.id == "speed")
    assert not speed.passed, "a slow function passed the speed check with the kernel's clock frozen"
    assert scores(grades["caches_answers"])["softmax_loss_vectorized"] < PARTS["softmax_loss_vectorized"]


LIARS = """
class _Always(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return 0.0
    def __float__(self): return 0.0

class _AlwaysArray(np.ndarray):
    def __eq__(self, other): return np.ones(self.shape, dtype=bool)
    def __sub__(self, other): return np.zeros(self.shape)
    def __abs__(self): return np.zeros(self.shape)
"""
LYING = {
    "svm_loss_naive": "def svm_loss_naive(W, X, y, reg):\n    return _Always(1.0), np.zeros(W.shape).view(_AlwaysArray)\n" + LIARS,
    "softmax_loss_naive": "def softmax_loss_naive(W, X, y, reg):\n    return float('nan'), np.full(W.shape, np.nan)\n",
    "softmax_loss_vectorized": ("def softmax_loss_vectorized(W, X, y, reg):\n"
                                "    return 1.0, np.empty(W.shape, dtype=object)\n"),
    "rel_error": "def rel_error(x, y):\n    return '0.0'\n",
    "svm_loss_vectorized": "def svm_loss_vectorized(W, X, y, reg):\n    return 1.0, np.zeros(W.shape).T.tolist()\n",
}


def test_objects_that_lie_wrong_types_and_nan_score_nothing(submissions):
    submissions("liar", LYING, base=SOLUTIONS)
    (grade,) = grade_all(submissions.root)
    assert_only_parts_lost(grade, set(LYING))


def test_nothing_the_grader_sends_to_a_kernel_contains_reference_code(submissions, monkeypatch):
    import re

    import nbformat

    sent = []
    real_run = Sandbox.run
    monkeypatch.setattr(Sandbox, "run", lambda self, code, timeout=None: sent.append(code) or real_run(self, code, timeout))
    submissions("release")  # the stubs: whatever reference code reached the kernel came from the grader
    grade_all(submissions.root)
    lines = set()
    for path in SOLUTIONS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for block in re.findall(r"### BEGIN SOLUTION(.*?)### END SOLUTION", cell.source, flags=re.S):
                lines |= {line.strip() for line in block.splitlines() if len(line.strip()) > 15}
    everything = "\n".join(sent)
    assert len(sent) > 20 and len(lines) > 30
    assert [line for line in lines if line in everything] == []


# -- broken input ------------------------------------------------------------------------------
@pytest.mark.slow
def test_broken_and_unusual_submissions(submissions, tmp_path):
    import zipfile

    import nbformat

    from linear import ASSIGNMENT

    submissions("honest", base=SOLUTIONS)
    old = submissions("old_format", base=SOLUTIONS)
    for path in old.glob("*.ipynb"):
        nbformat.write(nbformat.convert(nbformat.read(path, as_version=4), 3), path, version=3)
    edited = submissions("edited_locked_cells", base=SOLUTIONS)
    for path in edited.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get("nbgrader", {}).get("grade", False)]
        for c in nb.cells:
            if c.cell_type == "code" and "class LinearSVM" in c.source:
                c.source = "print('I changed the provided code')"
        nbformat.write(nb, path)
    renamed = submissions("renamed", base=SOLUTIONS)
    for path in renamed.glob("*.ipynb"):
        path.rename(path.with_name("my work (final).ipynb"))
    extra = submissions("extra_files", base=SOLUTIONS)
    (extra / "notes.txt").write_text("hello")
    (extra / "other.py").write_text("print('x')")
    (submissions.root / "empty" ).mkdir()
    binary = submissions("not_utf8")
    for path in binary.glob("*.ipynb"):
        path.write_bytes(b"\xff\xfe\x00garbage\x80")
    zipped = submissions.root / "zipped"
    zipped.mkdir()
    with zipfile.ZipFile(zipped / "submission.zip", "w") as zf:
        for path in SOLUTIONS.glob("*.ipynb"):
            zf.write(path, f"{ASSIGNMENT}/{path.name}")
    escaping = submissions.root / "zip_escapes"
    escaping.mkdir()
    with zipfile.ZipFile(escaping / "submission.zip", "w") as zf:
        for path in SOLUTIONS.glob("*.ipynb"):
            zf.write(path, f"../../../{path.name}")

    grades = {g.student_id: g for g in grade_run(submissions.root, tmp_path / "out", workers=2)}
    for student in ("honest", "old_format", "edited_locked_cells", "renamed", "extra_files", "zipped"):
        assert_only_parts_lost(grades[student], set()), student
    assert any("graded my work (final).ipynb" in n for n in grades["renamed"].notes)
    for student in ("empty", "not_utf8", "zip_escapes"):
        assert grades[student].score == 0
        assert all(p.problem for p in grades[student].parts), student
    assert any("escapes its folder" in n for n in grades["zip_escapes"].notes)
    assert not list(tmp_path.parent.glob("*.ipynb")) and not list(submissions.root.parent.glob("*.ipynb"))


# -- durability --------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_killed_grade_run_resumes_without_losing_or_changing_a_grade(submissions, tmp_path):
    for student in ("a", "b", "c", "d"):
        submissions(student, base=SOLUTIONS if student in "ac" else RELEASE)
    out = tmp_path / "out"
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    run = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(submissions.root), "--out", str(out)],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not (out / "results" / "a.json").exists():
        time.sleep(0.1)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    first = (out / "results" / "a.json").read_bytes()
    assert not (out / "results" / "d.json").exists(), "the run was meant to be killed part-way"

    grades = grade_run(submissions.root, out, base_seed=base_seed(course_secret(), 0))  # the base seed `grade` used
    assert [g.student_id for g in grades] == ["a", "b", "c", "d"]
    assert (out / "results" / "a.json").read_bytes() == first, "a finished grade was redone or changed"
    rows = (out / "grades.csv").read_text().splitlines()[1:]
    assert sorted(r.split(",")[0] for r in rows) == ["a", "b", "c", "d"]
    total = sum(PARTS.values())
    assert [float(r.split(",")[1]) for r in rows] == [total, 0.0, total, 0.0]


def test_a_second_grade_run_into_the_same_output_is_refused(submissions, tmp_path, capsys):
    from autograder.cli import main

    submissions("a")
    out = tmp_path / "out"
    with OutputFolder(out).lock():
        assert main(["grade", str(submissions.root), "--out", str(out)]) == 3
    assert "another grade run is writing to" in capsys.readouterr().err
    assert not (out / "grades.csv").exists()


def confined_run(code: str, *, read_only=(), hide=(), mode="bwrap", python=sys.executable, bwrap_extra=()):
    """Run ``python -c code`` through the launcher (confine.py) as a kernel would be run, as a
    sandbox user in a working directory of its own: (completed process, the refused-calls log)."""
    from autograder.sandbox import allowlist, syscalls, users
    from autograder.sandbox.confine import LIMITS

    slot = users.acquire()
    workdir, logs = users.make_workdir(slot), users.make_private_dir("refusals")
    policy = {"limits": LIMITS, "mode": mode, "uid": slot.uid, "gid": slot.gid, "rules": syscalls.rules(),
              "refusals": str(logs / "1.json")}
    if mode == "bwrap":
        etc = allowlist.etc_folder(users.BASE, f"{users.USER_PREFIX}{slot.index}", slot.uid, slot.gid)
        policy["bwrap"] = allowlist.bwrap_args(read_only=[os.path.realpath(sys.base_prefix), sys.prefix, *read_only],
                                               workdir=str(workdir), hide=list(hide), etc=etc) + list(bwrap_extra)
    try:
        run = subprocess.run([sys.executable, "-m", "autograder.sandbox.confine", "--", python, "-c", code],
                             env=dict(os.environ, AUTOGRADER_CONFINE=json.dumps(policy)), capture_output=True,
                             text=True, cwd=workdir, timeout=60)
        return run, json.loads((logs / "1.json").read_text())
    finally:
        users.kill_processes(slot.uid)
        users.remove_workdir(workdir, slot)
        shutil.rmtree(logs, ignore_errors=True)
        slot.release()


@needs_root
def test_a_kit_checked_out_under_tmp_stays_reachable_in_the_private_tmp(tmp_path):
    """The kernel's /tmp is a fresh tmpfs; a kit's data_scripts/ (or a venv) living under /tmp (a
    CI checkout) is bound into it, and nothing else of the kit or of the host's /tmp is."""
    kit = tmp_path / "kit"
    for folder in ("solutions", "data_scripts", "data_scripts/private"):
        (kit / folder).mkdir(parents=True)
    (kit / "solutions" / "answers.txt").write_text("secret")
    (kit / "data_scripts" / "code.txt").write_text("visible")
    (kit / "data_scripts" / "private" / "key.txt").write_text("hidden")
    (kit / "notes.txt").write_text("not on the allowlist")
    (tmp_path / "classmate.txt").write_text("other")
    probe = (f"import os; print(open({str(kit / 'data_scripts' / 'code.txt')!r}).read(), "
             f"os.listdir({str(kit / 'data_scripts' / 'private')!r}), "
             + ", ".join(f"os.path.exists({str(p)!r})" for p in (kit / "solutions", kit / "notes.txt",
                                                                   tmp_path / "classmate.txt")) + ")")
    run, _ = confined_run(probe, read_only=[str(kit / "data_scripts")], hide=[str(kit / "data_scripts" / "private")])
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["visible", "[]", "False", "False", "False"]


# The work is deferred to the moment the result is read: the tuple holds placeholders, and
# iterating it computes the real (loss, dW) with the naive double loop. Reading it through the
# base types' slots (the bridge) sees the placeholders, at every call, timed or not.
DEFERRED = '''
class _Later(tuple):
    def __new__(cls, args):
        self = tuple.__new__(cls, (0.0, None))
        self.args = args
        return self
    def __iter__(self):
        return iter(svm_loss_naive(*self.args))
    def __getitem__(self, i):
        return tuple(self.__iter__())[i]

def svm_loss_vectorized(W, X, y, reg):
    return _Later((W, X, y, reg))
'''


def test_work_deferred_until_the_result_is_read_earns_nothing(submissions):
    submissions("defers", {"svm_loss_vectorized": DEFERRED}, base=SOLUTIONS)
    (grade,) = grade_all(submissions.root)
    (part,) = [p for p in grade.parts if p.name == "svm_loss_vectorized"]
    assert part.points == 0, student_report(grade)
    assert scores(grade)["svm_loss_naive"] == PARTS["svm_loss_naive"]


# Forty busy processes, each in a session of its own, then a hang: for as long as each of its
# parts may run, this submission takes every core it can get.
BUSY_NEIGHBOUR = '''
def {name}(*args, **kwargs):
    import os, time
    for _ in range(40):
        if os.fork() == 0:
            os.setsid()
            while True:
                pass
    time.sleep(10**6)
'''


@needs_root
@pytest.mark.slow
def test_a_busy_neighbour_costs_the_honest_students_nothing(submissions, tmp_path):
    """The speed checks read the honest kernels' own CPU time, which the neighbour cannot move."""
    # Its first two parts hang (8 s each): the honest students, graded in the other worker meanwhile, are done well
    # before (their speed checks time their naive and vectorized losses against the neighbour's forty processes).
    submissions("busy_neighbour", {name: BUSY_NEIGHBOUR.format(name=name) for name in ("rel_error", "svm_loss_naive")},
                base=SOLUTIONS)
    for student in ("honest_1", "honest_2", "honest_3"):
        submissions(student, base=SOLUTIONS)
    grades = {g.student_id: g for g in grade_run(submissions.root, tmp_path / "out", timeout=8, workers=2)}
    for student in ("honest_1", "honest_2", "honest_3"):
        assert_only_parts_lost(grades[student], set())


SHOWS_ENVIRONMENT = "def rel_error(x, y):\n    import os\n    raise KeyError(sorted(os.environ.items()))\n"


def test_the_graders_environment_never_reaches_the_student(submissions, tmp_path, monkeypatch):
    """A secret of the grader's (a database password, a Gradescope token) is in no kernel reply
    and in no file the grade run writes, whatever the student's code prints or raises."""
    secret = "s3cret-db-password-4242"
    monkeypatch.setenv("COURSE_DB_PASSWORD", secret)
    monkeypatch.setenv("GRADESCOPE_TOKEN", secret + "-token")
    with Sandbox() as box:
        outcome = box.run("import os\nprint(sorted(os.environ.items()))")
        assert outcome.status == "ok" and "PATH" in outcome.stream and secret not in outcome.stream
    submissions("snoop", {"rel_error": SHOWS_ENVIRONMENT}, base=SOLUTIONS)
    submissions("honest", base=SOLUTIONS)
    out = tmp_path / "out"
    grades = {g.student_id: g for g in grade_run(submissions.root, out)}
    assert "KeyError" in student_report(grades["snoop"])  # the student's error did reach the report...
    assert_only_parts_lost(grades["snoop"], {"rel_error"})
    assert_only_parts_lost(grades["honest"], set())
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written and not [p for p in written if secret.encode() in p.read_bytes()]  # ...without the secret


WRITES_EVERYWHERE = '''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
segment = libc.shmget(0x5EC7E7, 4096, 0o1666)  # IPC_CREAT | 0666: SysV shared memory
assert segment >= 0, ctypes.get_errno()
libc.shmat.restype = ctypes.c_void_p
address = libc.shmat(segment, None, 0)
ctypes.memmove(address, b"the answer", 10)
written = []
for folder in FOLDERS:
    try:
        with open(os.path.join(folder, "from_the_writer"), "w") as handle:
            handle.write("the answer")
        written.append(folder)
    except OSError:
        pass
print("wrote", written)
'''

READS_EVERYWHERE = '''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
found = []
if libc.shmget(0x5EC7E7, 0, 0) >= 0:
    found.append("SysV shared memory")
for folder in FOLDERS:
    if os.path.exists(os.path.join(folder, "from_the_writer")):
        found.append(folder)
print("found", found)
'''


@needs_root
def test_no_file_or_shared_memory_passes_from_one_students_kernel_to_anothers():
    """A writer leaves SysV shared memory and a file in every folder any user may write; a
    reader graded after it, or beside it, finds none of them."""
    folders = host_shared_folders()
    assert {"/tmp", "/dev/shm"} <= set(folders) and (not os.path.isdir("/run/lock") or "/run/lock" in folders)
    setup = f"FOLDERS = {folders!r}\n"
    with Sandbox() as writer:
        wrote = writer.run(setup + WRITES_EVERYWHERE)
        assert wrote.status == "ok" and "/tmp" in wrote.stream, wrote  # it could write: the test means something
        with Sandbox() as beside:
            read = beside.run(setup + READS_EVERYWHERE)
            assert read.status == "ok" and "found []" in read.stream, read.stream
    with Sandbox() as after:
        read = after.run(setup + READS_EVERYWHERE)
        assert read.status == "ok" and "found []" in read.stream, read.stream
    assert not any(os.path.exists(os.path.join(f, "from_the_writer")) for f in folders)  # nor on the host


LOOKS_AROUND = """def rel_error(x, y):
    import os
    seen = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            seen.append(open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' ').decode())
        except OSError:
            pass
    for folder in FOLDERS:
        for name in os.listdir(folder) if os.path.isdir(folder) else ():
            try:
                seen.append(open(os.path.join(folder, name)).read())
            except OSError:
                pass
    raise ValueError(repr(seen))
"""


@needs_root
@pytest.mark.slow
def test_a_kernel_sees_no_other_process_and_no_other_users_home(submissions, tmp_path):
    """The grader's processes (their command lines) and the files of another user's home folder
    that anyone on the host may read: a student's kernel lists neither, and its report (which
    shows whatever it raises) holds neither. The honest student beside it is untouched."""
    import shutil

    home = Path(f"/home/autograder-test-{os.getpid()}")
    home.mkdir(mode=0o755)
    try:
        (home / "notes.txt").write_text("another-users-notes-4343")
        (home / "notes.txt").chmod(0o644)
        grader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "grader-command-line-4343"])
        try:
            submissions("honest", base=SOLUTIONS)
            submissions("looks_around", {"rel_error": f"FOLDERS = {[str(home), '/root']!r}\n" + LOOKS_AROUND},
                        base=SOLUTIONS)
            grades = {g.student_id: g for g in grade_run(submissions.root, tmp_path / "out", workers=2)}
        finally:
            grader.kill()
            grader.wait()
    finally:
        shutil.rmtree(home)
    report = student_report(grades["looks_around"])
    assert "ValueError" in report and "python" in report  # it listed its own kernel, and it was shown...
    assert "4343" not in report and "pytest" not in report  # ...but no other process, no other's file
    assert_only_parts_lost(grades["looks_around"], {"rel_error"})
    assert_only_parts_lost(grades["honest"], set())


#: A writer that leaves its softmax_loss_naive in every channel it can find (SysV shared memory,
#: every folder any user may write), and a reader with no softmax of its own that execs what it
#: finds: 15 points of softmax_loss_naive if anything passed between them.
LEAVES_ITS_SOFTMAX = '''
import ctypes as _ctypes, inspect as _inspect, os as _os
_source = _inspect.getsource(softmax_loss_naive).encode()
_libc = _ctypes.CDLL(None, use_errno=True)
_segment = _libc.shmget(0x5EC7E8, 65536, 0o1666)
if _segment >= 0:
    _libc.shmat.restype = _ctypes.c_void_p
    _ctypes.memmove(_libc.shmat(_segment, None, 0), _source + b"\\0", len(_source) + 1)
for _folder in FOLDERS:
    try:
        with open(_os.path.join(_folder, "softmax.py"), "wb") as _f:
            _f.write(_source)
    except OSError:
        pass
'''

USES_WHAT_IT_FINDS = '''
def softmax_loss_naive(W, X, y, reg):
    import ctypes, os
    libc = ctypes.CDLL(None, use_errno=True)
    segment = libc.shmget(0x5EC7E8, 0, 0)
    found = []
    if segment >= 0:
        libc.shmat.restype = ctypes.c_void_p
        found.append(ctypes.string_at(libc.shmat(segment, None, 0)).decode())
    for folder in FOLDERS:
        try:
            found.append(open(os.path.join(folder, "softmax.py")).read())
        except OSError:
            pass
    namespace = {}
    exec("import numpy as np\\n" + found[0], namespace)
    return namespace["softmax_loss_naive"](W, X, y, reg)
'''


@needs_root
@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_a_reader_gets_nothing_a_writer_graded_before_or_beside_it_left(submissions, tmp_path, workers):
    """Graded one after the other (workers=1, the writer first by name) and side by side
    (workers=2): the reader's softmax_loss_naive finds nothing, and loses its 15 points."""
    folders = f"FOLDERS = {host_shared_folders()!r}\n"
    writer = reference_cell("softmax_loss_naive") + "\n" + folders + LEAVES_ITS_SOFTMAX
    submissions("a_writer", {"softmax_loss_naive": writer}, base=SOLUTIONS)
    submissions("b_reader", {"softmax_loss_naive": folders + USES_WHAT_IT_FINDS}, base=SOLUTIONS)
    submissions("c_honest", base=SOLUTIONS)
    grades = {g.student_id: g for g in grade_run(submissions.root, tmp_path / "out", workers=workers)}
    # (the writer's load-time ctypes is code the loop check cannot follow: its vectorized parts
    # lose their loop and speed credit; it keeps the rest)
    assert_kept(grades["a_writer"], set(PARTS) - VECTORIZED)
    assert_only_parts_lost(grades["b_reader"], {"softmax_loss_naive"})
    assert "IndexError" in student_report(grades["b_reader"])  # it found nothing at all
    assert_only_parts_lost(grades["c_honest"], set())


@pytest.mark.slow
def test_bombs_aimed_at_the_graders_memory_cost_only_their_part_or_submission(submissions, tmp_path):
    """A display of ~80 MB of JSON, an 8 MB cell, six zip files of 150 MB of zeros each, a 30 MB
    notebook: graded beside an honest student, each costs only what it may (the grader's peak
    memory for each: benchmarks/grader_memory_bombs.py)."""
    import nbformat
    import zipfile

    display = ("get_ipython().display_pub.publish(data={'text/plain': [[]] * 20_000_000})\n"
               + reference_cell("svm_loss_naive"))
    submissions("display_bomb", {"svm_loss_naive": display}, base=SOLUTIONS)
    submissions("big_cell", {"softmax_loss_naive": reference_cell("softmax_loss_naive") + "\n#" + "x" * 8 * 1024**2},
                base=SOLUTIONS)
    zipped = submissions("zip_bomb", base=SOLUTIONS)
    for k in range(6):
        with zipfile.ZipFile(zipped / f"{k}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("filler.bin", b"\0" * 150 * 1024**2)
    next(zipped.glob("*.ipynb")).unlink()
    huge = next(submissions("huge_notebook", base=SOLUTIONS).glob("*.ipynb"))
    nb = nbformat.read(huge, as_version=4)
    nb.cells[0].setdefault("outputs", []).append(nbformat.v4.new_output("stream", text="x" * 30 * 1024**2)) \
        if nb.cells[0].cell_type == "code" else None
    nb.cells.append(nbformat.v4.new_markdown_cell("x" * 30 * 1024**2))
    nbformat.write(nb, huge)
    submissions("honest", base=SOLUTIONS)
    grades = {g.student_id: g for g in grade_run(submissions.root, tmp_path / "out", workers=2)}
    # the loop check cannot follow a cell that runs get_ipython() when loaded: the vectorized
    # parts lose their loop and speed credit too
    assert scores(grades["display_bomb"])["svm_loss_naive"] == 0
    assert_kept(grades["display_bomb"], set(PARTS) - VECTORIZED - {"svm_loss_naive"})
    assert "could not be read" in student_report(grades["display_bomb"])
    assert_only_parts_lost(grades["big_cell"], {"softmax_loss_naive"})
    assert grades["zip_bomb"].score == 0 and "200 MB" in student_report(grades["zip_bomb"])
    assert grades["huge_notebook"].score == 0 and "over the 20 MB" in student_report(grades["huge_notebook"])
    assert_only_parts_lost(grades["honest"], set())


FORGES_LINES = ('def rel_error(x, y):\n    raise ValueError("bad input\\n  ✓ relative error of two arrays\\n'
                '  ✓ every check passed\\nScore: 100 / 100")\n')


def test_an_exception_message_cannot_forge_report_lines(submissions):
    submissions("forger", {"rel_error": FORGES_LINES}, base=SOLUTIONS)
    submissions("honest", base=SOLUTIONS)
    grades = {g.student_id: g for g in grade_all(submissions.root)}
    assert_only_parts_lost(grades["forger"], {"rel_error"})
    assert_only_parts_lost(grades["honest"], set())
    report = student_report(grades["forger"])
    assert "every check passed" in report  # the message is shown...
    assert not [line for line in report.splitlines() if line.lstrip().startswith("✓ every check")]  # ...on its own line
    assert [line for line in report.splitlines() if line.startswith("Score:")] == [report.splitlines()[1]]


def test_control_characters_and_long_messages_are_escaped_and_cut_in_reports():
    from autograder.grading.scoring import PartResult, StudentGrade

    grade = StudentGrade("s", 1, [PartResult("rel_error", 3, problem="\x1b[2J\x1b[Hcleared\r✓ forged " + "x" * 5000)])
    report = student_report(grade)
    assert "\x1b" not in report and "\\x1b[2J" in report  # shown escaped, not sent to the terminal
    assert max(len(line) for line in report.splitlines()) < 600 and "cut at 500 characters" in report


@pytest.mark.slow
def test_a_call_that_sleeps_past_the_budget_costs_its_submission_only_its_budget(submissions, tmp_path):
    """One call that sleeps for ever, under a call timeout of 600 s: its submission stops at its
    time budget (20 s here) plus one kernel start, not at the timeout; the honest student graded
    beside it keeps full marks."""
    sleeper = "def svm_loss_naive(W, X, y, reg):\n    import time\n    time.sleep(10**6)\n"
    submissions("sleeper", {"svm_loss_naive": sleeper}, base=SOLUTIONS)
    submissions("honest", base=SOLUTIONS)
    grades = {g.student_id: g for g in grade_run(submissions.root, tmp_path / "out", workers=2, timeout=600, budget=20)}
    assert grades["sleeper"].seconds < 20 + 60, grades["sleeper"].seconds  # the budget and a kernel start at most
    assert scores(grades["sleeper"])["svm_loss_naive"] == 0
    assert "time budget" in student_report(grades["sleeper"])
    assert_only_parts_lost(grades["honest"], set())


@pytest.mark.slow
def test_a_worker_killed_mid_run_costs_nobody_points(submissions, tmp_path):
    """The out-of-memory killer (here SIGKILL) takes one of the two workers while it grades: the
    submissions the broken pool still held are graded again, and every honest student keeps
    full marks (before: 0 with "BrokenProcessPool... ask for a regrade", stored for good)."""
    import psutil

    students = [f"honest_{k}" for k in range(6)]
    for student in students:
        submissions(student, base=SOLUTIONS)
    result, failure = {}, []

    def run():
        try:
            result.update({g.student_id: g for g in grade_run(submissions.root, tmp_path / "out", workers=2)})
        except BaseException as exc:  # shown by the asserts below, not lost in the thread
            failure.append(exc)

    def busy_worker() -> int | None:
        """A pool worker that is grading (it has a kernel), or None. Each process is asked on
        its own: one that ended meanwhile, or a zombie left by an earlier test, is passed over."""
        for process in me.children():
            try:
                if "multiprocessing" in " ".join(process.cmdline()) and process.children():
                    return process.pid
            except psutil.Error:
                continue
        return None

    runner = threading.Thread(target=run)
    runner.start()
    me, killed, deadline = psutil.Process(), None, time.monotonic() + 120
    while killed is None and runner.is_alive() and time.monotonic() < deadline:
        time.sleep(0.5)
        killed = busy_worker()
        if killed is not None:
            os.kill(killed, signal.SIGKILL)
    runner.join(600)
    assert not failure, failure
    assert killed is not None, "no worker was seen grading"
    assert set(result) == set(students)
    for student in students:
        assert result[student].score == result[student].max_score, student_report(result[student])


@pytest.mark.slow
def test_a_huge_message_from_the_kernel_never_reaches_the_graders_memory():
    """One display message of about 100 MB of JSON (before: 1.4 GB more in the grader and
    75 s of its CPU, parsed before any size limit applied): dropped unread, the call gets no
    result, and the kernel still answers."""
    import psutil

    from autograder.sandbox.bridge import Bridge

    me, peak, done = psutil.Process(), [0], threading.Event()

    def sample():  # the grader's peak memory while the message is handled
        while not done.is_set():
            peak[0] = max(peak[0], me.memory_info().rss)
            time.sleep(0.02)

    with Sandbox(timeout=60) as box:
        bridge = Bridge(box)
        before = me.memory_info().rss
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            reply = bridge.evaluate("1", setup="get_ipython().display_pub.publish(data={'text/plain': [[]] * 25_000_000})")
        finally:
            done.set()
            sampler.join()
        grown = peak[0] - before
        assert grown < 200 * 1024**2, f"the grader grew by {grown / 1024**2:.0f} MB"
        assert bridge.evaluate("1 + 1").value.value == 2  # the kernel still answers
    assert reply.ok or "no result" in reply.problem or reply.status in ("timeout", "error"), reply


@pytest.mark.slow
def test_a_cell_whose_output_is_dropped_costs_only_itself():
    """The same message sent by a cell that also defines a function: before, the cell counted as
    loaded, every later call lost its result, and each fresh kernel ran the cell again, until
    the submission's whole budget was gone (every part lost, 300 s of grading). Now the cell is
    refused, and what is loaded after it works."""
    from autograder.sandbox.bridge import Bridge

    with Sandbox(timeout=30) as box:
        bridge = Bridge(box)
        bomb = bridge.load("get_ipython().display_pub.publish(data={'text/plain': [[]] * 20_000_000})\n"
                           "def f():\n    return 2\n")
        assert not bomb.ok and "could not be read" in bomb.error, bomb
        assert bridge.load("def g():\n    return 3\n").ok
        for _ in range(3):
            assert bridge.evaluate("g() + 1").value.value == 4
        assert bridge.evaluate("f()").status == "error"  # the refused cell's definitions are not there


@needs_root
def test_a_kernel_cannot_hold_the_lock_of_another_sandbox_slot():
    from autograder.sandbox import users

    with Sandbox() as box:
        locks = sorted(str(p) for p in (users.BASE / "slots").glob("*.lock"))
        assert locks
        outcome = box.run(f"import fcntl\nfor path in {locks!r}:\n    try:\n        handle = open(path)\n"
                          "        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)\n        print('held', path)\n"
                          "    except OSError as exc:\n        print('refused', type(exc).__name__)\n")
        assert outcome.status == "ok" and "held" not in outcome.stream and "refused" in outcome.stream, outcome.stream


# -- the start-up self-test of the sandbox ------------------------------------------------------

@needs_root
def test_grade_probes_the_sandbox_before_grading_and_stops_when_a_promise_is_broken(submissions, tmp_path,
                                                                                     monkeypatch, capsys):
    """``grade`` starts one kernel and probes it first: one line says what holds. A sandbox whose
    /tmp is the host's (here: the host's /tmp bound into the allowlist) stops the run, nobody graded."""
    from autograder.sandbox import allowlist, preflight
    from autograder.cli import main as cli_main

    submissions("honest", base=SOLUTIONS)
    monkeypatch.setattr(preflight, "_checked", None)
    assert cli_main(["grade", str(submissions.root), "--out", str(tmp_path / "a")]) == 0
    line = capsys.readouterr().err.strip().splitlines()[0]
    assert line.startswith("sandbox: confined: ") and "broken" not in line, line
    for promise in ("no network", "kit hidden", "private /tmp", "own /proc", "environment allowlisted"):
        assert promise in line, line

    monkeypatch.setattr(preflight, "_checked", None)
    real = allowlist.bwrap_args
    monkeypatch.setattr(allowlist, "bwrap_args", lambda **kw: real(**kw) + ["--bind", "/tmp", "/tmp"])  # /tmp shared
    assert cli_main(["grade", str(submissions.root), "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "the sandbox is not in force: " in err and "the kernel's /tmp is the host's" in err, err
    assert "nobody was graded" in err, err
    assert not (tmp_path / "b" / "grades.csv").exists()


def test_without_confinement_grade_stops_unless_told_no_confine(submissions, tmp_path, monkeypatch, capsys):
    from autograder.sandbox import preflight
    from autograder.sandbox import kernel as sandbox
    from autograder.cli import main as cli_main

    submissions("honest", base=SOLUTIONS)
    monkeypatch.setenv("AUTOGRADER_NO_CONFINE", "0")  # restored after the test: --no-confine sets it
    monkeypatch.setattr(sandbox, "_can_confine", lambda: False)  # as on a laptop, not root
    monkeypatch.setattr(preflight, "_checked", None)
    assert cli_main(["grade", str(submissions.root), "--out", str(tmp_path / "a")]) == 2
    assert "needs root on Linux" in capsys.readouterr().err
    monkeypatch.setattr(preflight, "_checked", None)
    assert cli_main(["grade", str(submissions.root), "--out", str(tmp_path / "b"), "--no-confine"]) == 0
    printed = capsys.readouterr()
    assert printed.err.startswith("sandbox: not confined"), printed.err
    assert "1 of 1 submissions graded" in printed.out
    monkeypatch.setattr(preflight, "_checked", None)


# -- isolation, round three: channels that outlive namespaces, and what the allowlist shows --------
def _syscall(name: str) -> int:
    import pyseccomp

    return pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)


#: A writer that leaves its softmax_loss_naive in a kernel key (the user keyring, opened to
#: everyone with KEYCTL_SETPERM), and a reader that finds it in /proc/keys and reads it.
KEY_WRITER = '''
import ctypes as _ctypes, inspect as _inspect
_libc = _ctypes.CDLL(None, use_errno=True)
_source = _inspect.getsource(softmax_loss_naive).encode()
_key = _libc.syscall(ADD_KEY, b"user", NAME.encode(), _source, len(_source), _ctypes.c_int(-4))  # the user keyring
if _key >= 0:
    _libc.syscall(KEYCTL, 5, _key, 0x3F3F3F3F)  # KEYCTL_SETPERM: anyone may view and read it
'''
KEY_READER = '''
def softmax_loss_naive(W, X, y, reg):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    found = []
    for line in open("/proc/keys"):
        if NAME in line:
            buffer = ctypes.create_string_buffer(65536)
            size = libc.syscall(KEYCTL, 11, int(line.split()[0], 16), buffer, 65536)  # KEYCTL_READ
            if size > 0:
                found.append(buffer.raw[:size].decode())
    namespace = {}
    exec("import numpy as np\\n" + found[0], namespace)
    return namespace["softmax_loss_naive"](W, X, y, reg)
'''

#: A writer that spells its softmax_loss_naive in POSIX record locks on a read-only file every
#: kernel sees (one lock per byte, at BASE + 256 * index + value), held by its kernel; a reader
#: that reads them back with F_GETLK.
LOCK_WRITER = '''
import fcntl as _fcntl, inspect as _inspect, os as _os, sys as _sys
_held = open(_os.path.join(_sys.prefix, "pyvenv.cfg"), "rb")
for _n, _b in enumerate(_inspect.getsource(softmax_loss_naive).encode()):
    try:
        _fcntl.lockf(_held, _fcntl.LOCK_SH | _fcntl.LOCK_NB, 1, BASE + 256 * _n + _b)
    except OSError:
        break
'''
LOCK_READER = '''
_waited = []
def softmax_loss_naive(W, X, y, reg):
    import fcntl, os, struct, sys, time
    shared = open(os.path.join(sys.prefix, "pyvenv.cfg"), "rb")
    def byte(n):
        ask = struct.pack("hhqqi", fcntl.F_WRLCK, 0, BASE + 256 * n, 256, 0)
        kind, _, start, _, _ = struct.unpack("hhqqi", fcntl.fcntl(shared, fcntl.F_GETLK, ask))
        return None if kind == fcntl.F_UNLCK else start - BASE - 256 * n
    found, deadline = [], time.time() + (0 if _waited else 12)  # a writer graded beside may not be there yet
    _waited.append(1)
    while not found:
        try:
            data = bytearray()
            while (value := byte(len(data))) is not None:
                data.append(value)
        except OSError:
            break
        if data:
            found.append(data.decode())
        elif time.time() > deadline:
            break
        else:
            time.sleep(0.2)
    namespace = {}
    exec("import numpy as np\\n" + found[0], namespace)
    return namespace["softmax_loss_naive"](W, X, y, reg)
'''


def _forget_keys(name: str) -> None:
    """Invalidate the keys a writer left (they outlive every process; needed only where the
    filter did not refuse add_key)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/keys") as keys:
        for line in keys:
            if name in line:
                libc.syscall(_syscall("keyctl"), 21, int(line.split()[0], 16))  # KEYCTL_INVALIDATE


@needs_root
@pytest.mark.slow
@pytest.mark.parametrize("channel", ["key", "lock"])
@pytest.mark.parametrize("workers", [1, 2])
def test_no_key_or_lock_carries_a_softmax_from_a_writer_graded_before_or_beside(submissions, tmp_path, channel,
                                                                                workers):
    """Kernel keyrings and record locks belong to no namespace: a writer graded before the
    reader (workers=1, by name) or beside it (workers=2) leaves its softmax_loss_naive in a key
    or in locks on a shared read-only file; the reader, with no softmax of its own, finds nothing
    and loses its 15 points. The filter refuses the calls with EPERM and each report says which.
    (A lock dies with its holder: one after the other, only a key could carry anything.)"""
    name = f"autograder-softmax-{os.getpid()}-{time.monotonic_ns()}"
    constants = f"ADD_KEY, KEYCTL, NAME, BASE = {_syscall('add_key')}, {_syscall('keyctl')}, {name!r}, {2**40}\n"
    writer, reader = (KEY_WRITER, KEY_READER) if channel == "key" else (LOCK_WRITER, LOCK_READER)
    submissions("a_writer", {"softmax_loss_naive": reference_cell("softmax_loss_naive") + "\n" + constants + writer},
                base=SOLUTIONS)
    submissions("b_reader", {"softmax_loss_naive": constants + reader}, base=SOLUTIONS)
    submissions("c_honest", base=SOLUTIONS)
    try:
        grades = {g.student_id: g for g in grade_run(submissions.root, tmp_path / "out", workers=workers)}
    finally:
        _forget_keys(name)
    assert_kept(grades["a_writer"], set(PARTS) - VECTORIZED)  # (load-time ctypes: the loop check cannot follow it)
    assert_only_parts_lost(grades["b_reader"], {"softmax_loss_naive"})
    assert "IndexError" in student_report(grades["b_reader"])  # it found nothing at all
    assert_only_parts_lost(grades["c_honest"], set())
    refused = {"key": ("add_key", "keyctl"), "lock": ("fcntl F_SETLK", "fcntl F_GETLK")}[channel]
    assert "the sandbox refused these system calls: " + refused[0] in student_report(grades["a_writer"])
    if channel == "lock":  # (the key reader finds no key to read: it makes no refused call)
        assert f"while checking softmax_loss_naive, the sandbox refused these system calls: {refused[1]}" \
            in student_report(grades["b_reader"])
    assert "refused" not in student_report(grades["c_honest"])


@needs_root
def test_no_world_writable_file_carries_anything_from_one_kernel_to_another(tmp_path):
    """A 0666 file in a folder every kernel sees (as uv's .venv/.lock is): the writer cannot
    write it, so a reader graded beside it or after it finds it as it was."""
    shared = Path(f"/srv/autograder-test-{os.getpid()}")

    class SeesShared(Sandbox):  # a sandbox that shows one more folder, read-only
        def read_only(self):
            return [*super().read_only(), str(shared)]

    shared.mkdir(mode=0o755)
    try:
        (shared / "lock").write_text("")
        (shared / "lock").chmod(0o666)
        write = f"open({str(shared / 'lock')!r}, 'w').write('the answer')"
        read = f"print(repr(open({str(shared / 'lock')!r}).read()))"
        with SeesShared() as writer:
            wrote = writer.run(write)
            assert wrote.status == "error" and "Read-only file system" in wrote.error, wrote
            with SeesShared() as beside:
                assert beside.run(read).stream.strip() == "''"
        with SeesShared() as after:
            assert after.run(read).stream.strip() == "''"
        assert (shared / "lock").read_text() == ""
    finally:
        shutil.rmtree(shared)


@needs_root
def test_nothing_a_kernel_sees_read_only_can_be_written_not_even_a_0666_file():
    """The virtual environment (whose .lock uv makes 0666), the Python installation, data_scripts/
    and /usr: a kernel can create no file in them, nor open any world-writable file at their top
    for writing (opening is enough: nothing is written)."""
    folders = [sys.prefix, os.path.realpath(sys.base_prefix), str(ROOT / "data_scripts"), "/usr"]
    probe = f"""import os
opened = []
for folder in {folders!r}:
    targets = [os.path.join(folder, ".autograder-probe")] + [e.path for e in os.scandir(folder)
               if e.is_file(follow_symlinks=False) and e.stat(follow_symlinks=False).st_mode & 0o002]
    for target in targets:
        try:
            open(target, "a").close()
            opened.append(target)
        except OSError as exc:
            pass
print("opened", opened)
"""
    with Sandbox() as box:
        outcome = box.run(probe)
    assert outcome.status == "ok" and outcome.stream.strip() == "opened []", outcome.stream
    assert not any(os.path.exists(os.path.join(folder, ".autograder-probe")) for folder in folders)


@needs_root
@pytest.mark.slow
def test_another_checkout_of_the_kit_elsewhere_on_the_host_is_out_of_reach(submissions, tmp_path):
    """Copies of the kit's solutions/ under /srv and /opt (another checkout, a backup): a
    submission that execs the reference svm_loss_naive it finds there gains nothing."""
    copies = [Path(f"/srv/autograder-test-{os.getpid()}"), Path(f"/opt/autograder-test-{os.getpid()}")]
    notebooks = []
    try:
        for copy in copies:
            shutil.copytree(SOLUTIONS, copy / "kit" / "solutions" / SOLUTIONS.name,
                            ignore=shutil.ignore_patterns("corpus", "__pycache__"))
            notebooks += [str(p) for p in (copy / "kit" / "solutions" / SOLUTIONS.name).glob("*.ipynb")]
        steal = ("def svm_loss_naive(W, X, y, reg):\n    import json, numpy as np\n"
                 f"    for path in {notebooks!r}:\n"
                 "        try:\n            cells = json.load(open(path))['cells']\n        except OSError:\n"
                 "            continue\n"
                 "        for c in cells:\n"
                 "            if c['metadata'].get('nbgrader', {}).get('grade_id') == 'svm_loss_naive':\n"
                 "                ns = {'np': np}\n                exec(''.join(c['source']), ns)\n"
                 "                return ns['svm_loss_naive'](W, X, y, reg)\n")
        submissions("steals_from_a_copy", {"svm_loss_naive": steal}, base=SOLUTIONS)
        submissions("honest", base=SOLUTIONS)
        grades = {g.student_id: g for g in grade_run(submissions.root, tmp_path / "out", workers=2)}
    finally:
        for copy in copies:
            shutil.rmtree(copy, ignore_errors=True)
    assert_only_parts_lost(grades["steals_from_a_copy"], {"svm_loss_naive"})
    assert_only_parts_lost(grades["honest"], set())


#: Right, but it tries a key (twice) and a lock once, the first time it is called.
TRIES_REFUSED_CALLS = '''
_tried = []
_naive = svm_loss_naive
def svm_loss_naive(W, X, y, reg):
    if not _tried:
        import ctypes, fcntl, sys
        _tried.append(1)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall(KEYCTL, 0, -3, 0)  # KEYCTL_GET_KEYRING_ID
        libc.syscall(KEYCTL, 0, -4, 0)
        try:
            fcntl.flock(open(sys.executable, "rb"), fcntl.LOCK_SH)
        except OSError:
            pass
    return _naive(W, X, y, reg)
'''


@needs_root
def test_a_refused_call_is_named_in_the_report_and_costs_nothing_else(submissions):
    """The filter's refusals fail with EPERM and are named, per part, in the student's report."""
    cell = reference_cell("svm_loss_naive") + f"\nKEYCTL = {_syscall('keyctl')}\n" + TRIES_REFUSED_CALLS
    submissions("tries", {"svm_loss_naive": cell}, base=SOLUTIONS)
    submissions("honest", base=SOLUTIONS)
    grades = {g.student_id: g for g in grade_all(submissions.root)}
    assert_only_parts_lost(grades["tries"], set())
    assert_only_parts_lost(grades["honest"], set())
    report = student_report(grades["tries"])
    assert ("while checking svm_loss_naive, the sandbox refused these system calls: flock, keyctl (x2); "
            "submissions cannot use them") in report, report
    assert report.count("the sandbox refused") == 1
    assert "refused" not in student_report(grades["honest"])


@needs_root
def test_the_filter_user_and_limits_hold_without_bubblewrap():
    """Where bubblewrap cannot make namespaces (a container without CAP_SYS_ADMIN), the launcher
    runs the kernel without them: the filter, the sandbox user and the limits still hold, and the
    probe would say what does not (no allowlist, no namespaces)."""
    if not os.access("/usr/bin/python3", os.X_OK):
        pytest.fail("this test runs the system's Python (/usr/bin/python3) as the sandbox user")
    code = f"""import ctypes, fcntl, json, os, resource
libc = ctypes.CDLL(None, use_errno=True)
def refused(result):
    return result < 0 and ctypes.get_errno() == 1
seen = {{"uid": os.getuid(), "add_key": refused(libc.syscall({_syscall('add_key')}, b"user", b"k", b"v", 1, -3)),
        "inotify": refused(libc.inotify_init1(0)), "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[1],
        "mnt": os.readlink("/proc/self/ns/mnt")}}
try:
    fcntl.flock(open("/usr/bin/python3", "rb"), fcntl.LOCK_SH)
    seen["flock"] = False
except PermissionError:
    seen["flock"] = True
print(json.dumps(seen))
"""
    run, log = confined_run(code, mode="direct", python="/usr/bin/python3")
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["uid"] != 0 and seen["add_key"] and seen["inotify"] and seen["flock"] and seen["nproc"] == 64, seen
    assert seen["mnt"] == os.readlink("/proc/self/ns/mnt")  # no namespaces: what the probe reports as broken
    assert log["filter"] and log["refused"] == {"add_key": 1, "inotify_init1": 1, "flock": 1}, log


@needs_root
def test_the_probe_names_each_broken_promise_of_this_round(monkeypatch, tmp_path):
    """The start-up probe fails when the filter lets a key, a lock or inotify through, when the
    allowlist shows a file planted outside it, and when a folder it sees read-only can be written."""
    from autograder.sandbox import allowlist, preflight, syscalls
    from autograder.sandbox import kernel as sandbox

    report = preflight._probe(30)
    assert report.confined and report.broken == [], report.broken

    with monkeypatch.context() as patch:  # a filter that forgot keys, flock, fcntl's locks and inotify
        patch.setattr(syscalls, "REFUSED", tuple(n for n in syscalls.REFUSED if n not in ("add_key", "flock")
                                                 and not n.startswith("inotify")))
        patch.setattr(syscalls, "FCNTL_REFUSED", {})
        broken = "; ".join(preflight._probe(30).broken)
    for promise in ("could add a key", "inotify", "lock on a shared read-only file (flock)",
                    "lock on a shared read-only file (fcntl F_SETLK)", "not all logged"):
        assert promise in broken, broken

    writable = tmp_path / "venv-copy"  # a folder the kernel sees read-only, bound read-write
    writable.mkdir()
    (writable / ".lock").write_text("")
    (writable / ".lock").chmod(0o666)
    real = allowlist.bwrap_args
    with monkeypatch.context() as patch:
        patch.setattr(sandbox.Sandbox, "read_only", lambda self: [os.path.realpath(sys.base_prefix), sys.prefix,
                                                                 str(ROOT / "data_scripts"), str(self.parcels),
                                                                 str(writable)])
        patch.setattr(allowlist, "bwrap_args", lambda **kw: real(**kw) + ["--bind", str(writable), str(writable),
                                                                           "--ro-bind", "/srv", "/srv"])
        broken = "; ".join(preflight._probe(30).broken)
    assert f"the kernel could write {writable / '.lock'}" in broken, broken
    assert "files outside its allowlist (/srv/autograder-probe-" in broken, broken


@needs_root
def test_a_lock_command_with_its_upper_bits_set_is_refused_like_the_plain_one():
    """fcntl's command is an int, of which the kernel reads the low 32 bits: F_SETLK, F_OFD_SETLK,
    F_GETLK, F_SETLEASE and F_NOTIFY with bit 32 set are the same commands, and the filter refuses
    them like the plain ones (one comparing all 64 bits let them through: record locks, and with
    them a channel between kernels, were back)."""
    probe = """import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
shared = open(os.path.join(sys.prefix, "pyvenv.cfg"), "rb")
got = []
for command in (6, 37, 5, 1024, 1026):  # F_SETLK, F_OFD_SETLK, F_GETLK, F_SETLEASE (F_RDLCK), F_NOTIFY
    lock = ctypes.create_string_buffer(struct.pack("hhqqi", 0, 0, 2**40, 1, 0), 64)
    argument = lock if command in (5, 6, 37) else 0
    result = libc.syscall(%d, shared.fileno(), ctypes.c_ulong((1 << 32) | command), argument)
    got.append(ctypes.get_errno() if result < 0 else 0)
print(got)
""" % _syscall("fcntl")
    with Sandbox() as box:
        outcome = box.run(probe)
        refused = box.refused()
    assert outcome.ok and outcome.stream.strip() == "[1, 1, 1, 1, 1]", outcome  # EPERM, each
    assert {"fcntl F_SETLK", "fcntl F_OFD_SETLK", "fcntl F_GETLK", "fcntl F_SETLEASE", "fcntl F_NOTIFY"} <= set(refused)


@needs_root
def test_the_probe_fails_a_filter_that_compares_all_64_bits_of_an_int_argument(monkeypatch):
    from autograder.sandbox import preflight, syscalls

    real = syscalls.rules

    def whole_register():  # fcntl's commands compared as the filter first did: "eq" on all 64 bits
        return [[action, name, [[1, "eq", c[0][3], 0]] if name == "fcntl" else c] for action, name, c in real()]

    monkeypatch.setattr(syscalls, "rules", whole_register)
    broken = "; ".join(preflight._probe(30).broken)
    assert "lock on a shared read-only file (fcntl F_SETLK (upper bits set))" in broken, broken


def test_a_dask_worker_whose_sandbox_is_broken_stops_the_run_with_the_reason(submissions, monkeypatch):
    """Every cluster worker probes its own sandbox before it grades anything (here a worker in
    this process, whose probe found a promise broken): the run stops, naming the worker and why."""
    from distributed import LocalCluster

    from autograder.grading.executors import ClusterError
    from autograder.sandbox import preflight

    submissions("honest", base=SOLUTIONS)
    broken = preflight.SandboxReport(True, ["the kernel could add a key to a kernel keyring"], "sandbox: NOT fully")
    monkeypatch.setattr(preflight, "_checked", broken)  # what this process's (the worker's) probe found
    graded = []
    monkeypatch.setattr("autograder.grading.submission.grade_submission", lambda *a, **k: graded.append(a))
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, \
            pytest.raises(ClusterError, match="could add a key to a kernel keyring") as stopped:
        grade_all(submissions.root, dask=cluster.scheduler_address, require_confinement=True)
    assert "worker " in str(stopped.value) and graded == []


@needs_root
def test_gradescope_grades_with_what_the_container_allows_and_says_what_holds(tmp_path, monkeypatch):
    """On Gradescope a broken promise (here: the probe found no namespaces, as in a container
    without CAP_SYS_ADMIN) does not stop the grading: the upload is graded, and results.json's
    output ends with the probe's line, saying what holds and that it graded anyway."""
    from autograder.outputs import gradescope
    from autograder.sandbox import preflight
    from linear import ASSIGNMENT

    degraded = preflight.SandboxReport(True, ["no bubblewrap allowlist (bubblewrap cannot make namespaces here)"],
                                       "sandbox: NOT fully confined: NO allowlist or namespaces, seccomp filter, "
                                       "user autograder-sandbox-0; broken: no bubblewrap allowlist")
    monkeypatch.setattr(preflight, "_checked", degraded)
    (tmp_path / "submission").mkdir()
    shutil.copy(next(SOLUTIONS.glob("*.ipynb")), tmp_path / "submission" / "homework.ipynb")
    assert gradescope.run(tmp_path, assignment=ASSIGNMENT) == 0
    results = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == sum(PARTS.values())
    assert results["output"].splitlines()[-1] == degraded.line + " (graded with what this container allows)"
