"""The static loop check: each construct students use to hide a loop is found, clean code is not flagged."""

import ast
import textwrap

import pytest

import loop_disguises

from autograder.students.selfcheck.loops import find_loops as find_loops_in_cells


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
    "a profile hook that fills the result": ("import sys\n_later = []\n\ndef svm_loss_vectorized(W, X, y, reg):\n"
                                             "    out = np.zeros(W.shape)\n    _later.append(out)\n    return 0.0, out\n\n"
                                             "def _fill(frame, event, arg):\n    for out in _later:\n        out[...] = svm_loss_naive(W, X, y, 0)[1]\n\n"
                                             "sys.setprofile(_fill)\n", {}, ()),
    "a module written at run time": ("from helper import fast\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return fast(W, X, y, reg)\n",
                                     {"rel_error": "open('helper.py', 'w').write('def fast(W, X, y, reg):\\n    return [r for r in X]\\n')\n"
                                                   "def rel_error(x, y):\n    return 0.0\n"}, ()),
    "a library shadowed through sys.path": ("import sys\nsys.path.insert(0, '/tmp')\nimport scipy\n\ndef svm_loss_vectorized(W, X, y, reg):\n"
                                            "    return scipy.fast(W, X, y, reg)\n", {}, ()),
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


# -- Cells read as the kernel runs them: magics (autograder/students/selfcheck/magics.py) ---------------------

#: The vectorized parts of both assignments: (naive function's name, its cell, a clean cell that
#: defines the part and the helper `_core` it calls). `_core` redefined as a loop makes it loop.
PARTS = {
    "svm_loss_vectorized": ("svm_loss_naive", NAIVE, "def _core(S, y):\n    return np.maximum(0, S - S[np.arange(S.shape[0]), y][:, None] + 1)\n\n"
                            "def svm_loss_vectorized(W, X, y, reg):\n    return _core(X.dot(W), y).sum() - X.shape[0], np.zeros_like(W)\n"),
    "softmax_loss_vectorized": ("softmax_loss_naive", NAIVE.replace("svm", "softmax"),
                                "def _core(S, y):\n    S = S - S.max(axis=1, keepdims=True)\n    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))\n\n"
                                "def softmax_loss_vectorized(W, X, y, reg):\n    return -_core(X.dot(W), y)[np.arange(X.shape[0]), y].mean(), np.zeros_like(W)\n"),
    "compute_distances_no_loops": ("compute_distances_two_loops",
                                   "def compute_distances_two_loops(X, X_train):\n    d = np.zeros((X.shape[0], X_train.shape[0]))\n"
                                   "    for i in range(X.shape[0]):\n        for j in range(X_train.shape[0]):\n"
                                   "            d[i, j] = np.sqrt(np.sum((X[i] - X_train[j]) ** 2))\n    return d\n",
                                   "def _core(X, X_train):\n    return np.maximum((X ** 2).sum(1)[:, None] - 2 * X.dot(X_train.T) + (X_train ** 2).sum(1), 0)\n\n"
                                   "def compute_distances_no_loops(X, X_train):\n    return np.sqrt(_core(X, X_train))\n"),
}
#: What a later cell does to make the part loop: redefine the helper it calls as a loop, or
#: rebind the part itself to the naive function (its name spelled so that no search finds it).
REBINDINGS = {
    "redefines its helper": "def _core(A, b):\n    out = []\n    for row in A:\n        out.append(row)\n    return np.array(out)\n",
    "rebinds it through globals()": "globals()['{head}' + '{tail}'] = {naive}\n",
}
#: How that later cell is not plain Python, so that a check parsing plain Python skipped it.
HIDINGS = {
    "a line magic (%xmode Plain)": "%xmode Plain\n{rebinding}",
    "a %%time cell": "%%time\n{rebinding}",
    "a %%capture cell": "%%capture\n{rebinding}",
    "a syntax error": "{rebinding}\ndef unfinished(:\n    pass\n",
}


