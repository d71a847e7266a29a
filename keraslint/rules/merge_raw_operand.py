"""KER101: a raw constant, array, tensor or variable used as a Merge-layer operand.

## What it does
Finds a Merge layer (`Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`,
`Concatenate`, `Dot`, or their functions `add`, `multiply`, ...) that gets a raw value
among its operands: a number, a list, a numpy array, a `tf.constant`, a `keras.ops` tensor,
or a variable (`keras.Variable`, `tf.Variable`, `K.variable`).

## Why is this bad?
Merge layers read axis 0 of every operand as the batch axis and expand lower-rank operands,
so a per-sample constant `c` of shape `(N,)` becomes an `(N, 1)` column. Measured on Keras 3.15
and tf_keras 2.21: batch size 1 returns an `(N, N)` result, batch size 3 raises
`Incompatible shapes`, and batch size N silently returns wrong values. A variable passed
this way is never trained (`trainable_weights` is empty), and on tf_keras the saved model
cannot be loaded again.

## Example
```python
import keras
import numpy as np

c = np.array([0.5, 1.5, 2.0, -1.0])
x = keras.Input((4,))
y = keras.layers.Multiply()([x, c])
```

## Use instead
```python
import keras
import numpy as np

c = np.array([0.5, 1.5, 2.0, -1.0])
x = keras.Input((4,))
y = keras.layers.Rescaling(scale=c)(x)
```
`Add`, `Subtract` and `Average` become `Rescaling` with an `offset`. `Maximum`, `Minimum`,
`Concatenate`, `Dot` and merges of more than two operands keep the Merge layer and get
`ConstantOperand(c)(x)`, a small registered layer inserted into the module that holds the
constant as a non-trainable weight and broadcasts it to the batch: the model saves and loads
in safe mode. On tf_keras the value is passed to `Rescaling` as a list (an ndarray in its
config does not deserialize there).

A variable stays a constant with the value it has when the model is built, which is what the
original model computed (it never trained). To learn it, make it a trainable weight of a
layer (`self.add_weight(..., trainable=True)`) instead.

`Add` and `Average` on Keras 3 are the exception, measured on Keras 3.15.1 with the TensorFlow
backend: with the tensor first and an `(N,)` array or tensor (`[x, c]`), they add the constant
with `bias_add`, so the numbers are right at every batch size and the model saves and reloads;
only the symbolic shape is wrong (`(N,)` instead of `(None, N)`), so a layer called on the
result sees a rank-1 tensor. On the JAX backend they fail like `Multiply`.

## Fix safety
Safe when the original model computed the right numbers and the fix keeps them (and adds no
parameters): a constant known to have shape `(1, N)` in an element-wise layer, and on Keras 3
an `(N,)` array or tensor after the tensor in `Add` or `Average` (the `Rescaling` fix computes
`x + c` and `x * 0.5 + c * 0.5`, bit for bit the same; it also gives the symbolic shape
`(None, N)`). Every other fix is unsafe: it repairs a wrong result or a crash, so the numbers
change, and `ConstantOperand` adds the constant's size to the non-trainable parameter count.
`ConstantOperand` takes the value when the module runs, so the constant's shape need not be
known: any array, tensor or variable expression is wrapped as written. No fix is offered for a
number in `Concatenate` or `Dot` (it has no per-sample shape), when the tensor to broadcast
against is not a plain name, or for standalone Keras 2 code.

## References
- PITFALLS.md, KER101 (measurements on Keras 3.15.1 and tf_keras 2.21.0)
- tensorflow/tensorflow#39980, #40638; keras-team/keras#17300
"""

from __future__ import annotations

import ast

from keraslint.analysis import values as V
from keraslint.fixes.merge import ELEMENTWISE, build_fix, keras3_bias_add, short

CODE = "KER101"
NAME = "merge-raw-operand"
MESSAGE = "`{layer}` gets raw {kind} `{operand}` as an operand; Merge layers read axis 0 as the batch, so {effect}{extra}"
EFFECT = "shapes and values go wrong"
# Keras 3 (TensorFlow backend) adds an (N,) constant with `bias_add`: right numbers, wrong rank
# a (1, N) constant in an element-wise layer broadcasts like a per-sample one: right numbers
ROW_EFFECT = "the symbolic shape is wrong (`(1, {n})`, not `(None, {n})`; the numbers are right{reload})"
ROW_RELOAD = ", but the saved model does not load"
BIAS_ADD_EFFECT = "the symbolic shape is wrong (`({n},)`, not `(None, {n})`; the numbers are right on the TensorFlow backend)"
FIX_TITLE = "Replace with `Rescaling(...)` or wrap the value in `ConstantOperand`"
NODE_TYPES = (ast.Call,)
MERGE_CLASSES = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}
MERGE_FUNCTIONS = {name.lower(): name for name in MERGE_CLASSES}
# a call of a Merge class or function: `Add(`, `layers.add(` (not `BiasAdd(`, `np.add(`).
# The words are the names without their first letter, so one search finds both spellings
# (`dd(` for `Add(` and `add(`); `_calls_a_merge_layer` then checks what is around them.
TRIGGERS = tuple(sorted(f"{name[1:]}(" for name in MERGE_FUNCTIONS))
# not a Merge layer: a function of a numerical module (`np.add(`, `tf.maximum(`, `K.dot(`) or `model.add(`
_NOT_MERGE_OWNERS = {"np", "numpy", "tf", "math", "K", "backend", "ops", "jnp", "torch", "model"}
_IDENTIFIER = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


