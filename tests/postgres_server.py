"""A throwaway PostgreSQL server for tests, from the Debian ``postgresql`` package.

``running_postgres()`` creates a cluster in a fresh temporary folder, starts it on 127.0.0.1 on
a free port (its unix socket in the same folder), creates a database and yields its SQLAlchemy
URL; the server is stopped and the folder removed afterwards. PostgreSQL refuses to run as
root, so as root the server runs as the package's ``postgres`` user, which owns the folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL = ("install it with `apt-get update && apt-get install -y --no-install-recommends postgresql` "
           "(as root on Debian/Ubuntu; ./kit's setup does it)")


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


def _version(server: str) -> list[int]:
    """[15] from /usr/lib/postgresql/15/bin/postgres, [9, 6] from .../9.6/..."""
    return [int(n) for n in Path(server).parts[4].split(".") if n.isdigit()]


def server_bin() -> Path:
    """The newest installed /usr/lib/postgresql/<version>/bin holding the server."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=_version)
    if not found:
        raise PostgresMissing(f"PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): {INSTALL}")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_postgres(database: str = "gradebook"):
    """Yield the URL of an empty database on a private server (psycopg2 driver)."""
    bin_dir = server_bin()
    as_server = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="autograder-postgres-"))
    if as_server:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", _free_port()

    def run(*command):
        done = subprocess.run([*as_server, *map(str, command)], check=False, capture_output=True,
                              text=True, timeout=60, cwd=folder)
        if done.returncode:
            log = folder / "server.log"
            raise RuntimeError(f"{' '.join(done.args)} failed:\n{done.stdout}{done.stderr}"
                               f"{log.read_text(errors='replace') if log.exists() else ''}")

    try:
        run(bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--no-locale")
        run(bin_dir / "pg_ctl", "-D", data, "-l", folder / "server.log", "-w", "-t", "30", "start", "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off")
        try:
            run(bin_dir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", database)
            yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{database}"
        finally:
            run(bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