@pytest.mark.parametrize("hiding", sorted(HIDINGS))
@pytest.mark.parametrize("rebinding", sorted(REBINDINGS))
@pytest.mark.parametrize("part", sorted(PARTS))
def test_a_later_cell_that_is_not_plain_python_is_still_read(part, rebinding, hiding):
    naive_name, naive, clean = PARTS[part]
    assert find_loops(clean, part, {naive_name: naive}) == []  # the part alone is clean
    later = HIDINGS[hiding].format(rebinding=REBINDINGS[rebinding].format(head=part[:5], tail=part[5:], naive=naive_name))
    assert part not in later
    found = find_loops(clean, part, {naive_name: naive}, later={"tuning": later})
    assert found, f"{part}: nothing found with a later cell hidden by {hiding}"
    # What is reported is in that cell: its loop, globals(), or the cell the check cannot read.
    assert all(" tuning" in f or "globals()" in f for f in found), found


def test_a_cell_that_cannot_be_read_is_named_and_fails_every_part():
    found = find_loops(PARTS["svm_loss_vectorized"][2], "svm_loss_vectorized", later={"LinearClassifier": "class A:\n  def f(:\n    pass\n"})
    assert found == ["a syntax error at line 2 in LinearClassifier, a cell the check cannot read and which could "
                     "redefine svm_loss_vectorized (fix that cell first)"]
    # IPython transforms a cell once per magic: hundreds of them would cost the grader seconds.
    found = find_loops(PARTS["svm_loss_vectorized"][2], "svm_loss_vectorized", later={"tuning": "%xmode Plain\n" * 600})
    assert found == ["more than 50 lines with magics in tuning, a cell the check cannot read and which could redefine "
                     "svm_loss_vectorized (fix that cell first)"]
    questions = "# is this vectorized?\nnote = 'really?'\n" * 60  # questions in comments and strings are no magics
    assert find_loops(PARTS["svm_loss_vectorized"][2], "svm_loss_vectorized", later={"tuning": questions}) == []
    assert find_loops("def f(:\n", "f") == ["a syntax error (line 1 of f)"]  # the function's own: just the error


#: Correct code with the magics students and CS231n's notebooks use: none may fail the check.
HARMLESS_MAGICS = {
    "CS231n's notebook header": ("%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n", ""),
    "display settings": ("%xmode Plain\n%precision 3\n%config InlineBackend.figure_format = 'retina'\n%pprint\n", ""),
    "%time of the naive loss": ("", "%time loss, grad = svm_loss_naive(np.ones((3, 2)), np.ones((4, 3)), np.zeros(4, int), 0.0)\n"),
    "%timeit with options": ("", "%timeit -n 1 -r 1 svm_loss_naive(np.ones((3, 2)), np.ones((4, 3)), np.zeros(4, int), 0.0)\n"),
    "a %%time cell": ("%%time\n", ""),
    "help with ?": ("", "svm_loss_naive?\nnp.dot??\n"),
    "the call IPython writes, written out": ("get_ipython().run_line_magic('matplotlib', 'inline')\n", ""),
    "automagic of a harmless magic": ("", "", "xmode Plain\n"),
    "a one-line assignment to a magic's name": ("", "", "time = 3\n"),
}


@pytest.mark.parametrize("case", sorted(HARMLESS_MAGICS))
def test_harmless_magics_do_not_fail_correct_code(case):
    before, after, *alone = HARMLESS_MAGICS[case]
    cells = {"svm_loss_naive": before + NAIVE + after, **({"tuning": alone[0]} if alone else {})}
    assert find_loops(CLEAN_STYLES["np.choose"], VECTORIZED, cells) == []
    assert find_loops(before + CLEAN_STYLES["np.choose"] + after, VECTORIZED, {"svm_loss_naive": NAIVE}) == []


#: Magics that run code the check cannot read; each in a cell of its own, before the part.
OPAQUE_MAGICS = {
    "%run": "%run helpers.py\n", "%load": "%load helpers.py\n", "%pip": "%pip install numpy\n",
    "%%script": "%%script python\nfor i in range(3): pass\n", "%%bash": "%%bash\npython helpers.py\n",
    "%%writefile": "%%writefile helpers.py\ndef go(): pass\n", "!cmd": "!python helpers.py\n",
    "x = !cmd": "files = !ls\n", "%load_ext of another extension": "%load_ext helpers\n",
    "%matplotlib with a module backend": "%matplotlib module://helpers\n",
    "%time of %run": "%time %run helpers.py\n", "automagic %run (one-line cell, no %)": "run -m helpers\n",
    "a magic inside %%time": "%%time\n%run helpers.py\n",
    "automagic %run in a %%timeit body": "%%timeit setup()\nrun -mhelpers\n",
}


