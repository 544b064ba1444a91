"""The static loop check: does a function, and everything it can reach, loop in Python?

It reads the student's graded cells, in the order the grader runs them, as one program (nothing
is executed here), and errs on the side of finding a loop:

- A name leads to the binding it has when it is read: in a function (read after every cell has
  run), the last one made by a plain top-level statement, plus every binding that may come later
  or that it cannot place (one under ``if False:`` or in a ``try``, a ``global`` set inside a
  function, an unpacked or matched value...); at load time, the same among the bindings before
  it. A later cell's redefinition is therefore the definition, and an alias ``_impl = _naive``
  is followed. Attributes (``x.name``, ``getattr(x, "name")``) lead to every class member and
  every attribute assignment of that name.
- From the function, everything reachable is read for loop syntax (for, while, comprehensions,
  generators), calls that run Python once per element (``map``, ``np.vectorize``,
  ``functools.reduce`` under any name, ``iter(callable, sentinel)``, ``key=`` functions, any
  function handed to a call as a value), object arrays, student classes with special methods,
  recursion through any alias or parameter, and code it cannot follow (``exec``/``eval``,
  ``globals()``, ``__dict__``, ``get_ipython``, ``pickle``, ``getattr`` with a computed name...).
  A function (or an object of a student class, ``self`` in its methods, or what a function
  returns when that is one) kept as a value where a library could call it (in a container, a
  starred tuple, a subscript) counts as handed to a call, and a student class derived from a
  library's class as a loop (the library may call its methods per element); ``iter``, ``getattr``, ``setattr``, ``type`` used as values (under another
  name) are code it cannot follow, as are introspection (``__subclasses__``, ``inspect.getmembers``,
  ``pkgutil.resolve_name``), loaders of modules written at run time (a package's ``__path__``),
  unpickling (``allow_pickle``, joblib) and other processes (subprocess, multiprocessing).
- Code that runs when the cells load (top-level statements, class bodies, decorators, defaults,
  and what they reach) is read for code it cannot follow, which could rebind anything.
- Cells are read as the kernel runs them (magics.py): a magic becomes the code it runs
  (``%time f()``, ``%%capture`` cells), nothing (``%matplotlib inline``), or code the check
  cannot follow (``%run``, ``!cmd``). A cell that cannot be read at all fails every part's check.
- A value stored into a container or an object is bound to it as ``table[k] = value`` binds
  ``table``: by a method (``d.update(f=g)``, ``lst.append(g)``, ``box.register(g)``) or a function
  given the container first (``heapq.heappush(h, g)``, ``dict.update(d, f=g)``), and through
  the container's aliases; so anything read out of it may be ``g``.
- Imports are library code, except those that let code run behind the check's back (DYNAMIC:
  importlib, pickle, the builtins module...); HARMLESS_IMPORTS and BUILTIN_MODULES list, with a
  reason each, the imports known to be harmless, such as CS231n's ``from builtins import range``.

The speed measurement is the backstop for what it cannot see.
"""

from __future__ import annotations

import ast
import functools
import builtins
import dataclasses
from collections import defaultdict

from .magics import OPAQUE, bound_names, read_cell

LOOP_NODES = {
    ast.For: "a for loop", ast.AsyncFor: "a for loop", ast.While: "a while loop",
    ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression",
    ast.Yield: "a generator (yield)", ast.YieldFrom: "a generator (yield from)",
}
#: Callables that run Python code once per element, whatever they are reached through.
LOOPING = {
    "map": "map()", "filter": "filter()", "vectorize": "np.vectorize", "starmap": "itertools.starmap",
    "filterfalse": "itertools.filterfalse", "takewhile": "itertools.takewhile", "dropwhile": "itertools.dropwhile",
    "groupby": "itertools.groupby", "apply_along_axis": "np.apply_along_axis", "apply_over_axes": "np.apply_over_axes",
    "frompyfunc": "np.frompyfunc", "fromiter": "np.fromiter", "fromfunction": "np.fromfunction",
    "piecewise": "np.piecewise", "nditer": "np.nditer", "ndindex": "np.ndindex", "ndenumerate": "np.ndenumerate",
    "apply": "apply()", "applymap": "applymap()", "generic_filter": "scipy.ndimage.generic_filter",
}
#: Looping only as functools.reduce / itertools.accumulate (numpy's ufunc.reduce is array code);
#: Python 2's builtin reduce, from python-future's past.builtins or six.moves, is functools'.
LOOPING_IN_MODULES = {"reduce": (("functools", "builtins", "moves"), "functools.reduce"),
                      "accumulate": (("itertools",), "itertools.accumulate")}
