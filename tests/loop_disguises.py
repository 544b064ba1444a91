"""Loops in disguise and correct code that resembles them, from red-team passes on the static
loop check (autograder/students/selfcheck/loops.py; the second pass: E19-E21, FP9-FP10, magics and containers
filled by calls, CS231n's imports): every DISGUISED case runs a Python loop over examples
or elements inside svm_loss_vectorized while a check following bare names finds none; every
CLEAN case is correct, loop-free vectorized code. Each case: dict(source=..., others={part:
cell}, setup=(import cells,)); cells run in the order others, then source."""

NAIVE = '''
def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW
'''

# Row loss helper used by several cases (no loop syntax in it).
ROW = '''
def _row(S, y, i):
    m = np.maximum(0, S[i] - S[i, y[i]] + 1)
    m[y[i]] = 0
    return m.sum()
'''
TAIL = " / X.shape[0] + reg * np.sum(W * W), np.zeros_like(W)"
DISGUISED = {}

DISGUISED['E1 recursion through a function parameter (Y-combinator)'] = dict(source=ROW + '''
def _walk(go, S, y, i):
    if i == S.shape[0]:
        return 0.0
    return _row(S, y, i) + go(go, S, y, i + 1)

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    return _walk(_walk, S, y, 0)''' + TAIL + '\n')

DISGUISED['E2 recursion through type(self)'] = dict(source=ROW + '''
class Walk:
    def __init__(self, S, y, i):
        self.total = 0.0 if i == S.shape[0] else _row(S, y, i) + type(self)(S, y, i + 1).total

def svm_loss_vectorized(W, X, y, reg):
    return Walk(X.dot(W), y, 0).total''' + TAIL + '\n')

DISGUISED['E3 functools.reduce imported inside the function body'] = dict(source='''
def svm_loss_vectorized(W, X, y, reg):
    from functools import reduce
    S = X.dot(W)
    total = reduce(lambda acc, i: acc + np.maximum(0, S[i] - S[i, y[i]] + 1).sum() - 1,
                   range(X.shape[0]), 0.0)
    return total''' + TAIL + '\n')

DISGUISED['E4 functools.reduce through a module alias'] = dict(source='''
import functools
ft = functools

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    total = ft.reduce(lambda acc, i: acc + np.maximum(0, S[i] - S[i, y[i]] + 1).sum() - 1,
                      range(X.shape[0]), 0.0)
    return total''' + TAIL + '\n')

DISGUISED['E5 callback handed through a local alias (itertools.filterfalse)'] = dict(source='''
import itertools

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    acc = [0.0]
    def add(i):
        acc[0] += np.maximum(0, S[i] - S[i, y[i]] + 1).sum() - 1
    f = add
    list(itertools.filterfalse(f, range(X.shape[0])))
    return acc[0]''' + TAIL + '\n')

DISGUISED['E6 special method bound as a class attribute, not a def'] = dict(source=ROW + '''
def _item(self, i):
    if i >= self.S.shape[0]:
        raise IndexError
    return _row(self.S, self.y, i)

class Rows:
    def __init__(self, S, y):
        self.S, self.y = S, y
    __getitem__ = _item

def svm_loss_vectorized(W, X, y, reg):
    return sum(Rows(X.dot(W), y))''' + TAIL + '\n')

DISGUISED['E7 class built with type() and a dunder dict'] = dict(source=ROW + '''
def _item(self, i):
    if i >= self.S.shape[0]:
        raise IndexError
    return _row(self.S, self.y, i)

Rows = type('Rows', (), {'__getitem__': _item})

def svm_loss_vectorized(W, X, y, reg):
    r = Rows()
    r.S, r.y = X.dot(W), y
    return sum(r)''' + TAIL + '\n')

DISGUISED['E8 a "harmless" __repr__ called per element of an object array'] = dict(source='''
class Cell:
    def __init__(self, S, y):
        self.S, self.y, self.k, self.total = S, y, 0, 0.0
    def __repr__(self):
        i = self.k
        self.k = i + 1
        self.total += np.maximum(0, self.S[i] - self.S[i, self.y[i]] + 1).sum() - 1
        return '0'

def svm_loss_vectorized(W, X, y, reg):
    c = Cell(X.dot(W), y)
    repr(np.full(X.shape[0], c))      # np.full infers an object array; repr() calls c.__repr__ N times
    return c.total''' + TAIL + '\n')

