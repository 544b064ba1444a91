"""``python -m selfcheck check [NOTEBOOK]`` and ``python -m selfcheck collect [NOTEBOOK]``."""

from __future__ import annotations

import argparse
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
    if args.verb == "check":
        from selfcheck.report import main as check_main

        return check_main(notebook=args.notebook, timeout=args.timeout)
    from selfcheck.collect import main as collect_main

    return collect_main(notebook=args.notebook, zip_path=args.zip)


if __name__ == "__main__":  # also keeps spawned worker processes (Windows, macOS) from running the CLI
    sys.exit(main())