#: Names that run code the check cannot read, or rebind names behind its back.
DYNAMIC = {
    "exec": "exec()", "eval": "eval()", "compile": "compile()", "__import__": "__import__()",
    "globals": "globals()", "vars": "vars()", "locals": "locals()", "__dict__": "__dict__",
    "__builtins__": "__builtins__", "builtins": "the builtins module", "importlib": "importlib",
    "import_module": "importlib.import_module", "__getattribute__": "__getattribute__",
    "__setattr__": "__setattr__", "__code__": "__code__", "__globals__": "__globals__",
    "__defaults__": "__defaults__", "__kwdefaults__": "__kwdefaults__", "__closure__": "__closure__",
    "FunctionType": "types.FunctionType", "CodeType": "types.CodeType", "modules": "sys.modules",
    "get_ipython": "get_ipython()", "run_cell": "IPython's run_cell", "timeit": "timeit (code in a string)",
    "pickle": "pickle", "marshal": "marshal", "dill": "dill", "cloudpickle": "cloudpickle", "runpy": "runpy",
    "pydoc": "pydoc", "ctypes": "ctypes", "InteractiveInterpreter": "code.InteractiveInterpreter",
    "__builtin__": "the builtins module", "exec_": "six.exec_", "execfile": "execfile()", "reload": "reload()",
    "reload_module": "six.moves.reload_module", "cPickle": "pickle", "_getframe": "sys._getframe",
    "f_globals": "a frame's globals", "f_locals": "a frame's locals", "f_builtins": "a frame's builtins",
    "get_referrers": "gc.get_referrers", "get_objects": "gc.get_objects",
    "register_line_magic": "a magic of the student's", "register_cell_magic": "a magic of the student's",
    "register_line_cell_magic": "a magic of the student's", "magics_class": "a magic of the student's",
    # Hooks the interpreter calls behind the code's back (a profile hook can fill a result's memory
    # while the grader reads it, with whatever loops it likes): code the check cannot follow.
    "setprofile": "sys.setprofile (a hook)", "settrace": "sys.settrace (a hook)",
    "setprofile_all_threads": "threading.setprofile_all_threads (a hook)",
    "settrace_all_threads": "threading.settrace_all_threads (a hook)", "monitoring": "sys.monitoring (a hook)",
    "addaudithook": "sys.addaudithook (a hook)", "callbacks": "gc.callbacks (a hook)",
    "set_asyncgen_hooks": "sys.set_asyncgen_hooks (a hook)", "displayhook": "sys.displayhook (a hook)",
    "excepthook": "sys.excepthook (a hook)", "unraisablehook": "sys.unraisablehook (a hook)",
    "breakpointhook": "sys.breakpointhook (a hook)", "meta_path": "sys.meta_path (an import hook)",
    "path_hooks": "sys.path_hooks (an import hook)", "signal": "signal (a handler)",
    "setitimer": "signal.setitimer (a handler)", "alarm": "signal.alarm (a handler)",
    "atexit": "atexit (a hook)",
    # Every class, or a library's attributes, reached by introspection (map among object's
    # subclasses, np.vectorize among numpy's members, by a name built at run time).
    "__subclasses__": "__subclasses__ (every class)", "__bases__": "__bases__", "__base__": "__base__",
    "__mro__": "__mro__", "mro": "mro()", "getmembers": "inspect.getmembers", "getmembers_static": "inspect.getmembers",
    "getattr_static": "inspect.getattr_static", "resolve_name": "pkgutil.resolve_name", "pkgutil": "pkgutil",
    "get_field": "string.Formatter.get_field (attributes named in a string)",
    # Where a package's modules are found, or a module is loaded from: a module written at run time.
    "__path__": "a package's __path__", "__spec__": "a module's __spec__", "__loader__": "a module's __loader__",
    "addsitedir": "site.addsitedir", "zipimport": "zipimport",
    # Code in a pickle (made of numbers at run time, it names nothing).
    "allow_pickle": "allow_pickle (unpickling runs code)", "joblib": "joblib (pickle)", "shelve": "shelve (pickle)",
    "read_pickle": "read_pickle", "Unpickler": "pickle", "ForkingPickler": "pickle",
    # Code run in another process, or by a library from a string.
    "subprocess": "subprocess (another process)", "system": "os.system (another process)",
    "popen": "os.popen (another process)", "Popen": "subprocess.Popen (another process)",
    "multiprocessing": "multiprocessing (other processes)", "spawn": "a process spawned", "spawnv": "os.spawnv",
    "spawnl": "os.spawnl", "posix_spawn": "os.posix_spawn", "execv": "os.execv", "execve": "os.execve",
    "execl": "os.execl", "execvp": "os.execvp", "cProfile": "cProfile (code in a string)",
    "runctx": "runctx (code in a string)", "doctest": "doctest (code in a string)", "codeop": "codeop",
    "compile_command": "compile_command", "pdb": "pdb (code in a string)", "bdb": "bdb",
}
#: Builtins and library functions the check reads only where they are called by this name: as a
#: value (``fetch = getattr``, ``it = iter``, handed to a call) they would be called unread. The
#: first can rebind or fetch anything, wherever it runs (at load time too); the others loop only
#: where the function reaches them.
READ_WHEN_CALLED = {"getattr", "setattr", "delattr"}
READ_WHEN_CALLED_IN_REACH = {"iter", "attrgetter", "methodcaller", "type"}
#: Imports known to be harmless, with why: a module (any name from it) or "module.name". The
#: check reads other imports as library code, and refuses those with a part of their name in
#: DYNAMIC; these it accepts before DYNAMIC is consulted, so that each is a decision.
HARMLESS_IMPORTS = {
    "__future__": "compiler switches (print_function, division...): nothing is bound but the switch",
    "typing": "annotations", "math": "functions of numbers",
    "collections": "containers (a function handed to one is read where it is handed)",
    "functools.partial": "a function with some arguments bound, read as the call that makes it",
}
#: Modules that hand out builtins, with why they are imported. From them a builtin may be
#: imported when the check gives it no meaning of its own (see _refused_import): range, zip,
#: object, str... but not exec, eval, execfile, reload, getattr under another name. The module
#: itself is refused (``import builtins``: ``builtins.range = f`` or ``setattr(builtins, ...)``
#: would rebind a name in every cell).
BUILTIN_MODULES = {
    "builtins": "CS231n's starter code begins with from builtins import range (python-future's "
                "idiom for code that runs on Python 2 and 3): on Python 3, the builtins themselves",
    "future.builtins": "python-future's backports: on Python 3, the builtins themselves",
    "past.builtins": "python-future's Python 2 builtins (xrange, unicode, basestring, reduce...)",
    "six.moves": "six's renamed builtins (range, xrange, zip...); its other names are library modules",
    "six.moves.builtins": "six's name for builtins",
}
#: Python 2's builtins that python-future and six give as plain functions and types.
PY2_BUILTINS = {"xrange", "unicode", "basestring", "long", "unichr", "cmp", "raw_input", "intern"}
#: Builtins the check reads by their name: from BUILTIN_MODULES, only under that name.
NAMED_BUILTINS = {"getattr", "setattr", "delattr", "hasattr", "iter", "type", "object"}
#: Builtins that never call what they are handed (``super(Cls, self)``, ``isinstance(self, Cls)``).
CALL_NOTHING_HANDED = {"super", "isinstance", "issubclass", "id"}
#: Object dtypes make numpy call Python once per element.
OBJECT_DTYPES = {"object", "O", "object_"}

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_SCOPES = (*_DEFS, ast.Lambda)
_UNREADABLE = (SyntaxError, ValueError, SystemError, RecursionError, MemoryError)


