"""Shared Lambda analysis for the KER2xx rules: one answer per `Lambda(...)` call.

For every call of a Keras `Lambda` layer this module finds its function (an inline `lambda`,
a local `def`, or a name bound once to either), the expression the function returns, its free
names and what each is bound to (a loop variable, a captured value, a module-level import,
def or class, ...), and the loops or comprehensions around the call. It also decides which
single finding a Lambda is, so that the five rules never report the same Lambda twice:
KER202 (reads the loop variable) before KER203 (returns a function object) before KER205
(reads a symbolic tensor it is not called on) before KER201 (captures a value) before KER204
(names a module-level object, Keras 3 only).
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from keraslint.analysis import values as V
from keraslint.analysis.context import in_keras_class_method
from keraslint.analysis.scopes import COMPREHENSION_NODES, FUNCTION_NODES

LAMBDA_PATH = "keras.layers.Lambda"
_BUILTINS = frozenset(dir(builtins))
# captured value kinds
LOOP, VALUE, SMALL_INT, MODULE_OBJECT, FUNCTION_OBJECT, GRAPH_TENSOR, UNKNOWN = (
    "loop", "value", "small_int", "module_object", "function_object", "graph_tensor", "unknown")


@dataclass
class Free:
    """A name the Lambda's function reads but does not bind."""

    name: str
    uses: List[ast.Name]
    kind: str  # LOOP, VALUE, SMALL_INT, MODULE_OBJECT, FUNCTION_OBJECT, GRAPH_TENSOR or UNKNOWN
    value: V.Value
    module_level: bool  # bound in the module scope
    single_binding: bool  # bound exactly once where it is bound


@dataclass
class LambdaUse:
    call: ast.Call  # the Lambda(...) call: where every KER2xx finding is reported
    function: ast.AST  # ast.Lambda or ast.FunctionDef
    params: List[str]
    body: Optional[ast.expr]  # the returned expression; None for a def with more statements
    free: Dict[str, Free] = field(default_factory=dict)
    keywords: Dict[str, ast.expr] = field(default_factory=dict)
    applied_to: Optional[ast.expr] = None  # x in `Lambda(f)(x)`

    @property
    def simple_params(self) -> bool:
        args = self.function.args
        return (len(args.args) == 1 and not args.posonlyargs and not args.vararg and not args.kwonlyargs
                and not args.kwarg and not args.defaults)

    def names_of(self, kind: str) -> List[str]:
        return [name for name, free in self.free.items() if free.kind == kind]


def lambdas_of(ctx) -> "Lambdas":
    """The file's Lambda analysis, made once per FileContext."""
    return ctx.memo("lambdas", Lambdas)


