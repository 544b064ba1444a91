"""The grader's end of one kernel: jupyter_client's kernel manager and nbclient's client, capped.

Imported by kernel.Sandbox when it starts its first kernel, not before (Jupyter's and
nbclient's imports take a third of a second, which the CLI's other verbs need not pay).
"""

from __future__ import annotations

import json

import zmq
from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbformat import NotebookNode

from autograder.sandbox.kernel import MESSAGE_LIMIT, OUTPUT_LIMIT


class CappedKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, whose clients refuse messages over MESSAGE_LIMIT."""

    def client(self, **kwargs):
        client = super().client(**kwargs)
        client.context.setsockopt(zmq.MAXMSGSIZE, MESSAGE_LIMIT)  # for the sockets made from now on
        return client


class CappedClient(NotebookClient):
    """nbclient's client, keeping at most OUTPUT_LIMIT characters of output per execution, and
    telling whether an execution's output arrived whole (``complete``: the kernel's "idle" for it
    came). A message dropped for its size breaks the output channel's connection, and what the
    kernel sends until it is made again is lost, "idle" included: nbclient then gives up waiting
    after ``iopub_timeout`` and returns what it has. ``start`` resets both before each execution."""

    output_chars = 0
    complete = False

    def start(self) -> None:
        self.output_chars, self.complete = 0, False

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {})))
        if self.output_chars + size > OUTPUT_LIMIT:
            return None
        self.output_chars += size
        return super().output(outs, msg, display_id, cell_index)

    def process_message(self, msg, cell, cell_index):
        try:
            return super().process_message(msg, cell, cell_index)
        except CellExecutionComplete:
            self.complete = True
            raise


def code_cell(code: str) -> NotebookNode:
    """A code cell for nbclient to execute (nbformat's new_code_cell validates it against the
    notebook schema each time: a cost on every request, for a cell nobody saves)."""
    return NotebookNode(cell_type="code", metadata=NotebookNode(), source=code, outputs=[], execution_count=None)


def new_notebook() -> NotebookNode:
    """The notebook nbclient's client holds (the cell being executed, one at a time)."""
    from nbformat.v4 import new_notebook

    return new_notebook()
