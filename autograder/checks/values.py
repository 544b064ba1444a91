"""Type checks on values that came back from a student's kernel, before anything is compared.

A value that is not what the contract says (a list instead of an array, a wrong shape, a
string, an object the bridge could not carry) raises ``Unusable`` with a sentence for the
student; the check that asked for it then fails with that sentence.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import Failure, Status
from autograder.sandbox.bridge import Reply, Value
from autograder.students.selfcheck.expect import off_by  # noqa: F401  (the checks' words, one place)


class Unusable(Exception):
    """The student's code did not return a usable value; the message says why (a Failure keeps
    its status: ``str(exc)`` is the message as given)."""

    def __str__(self):
        return self.args[0] if len(self.args) == 1 and isinstance(self.args[0], str) else super().__str__()


#: What a stub's failures say (once per part: see grading._run_checks).
NOT_IMPLEMENTED = "is not implemented yet (it raises NotImplementedError)."


def reply_failure(name: str, reply: Reply) -> Failure:
    """What a failed call of ``name`` tells the student, with its status (timed out, not implemented)."""
    if reply.status == "timeout":
        return Failure(f"calling {name} did not finish within the time limit ({reply.problem}); look for an endless loop.",
                       Status.TIMED_OUT)
    if reply.status == "dead":
        return Failure(f"calling {name} crashed the kernel ({reply.problem}).")
    problem = reply.problem.strip().rstrip(":").strip()
    if problem.split(":")[0].strip() == "NotImplementedError":
        return Failure(f"{name} {NOT_IMPLEMENTED}", Status.NOT_IMPLEMENTED)
    return Failure(f"calling {name} raised {problem}")


def scalar(name: str, what: str, value: Value) -> float:
    """A real number: Python/numpy int or float, or a numeric array holding exactly one element."""
    if value.kind in ("float", "int"):
        return float(value.value)
    if value.kind == "array" and value.value.size == 1 and value.value.dtype.kind in "fiu":
        return float(value.value.reshape(()))
    raise Unusable(f"{name} must return {what} as a number; it returned {value.describe()}.")


def array(name: str, what: str, value: Value, shape: tuple, kinds: str = "f") -> np.ndarray:
    """A numpy array of the given shape whose dtype kind is in ``kinds`` ('f' float, 'iu' int)."""
    if value.kind != "array":
        raise Unusable(f"{name} must return {what} as a numpy array of shape {shape}; it returned {value.describe()}.")
    got = tuple(value.value.shape)
    if got != tuple(shape):
        hint = " (it is transposed)" if len(shape) == 2 and got == tuple(shape)[::-1] and shape[0] != shape[1] else ""
        raise Unusable(f"{name} returned {what} of shape {got}{hint}; it must have shape {tuple(shape)}.")
    if value.value.dtype.kind not in kinds:
        wanted = "a float" if kinds == "f" else "an integer"
        raise Unusable(f"{name} returned {what} of dtype {value.value.dtype}; it must have {wanted} dtype.")
    return value.value


def loss_pair(name: str, reply: Reply, w_shape: tuple) -> tuple[float, np.ndarray]:
    """(loss, dW) from a loss function's reply, or Unusable."""
    if not reply.ok:
        raise Unusable(reply_failure(name, reply))
    value = reply.value
    if value.kind not in ("tuple", "list") or len(value.value) != 2:
        raise Unusable(f"{name} must return a tuple (loss, dW); it returned {value.describe()}.")
    loss = scalar(name, "the loss", value.value[0])
    dW = array(name, "dW", value.value[1], w_shape)
    return loss, dW


def describe_case(case: dict) -> str:
    """'with N=5, D=4, C=3, reg=0.1' for a (W, X, y, reg) case."""
    n, d = case["X"].shape
    return f"with N={n}, D={d}, C={case['W'].shape[1]}, reg={case['reg']:g}"
