"""A notebook cell -> a self-contained Python module, by static analysis (no execution).

A feature cell usually relies on earlier cells: imports, helper functions, constants. The
module gets exactly those of them that the cell uses, transitively, in notebook order, and
then the cell's own code:

- names resolve like they did when the notebook ran top to bottom: code that runs at
  definition time (constants, decorators, base classes) sees the last definition before
  it; function bodies see the last definition before the cell (see core/scopes.py);
- imports, functions, classes and literal constants (`COLS = ["a", "b"]`,
  `THRESH = 2 * BASE`) are copied; values computed at run time (`df = pd.read_csv(...)`,
  `X = df[cols]`) are not: they only exist in the notebook's kernel, so a warning names them;
- IPython magics and shell lines are dropped with a warning (core/magics.py);
- a name nobody defines gives a warning; star imports are kept when they may provide one.

Cell numbers in messages are 0-based indices, the same as `cell_index` in the API.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import functools
import json
import re
import threading
import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import BadRequest, NotFound
from .formatting import FormatError, format_source
from .magics import CleanSource, Magic, may_have_magics, strip_automagic, strip_magics
from .scopes import NameUses, analyze, bindings, import_binding

# Warning codes (documented in docs/api.md).
MAGIC_DROPPED = "magic-dropped"
STAR_IMPORT = "star-import"
UNRESOLVED_NAME = "unresolved-name"
RUNTIME_STATE = "runtime-state"
SYNTAX_ERROR = "syntax-error"
FORMAT_FAILED = "format-failed"

_BUILTINS = frozenset(dir(builtins)) | {
    "__name__",
    "__file__",
    "__doc__",
    "__spec__",
    "__loader__",
    "__package__",
    "__builtins__",
    "__annotations__",
}

# Calls that are safe in a copied constant: deterministic, no I/O, no notebook state.
_PURE_BUILTINS = frozenset(
    "abs all any bool bytes chr dict divmod enumerate float frozenset hex int len list max min "
    "oct ord pow range repr reversed round set slice sorted str sum tuple zip".split()
)

# Names that exist in a notebook's kernel but not in a plain module.
_IPYTHON_NAMES = frozenset({"display", "get_ipython", "In", "Out", "_ih", "_oh", "_i", "_"})

# Methods that change a list, dict or set in place.
_MUTATING_METHODS = frozenset(
    "append extend insert remove pop clear sort reverse update add discard setdefault "
    "popitem difference_update intersection_update symmetric_difference_update".split()
)

_Position = tuple[int, int, int]  # (cell index, line, column): notebook order

# `warnings.catch_warnings` swaps process-wide state and is not thread-safe: the server
# extracts in worker threads, and two overlapping blocks could leave "ignore" installed
# for the whole server. Held only around parsing and nbformat calls.
_QUIET_WARNINGS = threading.Lock()


@dataclass(frozen=True)
class Cell:
    """One notebook cell as extraction needs it."""

    id: str | None
    cell_type: str
    source: str


@dataclass(frozen=True)
class Dependency:
    """A definition from an earlier cell that the module copies."""

    name: str
    kind: str  # import | function | class | constant
    cell_index: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "cell_index": self.cell_index}


@dataclass(frozen=True)
class ExtractionWarning:
    """Something the user should know about the module; `line` is 1-based in its cell."""

    code: str
    message: str
    cell_index: int | None = None
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "cell_index": self.cell_index,
            "line": self.line,
        }


@dataclass(frozen=True)
class Extraction:
    """The self-contained module of one cell, and how it was built."""

    module: str
    cell_id: str | None
    cell_index: int
    dependencies: tuple[Dependency, ...] = ()
    warnings: tuple[ExtractionWarning, ...] = ()
    formatted: bool = False

    def to_json(self) -> dict[str, Any]:
        """The `POST extract` response of docs/api.md."""
        return {
            "module": self.module,
            "cell_id": self.cell_id,
            "cell_index": self.cell_index,
            "dependencies": [d.to_json() for d in self.dependencies],
            "warnings": [w.to_json() for w in self.warnings],
        }


# -- reading notebooks ------------------------------------------------------------------


def read_notebook_cells(text: str | bytes, path: str | None = None) -> list[Cell]:
    """The cells of a notebook file's content, after nbformat's validation.

    Used by the CLI and by the server for saved notebooks, so both report a broken file
    the same way: BadRequest with a message that names the problem.
    """
    import nbformat  # only needed for saved notebooks; keeps `import` of this module cheap

    name = path or "The notebook"
    try:
        data = json.loads(text)
    except UnicodeDecodeError as err:
        raise BadRequest(f"{name} is not UTF-8 text: {err.reason}.") from None
    except json.JSONDecodeError as err:
        raise BadRequest(f"{name} is not valid notebook JSON: {err}.") from None
    except RecursionError:
        raise BadRequest(
            f"{name} is not a Jupyter notebook: its JSON is nested too deeply."
        ) from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise BadRequest(f"{name} is not a Jupyter notebook: its JSON has no cells.")
    require_python(_kernel_language(data), name)
    with _QUIET_WARNINGS, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # nbformat.reads minus its own validation: ours below (after allowing cell ids)
            # is the one that counts, and validation dominates on notebooks with big outputs.
            notebook = nbformat.convert(nbformat.reader.reads(text), 4)
            _allow_cell_ids(notebook)
            nbformat.validate(notebook)
        except nbformat.ValidationError as err:
            where = "/".join(str(part) for part in err.absolute_path)
            at = f" (at {where})" if where else ""
            raise BadRequest(
                f"{name} is not a valid Jupyter notebook: {err.message}{at}."
            ) from None
        except Exception as err:  # nbformat raises assorted errors for odd versions
            raise BadRequest(f"{name} is not a valid Jupyter notebook: {err}.") from None
    return [
        Cell(id=cell.get("id"), cell_type=cell.cell_type, source=cell.source)
        for cell in notebook.cells
    ]


def require_python(language: str | None, name: str) -> None:
    """BadRequest when the notebook's kernel language is known and is not Python."""
    if language is not None and not language.lower().startswith(("python", "ipython")):
        raise BadRequest(
            f"{name} is written for {language} (its kernel's language), not Python; "
            "jupyter-ext extracts features from Python notebooks only."
        )