@pytest.mark.parametrize("case", sorted(OPAQUE_MAGICS))
def test_magics_that_run_code_the_check_cannot_read_fail(case):
    found = find_loops(CLEAN_STYLES["np.choose"], VECTORIZED, {"svm_loss_naive": NAIVE, "tuning": OPAQUE_MAGICS[case]})
    assert found and all("IPython magic" in f and "of tuning" in f for f in found), found


@pytest.mark.parametrize("source, said", [
    ("def svm_loss_vectorized(W, X, y, reg):\n    %time loss = sum(r.sum() for r in X)\n    return loss, W\n", "a generator expression (line 2)"),
    ("def svm_loss_vectorized(W, X, y, reg):\n    %timeit -n1 [r.sum() for r in X]\n    return X.sum(), W\n", "a list comprehension (line 2)"),
    ("%%capture out\ndef svm_loss_vectorized(W, X, y, reg):\n    return sum(r.sum() for r in X), W\n", "a generator expression (line 3)"),
    ("from IPython.core.magic import register_line_magic\n\n@register_line_magic\ndef xmode(line):\n    exec(line)\n\n"
     "%xmode for i in range(3): pass\n" + CLEAN_STYLES["np.choose"], "a magic of the student's"),
    ("def get_ipython():\n    return exec\n\n%xmode for i in range(3): pass\n" + CLEAN_STYLES["np.choose"], "get_ipython redefined"),
])
def test_code_run_by_a_magic_is_read(source, said):
    found = find_loops(source, VECTORIZED, {"svm_loss_naive": NAIVE})
    assert any(said in f for f in found), found


def test_a_cell_is_read_as_ipython_runs_it():
    from autograder.students.selfcheck.magics import OPAQUE, read_cell

    def read(source, bound=()):
        return ast.unparse(read_cell(source, set(bound)))
    assert read("%matplotlib inline\nx = 1\n") == "pass\nx = 1"  # harmless: nothing
    assert read("x = %time f(1)\n") == "x = f(1)"  # code: the value of its expression
    assert read("%%time\ny = 2\n") == "y = 2"
    assert read("%timeit -n 3 g()\n") == "if True:\n    g()"  # run in a function of its own: may not bind
    assert read("%%capture out\nz = 3\n") == "z = 3\nout = None"
    assert read("!ls\n") == f"{OPAQUE}('!ls')"
    assert read("run -mhelpers\n") == f"{OPAQUE}('%run -mhelpers')"  # automagic, as in a one-line cell
    assert read("run -mhelpers\n", {"run"}) == "run - mhelpers"  # unless `run` is a variable of the notebook's
    with pytest.raises(ValueError):
        read("%timeit -Q g()\n")  # an option IPython refuses


# -- Values stored by a call into a container or an object ---------------------------------------

