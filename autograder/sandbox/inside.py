"""The launcher inside the sandbox: the last step before a student's kernel runs.

    AUTOGRADER_INSIDE=CONFIG python inside.py KERNEL COMMAND ...

Started by confine.py as root (inside bubblewrap's namespaces, or without them where bubblewrap
cannot make any), with CONFIG as JSON in its environment (removed at once): {"channel": fd,
"uid": int, "gid": int, "cwd": the working directory, "limits": {...}, "rules": syscalls.rules()}.
In this order, it:
  1. loads the system-call filter (syscalls.load) and sends its listener over ``channel`` to the
     launcher outside, with the message b"filter" (or, where the filter cannot be loaded,
     b"no filter: <why>", which the grader's probe reports), then closes both;
  2. drops to the sandbox user: no supplementary groups, its group, its user; checked, and
     root cannot be taken back; then asks to be killed when its parent dies (the launcher
     outside, or bubblewrap's reaper) and enters the working directory (the sandbox user's own);
  3. sets the resource limits (address space, CPU seconds, processes, file size, open files, no
     core dumps);
  4. execs the kernel with HOME set to its working directory and without JPY_PARENT_PID (under
     bubblewrap the kernel's parent is the namespace's reaper, PID 1, and ipykernel exits when its
     parent looks like PID 1).
It holds no secret and imports nothing of the kit (bubblewrap binds this file and syscalls.py
read-only at /run/sandbox/), and keeps no file descriptor but 0, 1 and 2 open in the kernel.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import sys

RLIMITS = {
    "address_space": resource.RLIMIT_AS, "cpu_seconds": resource.RLIMIT_CPU,
    "processes": resource.RLIMIT_NPROC, "file_size": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
}


def set_limits(limits: dict) -> None:
    """Each limit of ``limits`` (names as RLIMITS), soft and hard; no core dumps."""
    for name, value in limits.items():
        resource.setrlimit(RLIMITS[name], (int(value), int(value)))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``:``gid`` with no supplementary groups, for good (raises OSError otherwise)."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if (os.getuid(), os.geteuid(), os.getgid(), os.getegid(), os.getgroups()) != (uid, uid, gid, gid, []):
        raise OSError("could not drop root privileges")
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise OSError("root privileges could be taken back")


def die_with_parent() -> None:
    """SIGKILL this process (the kernel, after exec) when its parent dies (PR_SET_PDEATHSIG; set
    after dropping root, which clears it)."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def send_listener(channel: socket.socket, made: list) -> None:
    """Load the filter ``made`` and send its listener over ``channel`` (see the module's step 1)."""
    import syscalls  # this file's neighbour, here or at /run/sandbox/

    try:
        listener = syscalls.load(made)
    except Exception as exc:  # said to the grader, which reports it; the kernel runs without a filter
        channel.send(f"no filter: {type(exc).__name__}: {exc}"[:500].encode())
        return
    try:
        socket.send_fds(channel, [b"filter"], [listener])
    finally:
        os.close(listener)


def main(argv: list[str]) -> None:
    config, command = json.loads(os.environ.pop("AUTOGRADER_INSIDE")), argv
    channel = socket.socket(fileno=config["channel"])
    try:
        send_listener(channel, config["rules"])
    finally:
        channel.close()
    drop_privileges(config["uid"], config["gid"])
    die_with_parent()
    os.chdir(config["cwd"])
    set_limits(config["limits"])
    os.environ.pop("JPY_PARENT_PID", None)
    os.environ["HOME"] = os.getcwd()
    os.closerange(3, 1 << 16)  # whatever came through bubblewrap (its arguments' pipe): not the kernel's
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
