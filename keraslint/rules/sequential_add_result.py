"""KER105: the result of `Sequential.add(...)` is called or assigned as if it were a tensor.

## What it does
Finds `model.add(layer)(x)`, and `h = model.add(layer)`, where `model` is a
`keras.Sequential`. Reported at the `model.add(...)(...)` expression (at the `model.add(...)`
call for an assignment).

## Why is this bad?
`Sequential.add` appends the layer and returns `None`. Calling the result raises
`TypeError: 'NoneType' object is not callable` on Keras 3 and tf_keras, after the layer was
appended, so re-running a notebook cell keeps adding layers. Assigning it binds `None`.
The line mixes the two ways of building a model: `Sequential.add` and the functional API,
where a layer is called on a tensor (`h = Dense(2)(x)`).

## Example
```python
import keras

x = keras.Input((3,))
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
y = model.add(keras.layers.Dense(2))(x)
```

## Use instead
```python
import keras

x = keras.Input((3,))
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
model.add(keras.layers.Dense(2))
y = model(x)
```
This is `keras.Sequential([Input((3,)), Dense(4), Dense(2)])(x)`: `(None, 2)` and 26
parameters. If you meant the functional API, call the layer on the tensor instead:
`y = keras.layers.Dense(2)(h)`.

## Fix safety
Unsafe: the original raises, so there is no behaviour to keep, and only you know whether
the whole model or the single layer was meant to be applied to `x`. When the arguments are
tensors inside the same model (`model.get_layer(...).output`, `model.layers[i].output`,
`model.input`), or the model was created empty and every `add` of it is called on a tensor,
the fix is the functional form `layer(x)`. Otherwise it adds the layer, then calls the model,
and only when the model is a name bound once to `Sequential(...)` in the same block, this is
its only such call and its last `add`, and both calls take one positional argument.
`head = Sequential().add(layer)` becomes `head = Sequential([layer])`; another assignment of
`model.add(...)` is reported without a fix.

## References
- PITFALLS.md, KER105 (measured on Keras 3.15.1 and tf_keras 2.21.0)
"""

from __future__ import annotations

import ast

from keraslint.fixes.sharing import add_result_fix, sequential_of_fix

CODE = "KER105"
NAME = "sequential-add-result"
MESSAGE = ("`{model}.add(...)` returns None: calling its result raises `TypeError: 'NoneType' object is not callable`; "
           "add the layer, then call the model (`{model}.add({layer})` and `{model}({arg})`), or use the functional API (`{layer}({arg})`)")
ASSIGNED = "`{model}.add(...)` returns None: `{target}` gets None, not a tensor or a model; call the layer on a tensor instead (`{target} = {layer}(...)`)"
FIX_TITLE = "Add the layer, then call `{model}(...)`"
NODE_TYPES = (ast.Call,)
TRIGGERS = (".add(",)
DEFAULT_ENABLED = True


def check(call: ast.Call, ctx):
    if not _is_sequential_add(call, ctx):
        return  # not `Sequential.add(...)`
    model = ctx.segment(call.func.value)
    layer = _short(call.args[0], ctx) if call.args else "layer"
    parent = ctx.index.parents.get(call)
    if isinstance(parent, ast.Call) and parent.func is call:
        arg = _short(parent.args[0], ctx) if len(parent.args) == 1 else "x"
        message = MESSAGE.format(model=model, layer=layer, arg=arg)
        adds = ctx.memo("sequential_adds", _sequential_adds)
        yield ctx.report(CODE, parent, message, add_result_fix(call, parent, adds, ctx))
    elif isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and parent.value is call:
        target = ctx.segment(parent.targets[0] if isinstance(parent, ast.Assign) else parent.target)
        yield ctx.report(CODE, call, ASSIGNED.format(model=model, target=target, layer=layer), sequential_of_fix(call, ctx))


def _is_sequential_add(call, ctx) -> bool:
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "add"):
        return False
    value = ctx.values.of(func.value)
    origin = value.origin
    return value.kind == "model" and isinstance(origin, ast.Call) and ctx.names.path(origin.func) == "keras.Sequential"


def _sequential_adds(ctx) -> list:
    return [call for call in ctx.index.nodes(ast.Call) if _is_sequential_add(call, ctx)]


def _short(node, ctx) -> str:
    text = " ".join(ctx.segment(node).split())
    if len(text) <= 40:
        return text
    return f"{ctx.segment(node.func)}(...)" if isinstance(node, ast.Call) else "..."