#: Each stores the naive loss into something the vectorized function reads it back from; a check
#: following assignments only saw none of them.
STORES = {
    "dict.update": "d = {}\nd.update(f=svm_loss_naive)\n", "dict.setdefault": "d = {}\nd.setdefault('f', svm_loss_naive)\n",
    "list.append": "d = []\nd.append(svm_loss_naive)\n", "list.insert": "d = []\nd.insert(0, svm_loss_naive)\n",
    "list.extend": "d = []\nd.extend([svm_loss_naive])\n", "d.__ior__": "d = {}\nd.__ior__({'f': svm_loss_naive})\n",
    "set.add": "d = set()\nd.add(svm_loss_naive)\n", "deque.appendleft": "import collections\nd = collections.deque()\nd.appendleft(svm_loss_naive)\n",
    "d.__setitem__": "d = {}\nd.__setitem__('f', svm_loss_naive)\n",
    "dict.update(d, ...)": "d = {}\ndict.update(d, f=svm_loss_naive)\n",
    "operator.setitem": "import operator\nd = {}\noperator.setitem(d, 'f', svm_loss_naive)\n",
    "heapq.heappush": "import heapq\nd = []\nheapq.heappush(d, (0, svm_loss_naive))\n",
    "an item set in a function": "d = {}\ndef _register():\n    d['f'] = svm_loss_naive\n_register()\n",
    "d['k'] |= in a function": "d = {'k': {}}\ndef _register():\n    d['k'] |= {'f': svm_loss_naive}\n_register()\n",
    "a method of the student's": "class Registry:\n    def __init__(self):\n        self.fs = []\n    def add(self, f):\n        self.fs.append(f)\n"
                                 "d = Registry()\nd.add(svm_loss_naive)\n",
    "a class attribute's list": "class Box:\n    fs = []\nBox.fs.append(svm_loss_naive)\nd = Box.fs\n",
    "an alias of the container": "d = []\nalias = d\nalias.append(svm_loss_naive)\n",
    "functools.partial, stored": "import functools\nd = []\nd.append(functools.partial(svm_loss_naive))\n",
    "types.MethodType, stored": "import types\nd = []\nd.append(types.MethodType(svm_loss_naive, 0))\n",
    "operator.itemgetter": "import operator\nd = []\nd.append(svm_loss_naive)\n_get = operator.itemgetter(0)\n",
}
#: How the vectorized function reads it back (by case: `d[...]` unless said).
READ_BACK = {"operator.itemgetter": "_get(d)", "set.add": "next(iter(d))", "a method of the student's": "d.fs[0]",
             "heapq.heappush": "d[0][1]", "d['k'] |= in a function": "d['k']['f']"}


@pytest.mark.parametrize("case", sorted(STORES))
def test_a_function_stored_by_a_call_is_followed(case):
    reads = READ_BACK.get(case, "d['f']" if "'f'" in STORES[case] or "f=" in STORES[case] else "d[0]")
    source = STORES[case] + f"\ndef svm_loss_vectorized(W, X, y, reg):\n    return {reads}(W, X, y, reg)\n"
    assert "a for loop (line 2 of svm_loss_naive)" in find_loops(source, VECTORIZED, {"svm_loss_naive": NAIVE}), source


@pytest.mark.parametrize("source", [
    # Reached through an attribute named in a string.
    "import operator\nclass Box:\n    pass\nbox = Box()\nbox.go = svm_loss_naive\n_get = operator.attrgetter('go')\n\n"
    "def svm_loss_vectorized(W, X, y, reg):\n    return _get(box)(W, X, y, reg)\n",
    "import operator\nclass Box:\n    pass\nbox = Box()\nbox.go = svm_loss_naive\n_call = operator.methodcaller('go', 0, 0, 0, 0)\n\n"
    "def svm_loss_vectorized(W, X, y, reg):\n    return _call(box)\n",
    # The function rebound under an `if`, after its clean definition.
    "def svm_loss_vectorized(W, X, y, reg):\n    return X.dot(W).sum(), W\n\nif True:\n    svm_loss_vectorized = svm_loss_naive\n",
    # A name computed at run time: what it reaches cannot be read.
    "import operator\n_get = operator.attrgetter('g' + 'o')\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return _get(W), W\n",
])
def test_a_function_reached_through_operator_getters_or_a_later_binding_is_followed(source):
    assert find_loops(source, VECTORIZED, {"svm_loss_naive": NAIVE}), source


@pytest.mark.parametrize("source", [  # followed before these stores were: kept as they are
    "d = {}\nd |= {'f': svm_loss_naive}\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return d['f'](W, X, y, reg)\n",
    "import functools\n_impl = functools.partial(svm_loss_naive)\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return _impl(W, X, y, reg)\n",
    "class Box:\n    pass\nbox = Box()\nsetattr(box, 'go', svm_loss_naive)\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return box.go(W, X, y, reg)\n",
    "import types\nclass Box:\n    pass\nbox = Box()\nbox.go = types.MethodType(svm_loss_naive, box)\n\n"
    "def svm_loss_vectorized(W, X, y, reg):\n    return box.go(X, y, reg)\n",
])
def test_stores_by_assignment_are_still_followed(source):
    assert find_loops(source, VECTORIZED, {"svm_loss_naive": NAIVE}), source