@dataclasses.dataclass(eq=False)
class Binding:
    """A name bound to ``node`` (a def, a class, an expression, or ("import", "module.name"))
    at ``position`` (cell, top-level statement) in load order; ``plain``: by a statement of a
    cell's top level itself, so a later plain binding certainly replaces it."""

    node: object
    position: tuple
    plain: bool
    anytime: bool = False  # may be made at any moment (a ``global`` set in a function, a local def)


class Program:
    """The graded cells read as one module, in load order."""

    def __init__(self, cells: list[tuple[str, ast.Module]]):
        self.cells = cells
        self.defs: dict[str, list[Binding]] = defaultdict(list)
        self.members: dict[str, list] = defaultdict(list)  # attribute name -> what ``x.name`` may be
        self.where: dict[int, str] = {}  # id(node) -> its cell's label
        self.position: dict[int, tuple] = {}  # id(node) -> (cell, top-level statement)
        self.scope: dict[int, object] = {}  # id(node) -> the innermost function or lambda around it
        self.locals: dict[int, set] = {}  # id(function or lambda) -> its local names
        self.parent: dict[int, object] = {}  # id(node) -> the node it is a child of
        for _, tree in cells:
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    self.parent[id(child)] = node
        for index, (label, tree) in enumerate(cells):
            for statement_index, statement in enumerate(tree.body):
                self._index(statement, label, (index, statement_index), None)
            for statement_index, statement in enumerate(tree.body):
                self._bind_top(statement, (index, statement_index), plain=True)
            for each in ast.walk(tree):
                self._bind_anywhere(each)
        self._bind_stores([node for _, tree in cells for node in ast.walk(tree)])

    # -- indexing -----------------------------------------------------------------------------
    def _index(self, node, label: str, position: tuple, function) -> None:
        self.where[id(node)] = label
        self.position[id(node)] = position
        self.scope[id(node)] = function
        inner = function
        if isinstance(node, _FUNCTIONS):
            self.locals[id(node)] = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
            inner = node
        outside = ([*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None),
                    *getattr(node, "decorator_list", [])] if isinstance(node, _FUNCTIONS) else [])
        for child in ast.iter_child_nodes(node):
            if any(child is o for o in outside):
                self._index(child, label, position, function)  # evaluated where the def is
                continue
            self._index(child, label, position, inner)
            if inner is not None:
                if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
                    self.locals[id(inner)].add(child.id)
                elif isinstance(child, _DEFS):
                    self.locals[id(inner)].add(child.name)
                elif isinstance(child, ast.alias):
                    self.locals[id(inner)].add((child.asname or child.name).split(".")[0])

    def is_local(self, name: ast.Name) -> bool:
        """Assigned (or a parameter) in the function it is read in."""
        function = self.scope.get(id(name))
        return function is not None and name.id in self.locals.get(id(function), ())

    def load_time(self, node) -> bool:
        return self.scope.get(id(node)) is None

    # -- bindings -----------------------------------------------------------------------------
    def _bind(self, name: str, node, position: tuple, plain: bool = False, anytime: bool = False) -> None:
        self.defs[name].append(Binding(node, position, plain, anytime))

    def _member(self, name: str, node) -> None:
        self.members[name].append(node)

    def _bind_top(self, statement, position: tuple, plain: bool) -> None:
        """Bindings of a top-level statement (``plain``) and of the blocks nested in it (not)."""
        if isinstance(statement, _DEFS):
            self._bind(statement.name, statement, position, plain)
            return
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            return  # bound by _bind_anywhere, with their position
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                self._bind_target(target, statement.value, position, plain)
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and statement.value is not None:
            self._bind_target(statement.target, statement.value, position, plain and isinstance(statement, ast.AnnAssign))
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            self._bind_target(statement.target, statement.iter, position, False)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                if item.optional_vars is not None:
                    self._bind_target(item.optional_vars, item.context_expr, position, False)
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            raised = [n.exc for n in ast.walk(statement) if isinstance(n, ast.Raise) and n.exc is not None]
            for handler in statement.handlers:
                if handler.name:
                    for value in raised or [handler]:
                        self._bind(handler.name, value, position)
        elif type(statement).__name__ == "Match":
            for case in statement.cases:
                for node in ast.walk(case.pattern):
                    name = getattr(node, "name", None) or getattr(node, "rest", None)
                    if isinstance(name, str):
                        self._bind(name, statement.subject, position)
        for node in ast.walk(statement):
            if isinstance(node, ast.NamedExpr):
                self._bind_target(node.target, node.value, position, False)
        for child in ast.iter_child_nodes(statement):
            if isinstance(child, (ast.stmt, ast.excepthandler)) or type(child).__name__ == "match_case":
                for inner in getattr(child, "body", [child]) if not isinstance(child, ast.stmt) else [child]:
                    self._bind_top(inner, position, plain=False)

    def _bind_target(self, target, value, position: tuple, plain: bool) -> None:
        """``name = value``, ``table[k] = value`` (binds ``table``), ``obj.name = value`` (a
        member), unpacking (each name gets the whole value, not plainly)."""
        if isinstance(target, ast.Name):
            self._bind(target.id, value, position, plain)
        elif isinstance(target, ast.Attribute):
            self._member(target.attr, value)
        elif isinstance(target, (ast.Subscript, ast.Starred)):
            self._bind_target(target.value, value, position, False)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element, value, position, False)

    def _bind_anywhere(self, node) -> None:
        """Bindings that count wherever they are: imports (even inside a function), class
        members, attribute assignments, setattr with a literal name, names set through
        ``global``, nested defs and lambdas assigned to a name."""
        position = self.position.get(id(node), (0, 0))
        if type(node) in (ast.Import, ast.ImportFrom):
            module = getattr(node, "module", None) or ""
            for alias in node.names:
                full = f"{module}.{alias.name}" if module else alias.name
                self._bind((alias.asname or alias.name).split(".")[0], ("import", full), position,
                           plain=self.scope.get(id(node)) is None and any(node is s for _, t in self.cells for s in t.body))
        elif isinstance(node, ast.ClassDef):
            for statement in ast.walk(node):
                if isinstance(statement, _DEFS) and statement is not node:
                    self._member(statement.name, statement)
                elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                    for target in getattr(statement, "targets", [getattr(statement, "target", None)]):
                        for name in ast.walk(target):
                            if isinstance(name, ast.Name):
                                self._member(name.id, statement.value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            for target in getattr(node, "targets", [getattr(node, "target", None)]):
                if isinstance(target, ast.Attribute):
                    self._member(target.attr, node.value)
        elif isinstance(node, ast.Call) and _called_name(node) == "setattr" and len(node.args) == 3 and _literal(node.args[1]):
            self._member(_literal(node.args[1]), node.args[2])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if self.scope.get(id(node)) is not None:  # nested: reached by its name anywhere
                self._bind(node.name, node, position, anytime=True)
            declared = {n for inner in ast.walk(node) if isinstance(inner, ast.Global) for n in inner.names}
            for inner in ast.walk(node):
                targets = (inner.targets if isinstance(inner, ast.Assign) else
                           [inner.target] if isinstance(inner, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) else [])
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in declared and getattr(inner, "value", None) is not None:
                        self._bind(target.id, inner.value, position, anytime=True)
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and isinstance(node.value, ast.Lambda) \
                and self.scope.get(id(node)) is not None:
            for target in getattr(node, "targets", [getattr(node, "target", None)]):
                if isinstance(target, ast.Name):
                    self._bind(target.id, node.value, position, anytime=True)

    def _bind_stores(self, nodes: list) -> None:
        """Values stored into a container or an object, bound to it as ``table[k] = value`` binds
        ``table`` (not plainly; at any time when stored by a function): by a call on it
        (``d.update(f=g)``, ``lst.append(g)``, ``box.register(g)``), by a call given it first
        (``heapq.heappush(h, g)``, ``dict.update(d, f=g)``, ``operator.setitem(d, k, g)``), by
        an item assignment in a function (``d["f"] = g``), and through the container's aliases
        (``alias = d``). Erring towards a loop: every value a call is given may be stored."""
        stores = []
        for node in nodes:
            if isinstance(node, ast.Call):
                values = [a.value if isinstance(a, ast.Starred) else a for a in node.args] + [k.value for k in node.keywords]
                into = self._into(node.func.value) if isinstance(node.func, ast.Attribute) else None
                if into is None and values:
                    into, values = self._into(values[0]), values[1:]
                stores += [(into, value, node) for value in values if into and not isinstance(value, ast.Constant)]
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None \
                    and self.scope.get(id(node)) is not None:
                for target in getattr(node, "targets", [getattr(node, "target", None)]):
                    if isinstance(target, ast.Subscript) and self._into(target):
                        stores.append((self._into(target), node.value, node))
        stores = [(kind, self._aliases(word) if kind == "name" else {word}, value, node)
                  for (kind, word), value, node in stores]  # before any of them is bound
        for kind, words, value, node in stores:
            for word in words:
                if kind == "member":
                    self._member(word, value)
                else:
                    self._bind(word, value, self.position.get(id(node), (0, 0)), anytime=self.scope.get(id(node)) is not None)

    def _into(self, expression):
        """Where a value stored into ``expression`` can be read back: ("member", attribute) for
        an attribute of an object of the student's (``self.fs``, ``box.fs``, ``Box.fs``),
        ("name", name) for a container of the student's outside any function; None for a
        module, a builtin, a function or a local variable (read where it is used)."""
        while isinstance(expression, ast.Subscript):
            expression = expression.value
        root = expression
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if not isinstance(root, ast.Name):
            return None
        if isinstance(expression, ast.Attribute):
            mine = self.is_local(root) or any(not isinstance(b.node, tuple) for b in self.defs.get(root.id, []))
            return ("member", expression.attr) if mine else None
        return ("name", root.id) if not self.is_local(root) and self._container(root.id) else None

    def _container(self, name: str) -> bool:
        """Bound by the student's code to values, never to a function, a class or a module."""
        bound = [b.node for b in self.defs.get(name, [])]
        return bool(bound) and all(isinstance(b, ast.expr) and not isinstance(b, ast.Lambda) for b in bound)

    def _aliases(self, name: str) -> set:
        """The container ``name`` and the containers it may be another name for (``alias = d``: d)."""
        found, pending = {name}, [name]
        while pending:
            for binding in self.defs.get(pending.pop(), []):
                if isinstance(binding.node, ast.Name) and binding.node.id not in found and self._container(binding.node.id):
                    found.add(binding.node.id)
                    pending.append(binding.node.id)
        return found

    def resolve(self, word: str, at=None) -> list:
        """What the name ``word`` may be bound to when read at node ``at`` (None: in a function,
        after every cell has run)."""
        bindings = self.defs.get(word, [])
        if at is not None and self.load_time(at):
            here = self.position.get(id(at), (0, 0))
            bindings = [b for b in bindings if b.position <= here or b.anytime]  # <=: a block binds for itself
        plain = [b for b in bindings if b.plain]
        if plain:
            last = max(plain, key=lambda b: b.position)
            bindings = [b for b in bindings if b is last or b.anytime or not b.plain and not b.position < last.position]
        return [b.node for b in bindings]


def find_loops(cells: dict, name: str, setup: tuple = ()) -> list[str]:
    """Descriptions of the loops that the function ``name`` can run, e.g. ["a for loop (line 12
    of svm_loss_vectorized)"], given ``cells`` ({part name: cell source}, the student's graded
    cells in the order the grader runs them, the function's own among them) and ``setup`` (the
    import cells it runs first). A cell that cannot be read, the function's own or another
    (which could redefine it), gives one entry that names it."""
    trees, bound = [], set()
    for label, text in [*((f"import cell {i + 1}", s) for i, s in enumerate(setup)), *cells.items()]:
        try:
            tree = read_cell(text, bound)
        except _UNREADABLE as exc:
            why = (f"a syntax error at line {exc.lineno}" if isinstance(exc, SyntaxError) else
                   str(exc) if isinstance(exc, ValueError) else type(exc).__name__)
            if label == name:
                return [f"a syntax error (line {exc.lineno} of {label})" if isinstance(exc, SyntaxError)
                        else f"code the check cannot read ({why}, in {label})"]
            return [f"{why} in {label}, a cell the check cannot read and which could redefine {name} (fix that cell first)"]
        bound |= bound_names(tree)
        trees.append((label, tree))
    try:
        program = Program(trees)
        bindings = program.resolve(name)
        imported = [node[1] for node in bindings if isinstance(node, tuple)]
        if imported:
            return [f"an import ({imported[0]}) the check cannot read"]
        # The function, and every other value the name may have when the grader calls it.
        starts = [node for node in bindings if not isinstance(node, ast.Constant)]
        if not starts:
            return [f"no function named {name}"]
        return _Reader(program, own=name).read(starts)
    except RecursionError:
        return ["code nested too deeply for the check to read"]


def loops_message(cells: dict, name: str, setup: tuple = ()) -> str:
    """What the grader and the students' self-check both say about ``name`` (see find_loops):
    "" when it loops nowhere, else one sentence naming the loops."""
    loops = find_loops(cells, name, setup)
    if not loops:
        return ""
    return f"{name} must be vectorized, but it contains {', '.join(loops)}: use array operations instead."


class _Reader:
    """Walks everything reachable from a function, collecting what loops."""

    def __init__(self, program: Program, own: str = ""):
        self.program, self.own = program, own  # own: the label of the function's cell, not repeated
        self.found: list[str] = []
        self.edges: dict[int, set] = defaultdict(set)  # id(scope node) -> ids of the nodes it refers to
        self.nodes: dict[int, object] = {}

    def read(self, starts: list) -> list[str]:
        self._load_time()
        pending, seen = list(starts), {id(node) for node in starts}
        while pending:
            node = pending.pop()
            self.nodes[id(node)] = node
            for target in self._scan(node):
                self.edges[id(node)].add(id(target))
                if id(target) not in seen:
                    seen.add(id(target))
                    pending.append(target)
        self._recursion(starts)
        return list(dict.fromkeys(self.found))

    def _report(self, what: str, node) -> None:
        label = self.program.where.get(id(node), "")
        self.found.append(f"{what} (line {getattr(node, 'lineno', '?')}" + (f" of {label})" if label != self.own else ")"))

    # -- what runs when the cells load ------------------------------------------------------------
    def _load_time(self) -> None:
        """Code the check cannot follow, in what runs at load time and in what that reaches."""
        roots = []
        for _, tree in self.program.cells:
            for statement in tree.body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    roots += [*statement.decorator_list, *statement.args.defaults,
                              *(d for d in statement.args.kw_defaults if d is not None)]
                elif isinstance(statement, ast.ClassDef):
                    roots += [*statement.decorator_list, *statement.bases, *statement.keywords]
                    roots += [s for s in statement.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
                else:
                    roots.append(statement)
        for binding in self.program.defs.get("get_ipython", []):  # every magic calls it
            if not isinstance(binding.node, tuple):
                self._report("get_ipython redefined, which makes the notebook's magics run code the check "
                             "cannot follow", binding.node)
        pending, seen = list(roots), {id(r) for r in roots}
        while pending:
            node = pending.pop()
            for child in ast.walk(node):
                self._dynamic(child)
                word = (child.id if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) else None)
                for target in self.program.resolve(word, child) if word else []:
                    if not isinstance(target, tuple) and id(target) not in seen:
                        seen.add(id(target))
                        pending.append(target)

    def _dynamic(self, node) -> None:
        if type(node) in (ast.Import, ast.ImportFrom):
            for alias in node.names:
                refused = _refused_import(node.module if type(node) is ast.ImportFrom and not node.level else "",
                                          alias.name, alias.asname)
                if refused:
                    self._report(f"{refused}, which the check cannot follow", node)
            return
        if isinstance(node, ast.keyword) and node.arg in DYNAMIC and not (
                isinstance(node.value, ast.Constant) and node.value.value in (False, None)):
            self._report(f"{DYNAMIC[node.arg]}, which the check cannot follow", node.value)
            return
        named = (node.id if isinstance(node, ast.Name) and not self.program.resolve(node.id, node)
                 and not self.program.is_local(node) else None)
        if named in READ_WHEN_CALLED and isinstance(getattr(node, "ctx", None), ast.Load) and not self._called(node):
            self._report(f"{named} used as a value (under another name, or handed on), which the check cannot follow", node)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == OPAQUE:
            self._report(f"the IPython magic {_literal(node.args[0])}, which runs code the check cannot read", node)
            return
        word = (node.id if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and not self.program.is_local(node)
                and not self.program.resolve(node.id, node)  # a student's own variable named `vars` is no builtin
                else node.attr if isinstance(node, ast.Attribute) else None)
        if word in DYNAMIC:
            self._report(f"{DYNAMIC[word]}, which the check cannot follow", node)
        elif word == "path" and isinstance(node.value, ast.Name) and ("import", "sys") in self.program.resolve(node.value.id, node):
            # Where imports are found: a folder added to it can hold a module written at run time
            # under the name of a library (that library's code is what the check would read).
            self._report("sys.path, which the check cannot follow", node)
        elif isinstance(node, ast.Call) and _called_name(node) in ("getattr", "setattr", "delattr", "hasattr"):
            if len(node.args) >= 2 and _literal(node.args[1]) is None:
                self._report(f"{_called_name(node)}() with a name computed at run time", node)
        elif isinstance(node, ast.Call) and _called_name(node) in ("attrgetter", "methodcaller"):
            if not node.args or any(_literal(a) is None for a in _attribute_names(node)):
                self._report(f"operator.{_called_name(node)}() with a name computed at run time", node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            # A name in a string ("builtins.exec", b"cbuiltins\nexec" for pickle), not prose: a
            # docstring that says "we compile the scores." is no call to compile().
            text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
            if isinstance(node.value, bytes) or not any(c.isspace() for c in text):
                hidden = sorted(set(text.replace("\n", ".").split(".")) & set(DYNAMIC))
                if hidden:
                    self._report(f"a reference to {DYNAMIC[hidden[0]]} in a string", node)

    # -- what runs when the function is called ----------------------------------------------------
    def _scan(self, scope):
        """Report what loops in ``scope`` (a def, class, lambda or expression); yield the
        nodes it refers to."""
        if isinstance(scope, ast.ClassDef):
            for statement in scope.body:
                names = ([statement.name] if isinstance(statement, _DEFS) else
                         [n.id for t in getattr(statement, "targets", [getattr(statement, "target", None)]) if t is not None
                          for n in ast.walk(t) if isinstance(n, ast.Name)])
                for name in names:
                    if name.startswith("__") and name.endswith("__") and name not in ("__init__", "__doc__", "__slots__"):
                        self._report(f"a class {scope.name} with the special method {name}, "
                                     "which Python and numpy can call once per element", statement)
            for base in scope.bases:
                if not self._own_or_builtin_class(base):
                    self._report(f"a class {scope.name} derived from library code ({ast.unparse(base)}), which can call "
                                 "its methods once per element (html.parser calls handle_starttag per tag)", base)
        for node in ast.walk(scope):
            kind = LOOP_NODES.get(type(node))
            if kind:
                self._report(kind, node)
            self._dynamic(node)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and not self.program.is_local(node):
                yield from self._follow(self.program.resolve(node.id, node), node)
                if node.id in LOOPING and not self.program.defs.get(node.id):
                    self._report(LOOPING[node.id], node)
                if node.id == "object":
                    self._report("an object array, on which numpy runs Python per element", node)
            elif isinstance(node, ast.Attribute):
                yield from self.program.members.get(node.attr, [])
                if node.attr in LOOPING:
                    self._report(LOOPING[node.attr], node)
                if node.attr in LOOPING_IN_MODULES and not self._numpy(node.value):
                    self._report(LOOPING_IN_MODULES[node.attr][1], node)
                if node.attr in ("sub", "subn") and getattr(node.value, "id", None) == "re":
                    self._report(f"re.{node.attr} with a function, called once per match", node)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts = node.value.split(".") if not any(c.isspace() for c in node.value) else [""]
                if parts[-1] in LOOPING:
                    self._report(f"{LOOPING[parts[-1]]} (named in a string)", node)
                if node.value in OBJECT_DTYPES:
                    self._report("an object array, on which numpy runs Python per element", node)
            elif type(node) is ast.Call:
                yield from self._call(node)
            elif isinstance(node, ast.keyword) and node.arg == "dtype" and getattr(node.value, "attr", None) == "object_":
                self._report("an object array, on which numpy runs Python per element", node.value)
            if node is not scope and self._handed_on(node) and (isinstance(node, ast.Lambda) or self._is_function(node)):
                self._report("a function or object of the student's kept or passed as a value (in a container, returned, "
                             "starred...), which code the check cannot read may call once per element", node)
            named = (node.id if isinstance(node, ast.Name) and not self.program.resolve(node.id, node)
                     and not self.program.is_local(node) else node.attr if isinstance(node, ast.Attribute)
                     and node.attr in ("attrgetter", "methodcaller") else None)
            if named in READ_WHEN_CALLED_IN_REACH and isinstance(node.ctx, ast.Load) and not self._called(node) \
                    and not (named == "type" and self._compared(node)):
                self._report(f"{named} used as a value (under another name, or handed on), which the check cannot "
                             "follow", node)

    def _follow(self, targets: list, node):
        for target in targets:
            if isinstance(target, tuple):
                *module, last = target[1].split(".")
                if last in LOOPING:
                    self._report(LOOPING[last], node)
                if last in LOOPING_IN_MODULES and set(LOOPING_IN_MODULES[last][0]) & set(module):
                    self._report(LOOPING_IN_MODULES[last][1], node)
            else:
                yield target

    def _call(self, node: ast.Call):
        called = _called_name(node)
        if called == "iter" and len(node.args) == 2:
            self._report("iter(callable, sentinel), which calls a function in a loop", node)
        if called == "type" and len(node.args) == 3:
            self._report("type() with three arguments, which makes a class the check cannot read", node)
        if isinstance(node.func, ast.Call) and _called_name(node.func) == "type" or called == "__class__" \
                or isinstance(node.func, ast.Attribute) and node.func.attr == "__class__":
            self._report("a class called through type(...) or __class__, which the check cannot follow", node)
        for keyword in node.keywords:
            if keyword.arg == "key" and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None):
                self._report(f"{called or 'a call'}() with a key function, called once per element", node)
        named = ([node.args[1]] if called in ("getattr", "hasattr") and len(node.args) >= 2 else
                 _attribute_names(node) if called in ("attrgetter", "methodcaller") else [])
        for attribute in filter(None, map(_literal, named)):  # getattr(x, "go"), attrgetter("a.go"): x.go
            for word in attribute.split("."):
                yield from self.program.members.get(word, [])
                if word in LOOPING:
                    self._report(LOOPING[word], node)
        if called in LOOPING:
            return  # reported as such
        if called in CALL_NOTHING_HANDED:
            return
        for argument in [*node.args, *(k.value for k in node.keywords if k.arg != "key")]:
            if isinstance(argument, ast.Starred):
                argument = argument.value
            if isinstance(argument, ast.Lambda) or self._is_function(argument):
                self._report(f"a function (or an object of the student's) handed to {called or 'a call'}() as a value, "
                             "which it can call once per element", node)
                break

    def _called(self, node) -> bool:
        parent = self.program.parent.get(id(node))
        return isinstance(parent, ast.Call) and parent.func is node

    def _compared(self, node) -> bool:
        """In a comparison or an isinstance/issubclass test (``type(x) is type``)."""
        parent = self.program.parent.get(id(node))
        if isinstance(parent, ast.Tuple):
            parent = self.program.parent.get(id(parent))
        return isinstance(parent, ast.Compare) or isinstance(parent, ast.Call) and _called_name(parent) in (
            "isinstance", "issubclass")

    def _handed_on(self, node) -> bool:
        """``node`` (a name, attribute or lambda) is a value that goes somewhere a library could call
        it: not called, not a call's own argument (``_call`` reads those), not an attribute's
        object, a decorator, a base class, a comparison, an alias (``g = f``: followed by name)."""
        if not isinstance(node, (ast.Name, ast.Attribute, ast.Lambda, ast.Call)) \
                or not isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
            return False
        parent = self.program.parent.get(id(node))
        if isinstance(parent, ast.Call):
            return False  # called, or an argument: see _call
        if isinstance(parent, ast.keyword) or isinstance(parent, ast.Starred) and \
                isinstance(self.program.parent.get(id(parent)), ast.Call):
            return False
        if isinstance(parent, ast.Attribute) and parent.value is node or isinstance(parent, (ast.Compare, ast.Expr)):
            return False
        if isinstance(parent, ast.Return):
            return False  # (a function that returns a function is one when called: see _is_function)
        if isinstance(parent, _DEFS) and any(node is d for d in parent.decorator_list):
            return False
        if isinstance(parent, ast.ClassDef) and any(node is b for b in parent.bases):
            return False
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and parent.value is node \
                and not isinstance(self.program.parent.get(id(parent)), ast.ClassDef):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return not all(isinstance(t, ast.Name) for t in targets)
        return True

    def _returns_function(self, function, depth: int) -> bool:
        """``function`` (a def or lambda of the student's) may return a function or an object of theirs."""
        if isinstance(function, ast.Lambda):
            return self._is_function(function.body, depth)
        returns = [n.value for n in ast.walk(function) if isinstance(n, ast.Return) and n.value is not None
                   and self.program.scope.get(id(n)) is function]
        return any(self._is_function(value, depth) for value in returns)

    def _is_function(self, expression, depth: int = 0) -> bool:
        """A function or class of the student's, or an object of a student's class (whose methods
        a library may call by name): by name (following a local's assignments in its function,
        a global's aliases), as an attribute, or a call that makes an object of a student class."""
        if depth > 5:
            return False
        if isinstance(expression, ast.Lambda):
            return True
        if isinstance(expression, ast.Attribute):
            return any(isinstance(b, _SCOPES) for b in self.program.members.get(expression.attr, []))
        if isinstance(expression, ast.Call):  # an object of a student class, or what a function returns
            func = expression.func
            if isinstance(func, ast.Name) and self.program.is_local(func):
                made = [n for n in ast.walk(self.program.scope[id(func)]) if isinstance(n, _DEFS) and n.name == func.id]
            elif isinstance(func, ast.Name):
                made = self.program.resolve(func.id, func)
            elif isinstance(func, ast.Attribute):
                made = self.program.members.get(func.attr, [])
            else:
                made = []
            return any(isinstance(b, ast.ClassDef) or isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                       and self._returns_function(b, depth + 1) for b in made)
        if not isinstance(expression, ast.Name):
            return False
        if self.program.is_local(expression):
            function = self.program.scope[id(expression)]
            if self._own_object_parameter(function, expression.id):
                return True
            values = [n.value for n in ast.walk(function) if isinstance(n, (ast.Assign, ast.NamedExpr, ast.AnnAssign))
                      and n.value is not None and any(isinstance(t, ast.Name) and t.id == expression.id
                                                      for t in ast.walk(ast.Tuple(elts=list(getattr(n, "targets", [getattr(n, "target", None)])))))]
            nested = [n for n in ast.walk(function) if isinstance(n, _DEFS) and n.name == expression.id]
            return bool(nested) or any(self._is_function(v, depth + 1) for v in values)
        return any(isinstance(b, _SCOPES) or isinstance(b, (ast.Name, ast.Attribute, ast.Call, ast.Lambda))
                   and self._is_function(b, depth + 1) for b in self.program.resolve(expression.id, expression))

    def _own_or_builtin_class(self, base) -> bool:
        """A base class that calls no method of its subclasses by name: the student's own (read
        as such), or a builtin type (which calls special methods only: reported by name)."""
        if not isinstance(base, ast.Name):
            return False
        bindings = self.program.resolve(base.id, base)
        if bindings:
            return all(isinstance(b, ast.ClassDef) for b in bindings)
        return isinstance(getattr(builtins, base.id, None), type)

    def _own_object_parameter(self, function, name: str) -> bool:
        """``name`` is the first parameter of a method of a student's class (``self``, or ``cls``
        of a classmethod): an object of that class, or the class, whose methods a library it is
        handed to may call by name (``csv.writer(self)`` calls ``self.write`` once per row)."""
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                or not isinstance(self.program.parent.get(id(function)), ast.ClassDef):
            return False
        if any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list):
            return False
        parameters = [*function.args.posonlyargs, *function.args.args]
        return bool(parameters) and parameters[0].arg == name

    def _numpy(self, expression) -> bool:
        """``np.add`` and the like: an attribute chain (np.add.reduce), or a name imported from numpy."""
        if isinstance(expression, ast.Attribute):
            return True
        return isinstance(expression, ast.Name) and any(
            isinstance(b, tuple) and b[1].split(".")[0] == "numpy" for b in self.program.resolve(expression.id, expression)) \
            or getattr(expression, "id", None) == "np"

    def _recursion(self, starts: list) -> None:
        """A cycle among the reached scopes: a function that can call itself through any path."""
        state: dict[int, int] = {}  # 1: on the current path, 2: finished

        def visit(key: int) -> None:
            state[key] = 1
            for target in self.edges.get(key, ()):
                if state.get(target) == 1 and isinstance(self.nodes.get(target), _SCOPES):
                    self._report("recursion", self._call_site(key, target))
                elif target not in state:
                    visit(target)
            state[key] = 2

        for start in starts:
            if id(start) not in state:
                visit(id(start))

    def _call_site(self, key: int, target: int):
        """The reference in scope ``key`` that leads back to ``target`` (for its line number)."""
        node, goal = self.nodes[key], self.nodes[target]
        names = {getattr(goal, "name", None)} | {w for w, bound in self.program.defs.items()
                                                  if any(b.node is goal for b in bound)}
        for child in ast.walk(node):
            if (getattr(child, "id", None) or getattr(child, "attr", None)) in names:
                return child
        return node


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _refused_import(module: str, name: str, asname: str | None) -> str | None:
    """What an import (``from module import name as asname``; module "" for ``import name``)
    lets run behind the check's back, in words, or None when it is harmless or library code."""
    full = f"{module}.{name}" if module else name
    if module == "sys" and name in ("path", "modules", "meta_path", "path_hooks", "path_importer_cache"):
        return f"sys.{name}"
    if module in BUILTIN_MODULES:
        if name == "*":
            return None if module in ("builtins", "future.builtins", "six.moves.builtins") else full
        if name in DYNAMIC or name.startswith("_"):
            return DYNAMIC.get(name, full)
        if name in NAMED_BUILTINS and asname not in (None, name):
            return f"{full} under another name"
        if hasattr(builtins, name) or name in PY2_BUILTINS or name in LOOPING or name in LOOPING_IN_MODULES:
            return None  # the builtin itself; map, filter and reduce are reported where they are used
        if module != "six.moves":
            return full
    if any(full == known or full.startswith(known + ".") or module == known for known in HARMLESS_IMPORTS):
        return None
    word = next((part for part in full.split(".") if part in DYNAMIC), None)
    if word:
        return DYNAMIC[word]
    top = full.lstrip(".").split(".")[0]
    if full.startswith(".") or not _installed(top):
        # Not a library of the kernel's Python: a module written at run time (the working folder is
        # on the kernel's sys.path), whose code the check never sees.
        return f"the module {top}, which is not installed (written at run time?)"
    return None


@functools.cache
def _installed(module: str) -> bool:
    """A top-level module the grader's (and so the kernel's) Python can import without running anything."""
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _attribute_names(call: ast.Call) -> list:
    """The arguments naming attributes: every one of operator.attrgetter's, methodcaller's first."""
    return call.args if _called_name(call) == "attrgetter" else call.args[:1]
