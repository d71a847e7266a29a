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

## Fix safety
Safe only when the constant is known to have shape `(1, N)` and the layer is element-wise:
the original model computed the right numbers there and the fix keeps them (and adds no
parameters). Every other fix is unsafe: it repairs a wrong result or a crash, so the numbers
change, and `ConstantOperand` adds the constant's size to the non-trainable parameter count.
No fix is offered when the operand's shape is unknown and the rewrite needs it, when the
tensor to broadcast against is not a plain name, or for standalone Keras 2 code.

## References
- PITFALLS.md, KER101 (measurements on Keras 3.15.1 and tf_keras 2.21.0)
- tensorflow/tensorflow#39980, #40638; keras-team/keras#17300
"""

from __future__ import annotations

import ast

from keraslint import snippets
from keraslint.analysis import values as V
from keraslint.violations import SAFE, UNSAFE, AddHelper, AddImport, FixSpec, Replace

CODE = "KER101"
NAME = "merge-raw-operand"
MESSAGE = "`{layer}` gets raw {kind} `{operand}` as an operand; Merge layers read axis 0 as the batch, so shapes and values go wrong{extra}"
FIX_TITLE = "Replace with `Rescaling(...)` or wrap the value in `ConstantOperand`"
NODE_TYPES = (ast.Call,)
MERGE_CLASSES = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}
MERGE_FUNCTIONS = {name.lower(): name for name in MERGE_CLASSES}
# a call of a Merge class or function: `Add(`, `layers.add(` (not `padding`, `address`)
TRIGGERS = tuple(f"{name}(" for name in sorted(MERGE_CLASSES | set(MERGE_FUNCTIONS)))
DEFAULT_ENABLED = True

ELEMENTWISE = {"Add", "Subtract", "Multiply", "Average"}
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
    values = [ctx.values.of(element) for element in operands.elts]
    raw = [(element, value) for element, value in zip(operands.elts, values) if value.is_raw]
    if not raw:
        return  # every operand is a tensor of the graph (or unknown)
    element, value = raw[0]
    extra = ""
    if value.raw_kind == V.VARIABLE:
        extra = "; the variable is never trained (the fix keeps its value constant)"
    message = MESSAGE.format(layer=layer, kind=_KIND_WORDS.get(value.raw_kind, "value"), operand=_short(ctx.segment(element)), extra=extra)
    fix = _fix(call, layer, class_ref, operands, values, ctx)
    yield ctx.report(CODE, call, message, fix)


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
        layer = ctx.values.of(func)
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


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


# -- the fix ----------------------------------------------------------------------------------
def _fix(call, layer, class_ref, operands, values, ctx):
    target = ctx.target
    if target == "keras2":
        return None  # standalone Keras 2 has neither Rescaling nor keras.saving
    raw_positions = [i for i, value in enumerate(values) if value.is_raw]
    others = [i for i, value in enumerate(values) if not value.is_raw]
    if not others:
        return None  # nothing to take the batch size from
    if layer in ELEMENTWISE and len(values) == 2:
        return _rescaling_fix(call, layer, class_ref, operands, values, raw_positions[0], others[0], ctx)
    return _constant_operand_fix(operands, values, raw_positions, others, ctx)


def _rescaling_fix(call, layer, class_ref, operands, values, raw_at, tensor_at, ctx):
    value = values[raw_at]
    rescaling, imports = _rescaling_reference(class_ref, ctx)
    np_name, np_imports = ctx.names.module_reference("numpy", "np")
    if rescaling is None or np_name is None:
        return None
    operand = ctx.segment(operands.elts[raw_at])
    tensor = ctx.segment(operands.elts[tensor_at])
    as_list = ctx.target != "keras3"  # tf_keras cannot deserialize an ndarray in the config
    plain = _plain_value(operands.elts[raw_at], value, operand, np_name, as_list)
    if layer == "Multiply":
        arguments = f"scale={plain}"
    elif layer == "Add":
        arguments = f"1.0, offset={plain}"
    elif layer == "Subtract" and raw_at == 1:  # x - c
        arguments = f"1.0, offset={_scaled(operands.elts[raw_at], operand, -1.0, np_name, as_list)}"
    elif layer == "Subtract":  # c - x
        arguments = f"-1.0, offset={plain}"
    else:  # Average: (x + c) / 2
        arguments = f"0.5, offset={_scaled(operands.elts[raw_at], operand, 0.5, np_name, as_list)}"
    text = f"{rescaling}({arguments})({tensor})"
    uses_np = f"{np_name}." in arguments.replace(operand, "")  # only our own wrappers name numpy
    edits = (Replace(ctx.span(call), text), *imports, *(np_imports if uses_np else ()))
    was_right = value.shape is not None and len(value.shape) == 2 and value.shape[0] == 1 and value.raw_kind != V.VARIABLE
    title = f"Replace with `{rescaling}({_short(arguments)})`"
    return FixSpec(SAFE if was_right else UNSAFE, title, edits)


def _plain_value(node, value, text, np_name, as_list):
    """The constant as Rescaling's argument: itself, or a JSON-native list on tf_keras."""
    if value.raw_kind == V.NUMBER and _literal_number(node) is not None:
        return text
    if value.raw_kind == V.VARIABLE and not as_list:
        return f"{np_name}.asarray({text})"  # a Variable in a layer config does not serialize
    if as_list and value.raw_kind != V.LIST:
        return f"{np_name}.asarray({text}, dtype='float32').tolist()"
    return text