def _kernel_language(data: dict[str, Any]) -> str | None:
    """The notebook's programming language as its metadata says, or None if it doesn't."""
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return None
    kernelspec = metadata.get("kernelspec")
    language_info = metadata.get("language_info")
    for value in (
        kernelspec.get("language") if isinstance(kernelspec, dict) else None,
        language_info.get("name") if isinstance(language_info, dict) else None,
        metadata.get("language"),  # nbformat 3
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _allow_cell_ids(notebook: Any) -> None:
    """Accept cell ids in notebooks older than format 4.5, as Jupyter does.

    Tools that write ids without raising `nbformat_minor` are common; JupyterLab opens
    such notebooks, so extraction must too. Ids are valid from 4.5 on.
    """
    if (
        notebook.get("nbformat") == 4
        and notebook.get("nbformat_minor", 0) < 5
        and any("id" in cell for cell in notebook.get("cells", ()))
    ):
        notebook["nbformat_minor"] = 5
        for index, cell in enumerate(notebook.cells):
            if not isinstance(cell.get("id"), str) or not _CELL_ID.fullmatch(cell["id"]):
                cell["id"] = f"cell-{index}"


_CELL_ID = re.compile(r"[a-zA-Z0-9-_]{1,64}")


def find_cell(
    cells: Sequence[Cell],
    *,
    cell_id: str | None = None,
    cell_index: int | None = None,
    path: str | None = None,
) -> int:
    """The index of the cell named by id (preferred) or index; NotFound if there is none."""
    where = path or "the notebook"
    if cell_id is not None:
        index = next((i for i, cell in enumerate(cells) if cell.id == cell_id), None)
        if index is None:
            raise NotFound(
                f"No cell with id {cell_id!r} in {where}; it may have been deleted or the "
                "notebook not saved yet."
            )
        if cell_index is not None and cell_index != index:
            raise BadRequest(
                f"cell_id {cell_id!r} is cell {index}, but cell_index says {cell_index}; "
                "send one of them, or both for the same cell."
            )
        return index
    if cell_index is None:
        raise BadRequest("Say which cell to extract: give cell_id or cell_index.")
    if not 0 <= cell_index < len(cells):
        raise NotFound(
            f"No cell {cell_index} in {where}: it has {len(cells)} cells (indices start at 0)."
        )
    return cell_index


# -- extraction -------------------------------------------------------------------------


def extract_cell(
    cells: Sequence[Cell],
    *,
    cell_id: str | None = None,
    cell_index: int | None = None,
    path: str | None = None,
    format: bool = True,
    header: bool = True,
) -> Extraction:
    """The self-contained module of one code cell (see the module docstring).

    Raises NotFound for an unknown cell and BadRequest for a cell that is not code, is
    empty, or has a syntax error (with the line and column in the cell). Problems in
    other cells are warnings. With `format`, the module goes through `ruff format`;
    if that is impossible the module stays unformatted and a warning says why.
    """
    index = find_cell(cells, cell_id=cell_id, cell_index=cell_index, path=path)
    try:
        target = _parse_target(cells[index], index)
        slicer = _Slicer(_Definitions(cells, index), index, target)
        slicer.run()
        source = slicer.module(_header(path, cells[index].id, index) if header else None)
    except (RecursionError, MemoryError):  # the compiler's or our analysis's recursion
        raise BadRequest(
            f"Cell {index} (or code it uses) is {_TOO_DEEP}; split it into smaller steps."
        ) from None
    found = list(slicer.warnings)
    formatted = False
    if format:
        try:
            pretty = format_source(source)
            _parse_module(pretty)
        except (FormatError, SyntaxError) as err:
            found.append(ExtractionWarning(FORMAT_FAILED, f"The module is not formatted: {err}."))
        else:
            source, formatted = pretty, True
    if not formatted:
        _parse_module(source)  # a bug here must not reach the user as a broken module
    return Extraction(
        module=source,
        cell_id=cells[index].id,
        cell_index=index,
        dependencies=tuple(slicer.dependencies()),
        warnings=tuple(sorted(found, key=_warning_order)),
        formatted=formatted,
    )


def _parse_module(source: str) -> ast.Module:
    with _QUIET_WARNINGS, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the user's code may warn; it is checked elsewhere
        return ast.parse(source)


def _header(path: str | None, cell_id: str | None, index: int) -> str:
    cell = f"cell {cell_id}" if cell_id else f"cell {index}"
    if path:
        return f"# Extracted by jupyter-ext from {path} ({cell})."
    return f"# Extracted by jupyter-ext from notebook {cell}."


def _warning_order(warning: ExtractionWarning) -> tuple[int, int, str]:
    return (
        -1 if warning.cell_index is None else warning.cell_index,
        warning.line or 0,
        warning.code,
    )


# -- parsing cells ----------------------------------------------------------------------


@dataclass(frozen=True)
class _ParsedCell:
    lines: tuple[str, ...]  # the cell's source with magics blanked, line ends kept
    tree: ast.Module | None
    magics: tuple[Magic, ...]
    error: SyntaxError | None
    # For a cell with a syntax error: its complete top-level statements before the error
    # (a typo at the end of an imports cell must not lose every import above it).
    partial: ast.Module | None = None
    # Name analysis of top-level statements, by (line, column): the panel re-extracts
    # as the user moves between cells, and most cells have not changed in between.
    analyses: dict[tuple[int, int], NameUses] = field(
        default_factory=dict, compare=False, repr=False
    )


_TOO_DEEP = "nested too deeply for Python to parse"


@functools.lru_cache(maxsize=4096)
def _parse(source: str) -> _ParsedCell:
    """Parse one cell; cached by source, since the panel re-extracts on every cell change."""
    with _QUIET_WARNINGS, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for "\d" and friends is not ours
        # Strip before parsing, so that cells with magics are parsed once, not twice.
        clean = strip_magics(source) if may_have_magics(source) else CleanSource(source, ())
        parsed = _parse_clean(clean)
        if parsed.error is not None and clean.magics:
            # Stripping should never break valid Python; if it ever did, trust the parser.
            original = _parse_clean(CleanSource(source, ()))
            if original.error is None:
                return original
        # Magics written without `%` (IPython's automagic): `timeit f(x)`, `ls data/`.
        # Only lines the parser rejects, one at a time, so valid Python is never touched.
        for _ in range(_MAX_AUTOMAGICS):
            if parsed.error is None or parsed.error.lineno is None:
                break
            fixed = strip_automagic(clean, parsed.error.lineno)
            if fixed is None:
                break
            clean, parsed = fixed, _parse_clean(fixed)
        if parsed.error is not None:
            parsed = replace(parsed, partial=_salvage(parsed.lines, parsed.error))
        return parsed


_MAX_AUTOMAGICS = 50
_MAX_SALVAGE_PARSES = 20


def _salvage(lines: tuple[str, ...], error: SyntaxError) -> ast.Module | None:
    """The complete top-level statements before `error`, or None if there are none.

    Parses ever shorter prefixes of the cell (jumping to each new error); a compound
    statement cut by the error (`def f():` whose body goes on below the cut) is left out.
    """
    end = (error.lineno or 1) - 1
    for _ in range(_MAX_SALVAGE_PARSES):
        if end <= 0:
            return None
        try:
            tree = ast.parse("".join(lines[:end]))
        except SyntaxError as err:
            end = min(end, err.lineno or end) - 1
            continue
        except (ValueError, RecursionError, MemoryError):
            return None
        body = tree.body
        following = next(
            (line for line in lines[end:] if line.strip() and not line.lstrip().startswith("#")),
            "",
        )
        if body and hasattr(body[-1], "body") and following[:1] in (" ", "\t"):
            body = body[:-1]  # the block goes on after the cut: incomplete
        return ast.Module(body=body, type_ignores=[]) if body else None
    return None


def _parse_clean(clean: CleanSource) -> _ParsedCell:
    lines = tuple(clean.source.splitlines(True))
    try:
        return _ParsedCell(lines, ast.parse(clean.source), clean.magics, None)
    except SyntaxError as err:
        return _ParsedCell(lines, None, clean.magics, err)
    except ValueError as err:  # e.g. a NUL character
        return _ParsedCell(lines, None, clean.magics, SyntaxError(str(err)))
    except (RecursionError, MemoryError):  # the parser's own stack limits
        return _ParsedCell(lines, None, clean.magics, SyntaxError(_TOO_DEEP))


def _parse_target(cell: Cell, index: int) -> _ParsedCell:
    if cell.cell_type != "code":
        raise BadRequest(
            f"Cell {index} is a {cell.cell_type} cell, not a code cell; select the code cell "
            "that defines the feature."
        )
    if not cell.source.strip():
        raise BadRequest(f"Cell {index} is empty; write the feature's code in it first.")
    parsed = _parse(cell.source)
    if parsed.error is not None:
        raise BadRequest(_syntax_message(f"Cell {index}", parsed.error) + " Fix it and try again.")
    assert parsed.tree is not None
    if not parsed.tree.body:
        cell_magic = next((m for m in parsed.magics if m.kind == "cell-magic"), None)
        if cell_magic is not None:
            raise BadRequest(
                f"Cell {index} is a `{cell_magic.text.split()[0]}` cell, not Python code."
            )
        raise BadRequest(
            f"Cell {index} has no Python code to extract, only comments or IPython magics."
        )
    # The compiler catches what the parser lets through: top-level `await`, `return`, ...
    with _QUIET_WARNINGS, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(parsed.tree, f"<cell {index}>", "exec", dont_inherit=True)
        except SyntaxError as err:
            message = _syntax_message(f"Cell {index}", err)
            raise BadRequest(message + " A module can't do that.") from None
    return parsed


def _syntax_message(subject: str, err: SyntaxError) -> str:
    reason = (err.msg or "invalid syntax").rstrip()
    stop = "" if reason.endswith((".", "?", "!")) else "."
    if err.lineno is None:
        message = f"{subject} has a syntax error: {reason}{stop}"
    else:
        column = f", column {err.offset}" if err.offset else ""
        message = f"{subject} has a syntax error at line {err.lineno}{column}: {reason}{stop}"
    if reason.startswith(_PYTHON2_ERRORS):
        message += " This is Python 2 code; a feature module must be Python 3."
    return message


# What Python 3 says about Python 2's `print x` and `exec code`.
_PYTHON2_ERRORS = (
    "Missing parentheses in call to 'print'",
    "Missing parentheses in call to 'exec'",
)


# -- what earlier cells define ----------------------------------------------------------


@dataclass(eq=False)
class _Definition:
    """A top-level binding of `name` by one statement of an earlier cell."""

    name: str
    pos: _Position
    cell: int
    stmt: ast.stmt | None  # None for `x = !cmd`
    kind: str  # import | function | class | assign | block | runtime | magic | deleted
    reason: str = ""

    @property
    def line(self) -> int:
        return self.pos[1]


@dataclass(frozen=True)
class _Mutation:
    pos: _Position
    cell: int
    stmt: ast.stmt


@dataclass(frozen=True)
class _StarImport:
    pos: _Position
    cell: int
    stmt: ast.ImportFrom


class _Definitions:
    """Every top-level definition of the code cells before the target, by name."""

    def __init__(self, cells: Sequence[Cell], target: int) -> None:
        self.cells = cells
        self.target = target
        self.parsed: dict[int, _ParsedCell] = {}
        self.by_name: dict[str, list[_Definition]] = {}
        self.stars: list[_StarImport] = []
        self.mutations: dict[str, list[_Mutation]] = {}
        self.broken: list[tuple[int, SyntaxError]] = []
        for index in range(target):
            cell = cells[index]
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            parsed = _parse(cell.source)
            self.parsed[index] = parsed
            tree = parsed.tree
            if parsed.error is not None:
                self.broken.append((index, parsed.error))
                tree = parsed.partial  # what comes before the error, if anything
                if tree is None:
                    continue
            assert tree is not None
            for magic in parsed.magics:
                for name in magic.assigns:
                    self._add(name, (index, magic.line, 0), index, None, "magic", magic.text)
            # Only `:=` binds a name in an expression statement; most cells have none.
            walrus = ":=" in cell.source
            for stmt in tree.body:
                self._register(index, stmt, walrus)
        for entries in self.by_name.values():
            entries.sort(key=lambda d: d.pos)
        self._positions = {name: [d.pos for d in ds] for name, ds in self.by_name.items()}

    def resolve(self, name: str, before: _Position) -> _Definition | None:
        """The last definition of `name` before `before`, in notebook order."""
        positions = self._positions.get(name)
        if not positions:
            return None
        at = bisect.bisect_left(positions, before)
        return self.by_name[name][at - 1] if at else None

    def later_definition(self, name: str) -> int | None:
        """A cell after the target that defines `name` at top level, to explain a warning."""
        for index in range(self.target + 1, len(self.cells)):
            cell = self.cells[index]
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            tree = _parse(cell.source).tree
            if tree is not None and name in bindings(tree.body)[0]:
                return index
        return None

    def _add(self, name, pos, cell, stmt, kind, reason="") -> None:
        self.by_name.setdefault(name, []).append(_Definition(name, pos, cell, stmt, kind, reason))

    def _register(self, cell: int, stmt: ast.stmt, walrus: bool = True) -> None:
        pos = (cell, stmt.lineno, stmt.col_offset)
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                self._add(import_binding(alias), pos, cell, stmt, "import")
        elif isinstance(stmt, ast.ImportFrom):
            if stmt.module == "__future__":
                return
            for alias in stmt.names:
                if alias.name == "*":
                    self.stars.append(_StarImport(pos, cell, stmt))
                else:
                    self._add(import_binding(alias), pos, cell, stmt, "import")
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._add(stmt.name, pos, cell, stmt, "function")
        elif isinstance(stmt, ast.ClassDef):
            self._add(stmt.name, pos, cell, stmt, "class")
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
                return  # `x: int` binds nothing
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names: list[str] = []
            for target in targets:
                self._split_target(target, names, pos, cell, stmt)
            for name in dict.fromkeys(names):
                self._add(name, pos, cell, stmt, "assign")
        elif isinstance(stmt, (ast.If, ast.Try, *_TRY_STAR)):
            for name in sorted(bindings([stmt], walrus)[0]):
                self._add(name, pos, cell, stmt, "block")
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    self._add(target.id, pos, cell, stmt, "deleted")
                elif isinstance(target, (ast.Subscript, ast.Attribute)):
                    self._mutated(target, pos, cell, stmt)
        else:
            if isinstance(stmt, ast.Expr):
                self._method_mutation(stmt.value, pos, cell, stmt)
                if not walrus:
                    return
                reason = "sets it with `:=` inside an expression"
            else:
                reason = _RUNTIME_BLOCKS.get(type(stmt), "sets it in a statement that runs code")
            for name in sorted(bindings([stmt], walrus)[0]):
                self._add(name, pos, cell, stmt, "runtime", reason)

    def _split_target(self, target, names, pos, cell, stmt) -> None:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._split_target(element, names, pos, cell, stmt)
        elif isinstance(target, ast.Starred):
            self._split_target(target.value, names, pos, cell, stmt)
        else:
            self._mutated(target, pos, cell, stmt)

    def _mutated(self, target: ast.expr, pos, cell, stmt) -> None:
        root = _root_name(target)
        if root is not None:
            self.mutations.setdefault(root, []).append(_Mutation(pos, cell, stmt))

    def _method_mutation(self, value: ast.expr, pos, cell, stmt) -> None:
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in _MUTATING_METHODS
        ):
            self._mutated(value.func.value, pos, cell, stmt)


