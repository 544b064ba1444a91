"""The grader's end of one kernel: jupyter_client's kernel manager and nbclient's client, capped.

Imported by kernel.Sandbox when it starts its first kernel, not before (Jupyter's and
nbclient's imports take a third of a second, which the CLI's other verbs need not pay).
"""

from __future__ import annotations

import json
import time
from queue import Empty

import zmq
from jupyter_client import AsyncKernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from traitlets import Type
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbformat import NotebookNode

from autograder.sandbox.kernel import MESSAGE_LIMIT, OUTPUT_LIMIT


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel has answered a kernel_info request on both
    channels: its reply on the shell channel, then its "idle" on the output channel, which shows the
    output channel connected and every earlier message of it read. jupyter_client's own wait ends
    only after the output channel has been silent for 0.2 s, a third of a kernel's start."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            asked = self.kernel_info()
            reply = await self._reply_to(asked, wait=1)
            if reply is not None and await self._idle_after(asked, wait=0.05):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _reply_to(self, request: str, wait: float):
        """The shell channel's reply to ``request`` (earlier replies are passed over), or None after ``wait`` s of silence."""
        while True:
            try:
                msg = await self.shell_channel.get_msg(timeout=wait)
            except Empty:
                return None
            if msg["parent_header"].get("msg_id") == request:
                return msg

    async def _idle_after(self, request: str, wait: float) -> bool:
        """Whether the output channel carries the kernel's "idle" for ``request`` (sent with its reply) before
        ``wait`` s of silence. When the channel was not connected yet, the kernel's messages until it was are
        lost, and the kernel is asked again."""
        while True:
            try:
                msg = await self.iopub_channel.get_msg(timeout=wait)
            except Empty:
                return False
            if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_id") == request):
                return True


class CappedKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, whose clients (ReadyClient) refuse messages over MESSAGE_LIMIT."""

    client_factory = Type(ReadyClient, klass=AsyncKernelClient)

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