DISGUISED['E9 object array via astype(object) / np.dtype("O"): Fraction.__radd__ runs per element'] = dict(source='''
from fractions import Fraction

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    M = np.maximum(0, S - S[np.arange(X.shape[0]), y][:, None] + 1)
    M = M.astype(object) + Fraction(0)            # float + Fraction -> Fraction.__radd__ (Python) per element
    M2 = np.asarray(M, dtype=np.dtype('O')) * Fraction(1)
    return (float(M2.sum()) - X.shape[0])''' + TAIL + '\n', watch=('fractions.py',))

DISGUISED['E10 hidden code run by timeit (a string compiled and executed)'] = dict(source='''
import timeit

def svm_loss_vectorized(W, X, y, reg):
    env = {'X': X, 'W': W, 'y': y, 'np': np, 'out': [0.0]}
    timeit.timeit("for i in range(X.shape[0]):\\n"
                  "    s = X[i].dot(W)\\n"
                  "    out[0] += np.maximum(0, s - s[y[i]] + 1).sum() - 1", number=1, globals=env)
    return env['out'][0]''' + TAIL + '\n')

DISGUISED['E11 exec obtained from pickle.loads (bytes literal "builtins exec")'] = dict(source='''
import pickle

def svm_loss_vectorized(W, X, y, reg):
    run = pickle.loads(b"cbuiltins\\nexec\\n.")       # == builtins.exec; bytes are never checked
    env = {'X': X, 'W': W, 'y': y, 'np': np, 'out': [0.0]}
    run("for i in range(X.shape[0]):\\n"
        "    s = X[i].dot(W)\\n"
        "    out[0] += np.maximum(0, s - s[y[i]] + 1).sum() - 1", env)
    return env['out'][0]''' + TAIL + '\n')

DISGUISED['E12 a global bound through fn.__globals__'] = dict(source='''
def svm_loss_vectorized(W, X, y, reg):
    return _impl(W, X, y, reg)

svm_loss_vectorized.__globals__['_impl'] = svm_loss_naive
''')

DISGUISED['E13 a global bound by a match/case capture pattern'] = dict(source='''
match svm_loss_naive:
    case _impl:
        pass

def svm_loss_vectorized(W, X, y, reg):
    return _impl(W, X, y, reg)
''')

DISGUISED['E14 a global bound through except ... as'] = dict(source='''
try:
    raise LookupError(svm_loss_naive)
except LookupError as e:
    _impl = e.args[0]

def svm_loss_vectorized(W, X, y, reg):
    return _impl(W, X, y, reg)
''')

DISGUISED['E15 numpy monkeypatched with np.__setattr__ (in the naive cell)'] = dict(
    others={'svm_loss_naive': NAIVE + '''
def _max(a, b):
    out = np.empty(np.broadcast(a, b).shape)
    for idx in np.ndindex(out.shape):
        out[idx] = max(np.broadcast_to(a, out.shape)[idx], np.broadcast_to(b, out.shape)[idx])
    return out

np.__setattr__('maximum', _max)
'''}, source='''
def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    M = np.maximum(0, S - S[np.arange(X.shape[0]), y][:, None] + 1)
    return (M.sum() - X.shape[0])''' + TAIL + '\n')

DISGUISED['E16 map() delivered as a default through __defaults__'] = dict(source='''
def svm_loss_vectorized(W, X, y, reg, each=None):
    S = X.dot(W)
    acc = np.zeros(1)
    def add(i):
        acc[0] += np.maximum(0, S[i] - S[i, y[i]] + 1).sum() - 1
    f = add
    list(each(f, range(X.shape[0])))
    return acc[0]''' + TAIL + '''

svm_loss_vectorized.__defaults__ = (map,)
''')

DISGUISED['E17 np.vectorize fetched by pydoc.locate("numpy.vectorize")'] = dict(source='''
import pydoc

def _hinge(s):
    return s if s > 0 else 0.0

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    h = _hinge
    M = pydoc.locate('numpy.vectorize')(h)(S - S[np.arange(X.shape[0]), y][:, None] + 1)
    return (M.sum() - X.shape[0])''' + TAIL + '\n')

DISGUISED['E18 any method named like the library call disables the callback check (re.sub)'] = dict(source='''
import re

class Text:
    def sub(self):
        pass

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    acc = [0.0]
    def one(match):
        i = len(acc) - 1
        acc.append(0)
        acc[0] += np.maximum(0, S[i] - S[i, y[i]] + 1).sum() - 1
        return ''
    re.sub('.', one, '.' * X.shape[0])
    return acc[0]''' + TAIL + '\n')


