"""The sandbox turns hangs, crashes and errors into outcomes and keeps a usable kernel."""

import time
from pathlib import Path

import pytest

from autograder.sandbox.kernel import Sandbox


def test_timeout_replaces_the_kernel_and_the_next_run_works():
    with Sandbox() as box:
        start = time.perf_counter()
        outcome = box.run("while True:\n    pass", timeout=2)
        assert outcome.status == "timeout" and time.perf_counter() - start < 15
        assert box.restarts == 1
        assert box.run("x = 1").ok


def test_dead_kernel_is_reported_and_replaced():
    with Sandbox() as box:
        assert box.run("import os; os._exit(3)").status == "dead"
        assert box.run("1 + 1").ok


def test_error_and_output_are_captured():
    with Sandbox() as box:
        outcome = box.run("print('hello'); raise ValueError('bad value')")
        assert outcome.status == "error" and outcome.error == "ValueError: bad value"
        assert outcome.stream.startswith("hello")


def test_kernel_runs_in_its_own_empty_working_directory_removed_afterwards():
    with Sandbox() as box:
        outcome = box.run("import os; print(os.getcwd()); print(sorted(f for f in os.listdir() if not f.startswith(('.', 'kernel'))))")
        workdir = box.workdir
        assert outcome.stream.splitlines() == [str(workdir), "[]"]
    assert not workdir.exists()


ORPHAN_AT_WORK = '''import os, subprocess, sys, time
work = ("import os, time\\nif os.fork() == 0:\\n    os.setsid()\\n    t = time.process_time()\\n"
        "    while time.process_time() - t < 0.4: pass\\n    open('done', 'w').close()\\n    os._exit(0)\\n")
subprocess.run([sys.executable, "-c", work])  # returns at once: the grandchild works on, orphaned
while not os.path.exists("done"):
    time.sleep(0.05)'''


def test_the_kernels_cpu_time_counts_every_process_it_starts():
    """The speed check reads the kernel's control group: work pushed to an orphaned grandchild (a
    new session, outside the kernel's process tree) is counted all the same."""
    with Sandbox() as box:
        assert box.confined and box.cgroup is not None  # the suite runs as root on Linux
        before = box.cpu_seconds()
        assert box.run(ORPHAN_AT_WORK).status == "ok"
        assert box.cpu_seconds() - before >= 0.4
        group, share = box.cgroup.path, box.cgroup.share
        # ... and the kernel has a CPU share of its own, the same as every other kernel's.
        assert share is not None and box.cgroup.shares() in (1024, 100)
        # ... right below the grader's own group, as a peer of the grader's own processes: not
        # below a parent that all kernels share, which would weigh as one process on a busy machine.
        if not box.cgroup.v2:
            own = next(line.split(":", 2)[2] for line in Path("/proc/self/cgroup").read_text().splitlines()
                       if "cpu" in line.split(":")[1].split(","))
            assert share.parent == Path(f"/sys/fs/cgroup/cpu{own.rstrip('/')}")
        assert box.cgroup.memory_limit() == 2 * 1024**3  # and a memory limit for all its processes
        pid = box._client.km.provisioner.process.pid
        assert str(pid) in (share / "cgroup.procs").read_text().split()
    assert not group.exists() and not share.exists()  # removed with the sandbox


#: Over the group's 2 GB, each process under the 4 GB address-space rlimit: the kernel and a
#: forked child 1.5 GB each, or the child alone 2.5 GB while the kernel sleeps on (the killer
#: then ends the child, not the kernel, and before the watch the request waited out its timeout).
MEMORY_GRABS = {
    "both": "import os, time, numpy as np\nif os.fork() == 0:\n    a = np.ones(1536 * 1024**2 // 8)\n    time.sleep(90)\n"
            "b = np.ones(1536 * 1024**2 // 8)\ntime.sleep(90)\n",
    "child": "import os, time, numpy as np\nif os.fork() == 0:\n    a = np.ones(2560 * 1024**2 // 8)\n    time.sleep(90)\n"
             "time.sleep(90)\n",
}


@pytest.mark.parametrize("grab", sorted(MEMORY_GRABS))
@pytest.mark.slow
def test_a_kernel_over_its_memory_limit_dies_alone(grab):
    """The kernel's control group (2 GB for all its processes) stops it, whichever of its
    processes the out-of-memory killer ends; the request fails as "dead" saying why, long before
    its timeout, and the sandbox starts a fresh kernel."""
    with Sandbox(timeout=80) as box:  # 3 GB of pages to touch: slow on a loaded machine
        started = time.monotonic()
        outcome = box.run(MEMORY_GRABS[grab])
        assert outcome.status == "dead", outcome
        assert "ran out of memory" in outcome.error and "2 GB" in outcome.error
        assert time.monotonic() - started < 75  # not the timeout (the sleeps are 90 s)
        assert box.run("print(1 + 1)").stream.strip() == "2"


ORPHAN_THEN_LOOK = '''import os, time
child = os.fork()
if child == 0:
    if os.fork() == 0:  # an orphan once its parent exits: adopted by the namespace's first process
        time.sleep(0.2)
        os._exit(0)
    os._exit(0)
os.waitpid(child, 0)
time.sleep(1.5)
print(os.getpid(), sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
'''


