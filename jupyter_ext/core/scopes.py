"""Which global names a piece of module-level code reads, and when it reads them.

Python's scoping rules, applied to an AST without running it:

- function and lambda parameters and locals, comprehension variables, `except ... as e`,
  `match` captures and `:=` targets shadow module globals of the same name;
- class bodies see their own names, but functions nested in a class do not;
- `global` and `nonlocal` declarations are honoured.

Reads are split in two, because extraction resolves them differently:

- *eager* reads happen while the statement runs (module-level code, decorators, default
  values, annotations, base classes, class bodies): they see the definitions made
  *before* the statement;
- *deferred* reads happen later, when a function defined here is called: they see
  whatever the name is bound to at call time.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


@dataclass
class NameUses:
    """The global names read by some statements, with the 1-based line of each read."""

    eager: list[tuple[str, int]] = field(default_factory=list)
    deferred: list[tuple[str, int]] = field(default_factory=list)
    bound: set[str] = field(default_factory=set)  # names bound at module level


def analyze(statements: Iterable[ast.stmt], walrus: bool = True) -> NameUses:
    """Global reads and module-level bindings of `statements`, run in order as a module.

    An eager read of a name that an earlier statement of the same list binds is local and
    not reported; deferred reads are always reported (the caller knows the whole module).
    `walrus=False` promises the code has no `:=`, which makes the analysis faster.
    """
    analyzer = _Analyzer(walrus)
    for statement in statements:
        analyzer.visit(statement)
    return NameUses(analyzer.eager, analyzer.deferred, analyzer.module.bound)


def bindings(nodes: Iterable[ast.AST], walrus: bool = True) -> tuple[set[str], set[str], set[str]]:
    """(bound, global-declared, nonlocal-declared) names of one scope's code.

    Does not look inside nested functions, lambdas, classes or comprehensions, except for
    iterable) and `:=` targets, which bind in the enclosing scope. Without `:=` (`walrus`
    False), only assignment targets inside expressions can bind, so the rest is skipped.
    """
    bound: set[str] = set()
    declared_global: set[str] = set()
    declared_nonlocal: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if (
            not walrus
            and isinstance(node, ast.expr)
            and not isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del))
        ):
            continue
        if isinstance(node, _FUNCTIONS):
            bound.add(node.name)
            stack.extend(node.decorator_list)
            stack.extend(_outer_argument_parts(node.args))
            if node.returns is not None:
                stack.append(node.returns)
        elif isinstance(node, ast.ClassDef):
            bound.add(node.name)
            stack.extend(node.decorator_list)
            stack.extend(node.bases)
            stack.extend(keyword.value for keyword in node.keywords)
        elif isinstance(node, ast.Lambda):
            stack.extend(_outer_argument_parts(node.args, annotations=False))
        elif isinstance(node, _COMPREHENSIONS):
            stack.append(node.generators[0].iter)
            bound.update(
                sub.target.id
                for sub in ast.walk(node)
                if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name)
            )
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(import_binding(alias) for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Global):
            declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            declared_nonlocal.update(node.names)
        else:
            name = _pattern_or_handler_name(node)
            if name:
                bound.add(name)
            stack.extend(ast.iter_child_nodes(node))
    return bound, declared_global, declared_nonlocal


def import_binding(alias: ast.alias) -> str:
    """The name an import alias binds: `import a.b` binds `a`, `import a.b as c` binds `c`."""
    return alias.asname or alias.name.split(".")[0]


def _pattern_or_handler_name(node: ast.AST) -> str | None:
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return node.name
    if isinstance(node, ast.MatchMapping):
        return node.rest
    return None


def _outer_argument_parts(args: ast.arguments, annotations: bool = True) -> list[ast.AST]:
    """The parts of a signature evaluated where the function is defined."""
    parts: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    if annotations:
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        parts.extend(a.annotation for a in every if a is not None and a.annotation is not None)
    return parts


def _parameters(args: ast.arguments) -> set[str]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return {a.arg for a in every if a is not None}


_AT_NAME = re.compile(r"@([A-Za-z_]\w*)")


def _expression_names(text: str) -> list[str]:
    """The variables a `pd.eval` string reads (its top-level names), if it parses."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    return [n.id for n in sorted(names, key=lambda n: (n.lineno, n.col_offset))]


class _Scope:
    __slots__ = ("kind", "parent", "bound", "declared_global", "declared_nonlocal", "deferred")

    def __init__(
        self,
        kind: str,
        parent: _Scope | None,
        bound: Iterable[str] = (),
        declared_global: Iterable[str] = (),
        declared_nonlocal: Iterable[str] = (),
    ) -> None:
        self.kind = kind  # module | class | function | lambda | comprehension
        self.parent = parent
        self.bound = set(bound)
        self.declared_global = set(declared_global)
        self.declared_nonlocal = set(declared_nonlocal)
        # Code inside a function or lambda body runs when it is called, not now.
        self.deferred = kind in ("function", "lambda") or bool(parent and parent.deferred)


