"""One pass over the `ast` tree: parents, scopes, name bindings and the nodes rules look at.

Everything later (qualified names, what a value is, who calls a helper) reads this index, so
the tree is walked once per file. The walk is iterative: deeply nested expressions must not
hit Python's recursion limit here (ast.parse already accepted them).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterator, Optional

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
COMPREHENSION_NODES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(eq=False)
class Binding:
    """One place where a name gets a value in a scope."""

    name: str
    kind: str  # "assign", "param", "import", "def", "class", "loop", "with", "except", "other"
    node: ast.AST  # the Name/arg/alias/def node that binds it
    position: tuple  # (line, col) used to order bindings
    qualified: Optional[str] = None  # for imports: the module path bound


@dataclass(eq=False)
class Scope:
    node: ast.AST
    parent: Optional["Scope"]
    bindings: dict = field(default_factory=dict)  # name -> [Binding] in source order
    declared_global: set = field(default_factory=set)
    star_imports: list = field(default_factory=list)  # module paths of `from m import *`

    kind: str = field(init=False)  # "module", "class", "comprehension" or "function"

    def __post_init__(self) -> None:
        # fixed at creation: name lookups ask for it hundreds of thousands of times
        if isinstance(self.node, ast.Module):
            self.kind = "module"
        elif isinstance(self.node, ast.ClassDef):
            self.kind = "class"
        elif isinstance(self.node, COMPREHENSION_NODES):
            self.kind = "comprehension"
        else:
            self.kind = "function"

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


def _position(node: ast.AST) -> tuple:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class TreeIndex:
    """Parents, scopes and bindings of one module, built in a single walk."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.parents: dict = {}
        self.scope_of: dict = {}  # scope-creating node -> Scope
        self.node_scope: dict = {}  # any node -> the Scope it is evaluated in
        self.by_type: dict = {}  # ast class -> [nodes] in source order
        self._sorted: set = set()
        self.module_scope = Scope(tree, None)
        self.scope_of[tree] = self.module_scope
        self._walk()

    # -- building ---------------------------------------------------------------------------
    def _walk(self) -> None:
        # The hot loop of the whole linter (every node of every candidate file passes here):
        # local names, a type-dispatch table instead of isinstance chains, and no sorting
        # until a node list is asked for.
        parents = self.parents
        node_scope = self.node_scope
        by_type = self.by_type
        enter = _ENTER
        scoped_children = _SCOPED_CHILDREN
        fields_of = _FIELDS
        AST = ast.AST
        stack = [(self.tree, self.module_scope)]
        pop, push = stack.pop, stack.append
        while stack:
            node, scope = pop()
            node_scope[node] = scope
            kind = type(node)
            bucket = by_type.get(kind)
            if bucket is None:
                by_type[kind] = [node]
            else:
                bucket.append(node)
            handler = enter.get(kind)
            inner = handler(self, node, scope) if handler is not None else None
            needs_choice = kind in scoped_children
            fields = fields_of.get(kind)
            if fields is None:
                fields = fields_of[kind] = _child_fields(kind)
            for name in fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    for child in value:
                        if isinstance(child, AST):
                            parents[child] = node
                            push((child, self._child_scope(node, child, scope, inner) if needs_choice else scope))
                elif isinstance(value, AST):
                    parents[value] = node
                    push((value, self._child_scope(node, value, scope, inner) if needs_choice else scope))
        for scope in self.scope_of.values():
            for bindings in scope.bindings.values():
                bindings.sort(key=lambda b: b.position)

    def _enter_definition(self, node, scope):
        kind = "class" if isinstance(node, ast.ClassDef) else "def"
        self._bind(scope, Binding(node.name, kind, node, _position(node)))
        return self._enter_scope(node, scope)

    def _enter_scope(self, node, scope):
        inner = Scope(node, scope)
        self.scope_of[node] = inner
        if isinstance(node, FUNCTION_NODES):
            for arg in all_args(node.args):
                inner.add(Binding(arg.arg, "param", arg, _position(arg) if hasattr(arg, "lineno") else _position(node)))
        return inner

    def _enter_name(self, node, scope):
        if not isinstance(node.ctx, ast.Load):
            self._bind(scope, Binding(node.id, _store_kind(self.parents.get(node), node, self.parents), node, _position(node)))
        return None

    def _enter_import(self, node, scope):
        self._bind_import(node, scope)
        return None

    def _enter_global(self, node, scope):
        scope.declared_global.update(node.names)
        return None

    def _enter_handler(self, node, scope):
        if node.name:
            self._bind(scope, Binding(node.name, "except", node, _position(node)))
        return None

    def _child_scope(self, node, child, scope, inner):
        """The scope `child` is evaluated in (Python's rules, simplified where harmless)."""
        if isinstance(node, ast.arguments):
            # default values are evaluated where the function is defined
            if child in node.defaults or child in node.kw_defaults:
                return scope.parent or scope
            return scope
        if isinstance(node, ast.comprehension):
            parent = self.parents.get(node)
            if child is node.iter and parent is not None and parent.generators[0] is node:
                return scope.parent or scope  # the first iterable runs outside the comprehension
            return scope
        if inner is None:
            return scope
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if child is node.returns or child in node.decorator_list:
                return scope
        elif isinstance(node, ast.ClassDef):
            if child in node.bases or child in node.decorator_list or child in node.keywords:
                return scope
        return inner

    def _bind(self, scope: Scope, binding: Binding) -> None:
        if binding.name in scope.declared_global:
            self.module_scope.add(binding)
        else:
            scope.add(binding)

    def _bind_import(self, node, scope: Scope) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self._bind(scope, Binding(alias.asname, "import", alias, _position(node), alias.name))
                else:
                    top = alias.name.split(".")[0]
                    self._bind(scope, Binding(top, "import", alias, _position(node), top))
            return
        if node.level:  # relative import: a project module, never Keras
            for alias in node.names:
                if alias.name != "*":
                    name = alias.asname or alias.name
                    self._bind(scope, Binding(name, "other", alias, _position(node)))
            return
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                scope.star_imports.append(module)
                continue
            name = alias.asname or alias.name
            self._bind(scope, Binding(name, "import", alias, _position(node), f"{module}.{alias.name}"))

    # -- queries ----------------------------------------------------------------------------
    def nodes(self, *types) -> list:
        """Nodes of the given types in source order (sorted on first request only)."""
        for kind in types:
            if kind not in self._sorted:
                self.by_type.get(kind, []).sort(key=_position)
                self._sorted.add(kind)
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        found = [n for t in types for n in self.by_type.get(t, [])]
        found.sort(key=_position)
        return found

    def scope_at(self, node: ast.AST) -> Scope:
        return self.node_scope.get(node, self.module_scope)

    def lookup(self, name: str, scope: Scope):
        """The scope that binds `name` as seen from `scope`, and its bindings (or None, [])."""
        current = scope
        first = True
        while current is not None:
            # a class body's names are not visible inside its methods
            if current.kind != "class" or first:
                if name in current.bindings and name not in current.declared_global:
                    return current, current.bindings[name]
            first = False
            current = current.parent
        return None, []

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        parent = self.parents.get(node)
        while parent is not None:
            yield parent
            parent = self.parents.get(parent)

    def exclusive(self, a: ast.AST, b: ast.AST) -> bool:
        """`a` and `b` sit in different branches of one `if` (body / else) or `try` (body /
        handlers): a single run of the code never executes both."""
        ancestors_of_b = set(map(id, self.ancestors(b)))
        child = a
        for parent in self.ancestors(a):
            if id(parent) in ancestors_of_b and isinstance(parent, (ast.If, ast.Try)):
                return _branch(parent, child) != _branch(parent, self._child_towards(parent, b))
            child = parent
        return False

    def _child_towards(self, ancestor: ast.AST, node: ast.AST) -> ast.AST:
        for parent in self.ancestors(node):
            if parent is ancestor:
                return node
            node = parent
        return node

    def statement_of(self, node: ast.AST) -> Optional[ast.stmt]:
        if isinstance(node, ast.stmt):
            return node
        for parent in self.ancestors(node):
            if isinstance(parent, ast.stmt):
                return parent
        return None


