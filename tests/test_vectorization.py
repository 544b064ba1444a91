"""The static loop check: each construct students use to hide a loop is found, clean code is not flagged."""

import textwrap

import pytest

import loop_disguises

from autograder.checks.loops import find_loops as find_loops_in_cells


def find_loops(source, name, others=None, setup=(), later=None):
    """The check on ``source``, run after the cells ``others`` and before the cells ``later``."""
    return find_loops_in_cells({**(others or {}), name: source, **(later or {})}, name, setup)

CLEAN = '''
def f(W, X, y, reg):
    scores = X.dot(W)
    return helper(scores), None

def helper(s):
    return s.sum()
'''


def test_vectorized_code_has_no_loops():
    assert find_loops(CLEAN, "f") == []


@pytest.mark.parametrize("body, kind", [
    ("for i in range(3): pass", "for loop"),
    ("while False: pass", "while loop"),
    ("a = [i for i in range(3)]", "list comprehension"),
    ("a = {i: i for i in range(3)}", "dict comprehension"),
    ("a = sum(i for i in range(3))", "generator expression"),
    ("a = list(map(abs, [1]))", "map()"),
    ("a = np.vectorize(abs)(X)", "np.vectorize"),
    ("a = np.apply_along_axis(np.sum, 1, X)", "np.apply_along_axis"),
    ("a = f(W, X[1:], y, reg)", "recursion"),
])
def test_each_loop_construct_is_found(body, kind):
    source = f"def f(W, X, y, reg):\n    {body}\n    return 0, W\n"
    assert any(kind in found for found in find_loops(source, "f")), find_loops(source, "f")


def test_loop_hidden_in_a_helper_of_the_same_cell_is_found():
    source = "def f(W, X, y, reg):\n    return g(X), W\n\ndef g(X):\n    return [r.sum() for r in X]\n"
    assert find_loops(source, "f") == ["a list comprehension (line 5)"]


def test_unused_helper_with_a_loop_is_not_blamed():
    source = "def f(W, X, y, reg):\n    return 0, W\n\ndef unused(X):\n    for r in X: pass\n"
    assert find_loops(source, "f") == []


def test_syntax_error_and_missing_function_are_reported():
    assert "syntax error" in find_loops("def f(:\n", "f")[0]
    assert find_loops("def g():\n    pass\n", "f") == ["no function named f"]


@pytest.mark.parametrize("body, kind", [
    ("a = functools.reduce(np.add, X)", "functools.reduce"),
    ("a = [0 for _ in np.ndindex(*X.shape)]", "np.ndindex"),
    ("a = eval('[r.sum() for r in X]')", "eval()"),
    ("exec('for r in X: pass')", "exec()"),
    ("a = np.fromfunction(lambda i: i, (3,))", "np.fromfunction"),
])
def test_loops_hidden_behind_helpers_or_strings_are_found(body, kind):
    source = f"def f(W, X, y, reg):\n    {body}\n    return 0, W\n"
    assert any(kind in found for found in find_loops(source, "f")), find_loops(source, "f")


def test_calling_another_graded_function_that_loops_is_found():
    naive = "def svm_loss_naive(W, X, y, reg):\n    for i in range(3):\n        pass\n    return 0, W\n"
    source = "def svm_loss_vectorized(W, X, y, reg):\n    return svm_loss_naive(W, X, y, reg)\n"
    assert find_loops(source, "svm_loss_vectorized", {"svm_loss_naive": naive}) == \
        ["a for loop (line 2 of svm_loss_naive)"]


def test_mutual_recursion_is_found_and_shared_helpers_are_not_mistaken_for_it():
    cycle = "def f(X):\n    return g(X)\n\ndef g(X):\n    return f(X[1:])\n"
    assert find_loops(cycle, "f") == ["recursion (line 5)"]
    diamond = "def f(X):\n    return g(X) + h(X)\n\ndef g(X):\n    return k(X)\n\ndef h(X):\n    return k(X)\n\ndef k(X):\n    return X\n"
    assert find_loops(diamond, "f") == []


NAIVE = "def svm_loss_naive(W, X, y, reg):\n    for i in range(X.shape[0]):\n        pass\n    return 0.0, W\n"
VECTORIZED = "svm_loss_vectorized"