class _Analyzer:
    def __init__(self, walrus: bool = True) -> None:
        self.walrus = walrus
        self.module = _Scope("module", None)
        self.scope = self.module
        self.eager: list[tuple[str, int]] = []
        self.deferred: list[tuple[str, int]] = []

    # -- plumbing -------------------------------------------------------------------------

    def visit(self, node: ast.AST) -> None:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is not None:
            method(node)
        else:
            for child in ast.iter_child_nodes(node):
                self.visit(child)

    def visit_all(self, nodes: Iterable[ast.AST | None]) -> None:
        for node in nodes:
            if node is not None:
                self.visit(node)

    def inside(self, scope: _Scope, nodes: Iterable[ast.AST]) -> None:
        outer, self.scope = self.scope, scope
        try:
            self.visit_all(nodes)
        finally:
            self.scope = outer

    def bind(self, name: str, scope: _Scope | None = None) -> None:
        scope = scope or self.scope
        # Function-like scopes know their locals up front (Python decides at compile time).
        if scope.kind in ("module", "class"):
            scope.bound.add(name)

    def use(self, name: str, line: int) -> None:
        scope = self.scope
        innermost = True
        while scope.kind != "module":
            if scope.kind == "class":
                # Class namespaces are visible to the class body only, not to nested code.
                if innermost and name in scope.bound:
                    return
            else:
                if name in scope.declared_global:
                    break
                if name in scope.bound:
                    return
            innermost = False
            scope = scope.parent  # type: ignore[assignment]
        if self.scope.deferred:
            self.deferred.append((name, line))
        elif name not in self.module.bound:
            self.eager.append((name, line))

    # -- names ----------------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.bind(node.id)
        else:
            self.use(node.id, node.lineno)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        scope = self.scope
        while scope.kind == "comprehension":  # := binds outside the comprehension
            scope = scope.parent  # type: ignore[assignment]
        self.bind(node.target.id, scope)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self.bind(import_binding(alias))

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: ast.Global) -> None:
        pass

    visit_Nonlocal = visit_Global

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        # pandas reads variables from the caller's scope by name inside query strings:
        # `df.query("price > @limit")`, `df.eval("a * @rate")`, `pd.eval("df1 + df2")`.
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in ("query", "eval")):
            return
        expression = node.args[0] if node.args else None
        expression = expression or next(
            (k.value for k in node.keywords if k.arg in ("expr", "expression")), None
        )
        if not (isinstance(expression, ast.Constant) and isinstance(expression.value, str)):
            return
        text = expression.value
        for name in _AT_NAME.findall(text):
            self.use(name, node.lineno)
        if isinstance(func.value, ast.Name) and func.value.id in ("pd", "pandas"):
            for name in _expression_names(text):
                self.use(name, node.lineno)

    def generic_visit(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    # -- statements whose evaluation order matters ---------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        self.visit_all(node.targets)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.use(node.target.id, node.target.lineno)  # `x += 1` reads x first
            self.bind(node.target.id)
        else:
            self.visit(node.target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        self.visit_all([node.value, node.target])

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self.visit(node.target)
        self.visit_all(node.body)
        self.visit_all(node.orelse)

    visit_AsyncFor = visit_For

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self.visit_all([node.type])
        if node.name:
            self.bind(node.name)
        self.visit_all(node.body)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        self.visit_all([node.pattern])
        if node.name:
            self.bind(node.name)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.visit_all(node.keys)
        self.visit_all(node.patterns)
        if node.rest:
            self.bind(node.rest)

    # -- new scopes -----------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.visit_all(node.decorator_list)
        self.visit_all(_outer_argument_parts(node.args))
        self.visit_all([node.returns])
        self.bind(node.name)
        bound, declared_global, declared_nonlocal = bindings(node.body, self.walrus)
        local = (bound | _parameters(node.args)) - declared_global - declared_nonlocal
        scope = _Scope("function", self.scope, local, declared_global, declared_nonlocal)
        self.inside(scope, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit_all(_outer_argument_parts(node.args, annotations=False))
        bound, _, _ = bindings([node.body], self.walrus)
        self.inside(_Scope("lambda", self.scope, bound | _parameters(node.args)), [node.body])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.visit_all(node.decorator_list)
        self.visit_all(node.bases)
        self.visit_all(keyword.value for keyword in node.keywords)
        self.inside(_Scope("class", self.scope), node.body)
        self.bind(node.name)

    def _comprehension(self, node: ast.AST, results: list[ast.AST]) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        # The first iterable is evaluated outside the comprehension's own scope.
        self.visit(generators[0].iter)
        targets, _, _ = bindings(g.target for g in generators)
        outer, self.scope = self.scope, _Scope("comprehension", self.scope, targets)
        try:
            for index, generator in enumerate(generators):
                if index:
                    self.visit(generator.iter)
                self.visit_all(generator.ifs)
            self.visit_all(results)
        finally:
            self.scope = outer

    def visit_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> None:
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])