_TRY_STAR = (ast.TryStar,) if hasattr(ast, "TryStar") else ()

_RUNTIME_BLOCKS: dict[type, str] = {
    ast.For: "sets it in a `for` loop",
    ast.AsyncFor: "sets it in an `async for` loop",
    ast.While: "sets it in a `while` loop",
    ast.With: "sets it in a `with` block",
    ast.AsyncWith: "sets it in an `async with` block",
    ast.Match: "sets it in a `match` statement",
}


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


# -- slicing ----------------------------------------------------------------------------


@dataclass
class _Selected:
    """A statement of an earlier cell that goes into the module."""

    definition: _Definition
    names: dict[str, str] = field(default_factory=dict)  # name -> dependency kind


class _Slicer:
    """Follows the target cell's names back through earlier cells (a worklist)."""

    def __init__(self, definitions: _Definitions, target_index: int, target: _ParsedCell):
        self.defs = definitions
        self.index = target_index
        self.target = target
        self.end: _Position = (target_index, 0, 0)
        self.selected: dict[_Position, _Selected] = {}
        self.kept_stars: dict[_Position, tuple[_StarImport, list[str]]] = {}
        self.warnings: list[ExtractionWarning] = []
        self._warned: set[tuple[str, str]] = set()
        self._kinds: dict[int, tuple[str, str]] = {}
        self._target_bound: set[str] = set()
        self.dropped: list[ast.stmt] = []  # the cell's display()/get_ipython() statements
        # `files = !ls` in the cell: reported as a dropped magic, not as an unknown name.
        self._target_magic_names = {name for m in target.magics for name in m.assigns}

    # -- the walk ----------------------------------------------------------------------

    def run(self) -> None:
        assert self.target.tree is not None
        body = self.target.tree.body
        self.dropped = self._ipython_output_statements(body)
        if len(self.dropped) == len(body):
            raise BadRequest(
                f"Cell {self.index} only shows output with IPython's `display()` or "
                "`get_ipython()`; select the cell that defines the feature."
            )
        uses = analyze([stmt for stmt in body if stmt not in self.dropped])
        self._target_bound = uses.bound
        work: deque[tuple[str, _Position, int, int]] = deque()
        for name, line in uses.eager:
            work.append((name, self.end, self.index, line))
        for name, line in uses.deferred:
            if name not in uses.bound:
                work.append((name, self.end, self.index, line))
        while work:
            self._need(*work.popleft(), work)
        self._warn_about_cell()

    def _ipython_output_statements(self, body: list[ast.stmt]) -> list[ast.stmt]:
        """Top-level `display(...)` and `get_ipython().…(...)` calls of the cell.

        IPython provides both names in the notebook only; as statements of their own they
        just show output or run a magic, so the module leaves them out (with a warning)
        instead of failing on them with NameError. A `display` the notebook defines or
        imports is the user's own and stays.
        """
        found = []
        bound_before: set[str] = set()
        for stmt in body:
            if (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Call)
                and (root := _call_root(stmt.value)) in ("display", "get_ipython")
                and root not in bound_before
                and self.defs.resolve(root, self.end) is None
                and self._alone_on_its_lines(stmt, body)
            ):
                found.append(stmt)
            bound_before |= bindings([stmt])[0]
        return found

    @staticmethod
    def _alone_on_its_lines(stmt: ast.stmt, body: list[ast.stmt]) -> bool:
        first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
        return not any(
            other is not stmt
            and other.lineno <= last
            and (other.end_lineno or other.lineno) >= first
            for other in body
        )

    def _need(self, name: str, before: _Position, cell: int, line: int, work: deque) -> None:
        definition = self.defs.resolve(name, before)
        if definition is None:
            if name not in _BUILTINS and name not in self._target_magic_names:
                self._unresolved(name, before, cell, line)
            return
        kind, reason = self.kind_of(definition)
        if kind == "deleted":
            self._warn(
                UNRESOLVED_NAME,
                name,
                f"`{name}` is deleted in cell {definition.cell}, line {definition.line} "
                f"(`del`); the module will raise NameError where it uses `{name}`.",
                cell,
                line,
            )
            return
        if kind == "magic":
            self._warn(
                MAGIC_DROPPED,
                name,
                f"`{name}` comes from `{definition.reason}` in cell {definition.cell}; IPython "
                "magics and shell commands can't run in a module, so it is not defined there.",
                cell,
                line,
            )
            return
        if kind == "runtime":
            self._warn(
                RUNTIME_STATE,
                name,
                f"`{name}` is not copied into the module: cell {definition.cell}, line "
                f"{definition.line} {reason}, so its value only exists while the notebook "
                "runs. Compute it inside the feature instead.",
                cell,
                line,
            )
            return
        selected = self.selected.get(definition.pos)
        first_use = selected is None
        if selected is None:
            selected = self.selected[definition.pos] = _Selected(definition)
        if name in selected.names:
            return
        selected.names[name] = kind
        if kind == "constant":
            self._check_mutations(definition)
        if not first_use or definition.stmt is None:
            return
        uses = self.uses_of(definition.stmt, definition.cell)
        for used, used_line in uses.eager:
            work.append((used, definition.pos, definition.cell, used_line))
        for used, used_line in uses.deferred:
            if used not in self._target_bound:
                work.append((used, self.end, definition.cell, used_line))
        self._warn_about_magics_in(definition)

    def uses_of(self, stmt: ast.stmt, cell: int) -> NameUses:
        analyses = self.defs.parsed[cell].analyses
        key = (stmt.lineno, stmt.col_offset)
        if key not in analyses:
            walrus = ":=" in self.defs.cells[cell].source
            analyses[key] = analyze([stmt], walrus)
        return analyses[key]

    # -- what a definition is ------------------------------------------------------------

    def kind_of(self, definition: _Definition) -> tuple[str, str]:
        """(dependency kind or "runtime"/"magic", why it is runtime state)."""
        key = id(definition)
        if key not in self._kinds:
            self._kinds[key] = self._classify(definition)
        return self._kinds[key]

    def _classify(self, definition: _Definition) -> tuple[str, str]:
        stmt = definition.stmt
        if definition.kind in ("import", "function", "class", "runtime", "magic", "deleted"):
            return definition.kind, definition.reason
        if definition.kind == "assign":
            value = stmt.value  # type: ignore[union-attr]
            problem = self._expression_problem(value, definition.pos)
            problem = problem or self._names_problem(stmt, definition)
            if problem:
                return "runtime", problem
            return ("function" if isinstance(value, ast.Lambda) else "constant"), ""
        # An `if` or `try` block: copied as a whole when it only defines things.
        problem = self._block_problem([stmt], definition.pos)
        problem = problem or self._names_problem(stmt, definition)
        if problem:
            return "runtime", problem
        return _kind_in_block(stmt, definition.name), ""

    def _expression_problem(self, expr: ast.expr | None, pos: _Position) -> str | None:
        """Why evaluating `expr` needs the notebook's run-time state, or None."""
        for node in _evaluated_nodes(expr):
            if isinstance(node, ast.Call):
                func = node.func
                if (
                    isinstance(func, ast.Name)
                    and func.id in _PURE_BUILTINS
                    and self.defs.resolve(func.id, pos) is None
                ):
                    continue
                return f"computes it by calling `{_shorten(ast.unparse(func))}()`"
            if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom)):
                return "computes it by awaiting or yielding a value"
            if isinstance(node, ast.NamedExpr):
                return "computes it with `:=`"
        return None

    def _names_problem(self, stmt: ast.stmt, defined: _Definition) -> str | None:
        for name, _ in self.uses_of(stmt, defined.cell).eager:
            definition = self.defs.resolve(name, defined.pos)
            if definition is not None and self.kind_of(definition)[0] in ("runtime", "magic"):
                if name == defined.name:  # `x = x[:5]`
                    return (
                        f"computes it from its value in cell {definition.cell}, which is "
                        "itself run-time state"
                    )
                return f"computes it from `{name}`, which is itself run-time state"
        return None

    def _block_problem(self, stmts: list[ast.stmt], pos: _Position) -> str | None:
        for stmt in stmts:
            if isinstance(
                stmt,
                (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef),
            ):
                continue
            if isinstance(stmt, (ast.Pass, ast.Raise)):
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue
            if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if not all(_is_plain_target(t) for t in targets):
                    return f"changes a value in place at line {stmt.lineno}"
                problem = self._expression_problem(stmt.value, pos)
            elif isinstance(stmt, ast.If):
                problem = self._expression_problem(stmt.test, pos)
                problem = problem or self._block_problem(stmt.body + stmt.orelse, pos)
            elif isinstance(stmt, (ast.Try, *_TRY_STAR)):
                handlers = stmt.handlers  # type: ignore[attr-defined]
                problem = self._block_problem(stmt.body + stmt.orelse + stmt.finalbody, pos)
                for handler in handlers:
                    problem = problem or self._expression_problem(handler.type, pos)
                    problem = problem or self._block_problem(handler.body, pos)
            else:
                keyword = type(stmt).__name__.lower()
                return f"sets it in a block that also runs code (`{keyword}` at line {stmt.lineno})"
            if problem:
                return problem
        return None

    # -- warnings ------------------------------------------------------------------------

    def _warn(self, code: str, key: str, message: str, cell: int | None, line: int | None):
        if (code, key) in self._warned:
            return
        self._warned.add((code, key))
        self.warnings.append(ExtractionWarning(code, message, cell, line))

    def _unresolved(self, name: str, before: _Position, cell: int, line: int) -> None:
        stars = [star for star in self.defs.stars if star.pos < before]
        if stars:
            for star in stars:
                self.kept_stars.setdefault(star.pos, (star, []))[1].append(name)
            return
        if self._target_stars():
            return  # reported with the cell's own star import
        defined_later = self.defs.resolve(name, self.end)
        if name in _IPYTHON_NAMES:
            why = f"`{name}` is provided by IPython in the notebook, not by Python"
        elif defined_later is not None:
            # Code that runs at definition time (a default value, a constant) saw no value.
            why = (
                f"`{name}` is used in cell {cell}, line {line} before cell "
                f"{defined_later.cell} defines it"
            )
        elif (magic := self._magic_that_may_define(max(before[:2], (cell, line)))) is not None:
            why = (
                f"`{name}` is not defined by Python code in this cell or an earlier one; "
                f"cell {magic[0]} runs `{magic[1]}`, which may define it in IPython, not in a "
                f"module: import or define `{name}` in the notebook's code"
            )
        elif (broken := self._broken_cell_mentioning(name, before)) is not None:
            why = (
                f"`{name}` is not defined where extraction can read it: cell {broken} "
                "mentions it after a syntax error (see that warning); fix that cell"
            )
        else:
            later = self.defs.later_definition(name)
            after = (
                f" (cell {later} defines it, but that cell comes after this one)"
                if later is not None
                else ""
            )
            why = f"`{name}` is not defined in this cell or an earlier one{after}, nor a builtin"
        self._warn(
            UNRESOLVED_NAME,
            name,
            f"{why}; the module will raise NameError where it uses `{name}`.",
            cell,
            line,
        )

    def _magic_that_may_define(self, before: tuple[int, int]) -> tuple[int, str] | None:
        """The last `%pylab` or `%run` before (cell, line): both define names IPython-side."""
        for cell in range(before[0], -1, -1):
            parsed = self.defs.parsed.get(cell, self.target if cell == self.index else None)
            for magic in reversed(parsed.magics if parsed else ()):
                words = magic.text.lstrip("%").split()  # a bare `%` has no name
                if (cell, magic.line) < before and words[:1] in (["pylab"], ["run"]):
                    return cell, magic.text
        return None

    def _broken_cell_mentioning(self, name: str, before: _Position) -> int | None:
        """The last cell with a syntax error before `before` whose text has `name`."""
        word = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
        for cell, _ in reversed(self.defs.broken):
            if cell <= before[0] and word.search(self.defs.cells[cell].source):
                return cell
        return None

    def _target_stars(self) -> list[ast.ImportFrom]:
        assert self.target.tree is not None
        return [
            stmt
            for stmt in self.target.tree.body
            if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names)
        ]

    def _check_mutations(self, definition: _Definition) -> None:
        for change in self.defs.mutations.get(definition.name, ()):
            if definition.pos < change.pos < self.end:
                code = _first_line(_statement_source(self.defs.parsed[change.cell], change.stmt))
                self._warn(
                    RUNTIME_STATE,
                    f"mutated:{definition.name}",
                    f"`{definition.name}` is changed at run time in cell {change.cell}, line "
                    f"{change.pos[1]} (`{code}`); the module only has its definition from "
                    f"cell {definition.cell}.",
                    change.cell,
                    change.pos[1],
                )

    def _warn_about_magics_in(self, definition: _Definition) -> None:
        stmt = definition.stmt
        assert stmt is not None
        parsed = self.defs.parsed[definition.cell]
        for magic in parsed.magics:
            if stmt.lineno <= magic.line <= (stmt.end_lineno or stmt.lineno):
                self.warnings.append(
                    ExtractionWarning(
                        MAGIC_DROPPED,
                        f"Dropped `{magic.text}` from `{definition.name}` (cell "
                        f"{definition.cell}): IPython magics and shell commands can't run "
                        "in a module.",
                        definition.cell,
                        magic.line,
                    )
                )

    def _warn_about_cell(self) -> None:
        for stmt in self.dropped:
            name = _call_root(stmt.value)  # type: ignore[attr-defined]
            self.warnings.append(
                ExtractionWarning(
                    MAGIC_DROPPED,
                    f"Dropped `{_first_line(ast.unparse(stmt))}`: `{name}()` is provided "
                    "by IPython in the notebook, not by Python, and "
                    + ("only shows output." if name == "display" else "runs IPython magics."),
                    self.index,
                    stmt.lineno,
                )
            )
        for magic in self.target.magics:
            if magic.kind == "cell-magic":
                text = (
                    f"Dropped the `{magic.text.split()[0]}` cell magic; the code under it is kept."
                )
            else:
                text = (
                    f"Dropped `{magic.text}`: IPython magics, shell commands and help requests "
                    "can't run in a module."
                )
                if magic.assigns:
                    names = ", ".join(f"`{n}`" for n in magic.assigns)
                    text += f" {names} is not defined there."
            self.warnings.append(ExtractionWarning(MAGIC_DROPPED, text, self.index, magic.line))
        for stmt in self._target_stars():
            self.warnings.append(
                ExtractionWarning(
                    STAR_IMPORT,
                    f"`{_first_line(ast.unparse(stmt))}` hides which names the feature uses; "
                    "import them by name instead.",
                    self.index,
                    stmt.lineno,
                )
            )
        for star, names in self.kept_stars.values():
            listed = ", ".join(f"`{n}`" for n in dict.fromkeys(names))
            self.warnings.append(
                ExtractionWarning(
                    STAR_IMPORT,
                    f"The module keeps `{ast.unparse(star.stmt)}` from cell {star.cell}, "
                    f"because {listed} may come from it; import them by name instead.",
                    star.cell,
                    star.pos[1],
                )
            )
        for cell, error in self.defs.broken:
            partial = self.defs.parsed[cell].partial
            if partial is None:
                what = " It was skipped, so nothing it defines is in the module."
            else:
                last = partial.body[-1].end_lineno or partial.body[-1].lineno
                what = (
                    f" Only its lines 1-{last}, before the error, are used; fix the cell "
                    "for the module to get what the rest of it defines."
                )
            self.warnings.append(
                ExtractionWarning(
                    SYNTAX_ERROR,
                    _syntax_message(f"Cell {cell}", error) + what,
                    cell,
                    error.lineno,
                )
            )

    # -- the result ----------------------------------------------------------------------

    def dependencies(self) -> Iterator[Dependency]:
        for pos in sorted(self.selected):
            selected = self.selected[pos]
            for name, kind in selected.names.items():
                yield Dependency(name, kind, selected.definition.cell)

    def module(self, header: str | None) -> str:
        """The module's source: header, copied definitions in notebook order, the cell."""
        cell_lines = list(self.target.lines)
        futures = []
        assert self.target.tree is not None
        for stmt in self.target.tree.body:
            # `from __future__` must stay first in a module: move it above the copies.
            if not (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"):
                break
            futures.append(_statement_source(self.target, stmt))
            for number in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1):
                cell_lines[number - 1] = "\n"
        for stmt in self.dropped:
            for number in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1):
                cell_lines[number - 1] = "\n"
        blocks: dict[_Position, tuple[str, str]] = {}  # pos -> (group, source)
        for pos, selected in self.selected.items():
            stmt = selected.definition.stmt
            assert stmt is not None
            parsed = self.defs.parsed[selected.definition.cell]
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                blocks[pos] = ("import", _import_source(parsed, stmt, selected.names))
            else:
                group = "compound" if _is_compound(stmt) else f"simple:{pos[0]}"
                blocks[pos] = (group, _statement_source(parsed, stmt))
        for pos, (star, _) in self.kept_stars.items():
            blocks[pos] = ("import", _statement_source(self.defs.parsed[star.cell], star.stmt))
        out = []
        if header:
            out.append(header + "\n")
        if futures:
            out.append("\n".join(futures) + "\n")
        previous = None
        for pos in sorted(blocks):
            group, text = blocks[pos]
            # Imports, and one cell's constants, stay together; ruff spaces out the rest.
            if out and not (group == previous and group != "compound"):
                out.append("\n")
            out.append(text + "\n")
            previous = group
        if out:
            out.append("\n")
        out.append("".join(cell_lines).strip("\n") + "\n")
        return "".join(out)


