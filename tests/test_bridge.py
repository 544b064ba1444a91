"""The bridge carries plain values only, and says what type each value had in the kernel."""

import numpy as np
import pytest

from autograder.sandbox.bridge import Bridge, decode, encode
from autograder.sandbox.kernel import Sandbox


@pytest.fixture(scope="module")
def bridge():
    with Sandbox() as box:
        yield Bridge(box)


def test_arrays_and_numbers_round_trip_exactly(bridge):
    payload = {"W": np.random.default_rng(0).normal(size=(3, 4)), "y": np.arange(5), "reg": 0.5, "t": (1, 2.5)}
    bridge.put("data", payload)
    reply = bridge.evaluate("(data['W'], data['y'], data['reg'], data['t'])")
    assert reply.ok
    W, y, reg, t = reply.value.value
    assert W.kind == "array" and np.array_equal(W.value, payload["W"]) and W.value.dtype == np.float64
    assert y.kind == "array" and np.array_equal(y.value, payload["y"])
    assert reg.kind == "float" and reg.value == 0.5
    assert t.kind == "tuple" and [v.value for v in t.value] == [1, 2.5]


def test_large_payloads_travel_through_a_file(bridge):
    big = np.random.default_rng(1).normal(size=(400, 200))  # ~1 MB of JSON, over the inline limit
    assert bridge.put("big", big).ok
    reply = bridge.evaluate("big.sum()")
    assert reply.ok and reply.value.value == pytest.approx(big.sum())
    assert not list(bridge.sandbox.parcels.iterdir()), "parcels are deleted after use"


def test_objects_that_are_not_plain_values_do_not_cross(bridge):
    reply = bridge.evaluate("object()")
    assert reply.ok and reply.value.kind == "unsupported" and reply.value.type == "builtins.object"


def test_an_ndarray_subclass_arrives_as_a_plain_array_with_its_type_recorded(bridge):
    bridge.load("import numpy as np\nclass Liar(np.ndarray):\n    def __eq__(self, other):\n        return True\n")
    reply = bridge.evaluate("np.zeros(3).view(Liar)")
    assert reply.value.kind == "array" and type(reply.value.value) is np.ndarray
    assert reply.value.type.endswith("Liar")


def test_a_dict_comes_back_keyed_by_plain_values_with_its_own_contents(bridge):
    # A two-layer net's grads (str keys, arrays), a k_to_accuracies (numpy int keys, lists).
    bridge.load("import numpy as np\n"
                "class Sly(dict):\n"
                "    def items(self):\n"
                "        return [('W1', 0)]\n"
                "    def __getitem__(self, key):\n"
                "        return 0\n")
    reply = bridge.evaluate("({'W1': np.eye(2), 'b1': np.zeros(2)}, {np.int64(1): [0.5, 0.25], 3: [1.0]}, "
                            "Sly(W1=np.ones(3)), {(1, 2): 0})")
    grads, accuracies, sly, tuple_keys = reply.value.value
    assert grads.kind == "dict" and grads.type == "builtins.dict" and set(grads.value) == {"W1", "b1"}
    assert np.array_equal(grads.value["W1"].value, np.eye(2)) and grads.value["b1"].kind == "array"
    assert accuracies.describe() == "builtins.dict of 2 items"
    assert {k: [v.value for v in row.value] for k, row in accuracies.value.items()} == {1: [0.5, 0.25], 3: [1.0]}
    assert sly.kind == "dict" and sly.type.endswith("Sly") and np.array_equal(sly.value["W1"].value, np.ones(3))
    assert tuple_keys.kind == "unsupported" and tuple_keys.type == "builtins.dict"


def test_nan_and_inf_survive_the_trip(bridge):
    reply = bridge.evaluate("(float('nan'), float('inf'))")
    nan, inf = (v.value for v in reply.value.value)
    assert np.isnan(nan) and inf == np.inf


def test_exceptions_come_back_as_problems(bridge):
    reply = bridge.evaluate("1 / 0")
    assert not reply.ok and reply.status == "error" and "ZeroDivisionError" in reply.problem