def _branch(statement: ast.AST, child: ast.AST) -> str:
    for name in ("body", "orelse", "handlers", "finalbody"):
        if child in getattr(statement, name, ()):
            return name
    return "test"


def all_args(args: ast.arguments):
    yield from args.posonlyargs
    yield from args.args
    if args.vararg:
        yield args.vararg
    yield from args.kwonlyargs
    if args.kwarg:
        yield args.kwarg


def _store_kind(parent, node, parents) -> str:
    # climb through tuple/list/starred unpacking to the statement that stores
    while isinstance(parent, (ast.Tuple, ast.List, ast.Starred)):
        parent = parents.get(parent)
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        return "assign"
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)):
        return "loop"
    if isinstance(parent, ast.withitem):
        return "with"
    return "other"


_ENTER = {
    ast.FunctionDef: TreeIndex._enter_definition,
    ast.AsyncFunctionDef: TreeIndex._enter_definition,
    ast.ClassDef: TreeIndex._enter_definition,
    ast.Lambda: TreeIndex._enter_scope,
    ast.ListComp: TreeIndex._enter_scope,
    ast.SetComp: TreeIndex._enter_scope,
    ast.DictComp: TreeIndex._enter_scope,
    ast.GeneratorExp: TreeIndex._enter_scope,
    ast.Name: TreeIndex._enter_name,
    ast.Import: TreeIndex._enter_import,
    ast.ImportFrom: TreeIndex._enter_import,
    ast.Global: TreeIndex._enter_global,
    ast.Nonlocal: TreeIndex._enter_global,
    ast.ExceptHandler: TreeIndex._enter_handler,
}
# node types whose children may be evaluated in a different scope than the node itself
_SCOPED_CHILDREN = {
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
    ast.DictComp, ast.GeneratorExp, ast.arguments, ast.comprehension,
}

# Fields never walked: load/store contexts and operators are shared singleton objects that
# no analysis asks about (skipping them cuts the walk by about a third).
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})
# Fields that never hold a node (identifiers, numbers, flags): not even looked at, so a
# `Name` or a `Constant`, a third of all nodes, has no field left to visit.
_PLAIN_FIELDS = frozenset({"id", "attr", "arg", "name", "asname", "module", "level", "kind", "type_comment",
                           "is_async", "conversion", "simple"})
_FIELDS: dict = {}


def _child_fields(kind) -> tuple:
    plain = _PLAIN_FIELDS | ({"value"} if kind is ast.Constant else set())
    return tuple(name for name in kind._fields if name not in _SKIPPED_FIELDS and name not in plain)


def own_returns(function: ast.AST):
    """Return statements of `function` itself, not of functions nested inside it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