#: Each hides a loop from a check that follows bare names only: {case: (the part's cell, other graded cells, import cells)}.
DISGUISED = {
    "module-level alias": ("_impl = svm_loss_naive\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return _impl(W, X, y, reg)\n", {}, ()),
    "call through a subscript": ("TABLE = {'go': svm_loss_naive}\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return TABLE['go'](W, X, y, reg)\n", {}, ()),
    "call through a method": ("class Box:\n    def go(self, X):\n        out = 0\n        for row in X:\n            out += row.sum()\n        return out\n\n"
                              "def svm_loss_vectorized(W, X, y, reg):\n    return Box().go(X), W\n", {}, ()),
    "namespace attribute": ("import types\nns = types.SimpleNamespace(go=svm_loss_naive)\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return ns.go(W, X, y, reg)\n", {}, ()),
    "unreachable same-name def": ("def svm_loss_vectorized(W, X, y, reg):\n    return svm_loss_naive(W, X, y, reg)\n\nif False:\n"
                                  "    def svm_loss_vectorized(W, X, y, reg):\n        return X.dot(W).sum(), W\n", {}, ()),
    "later cell redefines it": ("def svm_loss_vectorized(W, X, y, reg):\n    return X.dot(W).sum(), W\n",
                                {"later:softmax_loss_vectorized": "def softmax_loss_vectorized(W, X, y, reg):\n    return 0.0, W\n\n"
                                 "def svm_loss_vectorized(W, X, y, reg):\n    return svm_loss_naive(W, X, y, reg)\n"}, ()),
    "reduce imported under another name": ("from functools import reduce as fold\n\ndef svm_loss_vectorized(W, X, y, reg):\n"
                                           "    return fold(lambda a, b: a + b, X.dot(W)), W\n", {}, ()),
    "reduce imported in an import cell": ("def svm_loss_vectorized(W, X, y, reg):\n    return fold(np.add, X.dot(W)).sum(), W\n", {},
                                          ("from functools import reduce as fold\n",)),
    "builtins.exec": ("import builtins\n\ndef svm_loss_vectorized(W, X, y, reg):\n    builtins.exec('pass')\n    return 0.0, W\n", {}, ()),
    "getattr with a computed name": ("def svm_loss_vectorized(W, X, y, reg):\n    f = getattr(np, 'vecto' + 'rize')(float)\n    return f(X).sum(), W\n", {}, ()),
    "getattr with a literal name": ("def svm_loss_vectorized(W, X, y, reg):\n    return getattr(np, 'vectorize')(float)(X).sum(), W\n", {}, ()),
    "iter(callable, sentinel)": ("def svm_loss_vectorized(W, X, y, reg):\n    rows = iter(lambda: X.sum(), None)\n    return 0.0, W\n", {}, ()),
    "sorted with a key": ("def svm_loss_vectorized(W, X, y, reg):\n    order = sorted(range(X.shape[0]), key=lambda i: X[i].sum())\n    return 0.0, W\n", {}, ()),
    "max with a key": ("def svm_loss_vectorized(W, X, y, reg):\n    best = max(range(3), key=X.sum)\n    return 0.0, W\n", {}, ()),
    "loop inside __getitem__": ("class Rows:\n    def __getitem__(self, i):\n        total = 0\n        while total < i:\n            total += 1\n        return total\n\n"
                                "def svm_loss_vectorized(W, X, y, reg):\n    return Rows()[3], W\n", {}, ()),
    "iteration protocol through __getitem__": ("class Rows:\n    def __getitem__(self, i):\n        return ROW(i)\n\n"
                                               "def svm_loss_vectorized(W, X, y, reg):\n    return sum(Rows()), W\n", {}, ()),
    "recursion through an alias": ("def svm_loss_vectorized(W, X, y, reg):\n    if X.shape[0] == 0:\n        return 0.0, W\n"
                                   "    return again(W, X[1:], y[1:], reg)\n\nagain = svm_loss_vectorized\n", {}, ()),
    "recursion in a nested function": ("def svm_loss_vectorized(W, X, y, reg):\n    def go(i):\n        return 0.0 if i == X.shape[0] else X[i].sum() + go(i + 1)\n"
                                       "    return go(0), W\n", {}, ()),
    "recursion in a local lambda": ("def svm_loss_vectorized(W, X, y, reg):\n    go = lambda i: 0.0 if i == 0 else go(i - 1)\n    return go(3), W\n", {}, ()),
    "global bound inside a function": ("def _setup():\n    global _impl\n    _impl = svm_loss_naive\n\n_setup()\n\n"
                                       "def svm_loss_vectorized(W, X, y, reg):\n    return _impl(W, X, y, reg)\n", {}, ()),
    "numpy monkeypatched": ("np.dot = lambda a, b: [r for r in a]\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return np.dot(X, W), W\n", {}, ()),
    "globals() lookup": ("def svm_loss_vectorized(W, X, y, reg):\n    return globals()['svm_loss_' + 'naive'](W, X, y, reg)\n", {}, ()),
    "rebinding at load through globals()": ("def svm_loss_vectorized(W, X, y, reg):\n    return X.dot(W).sum(), W\n\n"
                                            "globals()['svm_loss_vectorized'] = svm_loss_naive\n", {}, ()),
    "object arrays": ("def svm_loss_vectorized(W, X, y, reg):\n    rows = np.empty(X.shape[0], dtype=object)\n    return 0.0, W\n", {}, ()),
    "a function handed to a library": ("import re\n\ndef svm_loss_vectorized(W, X, y, reg):\n    re.sub('.', _one, 'abc')\n    return 0.0, W\n\n"
                                       "def _one(match):\n    return ''\n", {}, ()),
    "map under another name": ("each = map\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return sum(each(np.sum, X)), W\n", {}, ()),
    "__import__": ("def svm_loss_vectorized(W, X, y, reg):\n    return __import__('functools').reduce(np.add, X).sum(), W\n", {}, ()),
    "a generator function": ("def _rows(X):\n    yield X[0]\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return sum(_rows(X)), W\n", {}, ()),
    "a decorator": ("@np.vectorize\ndef _hinge(s):\n    return max(0.0, s)\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return _hinge(X.dot(W)).sum(), W\n", {}, ()),
}


