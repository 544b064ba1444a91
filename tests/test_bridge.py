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
