"""A notebook cell read as the IPython kernel runs it, for the static loop check (loops.py).

The kernel does not run a cell's text as it is: IPython first turns its magics into Python
(``%xmode Plain`` into ``get_ipython().run_line_magic('xmode', 'Plain')``; likewise ``%%time``
cells, ``!ls``, ``x = !ls``, ``f?``), and, in a one-line cell, a magic's name written without
its % ("automagic": ``run -m helpers``). A cell is transformed here by IPython's own
TransformerManager, with automagic as the kernel applies it, then parsed, and every magic call
(one IPython wrote or the student did, ``get_ipython().run_line_magic(...)`` with plain strings)
is replaced by what it does, as far as the loop check is concerned:

- a harmless magic (HARMLESS: display settings, autoreload) by nothing;
- a magic that runs Python code written in the cell (CODE: ``%time``, ``%timeit``, ``%prun``,
  ``%%capture``, ``f?``...) by that code, itself read the same way, where the kernel runs it: in
  the notebook's namespace; or, for ``%timeit``, in a function of its own, so its assignments
  are read as bindings that may not happen (under an ``if``);
- any other magic (``%run``, ``%load``, ``%pip``, ``%%bash``, ``%%script``, ``%%writefile``,
  ``!cmd``...) by a call to OPAQUE, which the loop check reports as code it cannot read.

A cell that cannot be read raises what ``ast.parse`` raises (SyntaxError, or ValueError for a
magic whose options IPython would refuse).
"""

from __future__ import annotations

import ast
import builtins
import functools
import keyword
import re
import threading

#: In a cell read here, a call to this name stands for a magic that runs code the check cannot
#: read; its one argument is the magic as written ("%run helpers.py", "!ls"). No Python name
#: can be spelled so, so no student code can bind it.
OPAQUE = "%magic"

#: Line magics that bind no name and run no code of the student's: read as nothing. Each with
#: the pattern its argument must match (anything else: OPAQUE) and why it is harmless.
HARMLESS = {
    "matplotlib": (r"(-l|--list|[A-Za-z]\w*)?", "picks the plotting backend (CS231n's notebooks begin with "
                   "%matplotlib inline); only a backend's plain name: 'module://x' would import module x"),
    "xmode": (r"\w*", "how tracebacks are shown"),
    "precision": (r"[%.\w]*", "how floats are printed"),
    "pprint": (r"", "switches pretty-printing"),
    "colors": (r"\w*", "the colour scheme of tracebacks"),
    "autoreload": (r"[\w -]*", "reloads changed library modules before each cell (CS231n: %autoreload 2)"),
    "load_ext": (r"autoreload", "only the autoreload extension: another's module runs code of its own"),
    "reload_ext": (r"autoreload", "likewise"),
    "who": (r"[\w ]*", "lists the notebook's names"),
    "whos": (r"[\w ]*", "likewise"),
    "who_ls": (r"[\w ]*", "likewise, as a list"),
    "lsmagic": (r"", "lists the magics"),
    "pwd": (r"", "shows the working folder"),
}
#: Magics that run Python code written in the cell: read as that code. 'here': it runs in the
#: notebook's namespace, as if written in place of the magic; 'inner': in a function of its own.
CODE = {"time": "here", "prun": "here", "capture": "here", "pinfo": "here", "pinfo2": "here",
        "config": "here", "timeit": "inner"}
#: How deep magics may run magics (%%time over %%capture over %time...) before a cell is refused.
DEPTH = 8
#: Most lines with magics read in one cell: IPython transforms a cell once per magic, each time
#: tokenizing all of it (400 magics: seconds; 500: it gives up). More are refused.
MAX_MAGICS = 50
_ESCAPED = re.compile(r"^[ \t]*([%!?]|[\w.]+\?\??[ \t]*$)|=[ \t]*[%!]", re.MULTILINE)  # %x, !x, ?x, x?, y = !x


#: CPython 3.11 keeps the AST constructor's recursion depth per interpreter, not per thread: two
#: threads parsing at once (a grade's checks beside the spare kernel's thread, a test beside the
#: background corpus run) can make either raise a spurious SystemError ("AST constructor
#: recursion depth mismatch", python/cpython#106905). Every parse of the kit's takes this lock.
_PARSING = threading.Lock()