@pytest.mark.parametrize("case", sorted(DISGUISED))
def test_a_loop_in_disguise_is_found(case):
    source, others, setup = DISGUISED[case]
    later = {k.split(":", 1)[1]: v for k, v in others.items() if k.startswith("later:")}
    others = {k: v for k, v in others.items() if not k.startswith("later:")}
    found = find_loops(source, VECTORIZED, {"svm_loss_naive": NAIVE, **others}, setup, later)
    assert found, f"{case}: no loop found in\n{source}"


#: Correct vectorized code as real students write it: none of it may be flagged.
CLEAN_STYLES = {
    "range as an index": "def svm_loss_vectorized(W, X, y, reg):\n    num_train = X.shape[0]\n    scores = X.dot(W)\n"
                         "    correct = scores[range(num_train), y].reshape(-1, 1)\n    loss = np.sum(np.maximum(0, scores - correct + 1))\n"
                         "    return loss / num_train, np.zeros_like(W)\n",
    "np.choose": "def svm_loss_vectorized(W, X, y, reg):\n    scores = X.dot(W)\n    correct = np.choose(y, scores.T)\n"
                 "    return float(np.maximum(0, scores - correct[:, None] + 1).sum()), np.zeros(W.shape)\n",
    "one-hot from np.eye and a helper": "def _one_hot(y, c):\n    return np.eye(c)[y]\n\ndef svm_loss_vectorized(W, X, y, reg):\n"
                                        "    loss = X.dot(W) * _one_hot(y, W.shape[1])\n    return loss.sum(), W.copy()\n",
    "np.add.at and ufunc.reduce": "def svm_loss_vectorized(W, X, y, reg):\n    counts = np.zeros(W.shape[1])\n    np.add.at(counts, y, 1)\n"
                                  "    total = np.add.reduce(X.dot(W), axis=None)\n    return total + max(0.0, reg), W * 2\n",
    "a local named like a method": "def svm_loss_vectorized(W, X, y, reg):\n    loss = np.sum(W * W)\n    predict = X.dot(W)\n"
                                   "    return float(np.isfinite(loss)) + predict.sum(), W\n",
}


@pytest.mark.parametrize("style", sorted(CLEAN_STYLES))
def test_correct_vectorized_styles_are_not_flagged(style):
    classifier = ("class LinearClassifier:\n    def train(self, X, y):\n        for it in range(3):\n            loss, grad = self.loss(X, y)\n"
                  "    def loss(self, X, y):\n        return svm_loss_vectorized(self.W, X, y, 0.0)\n    def predict(self, X):\n        return X\n")
    others = {"svm_loss_naive": NAIVE, "LinearClassifier": classifier}
    assert find_loops(CLEAN_STYLES[style], VECTORIZED, others, ("import numpy as np\nfrom functools import reduce\n",)) == []


def _check(case: dict) -> list:
    return find_loops(textwrap.dedent(case["source"]), case.get("name", VECTORIZED),
                      {k: textwrap.dedent(v) for k, v in case.get("others", {"svm_loss_naive": loop_disguises.NAIVE}).items()},
                      tuple(textwrap.dedent(s) for s in case.get("setup", ())))


@pytest.mark.parametrize("title", sorted(loop_disguises.DISGUISED))
def test_a_loop_found_by_the_red_team_is_found(title):
    assert _check(loop_disguises.DISGUISED[title]), title


@pytest.mark.parametrize("title", sorted(loop_disguises.CLEAN))
def test_correct_code_the_red_team_found_flagged_is_not(title):
    assert _check(loop_disguises.CLEAN[title]) == [], title


def test_prose_in_a_docstring_or_a_message_is_not_code():
    source = ('def svm_loss_vectorized(W, X, y, reg):\n'
              '    """We compile the margins, eval the loss and map each score; see globals. Then filter."""\n'
              '    loss = X.dot(W).sum()\n'
              '    print("evaluating the loss with the builtins. done")\n'
              '    return loss, W\n')
    assert find_loops(source, VECTORIZED) == []
