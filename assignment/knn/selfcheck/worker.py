"""Your code, in a process of its own: the self-check sends it cells to run (by IPython, as the
notebook's kernel runs them: magics included) and expressions to evaluate, and waits at most
``timeout`` seconds for each answer. A call that hangs or crashes costs that check a message;
the process is then started again with the same cells. Starting
the process and running your cells (imports, definitions) have time limits of their own, so a
slow computer does not make a call's limit run out before your function is even called.

Uses only multiprocessing (spawn), so it behaves the same on Windows, macOS and Linux.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import sys

import numpy as np


#: Seconds a new process may take to start (Python and numpy; slow on a busy laptop).
STARTUP_TIMEOUT = 120.0


class CallFailed(Exception):
    """Your code raised, hung, or its process died; the message says which. ``stuck``: it hung or
    the process died (or could not start), so calling it again would only do the same."""

    def __init__(self, message: str, stuck: bool = False):
        super().__init__(message)
        self.stuck = stuck


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


def plain(value):
    """What may travel back: numbers, strings, numpy arrays and lists/tuples/dicts of them; any
    other object becomes a short description (so that no class of yours has to be rebuilt)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item() if value.dtype.kind in "biuf" else repr(value)
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True) if value.dtype.kind in "biuf" else f"an array of dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        items = [plain(v) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return f"an object of type {type(value).__name__}"


def ipython_shell():
    """IPython's shell, which runs a cell as the notebook's kernel does (``%matplotlib inline``,
    ``%time f()``, ``!ls`` are magics, not syntax errors), drawing no window; None without IPython
    (then a cell runs as plain Python)."""
    try:
        from IPython.core.interactiveshell import InteractiveShell
    except ImportError:
        return None

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):  # no event loop, no window: plots go to MPLBACKEND's Agg
            pass

    return Shell.instance()


def run_cell(shell, text: str, namespace: dict) -> None:
    """Run a cell's code in ``namespace`` (the shell's own, when there is a shell); raise what it raised."""
    if shell is None:
        exec(compile(text, "<your cell>", "exec"), namespace)
        return
    result = shell.run_cell(text, store_history=False, silent=True)
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        raise error


def serve(conn, folder: str) -> None:
    """The child process: run requests from ``conn`` in one namespace until the pipe closes."""
    os.environ["MPLBACKEND"] = "Agg"  # plt.show() in a cell must not open windows
    os.chdir(folder)
    sys.path.insert(0, folder)
    shell = ipython_shell()
    namespace = shell.user_ns if shell is not None else {"__name__": "__main__"}
    conn.send(("ready", None))
    while True:
        try:
            kind, text, inputs = conn.recv()
        except (EOFError, OSError):
            return
        sink = io.StringIO()  # what your code prints is not part of the report
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                namespace.update(inputs)
                if kind == "run":
                    run_cell(shell, text, namespace)
                    value = None
                else:
                    value = plain(eval(text, namespace))
            reply = ("ok", value)
        except BaseException as exc:  # noqa: BLE001 (SystemExit from your code is an error too)
            reply = ("error", describe(exc))
        conn.send(reply)


class StudentProcess:
    """The parent's handle on the child: ``run(cell)`` and ``call(expression, **inputs)``."""

    def __init__(self, folder, timeout: float = 20.0):
        self.folder, self.timeout = str(os.path.abspath(folder)), float(timeout)
        self.cell_timeout = max(3 * self.timeout, 30.0)  # a cell: imports and definitions
        self.process = self.conn = None
        self.loaded = []  # cells run so far, run again in a restarted process

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, self.folder), daemon=True)
        self.process.start()
        child.close()
        try:
            started = self.conn.poll(STARTUP_TIMEOUT) and self.conn.recv() == ("ready", None)
        except (EOFError, OSError):
            started = False
        if not started:
            self.stop()
            raise CallFailed(f"could not start a Python process for your code within {STARTUP_TIMEOUT:g} s", stuck=True)
        for cell in self.loaded:
            try:
                self._request("run", cell, {}, self.cell_timeout)
            except CallFailed:
                pass

    def stop(self) -> None:
        if self.process is not None:
            self.conn.close()
            self.process.terminate()
            self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
        self.process = self.conn = None

    def run(self, cell: str) -> None:
        """Run a cell's code (raises CallFailed with the error); it stays loaded after restarts."""
        self.loaded.append(cell)
        self._request("run", cell, {}, self.cell_timeout)

    def call(self, expression: str, **inputs):
        """The plain value of ``expression`` evaluated after binding ``inputs``."""
        return self._request("eval", expression, inputs)

    def _request(self, kind: str, text: str, inputs: dict, timeout: float | None = None):
        if self.process is None:
            self.start()
        timeout = self.timeout if timeout is None else timeout
        try:
            self.conn.send((kind, text, inputs))
            answered = self.conn.poll(timeout)
            if answered:
                status, value = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.stop()
            raise CallFailed("the process running your code died (out of memory, or it exited)", stuck=True) from None
        if not answered:
            self.stop()
            raise CallFailed(f"did not finish within {timeout:g} s (an infinite loop, or far too slow)", stuck=True)
        if status == "error":
            raise CallFailed(f"raised {value}")
        return value