def test_data_kept_in_containers_is_not_a_loop():
    source = ("_ROWS = {}\n_LOG = []\n\ndef svm_loss_vectorized(W, X, y, reg):\n    if X.shape[0] not in _ROWS:\n"
              "        _ROWS[X.shape[0]] = np.arange(X.shape[0])\n    _LOG.append(X.shape)\n    _ROWS.update(last=X.shape[0])\n"
              "    rows = _ROWS[X.shape[0]]\n    S = X.dot(W)\n    return np.maximum(0, S - S[rows, y][:, None] + 1).sum(), W\n")
    classifier = "history = []\nhistory.append(svm_loss_naive)\nprint(history, len(_LOG))\n"  # the naive one, stored elsewhere
    assert find_loops(source, VECTORIZED, {"svm_loss_naive": NAIVE}, later={"tuning": classifier}) == []



def test_functions_stored_side_by_side_are_not_confused():
    # A list to compare both versions, and a timing helper given both: the naive one is stored
    # into the list and the helper's container, never into svm_loss_vectorized.
    compare = ("impls = []\nimpls.append(svm_loss_naive)\nimpls.append(svm_loss_vectorized)\nfast = svm_loss_vectorized\n"
               "timings = {}\n\ndef timed(f, g):\n    timings[f] = g\n\ntimed(fast, svm_loss_naive)\n"
               "timed(svm_loss_vectorized, svm_loss_naive)\n")
    assert find_loops(CLEAN_STYLES["np.choose"], VECTORIZED, {"svm_loss_naive": NAIVE}, later={"tuning": compare}) == []

# -- Imports ------------------------------------------------------------------------------------

#: Harmless imports, written where students write them: in the part's cell or an import cell.
HARMLESS_IMPORT_LINES = [
    "from builtins import range", "from builtins import range, object, zip, str", "from builtins import *",
    "from __future__ import print_function, division", "from past.builtins import xrange",
    "from future.builtins import range", "from six.moves import range, xrange, zip", "from builtins import range as r",
    "import typing\nfrom typing import Tuple", "import math", "from collections import Counter", "from functools import partial",
]


@pytest.mark.parametrize("line", HARMLESS_IMPORT_LINES)
def test_harmless_imports_do_not_fail_correct_code(line):
    source = CLEAN_STYLES["range as an index"]
    if line.startswith("from __future__"):  # it must come first in its cell
        assert find_loops(line + "\n" + source, VECTORIZED) == []
    else:
        assert find_loops(source + "\n" + line + "\n", VECTORIZED) == []
    assert find_loops(source, VECTORIZED, setup=(line + "\n",)) == []


@pytest.mark.parametrize("source, said", [
    ("import builtins\nbuiltins.range = lambda n: [i for i in np.arange(n)]\n", "builtins"),
    ("import builtins\nsetattr(builtins, 'len', svm_loss_naive)\n", "builtins"),
    ("from builtins import exec\n", "exec()"), ("from builtins import __import__\n", "__import__()"),
    ("from builtins import getattr as fetch\n", "under another name"), ("from builtins import object as O\n", "under another name"),
    ("from past.builtins import execfile\n", "execfile()"), ("from six.moves import reload_module\n", "reload_module"),
    ("from six.moves import builtins\n", "builtins"), ("import six\nsix.exec_('pass')\n", "six.exec_"),
    ("import sys\nsys._getframe().f_globals['svm_loss_vectorized'] = svm_loss_naive\n", "frame"),
    ("from past.builtins import reduce\n\ndef svm_loss_vectorized(W, X, y, reg):\n    return reduce(np.add, X).sum(), W\n", "functools.reduce"),
])
def test_imports_that_let_code_run_behind_the_check_fail(source, said):
    cell = source if "def svm_loss_vectorized" in source else source + CLEAN_STYLES["np.choose"]
    found = find_loops(cell, VECTORIZED, {"svm_loss_naive": NAIVE})
    assert found and any(said in f for f in found), found