def test_definitions_are_reloaded_after_the_kernel_is_replaced(bridge):
    bridge.load("def answer():\n    return 42\n")
    assert bridge.evaluate("None", setup="import os; os._exit(1)").status == "dead"
    reply = bridge.evaluate("answer()")
    assert reply.ok and reply.value.value == 42


def test_decode_refuses_malformed_or_unlisted_payloads():
    assert decode("not a dict").kind == "unsupported"
    assert decode({"kind": "array", "dtype": "|O", "shape": [1], "data": ""}).kind == "unsupported"
    assert decode({"kind": "array", "dtype": "<f8", "shape": [10**9], "data": ""}).kind == "unsupported"
    assert decode({"kind": "array", "dtype": "<f8", "shape": [2], "data": "!!"}).kind == "unsupported"
    assert decode({"kind": "dict", "type": "builtins.dict", "items": [[{"kind": "tuple", "items": []}, None]]}).kind \
        == "unsupported"
    assert decode({"kind": "dict", "type": "builtins.dict", "items": [["W1"]]}).kind == "unsupported"
    with pytest.raises(TypeError):
        encode(object())


CASES = [{"x": 1.0}, {"x": 2.0}, {"x": 3.0}, {"x": 4.0}]


def test_call_each_gives_every_case_the_reply_its_own_call_would_have(bridge):
    bridge.load("def f(x):\n    if x == 2.0:\n        raise ValueError('two is not allowed')\n"
                "    if x == 3.0:\n        raise NotImplementedError\n    return (x * 10, np.full(2, x))\n")
    replies = bridge.call_each("f", "_c['x']", cases=CASES)
    alone = [bridge.call("f", "_autograder_one['x']", inputs={"_autograder_one": case}) for case in CASES]
    assert [(r.status, r.problem) for r in replies] == [(r.status, r.problem) for r in alone] == [
        ("ok", ""), ("error", "ValueError: two is not allowed"), ("error", "NotImplementedError:"), ("ok", "")]
    assert replies[3].value.value[0].value == 40.0 and np.array_equal(replies[3].value.value[1].value, [4.0, 4.0])


def test_call_each_keeps_what_came_before_a_hang_or_a_crash_and_leaves_the_rest_undecided(bridge):
    bridge.load("import os, time\n"
                "def hangs_at_3(x):\n    while x == 3.0:\n        pass\n    return x\n"
                "def dies_at_2(x):\n    if x == 2.0:\n        os._exit(1)\n    return x\n"
                "def exits_at_2(x):\n    if x == 2.0:\n        raise SystemExit\n    return x\n"
                "def slow_then_hangs(x):\n    time.sleep(0.8 if x == 1.0 else 0)\n    while x == 2.0:\n        pass\n    return x\n")
    hang = bridge.call_each("hangs_at_3", "_c['x']", cases=CASES, timeout=3)
    assert [r and r.status for r in hang] == ["ok", "ok", "timeout", None] and "did not finish" in hang[2].problem
    # A dead kernel may not have sent its last results: no case is blamed, each is the caller's.
    assert [r and r.status for r in bridge.call_each("dies_at_2", "_c['x']", cases=CASES)][1:] == [None] * 3
    # Not an Exception: the request ends there, and every case without a reply is the caller's.
    assert [r and r.status for r in bridge.call_each("exits_at_2", "_c['x']", cases=CASES)] == ["ok", None, None, None]
    # The first case used 0.8 s of the 3 s: the one that timed out may only have been slow.
    assert [r and r.status for r in bridge.call_each("slow_then_hangs", "_c['x']", cases=CASES, timeout=3)] == \
        ["ok", None, None, None]
    assert bridge.call("hangs_at_3", "1.5").value.value == 1.5  # the definitions came back with the new kernel


def test_call_each_with_its_helper_replaced_leaves_every_case_to_its_own_call(bridge):
    bridge.load("def g(x):\n    return x\n")
    bridge.load("_autograder_send_each = lambda *a: None\n")
    assert bridge.call_each("g", "_c['x']", cases=CASES) == [None] * 4
    assert bridge.call("g", "7").value.value == 7
