"""Where does code run? At model construction, or later, on real (or traced) tensors?

A TensorFlow op is a mistake on a Keras 3 symbolic tensor only while the model is being built.
The same op is right inside a Layer's `call` (or any method of a Layer/Model subclass), a
`Lambda` layer's function, a `@tf.function`, or a lambda handed to something like
`dataset.map`: those bodies run later, on eager or traced tensors. `deferred_body(node, ...)`
names the innermost such body around `node` (None: the node runs where it is written).
"""

from __future__ import annotations

import ast
import weakref
from typing import Optional

from keraslint.analysis.scopes import TreeIndex

_LAMBDA_LAYER = "keras.layers.Lambda"
_TF_FUNCTION = {"tensorflow.function", "tensorflow.autograph.experimental.do_not_convert"}
_KERAS_BASES = ("keras.", "tensorflow.Module")

_cache: "weakref.WeakKeyDictionary[TreeIndex, dict]" = weakref.WeakKeyDictionary()


def deferred_body(node: ast.AST, index: TreeIndex, names) -> Optional[ast.AST]:
    """The function/lambda around `node` whose body runs after model construction, if any:
    a method of a class derived from a Keras/TensorFlow class, a function passed to a
    `Lambda` layer, a `@tf.function`, or any `lambda` (a callback by nature)."""
    lambda_functions = _lambda_layer_functions(index, names)
    for parent in index.ancestors(node):
        if isinstance(parent, ast.Lambda):
            return parent
        if not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if parent in lambda_functions or _is_tf_function(parent, names):
            return parent
        owner = index.parents.get(parent)
        if isinstance(owner, ast.ClassDef) and _derives_from_keras(owner, index, names, set()):
            return parent
    return None


def in_keras_class_method(node: ast.AST, index: TreeIndex, names) -> bool:
    """`node` is written inside a method of a class derived from a Keras class (a custom
    Layer or Model): what it builds there is rebuilt by that class's code when a saved model
    is loaded, not deserialised on its own."""
    for parent in index.ancestors(node):
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            owner = index.parents.get(parent)
            if isinstance(owner, ast.ClassDef) and _derives_from_keras(owner, index, names, set()):
                return True
    return False


def _is_tf_function(function, names) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if names.path(target) in _TF_FUNCTION:
            return True
    return False


def _derives_from_keras(cls: ast.ClassDef, index: TreeIndex, names, seen: set) -> bool:
    if id(cls) in seen:
        return False
    seen.add(id(cls))
    for base in cls.bases:
        path = names.path(base)
        if path and path.startswith(_KERAS_BASES):
            return True
        if isinstance(base, ast.Name):  # a class of this file deriving from a Keras class
            _, bindings = index.lookup(base.id, index.scope_at(base))
            for binding in bindings:
                if binding.kind == "class" and _derives_from_keras(binding.node, index, names, seen):
                    return True
    return False


def _lambda_layer_functions(index: TreeIndex, names) -> frozenset:
    """The `def`s this file passes to `Lambda(...)` (first argument or `function=`)."""
    cached = _cache.get(index)
    if cached is not None and "lambda_functions" in cached:
        return cached["lambda_functions"]
    found = set()
    for call in index.nodes(ast.Call):
        if names.path(call.func) != _LAMBDA_LAYER:
            continue
        arguments = list(call.args[:1]) + [k.value for k in call.keywords if k.arg == "function"]
        for argument in arguments:
            if not isinstance(argument, ast.Name):
                continue
            _, bindings = index.lookup(argument.id, index.scope_at(argument))
            found.update(b.node for b in bindings if b.kind == "def")
    result = frozenset(found)
    _cache.setdefault(index, {})["lambda_functions"] = result
    return result


# -- is this tensor built at model construction? ---------------------------------------------------
_GRAPH_FUNCTIONS = ("keras.ops.", "keras.backend.", "keras.activations.", "tensorflow.")
_OUTPUT_ATTRS = {"output", "outputs", "input", "inputs"}
MAX_DEPTH = 60


