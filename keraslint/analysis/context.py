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

