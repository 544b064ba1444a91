"""The students' self-check and hand-in for this assignment.

    python -m selfcheck check [NOTEBOOK]     the public checks, per part PASS/FAIL with a hint
    python -m selfcheck collect [NOTEBOOK]   the zip to hand in

Run both from the folder holding the notebook (without NOTEBOOK, the notebook of this
assignment found there is used, renamed or not). The notebook's last cell runs ``check`` on the
notebook it sits in.

What it compares with: numbers stored in ``expected.json``, which the course computed from its
reference solution on fixed inputs, and your own functions (your vectorized losses against your
naive ones, your analytic gradients against your own ``eval_numerical_gradient``). Nothing
here can compute a right answer for other inputs; hidden checks with other inputs run when
your work is graded. Your code runs in a separate process, with a time limit per call.

Works on Windows, macOS and Linux with Python 3.9 or newer, offline.
"""

from __future__ import annotations

import os
import subprocess
import sys


def check_in_notebook(vscode_notebook=None) -> None:
    """What the notebook's self-check cell calls: check the saved notebook this kernel runs
    (Jupyter's ``JPY_SESSION_NAME``, VS Code's ``__vsc_ipynb_file__``, else the one notebook
    of this assignment in the folder) in a separate process, and print the report as it comes."""
    command = [sys.executable, "-m", "selfcheck", "check"]
    if vscode_notebook:
        command.append(str(vscode_notebook))
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                          errors="replace", env=dict(os.environ, PYTHONIOENCODING="utf-8")) as run:
        for line in run.stdout:  # each part as soon as it is checked
            print(line, end="", flush=True)