DISGUISED['E19 a helper defined behind a magic line (%xmode Plain), in a cell the check could not parse'] = dict(
    others={'svm_loss_naive': NAIVE + '''
%xmode Plain

def _margins(S, y):
    out = np.zeros_like(S)
    for i in range(S.shape[0]):
        out[i] = np.maximum(0, S[i] - S[i, y[i]] + 1)
    return out
'''}, source='''
def svm_loss_vectorized(W, X, y, reg):
    return (_margins(X.dot(W), y).sum() - X.shape[0])''' + TAIL + '\n')

DISGUISED['E20 the naive loss stored with dict.update, read back by key'] = dict(source='''
_impls = {}
_impls.update(svm=svm_loss_naive)

def svm_loss_vectorized(W, X, y, reg):
    return _impls['svm'](W, X, y, reg)
''')

DISGUISED['E21 the function rebound under an if, after its clean definition'] = dict(source='''
def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    M = np.maximum(0, S - S[np.arange(X.shape[0]), y][:, None] + 1)
    return (M.sum() - X.shape[0])''' + TAIL + '''

if True:
    svm_loss_vectorized = svm_loss_naive
''')


# Third pass: a callable reached by a route that names nothing the check reads by name.
STEP = ROW + """
def _stepper(S, y, acc):
    def step():
        i = len(acc)
        if i == S.shape[0]:
            return None
        acc.append(_row(S, y, i))
        return i
    return step
"""

ROW_AT = ROW + """
def _row_at(S, y):
    def at(i):
        return _row(S, y, i)
    return at
"""

DISGUISED['E22 iter(callable, sentinel) under another name (it = iter)'] = dict(source=STEP + """
it = iter

def svm_loss_vectorized(W, X, y, reg):
    acc = []
    list(it(_stepper(X.dot(W), y, acc), None))
    return sum(acc)""" + TAIL + "\n")

DISGUISED['E23 iter(callable, sentinel) with its arguments starred from a tuple'] = dict(source=STEP + """
def svm_loss_vectorized(W, X, y, reg):
    acc = []
    list(iter(*(_stepper(X.dot(W), y, acc), None)))
    return sum(acc)""" + TAIL + "\n")

DISGUISED['E24 getattr under another name, with a computed name (np.vectorize)'] = dict(source=ROW_AT + """
fetch = getattr

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    per_row = fetch(np, 'vecto' + 'rize')(_row_at(S, y))
    return per_row(np.arange(X.shape[0])).sum()""" + TAIL + "\n")

DISGUISED['E25 a function handed to a looping call through a list subscript'] = dict(source=ROW + """
import scipy.ndimage

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    M = np.maximum(0, S - S[np.arange(X.shape[0]), y][:, None] + 1)
    acc = []
    def add(line, out):
        acc.append(line.sum() - 1)
    scipy.ndimage.generic_filter1d(M, [add][0], 1, axis=1)
    return sum(acc)""" + TAIL + "\n")

DISGUISED['E26 a function handed to a looping call through a top-level alias'] = dict(source="""
import scipy.ndimage

_acc = []
def _add(line, out):
    _acc.append(line.sum() - 1)
_each_line = _add

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    M = np.maximum(0, S - S[np.arange(X.shape[0]), y][:, None] + 1)
    _acc.clear()
    scipy.ndimage.generic_filter1d(M, _each_line, 1, axis=1)
    return sum(_acc)""" + TAIL + "\n")

DISGUISED['E27 map found among object.__subclasses__() by the text of its repr'] = dict(source=ROW + """
def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    kinds = ().__class__.__bases__[0].__subclasses__()
    text = str(kinds)
    each = kinds[text[:text.index("<class 'ma" + "p'>")].count(',')]
    return sum(each([_row][0], [S] * X.shape[0], [y] * X.shape[0], range(X.shape[0])))""" + TAIL + "\n")

DISGUISED['E28 collections.defaultdict calling a factory per key, read with operator.itemgetter'] = dict(source=ROW + """
import collections, operator

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    count = [0]
    def factory():
        count[0] += 1
        return _row(S, y, count[0] - 1)
    table = collections.defaultdict([factory][0])
    return sum(operator.itemgetter(*range(X.shape[0]))(table))""" + TAIL + "\n")