def parse(source: str) -> ast.Module:
    """ast.parse, one thread at a time, retried once on a fresh thread's stack: CPython 3.11 can
    also raise that SystemError when the calling stack is deep."""
    with _PARSING:
        try:
            return ast.parse(source)
        except SystemError:
            import concurrent.futures

            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                return pool.submit(ast.parse, source).result()


def read_cell(source: str, bound=frozenset()) -> ast.Module:
    """The cell ``source`` as the kernel runs it, its magics replaced (see the module's
    docstring). ``bound``: the names bound before the cell runs (a magic's name that is one of
    them is no automagic). The tree is shared by every caller asking for the same: read it, never
    change it (the loop check reads each cell once per part it checks, and import cells repeat)."""
    return _read_once(source, frozenset(bound))


@functools.lru_cache(maxsize=256)
def _read_once(source: str, bound: frozenset) -> ast.Module:
    return _read(source, bound, 0)


def bound_names(tree: ast.Module) -> set:
    """The names certainly bound by running ``tree``: by its top-level statements themselves."""
    names = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in statement.names}
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in getattr(statement, "targets", [getattr(statement, "target", None)]):
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _read(source: str, bound: frozenset, depth: int) -> ast.Module:
    if depth > DEPTH:
        raise ValueError(f"magics nested more than {DEPTH} deep")
    tree = parse(_transform(source, bound))
    return ast.fix_missing_locations(_Magics(bound, depth).visit(tree))


def _transform(source: str, bound: frozenset) -> str:
    """IPython's text transformations of a cell, as InteractiveShell.transform_cell makes them
    with its default settings: the static ones, then, for a one-line cell, automagic."""
    if len(_ESCAPED.findall(source)) > MAX_MAGICS:
        raise ValueError(f"more than {MAX_MAGICS} lines with magics")
    try:
        text = _manager().transform_cell(source)
    except Exception as exc:  # what IPython cannot transform, the kernel cannot run either
        raise ValueError(f"IPython cannot read it ({type(exc).__name__}: {exc})") from None
    lines = text.splitlines()
    if len(lines) == 1 and lines[0].strip():
        from IPython.core.splitinput import LineInfo

        line = LineInfo(lines[0])
        # IPython's prefilter: `name = ...` and `name, ...` stay Python; a magic's name not
        # shadowed by a name of the notebook's (or a builtin or keyword) becomes the magic.
        if not line.esc and line.ifun in _magic_names() and not (
                line.the_rest[:1] in ("=", ",") or line.ifun in bound or hasattr(builtins, line.ifun)
                or keyword.iskeyword(line.ifun)):
            text = f"get_ipython().run_line_magic({line.ifun!r}, {line.the_rest!r})\n"
    return text


def _manager():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()  # one per cell: no state is shared between threads


@functools.cache
def _magic_names() -> frozenset:
    """The line magics of a kernel started with IPython's defaults: IPython's own, its default
    shell aliases (ls, cat...) and ipykernel's."""
    import inspect

    from IPython.core import magics
    from IPython.core.alias import default_aliases

    names = {name for _, cls in inspect.getmembers(magics, inspect.isclass)
             for name in (getattr(cls, "magics", None) or {}).get("line", {})}
    names |= {name for name, _ in default_aliases()}
    return frozenset(names | {"edit", "clear", "less", "more", "man", "connect_info", "qtconsole", "autosave", "subshell"})