def test_a_kernel_has_process_ids_of_its_own_and_leaves_no_zombie():
    """Confined, the kernel is process 2 of a PID namespace of its own: its /proc lists only its
    own processes and the namespace's reaper (bubblewrap's process 1, root's), and an orphan it
    leaves is reaped there (not left as a zombie to count against its user's process limit)."""
    with Sandbox() as box:
        assert box.confined and box.mode == "bwrap"  # the suite runs as root on Linux
        outcome = box.run(ORPHAN_THEN_LOOK + "print(os.stat('/proc/1').st_uid, open('/proc/1/cmdline').read().split('\\0')[:3])\n")
        assert outcome.status == "ok", outcome
        first, reaper = outcome.stream.splitlines()
        assert first.split(None, 1) == ["2", "[1, 2]"], outcome.stream
        assert reaper.startswith("0 [") and "bwrap" in reaper and "--args" in reaper, reaper


def test_a_finished_sandbox_leaves_no_zombie_in_the_grader():
    """bubblewrap's processes, orphaned when the kernel's launcher exits, are adopted by the grader (a
    subreaper): once a sandbox (restarted once) is closed, none is left as a zombie of this process."""
    import psutil

    def zombies() -> set:
        return {child.pid for child in psutil.Process().children() if child.status() == psutil.STATUS_ZOMBIE}

    before = zombies()
    for _ in range(2):
        with Sandbox() as box:
            assert box.run("1 + 1").ok
            box.restart()
            assert box.run("2 + 2").ok
    assert zombies() - before == set()


def test_a_kernel_sees_only_its_allowlist():
    """Confined, the kernel's / holds the system, its Python and virtual environment, the kit's
    data_scripts/, its working directory and parcels, and a minimal /etc: no /srv, /opt, /home,
    no other checkout of the kit, no other kernel's folder, no host file in /etc."""
    import os
    import sys

    from autograder.layout import ROOT

    with Sandbox() as box:
        assert box.confined  # the suite runs as root on Linux
        listings = [box.run(f"import os\ntry:\n    print(sorted(os.listdir({str(path)!r})))\nexcept OSError as exc:\n"
                            "    print(repr(str(exc)))").stream for path in ("/", "/etc", box.workdir.parent, ROOT)]
        top, etc, kernels, kit = [__import__("ast").literal_eval(listing) for listing in listings]
    bound = [sys.prefix, os.path.realpath(sys.base_prefix), str(ROOT / "data_scripts"), str(box.workdir), "/run/sandbox"]
    expected = {p for p in ("bin", "dev", "etc", "lib", "lib64", "proc", "sbin", "tmp", "usr") if os.path.lexists("/" + p)}
    assert set(top) == expected | {path.split("/")[1] for path in bound}, top
    assert set(etc) <= {"passwd", "group", "nsswitch.conf", "hosts", "ld.so.cache", "localtime", "fonts"}, etc
    assert kernels == [box.workdir.name]  # no other kernel's working directory
    assert set(kit) <= {"data_scripts", ".venv"}, kit  # none of the kit but data_scripts/ (and a venv in it)
    assert box.mode == "bwrap"


def test_a_refused_call_fails_with_eperm_and_is_counted_once():
    """keyctl twice and flock once: each fails with EPERM in the kernel, and ``refused`` says so
    once (then nothing, until the next refusal); a storm of 20 000 is counted, and cheap."""
    import pyseccomp

    keyctl = pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, "keyctl")
    code = ("import ctypes, fcntl, sys\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            f"results = [libc.syscall({keyctl}, 0, -3, 0), libc.syscall({keyctl}, 0, -4, 0)]\n"
            "errors = [ctypes.get_errno()]\n"
            "try:\n    fcntl.flock(open(sys.executable, 'rb'), fcntl.LOCK_SH)\nexcept OSError as exc:\n"
            "    errors.append(exc.errno)\nprint(results, errors)\n")
    storm = ("import fcntl, sys, time\nf = open(sys.executable, 'rb')\nstarted = time.perf_counter()\n"
             "for _ in range(20000):\n    try:\n        fcntl.flock(f, fcntl.LOCK_SH)\n    except OSError:\n        pass\n"
             "print(time.perf_counter() - started)\n")
    with Sandbox() as box:
        outcome = box.run(code)
        assert outcome.stream.strip() == "[-1, -1] [1, 1]", outcome
        assert box.refused() == {"keyctl": 2, "flock": 1}
        assert box.refused() == {}
        seconds = float(box.run(storm, timeout=60).stream)
        time.sleep(0.1)  # a storm's count is written at most every 20 ms
        assert box.refused() == {"flock": 20000} and seconds < 10, seconds


LIBRARIES_AT_WORK = '''import joblib, matplotlib, multiprocessing, subprocess, sys, numpy as np
matplotlib.use("Agg")
import matplotlib.pyplot as plt
print(round(float(np.linalg.svd(np.eye(3) * 2)[1].sum()), 6))
plt.plot([1, 2, 3])
plt.savefig("figure.png")
print(joblib.Parallel(n_jobs=2)(joblib.delayed(abs)(-k) for k in range(4)))
with multiprocessing.Pool(2) as pool:
    print(pool.map(abs, [-1, -2]))
print(subprocess.run([sys.executable, "-c", "print(42)"], capture_output=True, text=True).stdout.strip())
'''


@pytest.mark.slow
def test_what_submissions_use_runs_under_the_filter_with_nothing_refused():
    """numpy (BLAS), matplotlib (Agg, its font cache), joblib (loky's processes and semaphores),
    multiprocessing and subprocess: all run in the kernel, and the filter refuses none of their calls."""
    with Sandbox(timeout=120) as box:
        outcome = box.run(LIBRARIES_AT_WORK)
        assert outcome.status == "ok", outcome
        assert outcome.stream.split("\n")[:4] == ["6.0", "[0, 1, 2, 3]", "[1, 2]", "42"], outcome.stream
        assert box.refused() == {}