DISGUISED['E29 shutil.copyfileobj calling a read() method of a student class until it returns nothing'] = dict(source=ROW + """
import shutil

class Rows:
    def __init__(self, S, y):
        self.S, self.y, self.i, self.total = S, y, 0, 0.0
    def read(self, size=-1):
        if self.i == self.S.shape[0]:
            return ''
        self.total += _row(self.S, self.y, self.i)
        self.i += 1
        return ' '
    def write(self, data):
        pass

def svm_loss_vectorized(W, X, y, reg):
    rows = Rows(X.dot(W), y)
    shutil.copyfileobj(rows, rows, 1)
    return rows.total""" + TAIL + "\n")

DISGUISED['E30 a module written at run time, imported through a package __path__'] = dict(source="""
import os, tempfile
import numpy
_where = tempfile.mkdtemp()
open(os.path.join(_where, 'fastsvm.py'), 'w').write(
    'def loss(S, y):\\n    total = 0.0\\n    for i in range(S.shape[0]):\\n        total += S[i].sum()\\n    return total\\n')
numpy.__path__.append(_where)
from numpy.fastsvm import loss as _loss

def svm_loss_vectorized(W, X, y, reg):
    return _loss(X.dot(W), y)""" + TAIL + "\n")

DISGUISED['E31 np.vectorize fetched by pkgutil.resolve_name from a computed string'] = dict(source=ROW_AT + """
import pkgutil

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    per_row = pkgutil.resolve_name('numpy:vecto' + 'rize')(_row_at(S, y))
    return per_row(np.arange(X.shape[0])).sum()""" + TAIL + "\n")

DISGUISED['E32 the loop run in another Python process (subprocess)'] = dict(source="""
import subprocess, sys

def svm_loss_vectorized(W, X, y, reg):
    np.save('/tmp/S.npy', X.dot(W))
    subprocess.run([sys.executable, '-c', 'import numpy as np; S = np.load("/tmp/S.npy"); '
                    'np.save("/tmp/t.npy", sum(r.sum() for r in S))'])
    return float(np.load('/tmp/t.npy'))""" + TAIL + "\n")

DISGUISED['E33 np.vectorize reached through inspect.getmembers(np)'] = dict(source=ROW_AT + """
import inspect

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    per_row = dict(inspect.getmembers(np))['vecto' + 'rize'](_row_at(S, y))
    return per_row(np.arange(X.shape[0])).sum()""" + TAIL + "\n")

DISGUISED['E34 np.vectorize reached through string.Formatter().get_field'] = dict(source=ROW_AT + """
import string

def svm_loss_vectorized(W, X, y, reg):
    S = X.dot(W)
    per_row = string.Formatter().get_field('0.vecto' + 'rize', [np], {})[0](_row_at(S, y))
    return per_row(np.arange(X.shape[0])).sum()""" + TAIL + "\n")

DISGUISED['E35 a class made by type() under another name, with a __getitem__ in its dict'] = dict(source=ROW + """
def _item(self, i):
    if i >= self.S.shape[0]:
        raise IndexError
    return _row(self.S, self.y, i)

make = type
Rows = make('Rows', (), {'__get' + 'item__': _item})

def svm_loss_vectorized(W, X, y, reg):
    r = Rows()
    r.S, r.y = X.dot(W), y
    return sum(r)""" + TAIL + "\n")

DISGUISED['E36 np.dot rebound at load time through setattr under another name'] = dict(source="""
put = setattr
_dot = np.dot
def _slow_dot(a, b):
    return np.array([_dot(row, b) for row in a]) if a.ndim == 2 else _dot(a, b)
put(np, 'do' + 't', _slow_dot)

def svm_loss_vectorized(W, X, y, reg):
    S = np.dot(X, W)
    return S.sum()""" + TAIL + "\n")

DISGUISED['E37 code in a pickle made of numbers, loaded by np.load(allow_pickle=True)'] = dict(source="""
import io
_PAYLOAD = [128, 2, 99, 95, 95, 98, 117, 105, 108, 116, 105, 110, 95, 95, 10, 101, 120, 101, 99, 10, 113, 0, 88, 62, 0, 0, 0, 105, 109, 112, 111, 114, 116, 32, 95, 95, 109, 97, 105, 110, 95, 95, 10, 95, 95, 109, 97, 105, 110, 95, 95, 46, 95, 97, 99, 99, 32, 61, 32, 91, 114, 46, 115, 117, 109, 40, 41, 32, 102, 111, 114, 32, 114, 32, 105, 110, 32, 95, 95, 109, 97, 105, 110, 95, 95, 46, 95, 83, 93, 113, 1, 133, 113, 2, 82, 113, 3, 46]

def svm_loss_vectorized(W, X, y, reg):
    global _S
    _S = X.dot(W)
    np.load(io.BytesIO(bytes(_PAYLOAD)), allow_pickle=True)
    return sum(_acc)""" + TAIL + "\n")