def _magic(node):
    """(kind, name, line, body) of a magic call written with plain strings (kind: 'line', 'cell'
    or 'system'), else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords
            and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "get_ipython" and not node.func.value.args and not node.func.value.keywords
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)):
        return None
    args, method = [a.value for a in node.args], node.func.attr
    if method == "run_line_magic" and len(args) == 2:
        return "line", args[0], args[1], None
    if method == "run_cell_magic" and len(args) == 3:
        return "cell", args[0], args[1], args[2]
    if method in ("system", "getoutput") and len(args) == 1:
        return "system", "!", args[0], None
    return None


def _written(magic) -> str:
    kind, name, line, body = magic
    return f"!{line}" if kind == "system" else f"{'%%' if kind == 'cell' else '%'}{name} {line}".rstrip()


class _Magics(ast.NodeTransformer):
    """Replaces each magic call: a statement that is only the call, by the statements it
    stands for; a call within an expression, by the expression it stands for."""

    def __init__(self, bound: frozenset, depth: int):
        self.bound, self.depth = bound, depth

    def visit_Expr(self, node):
        magic = _magic(node.value)
        if magic is None:
            return self.generic_visit(node)
        statements = self._code(magic, node)
        if statements is None:
            return ast.copy_location(ast.Expr(self._opaque(magic, node.value)), node)
        if CODE.get(magic[1]) == "inner" and statements:
            statements = [ast.copy_location(ast.If(test=ast.Constant(True), body=statements, orelse=[]), node)]
        return statements or ast.copy_location(ast.Pass(), node)

    def visit_Call(self, node):
        magic = _magic(node)
        if magic is None:
            return self.generic_visit(node)
        statements = self._code(magic, node)
        if statements == []:
            return ast.copy_location(ast.Constant(None), node)
        if statements and len(statements) == 1 and isinstance(statements[0], ast.Expr):
            return statements[0].value  # x = %time f(X): the value of f(X)
        return self._opaque(magic, node)  # statements where a value is needed: not read

    def _opaque(self, magic, node):
        call = ast.Call(func=ast.Name(id=OPAQUE, ctx=ast.Load()), args=[ast.Constant(_written(magic))], keywords=[])
        return ast.copy_location(call, node)

    def _code(self, magic, node) -> list | None:
        """The statements a magic stands for ([] for a harmless one, its code's for a CODE
        magic, lines placed where the magic is), or None when it runs code the check cannot read."""
        kind, name, line, body = magic
        if kind == "line" and name in HARMLESS:
            return [] if re.fullmatch(HARMLESS[name][0], line.strip()) else None
        if kind == "system" or name not in CODE:
            return None
        statements = []
        for code, offset in _code_of(name, line, body):
            tree = _read(code, self.bound, self.depth + 1)
            ast.increment_lineno(tree, node.lineno - 1 + offset)
            statements += tree.body
        return statements


def _code_of(name: str, line: str, body: str | None) -> list[tuple[str, int]]:
    """The Python that a CODE magic runs, as IPython takes it from the magic's line and body:
    each piece IPython transforms on its own, with the lines it starts below the magic's line.
    Raises ValueError where IPython would refuse the magic's options."""
    from IPython.core import magic_arguments
    from IPython.core.error import UsageError
    from IPython.core.magics.execution import ExecutionMagics

    try:
        if name == "time":
            _, extra = magic_arguments.parse_argstring(ExecutionMagics.time, line, partial=True)
            pieces = [(body, 1)] if body is not None else [(" ".join(extra), 0)]
        elif name == "timeit":  # the line is the statement, or, over a cell, the setup run before it
            _, statement = _execution().parse_options(line, "n:r:tcp:qov:", posix=False, strict=False,
                                                      preserve_non_opts=True)
            pieces = [(statement, 0)] + ([(body, 1)] if body is not None else [])
        elif name == "prun":
            _, statement = _execution().parse_options(line, "D:l:rs:T:q", list_all=True, posix=False)
            pieces = [(statement + ("\n" + body if body is not None else ""), 0)]
        elif name == "capture":  # %%capture [options] [name]: the body runs; name gets what it printed
            output = magic_arguments.parse_argstring(ExecutionMagics.capture, line).output
            pieces = [(body or "", 1)] + ([(f"{output} = None", 0)] if output.isidentifier() else [])
        else:
            pieces = [(line, 0)]  # config (run as `cfg.<line>`), pinfo / pinfo2 (an object's name)
    except (UsageError, SystemExit) as exc:
        raise ValueError(f"%{name} {line}: {exc}") from None
    return [(code, offset) for code, offset in pieces if code.strip()]


@functools.cache
def _execution():
    from IPython.core.magics.execution import ExecutionMagics

    return ExecutionMagics(shell=None)
