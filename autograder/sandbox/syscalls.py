"""The system-call filter of a student's kernel (libseccomp through pyseccomp), in the spirit of
Docker's default seccomp profile.

Every call is allowed but these, which fail with EPERM (the filter's action is SCMP_ACT_NOTIFY:
the grader's launcher outside the sandbox answers each one, and writes down its name for the
student's report, see confine.Refusals):

- REFUSED, whole calls: kernel keyrings (add_key, keyctl, request_key: a key outlives the
  process and other users can read it, a channel between students that no namespace closes),
  other processes' memory (ptrace, process_vm_readv/writev, kcmp), the kernel's own surfaces
  (bpf, perf_event_open, userfaultfd, io_uring, modules, kexec, swap, reboot, clocks, syslog),
  mounts and namespaces (mount, umount2, pivot_root, chroot, unshare, setns and the new mount
  API), file handles (open_by_handle_at, name_to_handle_at), and what observes another
  kernel's use of a shared file: flock, inotify and fanotify;
- fcntl with a command of FCNTL_REFUSED (its low 32 bits: the kernel reads no more of an int
  argument): POSIX and open-file-description record locks, leases and dnotify, which live on
  the inode and are seen from every mount namespace;
- clone with any CLONE_NEW* flag (CLONE_NEW);
- socket with a family other than SOCKET_FAMILIES (AF_VSOCK reaches the VM's host; a network
  namespace does not cover it), and netlink with a protocol other than NETLINK_ROUTE.

clone3 fails with ENOSYS instead (its flags are behind a pointer, out of the filter's reach;
glibc then falls back to clone, which the filter does read), as in Docker's profile. A call of
another architecture (i386's int 0x80, x32) kills the process (libseccomp's bad-arch action).

The rules are plain data (``rules``), made by the grader and handed to the launcher inside the
sandbox (inside.py), which builds and loads them with ``load``. This file runs inside the
sandbox too: it imports nothing of the kit.
"""

from __future__ import annotations

import errno

REFUSED = (
    # kernel keyrings: keys outlive namespaces and are readable across users (/proc/keys)
    "add_key", "keyctl", "request_key",
    # other processes' memory and state
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "move_pages",
    # the kernel's own surfaces
    "perf_event_open", "bpf", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "reboot", "acct", "syslog", "vhangup", "uselib", "lookup_dcookie",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl", "ioperm", "quotactl",
    # mounts and namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    # file handles reach files outside the mount namespace
    "open_by_handle_at", "name_to_handle_at",
    # observing another kernel's use of a shared file
    "flock", "inotify_init", "inotify_init1", "inotify_add_watch", "fanotify_init",
)

#: fcntl commands refused: locks, leases and dnotify live on the inode, across mount namespaces.
FCNTL_REFUSED = {5: "F_GETLK", 6: "F_SETLK", 7: "F_SETLKW", 36: "F_OFD_GETLK", 37: "F_OFD_SETLK",
                 38: "F_OFD_SETLKW", 1024: "F_SETLEASE", 1025: "F_GETLEASE", 1026: "F_NOTIFY"}

#: clone flags refused (any one of them): new namespaces.
CLONE_NEW = {0x00020000: "CLONE_NEWNS", 0x02000000: "CLONE_NEWCGROUP", 0x04000000: "CLONE_NEWUTS",
             0x08000000: "CLONE_NEWIPC", 0x10000000: "CLONE_NEWUSER", 0x20000000: "CLONE_NEWPID",
             0x40000000: "CLONE_NEWNET"}

#: Socket families allowed: AF_UNIX (ZeroMQ's ipc), AF_INET and AF_INET6 (in a network namespace
#: with only a loopback), and AF_NETLINK with NETLINK_ROUTE only: ipykernel binds a ZeroMQ tcp socket
#: on 127.0.0.1 (its pipe for forked processes' output), ZeroMQ lists the interfaces for it
#: (getifaddrs, over netlink) and aborts the kernel when that is refused (measured).
SOCKET_FAMILIES = (1, 2, 10, 16)
#: The bits of a register that an int argument is: the kernel ignores the upper 32 (socket's
#: family is compared with "gt" as well, which refuses any value with upper bits set).
INT_MASK = 0xFFFFFFFF
AF_NETLINK, NETLINK_ROUTE = 16, 0


