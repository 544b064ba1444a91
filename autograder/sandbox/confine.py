"""Confinement of a student's kernel: run as the kernel's command prefix, then exec the kernel.

    python -m autograder.sandbox.confine -- python -m ipykernel_launcher -f CONNECTION_FILE

The policy arrives as JSON in the environment variable AUTOGRADER_CONFINE (removed before the
kernel starts). On Linux, when started as root, it:
  1. enters new mount, network, IPC, UTS and PID namespaces: the kernel has no network (only a
     loopback that is down), its own view of the file system, SysV IPC objects that no other
     kernel sees and that die with it, and a host name it may change for itself only;
  2. hides the kit's private folders (solutions, hidden checks, tests, other submissions, the
     grade output) under empty read-only tmpfs mounts, covers other users' home folders (all
     of /home and /root but what the kernel needs), and gives every folder of the host that
     the sandbox user could write (/tmp, /var/tmp, /dev/shm, /run/lock, /dev/mqueue... found
     at start-up) a small private tmpfs mount, so nothing written there outlives the kernel or
     reaches another;
  3. enters a new PID namespace with a /proc of its own, in which the kernel is the second
     process and the first reaps its orphans (see enter_pid_namespace); it sees no process but
     its own, and signals none;
  4. drops to an unprivileged user (no supplementary groups), after joining the kernel's
     control group (autograder/sandbox/cgroup.py) when the policy names one;
then, in every case, sets resource limits (address space, CPU seconds, processes, file size,
open files, no core dumps) and execs the kernel. Not root: steps 1-4 are skipped and said so
in the policy's "confined" flag, which the grader reports.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
CLONE_NEWIPC = 0x08000000  # SysV shared memory, semaphores and message queues die with the kernel
CLONE_NEWUTS = 0x04000000  # its own host name
CLONE_NEWPID = 0x20000000  # its own process ids: the kernel's processes are all it can see or signal
PR_SET_PDEATHSIG = 1
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REC, MS_PRIVATE = 0x4000, 1 << 18

#: Default limits, per kernel (RLIMIT_NPROC counts every process of the sandbox user).
LIMITS = {
    "address_space": 4 * 1024**3,  # bytes of virtual memory
    "cpu_seconds": 600,
    "processes": 64,
    "file_size": 64 * 1024**2,  # bytes, per file written
    "open_files": 256,
}


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(libc, source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    _check(libc.mount(source.encode() if source else None, target.encode(),
                      fstype.encode() if fstype else None, flags, data.encode() if data else None),
           f"mount {target}")


def isolate(policy: dict) -> None:
    """Namespaces, hidden folders and private temporary folders (needs root)."""
    libc = _libc()
    # CLONE_NEWPID applies to the children made next (see enter_pid_namespace), not to this process.
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID), "unshare")
    _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE, None)
    expose(libc, policy.get("expose", []))
    cover(libc, policy.get("cover", []), policy.get("expose", []) + [os.getcwd()])
    private_temp(libc, policy.get("expose", []), policy.get("tmp_size", "16m"), policy.get("private"))
    for path in policy.get("hide", []):
        if os.path.isdir(path):
            _mount(libc, "tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
        elif os.path.exists(path):
            _mount(libc, "/dev/null", path, None, 0x1000, None)  # MS_BIND over a file


def private_temp(libc, keep: list[str], size: str, folders: list[str] | None = None) -> None:
    """Give each of ``folders`` (default /tmp, /var/tmp and /dev/shm; the grader passes every
    folder of the host that the sandbox user could write, see sandbox.shared_folders) a fresh
    private tmpfs mount, binding back the folders of ``keep`` that live there (a kit or virtual
    environment checked out under /tmp)."""
    temp = [path for path in (folders or ("/tmp", "/var/tmp", "/dev/shm")) if os.path.isdir(path)]
    inside = sorted({os.path.abspath(p) for p in keep if os.path.isdir(p)
                     and any(os.path.abspath(p).startswith(t + "/") for t in temp)})
    inside = [p for p in inside if not any(p.startswith(q + "/") for q in inside if q != p)]
    fds = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in inside}
    try:
        for path in temp:
            _mount(libc, "tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
        for path, fd in fds.items():
            os.makedirs(path, exist_ok=True)
            _mount(libc, f"/proc/self/fd/{fd}", path, None, 0x1000 | MS_REC, None)  # MS_BIND
    finally:
        for fd in fds.values():
            os.close(fd)


def expose(libc, paths: list[str]) -> None:
    """Keep ``paths`` (the Python installation, the virtual environment) reachable for the
    unprivileged user when an ancestor folder is closed to others (e.g. /root with pyenv): the
    closed ancestor is covered (see ``cover``) and ``paths`` are bound back into it. The host's
    permissions are not changed."""
    for path in paths:
        parts = os.path.abspath(path).split("/")[1:]
        for depth in range(1, len(parts)):
            ancestor = "/" + "/".join(parts[:depth])
            if not os.stat(ancestor).st_mode & 0o001:
                cover(libc, [ancestor], [path])
                break


def cover(libc, folders: list[str], keep: list[str]) -> None:
    """Cover each of ``folders`` with an empty tmpfs, binding back the folders of ``keep`` that
    lie inside it (the kit, its virtual environment, the kernel's working directory): other
    users' home folders are not the kernel's to read, even where the host lets anyone read them."""
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        inside = sorted({os.path.abspath(p) for p in keep if os.path.isdir(p)
                         and (os.path.abspath(p) + "/").startswith(folder.rstrip("/") + "/")})
        inside = [p for p in inside if not any(p.startswith(q + "/") for q in inside if q != p)]
        fds = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in inside}
        try:
            _mount(libc, "tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
            for path, fd in fds.items():
                os.makedirs(path, exist_ok=True)
                _mount(libc, f"/proc/self/fd/{fd}", path, None, 0x1000 | MS_REC, None)  # MS_BIND
        finally:
            for fd in fds.values():
                os.close(fd)


def enter_pid_namespace(libc, uid: int, gid: int) -> None:
    """Become the kernel, inside the new PID namespace, as its second process.

    Three processes result, and only the last one returns from here:
    - this one, outside the namespace, stays root and waits: it is the process Jupyter started
      and watches, it passes signals on, and it exits with the kernel's status;
    - the namespace's first process (PID 1) mounts a /proc of the namespace (which lists only the
      kernel's processes; hidepid too) and reaps every orphan of the kernel, so that none lingers
      as a zombie; when the kernel exits, it exits with its status, and every process left in the
      namespace dies with it. It runs as the sandbox user, like the kernel;
    - the kernel (PID 2), which dies with PID 1 (PR_SET_PDEATHSIG), as PID 1 dies with the waiter."""
    import signal

    init = os.fork()
    if init:
        _wait_and_exit(init)
    _mount(libc, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible")
    drop_privileges(uid, gid)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    kernel = os.fork()
    if kernel == 0:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # ipykernel exits when its parent looks like PID 1 (an orphan), which it is here by
        # design: no parent polling; PR_SET_PDEATHSIG ends it with its parent instead.
        os.environ.pop("JPY_PARENT_PID", None)
        return
    while True:  # PID 1: reap everything; leave with the kernel
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if pid == kernel:
            os._exit(_exit_code(status))


def _wait_and_exit(child: int) -> None:
    """Pass the usual signals on to ``child`` and exit with its status."""
    import signal

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(number, lambda received, _frame: os.kill(child, received))
    while True:
        try:
            _, status = os.waitpid(child, 0)
            os._exit(_exit_code(status))
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise OSError("could not drop root privileges")


def set_limits(limits: dict) -> None:
    pairs = {
        "address_space": resource.RLIMIT_AS, "cpu_seconds": resource.RLIMIT_CPU,
        "processes": resource.RLIMIT_NPROC, "file_size": resource.RLIMIT_FSIZE,
        "open_files": resource.RLIMIT_NOFILE,
    }
    for name, limit in pairs.items():
        value = int(limits.get(name, LIMITS[name]))
        resource.setrlimit(limit, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> None:
    if "--" not in argv:
        raise SystemExit("usage: python -m autograder.sandbox.confine -- KERNEL COMMAND ...")
    command = argv[argv.index("--") + 1:]
    policy = json.loads(os.environ.pop("AUTOGRADER_CONFINE", "{}"))
    uid, gid = policy.get("uid"), policy.get("gid")
    if policy.get("cgroup") and os.geteuid() == 0:  # join the kernel's groups while still root
        for path in policy["cgroup"]:
            with open(path, "w") as procs:
                procs.write(str(os.getpid()))
    if uid is not None and os.geteuid() == 0:
        if "-f" in command:  # the kernel must read its connection file after dropping root
            os.chown(command[command.index("-f") + 1], uid, gid)
        isolate(policy)
        enter_pid_namespace(_libc(), uid, gid)
    os.environ["HOME"] = os.getcwd()
    set_limits(policy.get("limits", {}))
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