DISGUISED['E38 a method hands self to csv.writer, which calls its write() once per row'] = dict(source="""
import csv

class Rows:
    def __init__(self, S, y):
        self.S, self.y, self.total = S, y, 0.0
    def write(self, line):
        values = np.array(line.strip().split(','), dtype=float)
        if values.size > 1:
            label = int(values[-1])
            margins = np.maximum(0, values[:-1] - values[label] + 1)
            self.total += margins.sum() - 1
    def go(self):
        csv.writer(self).writerows(np.column_stack([self.S, self.y]).tolist())
        return self.total

def svm_loss_vectorized(W, X, y, reg):
    return Rows(X.dot(W), y).go()""" + TAIL + "\n")

DISGUISED['E39 a subclass of a library class (html.parser.HTMLParser) whose handler the library calls per element'] = dict(
    source="""
import html.parser

class Rows(html.parser.HTMLParser):
    def setup(self, S, y):
        self.S, self.y, self.i, self.total = S, y, 0, 0.0
        return self
    def handle_starttag(self, tag, attrs):
        margins = np.maximum(0, self.S[self.i] - self.S[self.i, self.y[self.i]] + 1)
        self.total += margins.sum() - 1
        self.i += 1

def svm_loss_vectorized(W, X, y, reg):
    rows = Rows().setup(X.dot(W), y)
    rows.feed('<r>' * X.shape[0])
    return rows.total""" + TAIL + "\n")


CLASSIFIER = '''
class LinearClassifier(object):
    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
        num_train, dim = X.shape
        num_classes = np.max(y) + 1
        if self.W is None:
            self.W = 0.001 * np.random.randn(dim, num_classes)
        loss_history = []
        for it in range(num_iters):
            idx = np.random.choice(num_train, batch_size)
            loss, grad = self.loss(X[idx], y[idx], reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad
            if verbose and it % 100 == 0:
                print('%s iteration %d / %d: loss %f' % (self.__class__.__name__, it, num_iters, loss))
        return loss_history

    def predict(self, X):
        return np.argmax(X.dot(self.W), axis=1)

    def loss(self, X_batch, y_batch, reg):
        pass

class LinearSVM(LinearClassifier):
    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)
'''

BASE_TAIL = '''
    dW = np.zeros_like(W)
    return loss, dW
'''
CLEAN = {}
CLEAN['FP1 a debug print mentioning "loss" (string equals the method name LinearSVM.loss)'] = dict(
    others={'svm_loss_naive': NAIVE, 'LinearClassifier': CLASSIFIER.replace("self.__class__.__name__", "'SVM'")}, source='''
def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(N), y][:, None]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
    # print('loss', loss)
    if not np.isfinite(loss):
        print('loss', loss)
''' + BASE_TAIL)

CLEAN['FP2 self.__class__.__name__ in a verbose print of LinearClassifier.train (another cell)'] = dict(
    others={'svm_loss_naive': NAIVE, 'LinearClassifier': CLASSIFIER}, source='''
def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    correct = np.choose(y, scores.T)[:, None]
    margins = np.maximum(0, scores - correct + 1)
    margins[range(N), y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
''' + BASE_TAIL)

CLEAN['FP3 one-hot via np.eye, einsum, keepdims (clean baseline with classifier)'] = dict(
    others={'svm_loss_naive': NAIVE, 'LinearClassifier': CLASSIFIER.replace("self.__class__.__name__", "'SVM'")}, source='''
def svm_loss_vectorized(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    onehot = np.eye(C)[y]
    scores = np.einsum('nd,dc->nc', X, W)
    correct = np.sum(scores * onehot, axis=1, keepdims=True)
    margins = np.maximum(0, scores - correct + 1) * (1 - onehot)
    loss = margins.sum() / N + reg * np.sum(W * W)
    mask = (margins > 0).astype(float)
    mask -= onehot * mask.sum(axis=1, keepdims=True)
    dW = X.T @ mask / N + 2 * reg * W
    return loss, dW
''')

