"""Sandboxed execution: one real Jupyter kernel per submission, outside the grader's process.

The grader never imports student code. It sends code to a kernel (started with nbclient /
jupyter_client in its own working directory) and reads back what the kernel displays. Every
execution has a timeout; a kernel that hangs past it, or dies, is replaced by a fresh one and
the caller is told (``Outcome.status``), so it can reload the student's definitions and go on.

Execution policy lives here and only here: timeouts, startup timeout, what a restart means.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from autograder.sandbox import allowlist, syscalls, users
from autograder.sandbox.cgroup import MEMORY_LIMIT, KernelCgroup
from autograder.sandbox.confine import LIMITS
from autograder.layout import ROOT

#: The kit's folders a student's kernel must not see (hidden when the kernel is confined).
PRIVATE = [ROOT / "solutions", ROOT / "autograder", ROOT / "tests", ROOT / "benchmarks", ROOT / ".git", ROOT / "out"]
KERNEL_NAME = "autograder-confined"

#: How the kernel's interpreter is told to run it: ipykernel_launcher's own lines (the working
#: folder off the import path, then the kernel app), with debugpy made unimportable first, so that
#: ipykernel starts without its debugger: debugpy's import is a fifth of a kernel's CPU at start,
#: and graded code is never debugged.
KERNEL_LAUNCH = ["-c", "import sys\n"
                       "sys.modules['debugpy'] = None\n"
                       "if sys.path[0] == '': del sys.path[0]\n"
                       "from ipykernel import kernelapp\n"
                       "kernelapp.launch_new_instance()\n"]

#: Seconds one execution may take before the kernel is replaced.
DEFAULT_TIMEOUT = 20.0
#: Seconds a kernel may take to start.
STARTUP_TIMEOUT = 60
#: Characters of stdout/stderr kept per execution (for reports); the rest is dropped.
STREAM_LIMIT = 2000
#: Characters of output the grader accepts from one execution; past them outputs are dropped
#: (a submission printing gigabytes costs its own call, not the grader's memory).
OUTPUT_LIMIT = 64 * 1024**2
#: Largest message part the grader accepts from a kernel, before parsing it (ZeroMQ's
#: MAXMSGSIZE on the client's sockets: a larger one is dropped and never reaches the grader's
#: memory; the call it belonged to gets no result).
MESSAGE_LIMIT = OUTPUT_LIMIT + 1024**2


@dataclasses.dataclass
class Outcome:
    """What one execution in the kernel produced.

    status: "ok", "error" (the code raised), "timeout" (killed after the timeout) or "dead"
    (the kernel died). After "timeout" and "dead" the kernel is a fresh one.
    error: for "error", the exception's type and message, e.g. "ValueError: shapes ...".
    displays: every display_data / execute_result bundle, as {mimetype: data} dicts, in order
        (after "timeout" and "dead": those that came before the end).
    stream: the first STREAM_LIMIT characters printed to stdout/stderr.
    complete: False when the execution's output did not all reach the grader (Sandbox.run).
    """

    status: str
    error: str = ""
    displays: list = dataclasses.field(default_factory=list)
    stream: str = ""
    complete: bool = True

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Sandbox:
    """A Jupyter kernel in its own working directory, used as a context manager.

    When the grader runs as root on Linux the kernel is confined (``confined``; see confine.py):
    in ``mode`` "bwrap" it sees only what allowlist.py lists (the system, and ``read_only()``: its
    Python, the kit's data_scripts/...; its size-limited working directory; ``hide`` covered where
    it lies inside those), in namespaces of its own without network; in every mode it runs as its own
    unprivileged user, under the system-call filter (syscalls.py; ``refused`` tells what it
    refused), the resource limits and its control group, and every process of that user is killed
    when the sandbox closes. In mode "direct" (bubblewrap cannot make namespaces here,
    ``mode_reason`` says why) there is no allowlist and no namespace. Not confined, only the
    resource limits apply.

    ``startup`` is code every kernel of the sandbox runs as soon as it has started, before
    anything else (the bridge's helpers, numpy's import: a kernel started ahead is ready to grade).

    >>> with Sandbox() as box:
    ...     box.run("x = 1 + 1").status
    'ok'
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, hide: list | tuple = (), startup: str = ""):
        self.timeout = timeout
        self.startup = startup
        self.hide = [str(Path(p).resolve()) for p in [*PRIVATE, *hide]]
        self.confined = _can_confine()
        self.mode, self.mode_reason = allowlist.mode() if self.confined else (None, "not confined")
        self.restarts = 0
        self.workdir: Path | None = None
        self.parcels: Path | None = None
        self.refusals: Path | None = None  # the grader's folder of the refused-calls logs, one per kernel start
        self._starts = 0
        self._reported: dict = {}
        self._slot: users.Slot | None = None
        self._stack: contextlib.ExitStack | None = None
        self._client = None  # client.CappedClient, while a kernel runs
        self._started_processes: set = set()  # the control group's processes once the kernel was ready
        self._adopted: set = set()  # every kernel's processes, seen when ready and when stopped: bubblewrap's are reaped here (subreaper)
        self._memory: _OutOfMemoryWatch | None = None
        self.cgroup: KernelCgroup | None = None

    # -- lifetime -------------------------------------------------------------------------
    def __enter__(self) -> "Sandbox":
        if self.confined:
            self._slot = users.acquire()
            self.cgroup = KernelCgroup.create(f"sandbox-{self._slot.index}")
            self.refusals = users.make_private_dir("refusals")
        self.workdir = users.make_workdir(self._slot)
        self.parcels = users.make_parcels_dir()
        try:
            self._start_patiently()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._stop()
        if self._memory is not None:
            self._memory.close()
            self._memory = None
        if self._slot is not None:
            users.kill_processes(self._slot.uid)
        users.remove_workdir(self.workdir, self._slot)
        for folder in (self.parcels, self.refusals):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        if self.cgroup is not None:
            self.cgroup.kill()  # every process the kernel started, whatever its session or user
            self.cgroup.remove()
            self.cgroup = None
        users.reap_adopted(self._adopted)
        self._adopted = set()
        if self._slot is not None:
            self._slot.release()
            self._slot = None

    def read_only(self) -> list[str]:
        """The folders the kernel sees read-only besides the system's (mode "bwrap"): the Python
        installation, the virtual environment, the kit's data_scripts/, the parcels."""
        return [os.path.realpath(sys.base_prefix), sys.prefix, str(ROOT / "data_scripts"), str(self.parcels)]

    def _start(self) -> None:
        from jupyter_client.kernelspec import KernelSpecManager

        from autograder.sandbox.client import CappedClient, CappedKernelManager, new_notebook

        self._starts += 1
        policy = {"limits": LIMITS}
        if self._slot is not None:
            policy.update(mode=self.mode, uid=self._slot.uid, gid=self._slot.gid, rules=syscalls.rules(),
                          refusals=str(self.refusals / f"{self._starts}.json"))
            if self.mode == "bwrap":
                name = f"{users.USER_PREFIX}{self._slot.index}"
                etc = allowlist.etc_folder(users.BASE, name, self._slot.uid, self._slot.gid)
                policy["bwrap"] = allowlist.bwrap_args(read_only=self.read_only(), workdir=str(self.workdir),
                                                       hide=self.hide, etc=etc)
        if self.cgroup is not None:
            policy["cgroup"] = [str(path) for path in self.cgroup.joins]
        km = CappedKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(_kernel_spec_dir())]),
            transport="ipc",
            # fresh socket and connection-file names for every kernel, so that a dying kernel's
            # last messages can never reach its successor
            ip=str(self.workdir / f".kernel{self._starts}"),
            connection_file=str(self.workdir / f"kernel{self._starts}.json"),
        )
        self._client = CappedClient(
            new_notebook(), km=km, allow_errors=True, startup_timeout=STARTUP_TIMEOUT,
            iopub_timeout=2, resources={"metadata": {"path": str(self.workdir)}},
        )
        env = _kernel_env()
        env["AUTOGRADER_CONFINE"] = json.dumps(policy)
        self._stack = contextlib.ExitStack()
        self._stack.callback(self._shutdown, km)
        self._stack.enter_context(
            self._client.setup_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if self.startup:
            from autograder.sandbox.client import code_cell

            ran = self._execute(code_cell(self.startup), STARTUP_TIMEOUT)
            if not ran.ok:
                raise RuntimeError(f"the kernel's start-up code failed ({ran.error[:300]})")
        if self.cgroup is not None:
            self._started_processes = set(self.cgroup.pids())
            self._adopted |= self._started_processes

    @staticmethod
    def _shutdown(km) -> None:
        from nbclient.util import run_sync

        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(km.cleanup_resources)()

    def _stop(self) -> None:
        if self.cgroup is not None:  # a kernel that never became ready (a retried start) has them too
            self._adopted |= set(self.cgroup.pids())
        if self._stack is not None:
            with contextlib.suppress(Exception):
                self._stack.close()
        self._stack = None
        self._client = None

    def kill_strays(self) -> None:
        """Kill every process the submission started (all of the sandbox user's but the kernel);
        if there were any, the kernel itself (which forked them) is replaced too, so that what
        one part left behind cannot affect the next."""
        if self._slot is None or self._client is None:
            return
        if self.cgroup is not None and set(self.cgroup.pids()) <= self._started_processes:
            return  # every process of the kernel is one that was there when it became ready: no stray
        if users.kill_processes(self._slot.uid, keep=self._kernel_processes()):
            self.restart()

    def restart(self) -> None:
        """Replace the kernel with a fresh one (all state is lost)."""
        self._stop()
        if self._slot is not None:
            users.kill_processes(self._slot.uid)
        self._start_patiently()
        self.restarts += 1

    def _start_patiently(self) -> None:
        """Start the kernel; one that did not answer in time (a very busy machine) gets a second try."""
        try:
            self._start()
        except Exception:
            self._stop()
            if self._slot is not None:
                users.kill_processes(self._slot.uid)
            self._start()

    def _kernel_pid(self) -> int | None:
        """The kernel's process id, as the host sees it. Confined, it is a descendant of the
        process Jupyter started (confine.py's launcher, then bubblewrap and its reaper, which
        run as root); else that process."""
        processes = self._kernel_processes()
        return processes[-1] if processes else None

    def _kernel_processes(self) -> list[int]:
        """[the kernel] (empty when none runs): the process of the sandbox user that is not a stray."""
        import psutil

        process = getattr(getattr(self._client.km, "provisioner", None), "process", None) if self._client else None
        if process is None:
            return []
        if self._slot is None:
            return [process.pid]
        try:
            for child in psutil.Process(process.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if child.cmdline()[1:3] == KERNEL_LAUNCH and child.uids().real == self._slot.uid:
                        return [child.pid]
        except psutil.Error:
            pass
        return []

    def refused(self) -> dict[str, int]:
        """The system calls the filter refused in this sandbox's kernels since the last call,
        {name: times} (see syscalls.describe for the names); {} when not confined. The count of a
        storm may be read up to confine.Refusals.INTERVAL late; a name, never."""
        total: dict[str, int] = {}
        for log in sorted(self.refusals.glob("*.json")) if self.refusals is not None else ():
            with contextlib.suppress(OSError, ValueError):
                for name, times in json.loads(log.read_text()).get("refused", {}).items():
                    total[name] = total.get(name, 0) + int(times)
        new = {name: times - self._reported.get(name, 0) for name, times in total.items()
               if times > self._reported.get(name, 0)}
        self._reported = total
        return new

    def filter_state(self) -> tuple[bool, str]:
        """(whether the current kernel runs under the system-call filter, why not)."""
        log = self.refusals / f"{self._starts}.json" if self.refusals is not None else None
        try:
            state = json.loads(log.read_text())
            return bool(state["filter"]), state.get("reason", "")
        except (AttributeError, OSError, ValueError, KeyError):
            return False, "no word from the kernel's launcher"

    def cpu_seconds(self) -> float | None:
        """CPU seconds used so far by every process of this sandbox's kernels (its control
        group), or None where there is no group (then only wall time can be measured)."""
        if self.cgroup is None:
            return None
        try:
            return self.cgroup.cpu_seconds()
        except (OSError, ValueError, KeyError):
            return None

    # -- execution ------------------------------------------------------------------------
    def run(self, code: str, timeout: float | None = None) -> Outcome:
        """Execute ``code`` in the kernel and return its Outcome (never raises for student faults).
        ``timeout`` defaults to the sandbox's. ``Outcome.complete`` is False when the request's
        output did not all arrive (a message dropped for its size: the connection it came on is
        being made again, and what the kernel sent meanwhile is lost)."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        from autograder.sandbox.client import code_cell

        assert self._client is not None, "use Sandbox as a context manager"
        timeout = self.timeout if timeout is None else timeout
        if self.cgroup is not None and self._memory is None:
            self._memory = _OutOfMemoryWatch(self.cgroup)
        cell = code_cell(code)
        try:
            with self._memory.watching() if self._memory is not None else contextlib.nullcontext() as memory:
                return self._execute(cell, timeout)
        except CellTimeoutError:
            self.restart()
            return Outcome("timeout", error=f"did not finish within {timeout:g} s", displays=_outcome(cell.outputs).displays)
        except DeadKernelError:
            self.restart()
            so_far = _outcome(cell.outputs).displays
            if memory is not None and memory.ran_out:
                return Outcome("dead", error=f"the kernel ran out of memory (all its processes together may use "
                                             f"{MEMORY_LIMIT / 1024**3:g} GB)", displays=so_far)
            return Outcome("dead", error="the kernel died (the code crashed or exited the process)", displays=so_far)
        except Exception as exc:  # garbled messages, a broken channel: the kernel is not usable
            self.restart()
            return Outcome("dead", error=f"the kernel stopped answering properly ({type(exc).__name__}: {str(exc)[:100]})")

    def _execute(self, cell, timeout: float) -> Outcome:
        """One execution request of a code cell, through nbclient (raising its exceptions: a
        timeout, a dead kernel)."""
        self._client.nb.cells = [cell]
        self._client.start()
        self._client.timeout = max(1, int(round(timeout)))
        self._client.execute_cell(cell, 0, store_history=False)
        outcome = _outcome(cell.outputs)
        outcome.complete = self._client.complete
        return outcome


def refusal_note(box: Sandbox, when: str) -> list[str]:
    """[one line for the student's report naming the system calls the sandbox refused since the
    last look, e.g. "while checking svm_loss_naive, the sandbox refused these system calls:
    keyctl (x2), flock; submissions cannot use them"], or [] when it refused none."""
    refused = box.refused()
    if not refused:
        return []
    named = ", ".join(name + (f" (x{times})" if times > 1 else "") for name, times in sorted(refused.items()))
    return [f"{when}, the sandbox refused these system calls: {named}; submissions cannot use them"]


class _OutOfMemoryWatch:
    """While a request runs (``watching``), watch the kernel's group for the out-of-memory killer:
    when it has ended any process of the group (a forked child, say, while the kernel itself
    sleeps on), end the whole group, so that the request fails at once as "dead", not after its
    timeout, and nothing is left holding memory up to the limit. ``ran_out`` tells whether that
    happened during the last request. One thread per sandbox, idle between requests, until
    ``close``."""

    POLL = 0.1  # seconds

    def __init__(self, cgroup: KernelCgroup):
        self.cgroup, self.ran_out, self._before = cgroup, False, 0
        self._active, self._closing = threading.Event(), threading.Event()
        self._lock = threading.Lock()  # the watcher's look and the request's end do not interleave
        self._thread = threading.Thread(target=self._watch, name="out-of-memory-watch", daemon=True)
        self._thread.start()

    @contextlib.contextmanager
    def watching(self):
        self._before, self.ran_out = self.cgroup.oom_kills(), False
        self._active.set()
        try:
            yield self
        finally:
            with self._lock:
                self._active.clear()
            if not self.ran_out and self.cgroup.oom_kills() > self._before:
                self.ran_out = True  # the kernel itself was the one ended

    def _watch(self) -> None:
        while True:
            self._active.wait()
            if self._closing.wait(self.POLL):
                return
            with self._lock:
                if self._active.is_set() and not self.ran_out and self.cgroup.oom_kills() > self._before:
                    self.ran_out = True
                    self.cgroup.kill()

    def close(self) -> None:
        self._closing.set()
        self._active.set()
        self._thread.join()


def _outcome(outputs) -> Outcome:
    displays, stream, error = [], [], ""
    for out in outputs:
        kind = out.get("output_type")
        if kind in ("display_data", "execute_result"):
            displays.append(dict(out.get("data", {})))
        elif kind == "stream":
            stream.append(out.get("text", ""))
        elif kind == "error":
            error = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
    text = "".join(stream)[:STREAM_LIMIT]
    return Outcome("error" if error else "ok", error=error, displays=displays, stream=text)


#: What the kernel gets of the grader's environment: nothing else (not a database password,
#: not a Gradescope token, not the grader's paths). Jupyter needs none of it: the connection file
#: comes as an argument, and HOME is the kernel's working folder (autograder/sandbox/inside.py).
KERNEL_ENV_KEPT = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT", "WINDIR", "PATHEXT", "COMSPEC")


def _kernel_env() -> dict:
    """The kernel's environment, from an allowlist: PATH (this Python's bin first, then the
    system's), the locale, one BLAS/OpenMP thread (graders run several kernels side by side on
    few cores), and nothing of the grader's own."""
    env = {name: os.environ[name] for name in KERNEL_ENV_KEPT if name in os.environ}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.defpath.strip(os.pathsep)])
    env.setdefault("LANG", "C.UTF-8")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


@functools.cache
def _kernel_spec_dir() -> Path:
    """A kernelspec whose command starts the kernel through autograder.sandbox.confine. Its folder is
    named after its content, so every run of the same kit and Python shares one (none is left
    behind per run, even by a run that is killed)."""
    import hashlib

    spec = json.dumps({
        "argv": [sys.executable, "-m", "autograder.sandbox.confine", "--",
                 sys.executable, *KERNEL_LAUNCH, "-f", "{connection_file}",
                 # IPython's history is SQLite, whose fcntl locks the filter refuses (and it costs start-up time)
                 "--HistoryManager.enabled=False"],
        "display_name": "Python 3 (autograder, confined)",
        "language": "python",
    })
    folder = Path(tempfile.gettempdir()) / f"autograder-kernelspec-{hashlib.sha256(spec.encode()).hexdigest()[:16]}"
    if _ours(folder, spec):
        return folder
    staging = Path(tempfile.mkdtemp(prefix="autograder-kernelspec-"))  # 0700, ours
    (staging / KERNEL_NAME).mkdir(mode=0o755)
    (staging / KERNEL_NAME / "kernel.json").write_text(spec)
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        staging.rename(folder)  # atomic: another run may be doing the same
    if _ours(folder, spec):
        shutil.rmtree(staging, ignore_errors=True)
        return folder
    import atexit  # the name is taken by someone else's folder: use the private one, this run only

    atexit.register(shutil.rmtree, staging, True)
    return staging


def _ours(folder: Path, spec: str) -> bool:
    """``folder`` holds exactly ``spec`` and only this user can change it (the grader may run as
    root: a kernelspec planted in the shared temporary folder must never be used)."""
    try:
        for path in (folder, folder / KERNEL_NAME, folder / KERNEL_NAME / "kernel.json"):
            info = path.lstat()
            if path.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o022:
                return False
        return (folder / KERNEL_NAME / "kernel.json").read_text() == spec
    except OSError:
        return False


def _can_confine() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0 and os.environ.get("AUTOGRADER_NO_CONFINE") != "1"

