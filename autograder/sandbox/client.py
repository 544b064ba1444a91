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
from nbformat import NotebookNode, from_dict

from autograder.sandbox.kernel import MESSAGE_LIMIT, OUTPUT_LIMIT


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, whose wait for a new kernel is jupyter_client's own (a kernel_info
    reply, then a message on the output channel within 0.2 s, which shows that channel connected, or
    the kernel is asked again) without its last step: waiting until the output channel has been
    silent for 0.2 s, a third of a kernel's start on an idle machine. What that step would read and
    drop, nbclient passes over anyway (it reads only the messages of its own requests)."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply" and await self._output_connected(wait=0.2):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _output_connected(self, wait: float) -> bool:
        """Whether a message comes on the output channel within ``wait`` seconds (the kernel sends its
        "busy" and "idle" there for every request)."""
        try:
            await self.iopub_channel.get_msg(timeout=wait)
        except Empty:
            return False
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
        """nbclient's ``output`` (the output appended to the cell's), within the cap, its node made
        without nbformat's validation: output_from_msg checks every output against the notebook
        schema (a jsonschema run per message, about 15 ms of the grader's CPU per submission), for
        outputs nobody saves, which the bridge reads field by field."""
        size = len(json.dumps(msg.get("content", {})))
        if self.output_chars + size > OUTPUT_LIMIT:
            return None
        self.output_chars += size
        if self.output_hook_stack[msg["parent_header"].get("msg_id")]:
            return super().output(outs, msg, display_id, cell_index)  # a widget's hook: nbclient's way
        out = _output_node(msg)
        if out is None:
            self.log.error(f"unhandled iopub msg: {msg['msg_type']}")
            return None
        if self.clear_before_next_output:
            outs[:] = []
            self.clear_display_id_mapping(cell_index)
            self.clear_before_next_output = False
        if display_id:
            self._display_id_map.setdefault(display_id, {}).setdefault(cell_index, []).append(len(outs))
        outs.append(out)
        return out

    def process_message(self, msg, cell, cell_index):
        try:
            return super().process_message(msg, cell, cell_index)
        except CellExecutionComplete:
            self.complete = True
            raise


#: The fields of each output type that nbformat's output_from_msg copies from a message's content.
OUTPUT_FIELDS = {"execute_result": ("metadata", "data", "execution_count"), "display_data": ("metadata", "data"),
                 "stream": ("name", "text"), "error": ("ename", "evalue", "traceback")}


def _output_node(msg) -> NotebookNode | None:
    """The output node nbformat's output_from_msg makes of an output message, unvalidated; None for
    a message that is not an output."""
    kind, content = msg["header"]["msg_type"], msg["content"]
    if kind not in OUTPUT_FIELDS:
        return None
    return from_dict({"output_type": kind, **{field: content[field] for field in OUTPUT_FIELDS[kind]}})


def code_cell(code: str) -> NotebookNode:
    """A code cell for nbclient to execute (nbformat's new_code_cell validates it against the
    notebook schema each time: a cost on every request, for a cell nobody saves)."""
    return NotebookNode(cell_type="code", metadata=NotebookNode(), source=code, outputs=[], execution_count=None)


def new_notebook() -> NotebookNode:
    """The notebook nbclient's client holds (the cell being executed, one at a time)."""
    from nbformat.v4 import new_notebook

    return new_notebook()