CLEAN['FP4 same helper name in the naive cell (row version, loops) and the vectorized cell'] = dict(
    others={'svm_loss_naive': NAIVE + '''
def hinge(scores, y):
    out = 0.0
    for j in range(scores.shape[0]):
        if j != y:
            out += max(0, scores[j] - scores[y] + 1)
    return out
'''}, source='''
def hinge(scores, y):
    N = scores.shape[0]
    margins = np.maximum(0, scores - scores[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    return margins.sum()

def svm_loss_vectorized(W, X, y, reg):
    loss = hinge(X.dot(W), y) / X.shape[0] + reg * np.sum(W * W)
''' + BASE_TAIL)

CLEAN['FP5 softmax: scipy logsumexp + np.logaddexp.reduce, helper in the cell, `from functools import reduce` in setup'] = dict(
    name='softmax_loss_vectorized', setup=('import numpy as np\nfrom scipy.special import logsumexp\nfrom functools import reduce\n',),
    others={'svm_loss_naive': NAIVE, 'LinearClassifier': CLASSIFIER.replace("self.__class__.__name__", "'SVM'")}, source='''
def _probs(scores):
    return np.exp(scores - logsumexp(scores, axis=1, keepdims=True))

def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    lse = np.logaddexp.reduce(scores, axis=1)
    loss = np.mean(lse - scores[np.arange(N), y]) + reg * np.sum(W * W)
    p = _probs(scores)
    np.add.at(p, (np.arange(N), y), -1)
    dW = X.T.dot(p) / N + 2 * reg * W
    return loss, dW
''')

CLEAN['FP6 a variable named `vars` in another graded cell (e.g. feature normalisation)'] = dict(
    others={'svm_loss_naive': NAIVE, 'preprocess': '''
def normalize(X):
    means = X.mean(axis=0)
    vars = X.var(axis=0)
    return (X - means) / np.sqrt(vars + 1e-8)
'''}, source='''
def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
''' + BASE_TAIL)

CLEAN['FP7 getattr(self, name) in a classifier cell (e.g. hyper-parameter setter)'] = dict(
    others={'svm_loss_naive': NAIVE, 'LinearClassifier': CLASSIFIER.replace("self.__class__.__name__", "'SVM'") + '''
    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
'''}, source='''
def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
''' + BASE_TAIL)

CLEAN['FP8 assert message "loss" equals a top-level name of the (graded) tuning cell, bound to svm.train(...)'] = dict(
    others={'svm_loss_naive': NAIVE, 'LinearClassifier': CLASSIFIER.replace("self.__class__.__name__", "'SVM'").replace("def loss(self", "def data_loss(self").replace("self.loss(", "self.data_loss("), 'tuning': '''
results = {}
best_val = -1
best_svm = None
for lr in [1e-7, 5e-5]:
    for rs in [2.5e4, 5e4]:
        svm = LinearSVM()
        loss = svm.train(X_train, y_train, learning_rate=lr, reg=rs, num_iters=1500)
'''}, source='''
def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
    assert np.isfinite(loss), 'loss'
''' + BASE_TAIL, exec_others=False)

CLEAN['FP9 CS231n starter habits: from builtins import range / object, from __future__, %matplotlib inline, %load_ext autoreload, %autoreload 2, %time'] = dict(
    setup=('import numpy as np\nfrom builtins import range\nfrom past.builtins import xrange\n',),
    others={'svm_loss_naive': '''
from __future__ import print_function
from builtins import range
%matplotlib inline
%load_ext autoreload
%autoreload 2
''' + NAIVE + '''
%time loss_naive, grad_naive = svm_loss_naive(np.ones((3, 2)), np.ones((4, 3)), np.zeros(4, dtype=int), 5e-6)
''', 'LinearClassifier': 'from builtins import object\n' + CLASSIFIER.replace("self.__class__.__name__", "'SVM'")}, source='''
from builtins import range

def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    correct_class_scores = scores[range(num_train), y].reshape(-1, 1)
    margins = np.maximum(0, scores - correct_class_scores + 1)
    margins[range(num_train), y] = 0
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)
''' + BASE_TAIL)

CLEAN['FP10 data kept in module-level containers filled by method calls (a cache, a log)'] = dict(source='''
_rows = {}
_log = []

def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    _rows.setdefault(N, np.arange(N))
    _log.append((N, reg))
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[_rows[N], y][:, None] + 1)
    margins[_rows[N], y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
''' + BASE_TAIL)
