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
    own processes, and an orphan it leaves is reaped there (not left as a zombie to count
    against its user's process limit)."""
    with Sandbox() as box:
        assert box.confined  # the suite runs as root on Linux
        outcome = box.run(ORPHAN_THEN_LOOK)
        assert outcome.status == "ok", outcome
        assert outcome.stream.split(None, 1) == ["2", "[2]\n"], outcome.stream
        assert box.scheduler_seconds() is not None  # the grader still finds the kernel, as the host numbers it