def _call_root(call: ast.Call) -> str | None:
    """`display` for `display(x)`, `get_ipython` for `get_ipython().run_line_magic(...)`."""
    node: ast.expr = call.func
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None


def _is_compound(stmt: ast.stmt) -> bool:
    return isinstance(
        stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.Try, *_TRY_STAR)
    )


def _kind_in_block(block: ast.stmt, name: str) -> str:
    """The kind of the first statement inside an if/try block that binds `name`."""
    for node in ast.walk(block):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and name in bindings([node])[0]:
            return "import"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return "function"
        if isinstance(node, ast.ClassDef) and node.name == name:
            return "class"
    return "constant"


def _is_plain_target(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_is_plain_target(e) for e in target.elts)
    return isinstance(target, ast.Starred) and _is_plain_target(target.value)


def _evaluated_nodes(expr: ast.AST | None) -> Iterator[ast.AST]:
    """The nodes of `expr` that run when it is evaluated (not lambda bodies)."""
    if expr is None:
        return
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
        else:
            stack.extend(ast.iter_child_nodes(node))


def _statement_source(parsed: _ParsedCell, stmt: ast.stmt) -> str:
    """The source of a top-level statement, with its decorators and trailing comment."""
    decorators = getattr(stmt, "decorator_list", [])
    start = min([stmt.lineno, *(d.lineno for d in decorators)])
    end = stmt.end_lineno or stmt.lineno
    first = parsed.lines[start - 1].encode()
    last = parsed.lines[end - 1].encode()
    before = first[: stmt.col_offset] if start == stmt.lineno else b""
    after = last[stmt.end_col_offset :].decode(errors="replace").strip()
    if not before.strip() and (not after or after.startswith("#")):
        return "".join(parsed.lines[start - 1 : end]).rstrip()
    # The statement shares a line with another (`import os; x = 1`): cut it out.
    segment = ast.get_source_segment("".join(parsed.lines), stmt)
    return segment if segment is not None else ast.unparse(stmt)


def _import_source(parsed: _ParsedCell, stmt: ast.Import | ast.ImportFrom, names) -> str:
    """The import statement, trimmed to the names the module needs."""
    kept = [alias for alias in stmt.names if import_binding(alias) in names]
    if len(kept) == len(stmt.names):
        return _statement_source(parsed, stmt)
    if isinstance(stmt, ast.Import):
        return ast.unparse(ast.Import(names=kept))
    return ast.unparse(ast.ImportFrom(module=stmt.module, names=kept, level=stmt.level))


def _first_line(text: str) -> str:
    return _shorten(text.strip().splitlines()[0] if text.strip() else text)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
