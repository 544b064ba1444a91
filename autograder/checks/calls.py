"""Calls of one student function on the cases a part's checks made, as the checks read them.

All the cases go to the kernel in one request (``prefetch``: ``Bridge.call_each``, one call
each, every result sent as its call returns), and each reply is kept for the checks, which ask
for the cases in their own order, often twice (the loss, then the gradient, of one case). A
case the request did not decide is called on its own when asked for. A hang or a dead kernel is
remembered: the function is not waited for again, and every later case fails with that reason.
"""

from __future__ import annotations

from autograder.checks import Context
from autograder.checks.values import Unusable, reply_failure
from autograder.sandbox.bridge import Reply


class CaseCalls:
    """``name``'s replies on cases (dicts of plain values). ``args`` and ``kwargs`` are argument
    expressions of ``_c``, the case in the kernel (e.g. "_c['X'].copy()")."""

    def __init__(self, ctx: Context, name: str, *args: str, **kwargs: str):
        self.ctx, self.name, self.args, self.kwargs = ctx, name, args, kwargs
        self.stuck = ""  # why the function is not called again (a hang, a dead kernel)
        self._replies: dict[int, tuple[dict, Reply]] = {}  # id(case) -> (case, its reply)

    def prefetch(self, cases: list) -> None:
        """Call the function on every case in one request and keep the replies it decided."""
        replies = self.ctx.bridge.call_each(self.name, *self.args, cases=cases, **self.kwargs)
        for case, reply in zip(cases, replies):
            if reply is not None:
                self._replies[id(case)] = (case, reply)

    def reply(self, case: dict) -> Reply:
        """The function's reply on ``case`` (called now if it was not prefetched), or Unusable
        once an earlier case hung or killed the kernel."""
        if self.stuck:
            raise Unusable(self.stuck)
        if id(case) not in self._replies:
            call = f"{self.name}({', '.join([*self.args, *(f'{k}={v}' for k, v in self.kwargs.items())])})"
            reply = self.ctx.bridge.evaluate(f"(lambda _c: {call})(_autograder_case)", inputs={"_autograder_case": case})
            self._replies[id(case)] = (case, reply)
        reply = self._replies[id(case)][1]
        if reply.status in ("timeout", "dead"):
            self.stuck = reply_failure(self.name, reply)
        return reply