def _scaled(node, text, factor, np_name, as_list):
    number = _literal_number(node)
    if number is not None:
        return repr(float(number) * factor)
    array = f"{np_name}.multiply({np_name}.asarray({text}, dtype='float32'), {factor})"
    return f"{array}.tolist()" if as_list else array


def _literal_number(node):
    try:
        number = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return number if isinstance(number, (int, float)) and not isinstance(number, bool) else None


def _rescaling_reference(class_ref, ctx):
    """How to name `Rescaling` from the module the Merge layer came from."""
    qualified = ctx.names.resolve(class_ref)
    if qualified is None:
        return None, ()
    module = qualified.raw.rsplit(".", 1)[0]
    if module.endswith((".merge", ".merging")):
        module = module.rsplit(".", 1)[0]
    if isinstance(class_ref, ast.Attribute) and ctx.names.resolve(class_ref.value) is not None and ctx.names.resolve(class_ref.value).raw == module:
        return f"{ctx.segment(class_ref.value)}.Rescaling", ()
    expression = ctx.names.module_expression(module)
    if expression is not None:
        return f"{expression}.Rescaling", ()
    existing = ctx.names.import_path("Rescaling", ctx.index.module_scope)
    if existing == f"{module}.Rescaling":
        return "Rescaling", ()
    if ctx.names.is_free("Rescaling"):
        return "Rescaling", (AddImport(module, "Rescaling"),)
    return None, ()


def _constant_operand_fix(operands, values, raw_positions, others, ctx):
    reference = operands.elts[others[0]]
    if not isinstance(reference, (ast.Name, ast.Attribute)):
        return None  # repeating a call expression would build a second layer
    helper = _helper(ctx)
    if helper is None:
        return None
    edits = list(helper)
    for index in raw_positions:
        value = values[index]
        if value.shape is None or value.raw_kind == V.NUMBER:
            return None  # the per-sample shape of the constant is unknown
        text = ctx.segment(operands.elts[index])
        if len(value.shape) >= 2 and value.shape[0] == 1:
            text = f"{text}[0]"  # a (1, N) constant: its only row is the per-sample value
        edits.insert(0, Replace(ctx.span(operands.elts[index]), f"{snippets.CONSTANT_OPERAND}({text})({ctx.segment(reference)})"))
    return FixSpec(UNSAFE, f"Wrap the constant in `{snippets.CONSTANT_OPERAND}(...)`", tuple(edits))


def _helper(ctx):
    """Edits that define ConstantOperand in the module (and import what it needs)."""
    name_taken = not ctx.names.is_free(snippets.CONSTANT_OPERAND)
    already_ours = any(
        isinstance(node, ast.ClassDef) and node.name == snippets.CONSTANT_OPERAND for node in ctx.tree.body
    )
    if name_taken and not already_ours:
        return None
    imports = []
    if ctx.target == "keras3":
        keras, extra = ctx.names.module_reference("keras", "keras")
        imports += extra
        tf = None
    else:
        keras_module = "tf_keras" if ctx.names.module_expression("tf_keras") else "tensorflow.keras"
        keras, extra = ctx.names.module_reference(keras_module, "keras" if keras_module == "tensorflow.keras" else "tf_keras")
        imports += extra
        tf, extra = ctx.names.module_reference("tensorflow", "tf")
        imports += extra
        if tf is None:
            return None
    np_name, extra = ctx.names.module_reference("numpy", "np")
    imports += extra
    if keras is None or np_name is None:
        return None
    source = snippets.constant_operand(keras=keras, np=np_name, tf=tf, target="keras3" if ctx.target == "keras3" else "tf_keras")
    return (*imports, AddHelper(snippets.CONSTANT_OPERAND, source))