def _calls_a_merge_layer(text: str) -> bool:
    """A call that can be a Merge layer's (str.find, no regex: this runs before parsing)."""
    for name in MERGE_CLASSES:
        tail, first = f"{name[1:]}(", name[0]
        at = text.find(tail)
        while at != -1:
            start = at - 1
            letter = text[start] if start >= 0 else ""
            before = text[start - 1] if start >= 1 else " "
            if letter in (first, first.lower()) and before not in _IDENTIFIER:
                if before != "." or letter == first:
                    return True  # `Add(`, `add(`, `layers.Add(`
                owner = text[max(0, start - 11) : start - 1]
                if owner[len(owner.rstrip(_IDENTIFIER)) :] not in _NOT_MERGE_OWNERS:
                    return True  # `layers.add(`, not `np.add(`
            at = text.find(tail, at + 1)
    return False


REQUIRES = (_calls_a_merge_layer,)
DEFAULT_ENABLED = True

_MERGE_WORDS = MERGE_CLASSES | set(MERGE_FUNCTIONS)
_KIND_WORDS = {V.ARRAY: "array", V.TENSOR: "tensor", V.VARIABLE: "variable", V.NUMBER: "number", V.LIST: "list"}


def check(call: ast.Call, ctx):
    if not (call.args and isinstance(call.args[0], (ast.List, ast.Tuple))) and not call.keywords:
        return  # cheap syntactic test first: Merge layers take a literal list of operands
    if _callee_word(call.func) not in _MERGE_WORDS and not isinstance(call.func, ast.Name):
        return  # not named like a Merge layer
    merge = _merge_layer(call, ctx)
    if merge is None:
        return  # not a call of a Keras Merge layer
    layer, class_ref = merge
    operands = _operand_list(call)
    if operands is None:
        return  # operands are not a literal list: nothing to inspect
    # raw or not is decided by how an operand is made: backward evidence (which only turns
    # unknown into symbolic) is not needed, and not computed
    values = [ctx.values.forward(element) for element in operands.elts]
    raw = [(element, value) for element, value in zip(operands.elts, values) if value.is_raw]
    if not raw:
        return  # every operand is a tensor of the graph (or unknown)
    if len(raw) == len(values):
        return  # every operand is data: an eager call (a test, preprocessing), not a model graph
    element, value = raw[0]
    extra = ""
    if value.raw_kind == V.VARIABLE:
        extra = "; the variable is never trained (the fix keeps its value constant)"
    effect = EFFECT
    if keras3_bias_add(layer, operands.elts, values, ctx.target):
        effect = BIAS_ADD_EFFECT.format(n=value.shape[0])
    elif layer in ELEMENTWISE and len(values) == 2 and value.raw_kind != V.VARIABLE and _is_row(value.shape):
        effect = ROW_EFFECT.format(n=value.shape[1], reload=ROW_RELOAD if ctx.target == "tf_keras" else "")
    message = MESSAGE.format(layer=layer, kind=_KIND_WORDS.get(value.raw_kind, "value"), operand=short(ctx.segment(element)), effect=effect, extra=extra)
    fix = build_fix(call, layer, class_ref, operands, values, ctx)
    yield ctx.report(CODE, call, message, fix)


def _is_row(shape):
    return shape is not None and len(shape) == 2 and shape[0] == 1


def _callee_word(func):
    """"Multiply" for `Multiply()`, `L.Multiply()`, `layers.multiply`; None otherwise."""
    if isinstance(func, ast.Call):
        func = func.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _merge_layer(call: ast.Call, ctx):
    """("Multiply", the layer class or function expression) for a Merge-layer call, else None."""
    func = call.func
    if isinstance(func, ast.Call):  # Multiply()([...])
        path = ctx.names.path(func.func)
        if path and path.startswith("keras.layers.") and path[len("keras.layers."):] in MERGE_CLASSES:
            return path[len("keras.layers."):], func.func
        return None
    path = ctx.names.path(func)
    if path and path.startswith("keras.layers.") and path[len("keras.layers."):] in MERGE_FUNCTIONS:
        return MERGE_FUNCTIONS[path[len("keras.layers."):]], func  # layers.multiply([...])
    if isinstance(func, ast.Name):  # m = Multiply(); m([...])
        layer = ctx.values.forward(func)
        origin = layer.origin
        if layer.kind == V.LAYER and isinstance(origin, ast.Call):
            origin_path = ctx.names.path(origin.func)
            if origin_path and origin_path[len("keras.layers."):] in MERGE_CLASSES and origin_path.startswith("keras.layers."):
                return origin_path[len("keras.layers."):], origin.func
    return None


def _operand_list(call: ast.Call):
    candidates = list(call.args[:1]) + [k.value for k in call.keywords if k.arg == "inputs"]
    if len(candidates) == 1 and isinstance(candidates[0], (ast.List, ast.Tuple)):
        return candidates[0]
    return None
