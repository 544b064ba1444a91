"""``python -m selfcheck check [NOTEBOOK]`` and ``python -m selfcheck collect [NOTEBOOK]``, run in
the assignment's folder with the Python of the environment that holds requirements.txt."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m selfcheck", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    check = verbs.add_parser("check", help="run the public checks on your saved notebook")
    check.add_argument("notebook", nargs="?", type=Path,
                       help="the notebook (default: this assignment's notebook in the current folder)")
    check.add_argument("--timeout", type=float, default=20.0, help="seconds allowed per call of your code (default 20)")
    collect = verbs.add_parser("collect", help="pack your notebook into the zip to hand in")
    collect.add_argument("notebook", nargs="?", type=Path,
                         help="the notebook, or its folder (default: this assignment's notebook in the current folder)")
    collect.add_argument("--zip", type=Path, help="where to write the zip (default: next to the notebook)")
    args = parser.parse_args(argv)
    try:
        if args.verb == "check":
            from selfcheck.report import main as check_main
        else:
            from selfcheck.collect import main as collect_main
    except ImportError as exc:
        print(missing_packages(exc, args.verb), flush=True)
        return 2
    if args.verb == "check":
        return check_main(notebook=args.notebook, timeout=args.timeout)
    return collect_main(notebook=args.notebook, zip_path=args.zip)


def missing_packages(exc: ImportError, verb: str) -> str:
    """One sentence: which Python to run the self-check with, when this one lacks its packages."""
    windows = os.name == "nt"
    venv_python = r".venv\Scripts\python" if windows else ".venv/bin/python"
    missing = exc.name or "a module it needs"
    if Path(".venv").is_dir() and Path(sys.prefix).resolve() == Path(".venv").resolve():
        return (f"selfcheck needs the packages of requirements.txt, and this folder's environment (.venv) has no "
                f"{missing} yet: install them with {venv_python} -m pip install -r requirements.txt, then run this again.")
    if Path(venv_python + (".exe" if windows else "")).exists():
        where = f"here that is {venv_python} -m selfcheck {verb}"
    else:
        where = (f"for a venv made in this folder, {venv_python} -m selfcheck {verb}"
                 + ("" if windows else rf", or .venv\Scripts\python -m selfcheck {verb} on Windows"))
    return (f"selfcheck needs the packages of requirements.txt, and this Python ({sys.executable}) has no "
            f"{missing}: run it with the Python of the environment you installed them into "
            f"({where}), or activate that environment first, as README.md says.")


if __name__ == "__main__":  # also keeps spawned worker processes (Windows, macOS) from running the CLI
    sys.exit(main())