def construction_tensor(expr: ast.AST, index: TreeIndex, names, values, calls) -> bool:
    """True when `expr` is a symbolic tensor that provably descends from `keras.Input` (or a
    model's `.output`) through layer calls, ops, arithmetic, indexing and helper parameters
    whose callers pass such tensors. Stricter than `values.of(expr).is_symbolic`, which also
    calls `model(batch)` symbolic when `batch` is unknown (an eager call in a training loop)."""
    return _Grounding(index, names, values, calls).grounded(expr, 0)


class _Grounding:
    def __init__(self, index, names, values, calls):
        self.index, self.names, self.values, self.calls = index, names, values, calls
        self.active: set = set()

    def grounded(self, expr, depth) -> bool:
        if depth > MAX_DEPTH or id(expr) in self.active:
            return False  # too deep to prove, or a cycle
        self.active.add(id(expr))
        try:
            return self._grounded(expr, depth + 1)
        finally:
            self.active.discard(id(expr))

    def _any(self, nodes, depth) -> bool:
        return any(self.grounded(node, depth) for node in nodes)

    def _grounded(self, expr, depth) -> bool:
        if isinstance(expr, ast.Name):
            return self._name(expr, depth)
        if isinstance(expr, ast.Call):
            return self._call(expr, depth)
        if isinstance(expr, ast.Attribute):
            return expr.attr in _OUTPUT_ATTRS and self.values.of(expr).is_symbolic
        if isinstance(expr, (ast.Subscript, ast.Starred, ast.NamedExpr)):
            return self.grounded(expr.value, depth)
        if isinstance(expr, ast.BinOp):
            return self._any((expr.left, expr.right), depth)
        if isinstance(expr, ast.UnaryOp):
            return self.grounded(expr.operand, depth)
        if isinstance(expr, ast.Compare):
            return self._any([expr.left, *expr.comparators], depth)
        if isinstance(expr, (ast.List, ast.Tuple)):
            return self._any(expr.elts, depth)
        return False

    def _call(self, call, depth) -> bool:
        path = self.names.path(call.func)
        if path == "keras.Input":
            return True
        arguments = list(call.args) + [k.value for k in call.keywords]
        if path is not None and not path.startswith(_GRAPH_FUNCTIONS):
            return False  # a layer constructor, Model(...), numpy, ...: not a tensor
        if path is None and not self.values.of(call).is_symbolic:
            return False  # not a layer/model/helper call that yields a tensor
        return self._any(arguments, depth)

    def _name(self, name, depth) -> bool:
        bindings = self.values.name_bindings(name)
        if not bindings:
            return False
        return all(self._binding(binding, depth) for binding in bindings)

    def _binding(self, binding, depth) -> bool:
        if binding.kind == "param":
            return self._parameter(binding.node, depth)
        if binding.kind != "assign":
            return False  # a loop variable, a with target, an import ...
        parent = self.index.parents.get(binding.node)
        while isinstance(parent, (ast.Tuple, ast.List, ast.Starred)):
            parent = self.index.parents.get(parent)  # `a, b = pieces`: the whole right-hand side
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and parent.value is not None:
            return self.grounded(parent.value, depth)
        return False

    def _parameter(self, arg, depth) -> bool:
        """A helper's parameter: grounded when some caller passes a grounded tensor there."""
        arguments = self.index.parents.get(arg)
        function = self.index.parents.get(arguments)
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or self.calls is None:
            return False
        if isinstance(self.index.parents.get(function), ast.ClassDef):
            return False  # a method: its callers are not traced
        positional = [*arguments.posonlyargs, *arguments.args]
        position = positional.index(arg) if arg in positional else None
        for call in self.calls.calls_of(function):
            if position is not None and position < len(call.args) and not isinstance(call.args[position], ast.Starred):
                passed = call.args[position]
            else:
                passed = next((k.value for k in call.keywords if k.arg == arg.arg), None)
            if passed is not None and self.grounded(passed, depth):
                return True
        return False