class Lambdas:
    """Lambda uses of one file, computed on first request."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._cache: dict = {}
        self.claimed: dict = {}  # generated class name -> its source (keraslint.fixes.lambdas)

    def of(self, call: ast.Call) -> Optional[LambdaUse]:
        key = id(call)
        if key not in self._cache:
            self._cache[key] = self._analyse(call)
        return self._cache[key]

    def finding(self, call: ast.Call) -> Optional[str]:
        """The one KER2xx code this Lambda call is (None: nothing to report)."""
        use = self.of(call)
        if use is None:
            return None
        if use.names_of(LOOP):
            return "KER202"
        if self.returned_function(use) is not None:
            return "KER203"
        if in_keras_class_method(call, self.ctx.index, self.ctx.names):
            return None  # built by a custom layer's own code: saved through that layer's config
        if self.hidden_inputs(use):
            return "KER205"
        if "arguments" not in use.keywords and use.names_of(VALUE):
            return "KER201"
        if self.ctx.target == "keras3" and use.names_of(MODULE_OBJECT) and isinstance(use.function, ast.Lambda):
            # only a `lambda` is saved as code rebuilt without its globals; a `def` is saved by
            # name and loads with `custom_objects=` (measured on Keras 3.15.1, safe mode too)
            return "KER204"
        return None

    def hidden_inputs(self, use: LambdaUse) -> List[str]:
        """Symbolic tensors of the graph the function reads from its closure. Such a read
        never sees the data, even when the same tensor is also passed to the layer (measured:
        `Lambda(lambda p: p[0] * ops.max(image))([boxes, image])` fails like any other);
        only `t.shape`, a Python tuple fixed at build time, is not a read."""
        parents = self.ctx.index.parents
        return [name for name in use.names_of(GRAPH_TENSOR)
                if not all(_is_shape_attribute(u, parents) for u in use.free[name].uses)]

    def returned_function(self, use: LambdaUse):
        """The def or lambda that `lambda t: product` returns uncalled, else None."""
        body = use.body
        if isinstance(body, ast.Lambda):
            return body  # lambda t: lambda pair: ...
        if not isinstance(body, ast.Name) or body.id in use.params:
            return None
        value = self.ctx.values.of(body)
        if value.kind == V.FUNCTION and isinstance(value.origin, (ast.FunctionDef, ast.Lambda)):
            return value.origin
        return None

    # -- building ---------------------------------------------------------------------------
    def _analyse(self, call: ast.Call) -> Optional[LambdaUse]:
        ctx = self.ctx
        if ctx.names.path(call.func) != LAMBDA_PATH:
            return None  # not Keras' Lambda layer
        argument = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "function"), None)
        functions = self._functions(argument, call)
        if not functions:
            return None  # not a lambda or local def we can read
        function = functions[0]
        if isinstance(function, ast.Lambda):
            body = function.body
        else:
            statements = [s for s in function.body if not _is_docstring(s)]
            body = statements[0].value if len(statements) == 1 and isinstance(statements[0], ast.Return) else None
        rewritable = len(functions) == 1 and isinstance(argument, (ast.Lambda, ast.Name))
        if not rewritable:
            body = None  # `f if c else g`, `partial(f, ...)`: reported, not rewritten
        params = [a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)]
        keywords = {k.arg: k.value for k in call.keywords if k.arg and k.arg != "function"}
        parent = ctx.index.parents.get(call)
        applied = parent.args[0] if isinstance(parent, ast.Call) and parent.func is call and len(parent.args) == 1 and rewritable else None
        use = LambdaUse(call, function, params, body, keywords=keywords, applied_to=applied)
        for each in functions:
            loops = self._loop_targets(call, each)
            for name, uses in _free_uses(each, ctx.index).items():
                if name not in use.free:
                    use.free[name] = self._free(name, uses, loops)
        return use

    def _functions(self, argument, call) -> list:
        """The functions a Lambda may run: `lambda`, a local def or a name bound to either,
        both branches of `f if c else g`, and the function of `functools.partial(f, ...)`."""
        if isinstance(argument, ast.IfExp):
            branches = [self._function(argument.body, call), self._function(argument.orelse, call)]
            return branches if None not in branches else []
        if isinstance(argument, ast.Call) and self.ctx.names.path(argument.func) == "functools.partial" and argument.args:
            function = self._function(argument.args[0], call)
            return [function] if function is not None else []
        function = self._function(argument, call)
        return [function] if function is not None else []

    def _function(self, argument, call):
        if isinstance(argument, ast.Lambda):
            return argument
        if not isinstance(argument, ast.Name):
            return None
        value = self.ctx.values.of(argument)
        origin = value.origin
        if value.kind != V.FUNCTION or not isinstance(origin, (ast.Lambda, ast.FunctionDef)):
            return None
        if origin.decorator_list if isinstance(origin, ast.FunctionDef) else False:
            return None  # a decorated def may be registered or wrapped
        scope = self.ctx.index.scope_at(origin)
        if scope is not self.ctx.index.scope_at(call) and not _encloses(scope, self.ctx.index.scope_at(call)):
            return None  # defined elsewhere: its free names may mean something else here
        return origin

    def _loop_targets(self, call, function) -> set:
        """Loop-target names of the loops and comprehensions that make this Lambda (and its
        function) anew on every iteration, with no function boundary in between."""
        targets = set()
        child = call
        for node in self.ctx.index.ancestors(call):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and child in node.body:
                if _contains(node, function):
                    if not isinstance(node, ast.While):
                        targets.update(n for n in ast.walk(node.target) if isinstance(n, ast.Name))
                    targets.update(_assigned_in(node.body))  # `w = ws[i]` in the body: rebound too
            elif isinstance(node, COMPREHENSION_NODES) and isinstance(function, ast.Lambda) and _contains(node, function):
                for generator in node.generators:
                    targets.update(n for n in ast.walk(generator.target) if isinstance(n, ast.Name))
            elif isinstance(node, FUNCTION_NODES):
                break
            child = node
        return targets

    def _free(self, name: str, uses: List[ast.Name], loops: set) -> Free:
        ctx = self.ctx
        owner, bindings = ctx.index.lookup(name, ctx.index.scope_at(uses[0]))
        value = ctx.values.of(uses[0])
        module_level = owner is ctx.index.module_scope
        single = len(bindings) == 1
        if owner is None:
            kind = UNKNOWN
        elif any(b.node in loops for b in bindings):
            kind = LOOP
            if any(b.kind == "loop" for b in bindings):
                value = self._loop_value(bindings)
        elif module_level and all(b.kind in ("import", "def", "class") for b in bindings):
            kind = MODULE_OBJECT
        elif value.kind == V.FUNCTION:
            kind = FUNCTION_OBJECT
        elif value.kind == V.SYMBOLIC:
            kind = GRAPH_TENSOR  # a KerasTensor of the model being built (KER205)
        elif value.kind == V.RAW and value.raw_kind == V.NUMBER and not module_level and only_index(uses, ctx.index):
            kind = SMALL_INT  # a closure number used as an axis or slice bound: saved with the closure
        elif value.kind == V.RAW or (module_level and all(b.kind == "assign" for b in bindings)):
            kind = VALUE
        else:
            kind = UNKNOWN
        return Free(name, uses, kind, value, module_level, single)

    def _loop_value(self, bindings) -> V.Value:
        """A number when the loop runs over a literal list of numbers (`for w in [1., 2.]`)."""
        if len(bindings) == 1:
            loop = self.ctx.index.parents.get(bindings[0].node)
            if isinstance(loop, (ast.For, ast.AsyncFor, ast.comprehension)) and loop.target is bindings[0].node:
                if _literal_numbers(loop.iter):
                    return V.Value(V.RAW, V.NUMBER, ())
        return V.UNKNOWN_VALUE


def _is_shape_attribute(use: ast.Name, parents) -> bool:
    """`t.shape` (or `t.shape[1]`): a Python tuple fixed when the model is built, not a read
    of the tensor at run time."""
    parent = parents.get(use)
    return isinstance(parent, ast.Attribute) and parent.attr == "shape"


def _encloses(outer, inner) -> bool:
    """`outer` is a function or the module around `inner`: a def made there reads its free
    names where it is defined, whichever scope hands it to `Lambda`."""
    if outer.kind not in ("function", "module"):
        return False
    current = inner.parent
    while current is not None:
        if current is outer:
            return True
        current = current.parent
    return False


def _assigned_in(statements) -> set:
    """Names a loop body binds by assignment in its own scope (not in nested defs/lambdas)."""
    found, stack = set(), list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *COMPREHENSION_NODES)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _literal_numbers(node) -> bool:
    return isinstance(node, (ast.List, ast.Tuple)) and bool(node.elts) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool) for e in node.elts)


def _free_uses(function: ast.AST, index) -> Dict[str, List[ast.Name]]:
    """Loaded names in the function's body that none of its own (or nested) scopes bind.
    Default values are left out: they are evaluated once, where the function is made."""
    own = {index.scope_of[node] for node in ast.walk(function) if node in index.scope_of}
    body = [function.body] if isinstance(function, ast.Lambda) else function.body
    found: Dict[str, List[ast.Name]] = {}
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                owner, _ = index.lookup(node.id, index.scope_at(node))
                if owner in own or (owner is None and node.id in _BUILTINS):
                    continue
                found.setdefault(node.id, []).append(node)
    for uses in found.values():
        uses.sort(key=lambda n: (n.lineno, n.col_offset))
    return dict(sorted(found.items(), key=lambda item: (item[1][0].lineno, item[1][0].col_offset)))


def only_index(uses, index) -> bool:
    """Every use is an axis= / slice bound / subscript index position."""
    for use in uses:
        node, parent = use, index.parents.get(use)
        while isinstance(parent, (ast.BinOp, ast.UnaryOp)):
            node, parent = parent, index.parents.get(parent)
        if isinstance(parent, ast.Slice) or (isinstance(parent, ast.Subscript) and parent.slice is node):
            continue
        if isinstance(parent, ast.Tuple) and isinstance(index.parents.get(parent), ast.Subscript):
            continue
        if isinstance(parent, ast.keyword) and parent.arg in ("axis", "axes"):
            continue
        return False
    return True


def _contains(outer, inner) -> bool:
    return any(node is inner for node in ast.walk(outer))


def _is_docstring(statement) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str)