def pyseccomp():
    """The pyseccomp module, imported without the two runs of ldconfig it makes to find libc and
    libseccomp (ctypes.util.find_library): their usual names are tried first. Measured: 40-80 ms
    less per kernel start on a busy 2-core machine, once inside the sandbox and once outside."""
    import ctypes
    import ctypes.util
    import sys

    if "pyseccomp" in sys.modules:
        return sys.modules["pyseccomp"]
    real = ctypes.util.find_library

    def usual(name: str):
        soname = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}.get(name)
        try:
            ctypes.CDLL(soname)
            return soname
        except (OSError, TypeError):
            return real(name)

    ctypes.util.find_library = usual
    try:
        import pyseccomp as module
    finally:
        ctypes.util.find_library = real
    return module


def rules() -> list:
    """The filter as plain data: [action, syscall name, [[argument index, op, a, b], ...]], one
    rule each; action "refuse" (EPERM, named in the report) or "enosys". The comparisons of a
    rule must all hold (op as libseccomp's: "eq", "ne", "gt", "masked_eq")."""
    made = [["refuse", name, []] for name in REFUSED]
    # fcntl's command is an int: the kernel reads the low 32 bits of the register only, so the
    # filter compares those (an "eq" on all 64 bits let (1 << 32) | F_SETLK through, measured).
    made += [["refuse", "fcntl", [[1, "masked_eq", INT_MASK, command]]] for command in FCNTL_REFUSED]
    made += [["refuse", "clone", [[0, "masked_eq", flag, flag]]] for flag in CLONE_NEW]
    made += [["refuse", "socket", [[0, "eq", family, 0]]]
             for family in range(max(SOCKET_FAMILIES) + 1) if family not in SOCKET_FAMILIES]
    made += [["refuse", "socket", [[0, "gt", max(SOCKET_FAMILIES), 0]]]]
    made += [["refuse", "socket", [[0, "eq", AF_NETLINK, 0], [2, "ne", NETLINK_ROUTE, 0]]]]
    made += [["enosys", "clone3", []]]
    return made


def load(made: list) -> int:
    """Build the filter of ``made`` (see ``rules``) and load it on this process (and every
    process it starts from now on). Returns the listener's file descriptor, on which the
    refused calls are to be answered. Sets no_new_privs. Raises OSError where the kernel or
    libseccomp cannot (seccomp user notification needs Linux 5.0 and libseccomp 2.5)."""
    seccomp = pyseccomp()
    ops = {"eq": seccomp.EQ, "ne": seccomp.NE, "gt": seccomp.GT, "masked_eq": seccomp.MASKED_EQ}
    actions = {"refuse": seccomp.NOTIFY, "enosys": seccomp.ERRNO(errno.ENOSYS)}
    chosen = seccomp.SyscallFilter(seccomp.ALLOW)
    chosen.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    for action, name, comparisons in made:
        if seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) < 0:
            continue  # not a call of this architecture
        # (masked_eq: the argument and a, the mask, equal b)
        chosen.add_rule(actions[action], name, *[seccomp.Arg(index, ops[op], a, b) for index, op, a, b in comparisons])
    chosen.load()
    listener = seccomp._libseccomp.seccomp_notify_fd(chosen._filter)
    if listener < 0:
        raise OSError(-listener, "the seccomp filter has no listener")
    return listener


def describe(arch: int, number: int, args) -> str:
    """The name of a refused call for the report: the call's name, with fcntl's command,
    clone's namespace flags or socket's family where those are why it was refused."""
    try:
        name = pyseccomp().resolve_syscall(arch, number).decode()
    except ValueError:
        return f"syscall {number}"
    if name == "fcntl":
        return f"fcntl {FCNTL_REFUSED.get(args[1] & INT_MASK, args[1])}"
    if name == "clone":
        return "clone " + "|".join(flag for bit, flag in CLONE_NEW.items() if args[0] & bit)
    if name == "socket":
        return f"socket (family {args[0]}" + (f", protocol {args[2]})" if args[0] == AF_NETLINK else ")")
    return name
