"""KER205: a Lambda whose function reads a symbolic tensor that is not its input.

## What it does
Finds a `Lambda` layer whose function (an inline `lambda`, a local `def`, or a
`functools.partial` of a function) reads a tensor of the model being built (an `Input`, a
layer output, a `keras.ops` result) from the enclosing scope instead of receiving it as the
layer's input: `Lambda(lambda b: b / ops.shape(image)[1])(boxes)`. Any read counts, a value
read (`ops.mean(context)`) as much as a shape read (`ops.shape(t)`, `K.shape(t)`,
`tf.shape(t)`). A tensor the function takes from its parameter (`Lambda(f)([boxes, image])`
where `f` unpacks the pair) is fine, and so is `t.shape`, a Python tuple fixed when the model
is built. Reading the closure's tensor is reported even when the same tensor is also passed
in: the function still reads the placeholder, not the data.

## Why is this bad?
Keras cannot see the dependency: the tensor is not an input of the layer, so at run time the
function meets a placeholder instead of data. Measured (Keras 3.15.1, tf_keras 2.21; outputs
at batch 1, 3 and 4; save; load in a fresh process):

| read inside the Lambda | Keras 3 | tf_keras |
|---|---|---|
| value, `q * ops.mean(context)` | builds; every call raises `ValueError: A KerasTensor is symbolic ... You cannot convert it to a NumPy array`; saves; safe load refuses the lambda, unsafe load raises `NotImplementedError` | build raises `TypeError: Could not build a TypeSpec for KerasTensor` |
| dynamic shape, `ops.shape(image)[1]` with a `None` dimension | build raises `NotImplementedError: ... could not automatically infer the shape of the Lambda's output` | build raises `TypeError: Could not build a TypeSpec` |
| static shape via `ops.shape(image)[1]` (`K.shape` on tf_keras), dimension known | builds, right numbers at 1/3/4, saves; safe load refuses the lambda, unsafe load raises `NotImplementedError` in a fresh process | build raises `TypeError: Could not build a TypeSpec` |
| static `image.shape[1]` (a Python int at build time) | as the row above | builds, right numbers, but save raises `TypeError: Cannot serialize object KerasTensor` |
| value read of a tensor also passed in, `Lambda(lambda p: p[0] * ops.max(image))([boxes, image])` | builds; the call raises the `ValueError` above | build raises `TypeError: Could not build a TypeSpec` |

The last row is not reported: it is a near miss by design (the value is a plain int when the
function runs); computing `n = image.shape[1]` outside the Lambda avoids the save failure.

## Example
```python
import keras
from keras import ops

boxes = keras.Input((4,))
image = keras.Input((None, None, 3))
relative = keras.layers.Lambda(lambda b: b / ops.cast(ops.shape(image)[1], "float32"))(boxes)
```

## Use instead
```python
import keras
from keras import ops


@keras.saving.register_keras_serializable(package="app")
class DivideByImage(keras.layers.Layer):
    def call(self, inputs):
        b, image = inputs
        return b / ops.cast(ops.shape(image)[1], "float32")


boxes = keras.Input((4,))
image = keras.Input((None, None, 3))
relative = DivideByImage()([boxes, image])
```

## Fix safety
Unsafe: the original model does not run, so there are no numbers to keep; the fix builds what
the function meant. The fix inserts a registered layer whose `call` unpacks the layer's input
and the read tensors under the names the function used and returns the function's body; the
model then builds, computes the body at batch 1, 3 and 4 and saves and loads in safe mode on
both Keras 3 and tf_keras. No fix when the function also captures something else (a value, a
loop variable, an unknown name), is a `def` with more than a `return`, is a `partial`, or when
the Lambda is already called on a list.

## References
- PITFALLS.md, KER201 (Lambda closures) and "Custom rewrite layers"
- keras-team/keras#18284 (Lambda closures and saving)
"""

from __future__ import annotations

import ast

from keraslint.analysis import lambdas as L
from keraslint.analysis import values as V
from keraslint.fixes import lambdas as lambda_fixes
from keraslint.violations import UNSAFE, FixSpec

CODE = "KER205"
NAME = "lambda-reads-graph-tensor"
MESSAGE = "`Lambda` function reads the model tensor `{names}` from its closure, not from its input: it sees a placeholder, not the data (it fails when called, built or saved); pass the tensor to the layer and read it from there"
FIX_TITLE = "Pass the tensor as an input of a registered layer"
NODE_TYPES = (ast.Call,)
TRIGGERS = ("Lambda",)
DEFAULT_ENABLED = True
_PARTIAL = "functools.partial"


def check(call: ast.Call, ctx):
    analysis = L.lambdas_of(ctx)
    if analysis.finding(call) == CODE:
        use = analysis.of(call)
        hidden = analysis.hidden_inputs(use)
        rewrite = lambda_fixes.hidden_inputs_layer(use, ctx, hidden)
        fix = FixSpec(UNSAFE, rewrite.title, rewrite.edits) if rewrite else None
        yield ctx.report(CODE, call, MESSAGE.format(names="`, `".join(hidden)), fix)
        return
    hidden = _partial_reads(call, ctx)
    if hidden:
        yield ctx.report(CODE, call, MESSAGE.format(names="`, `".join(hidden)))


def _partial_reads(call: ast.Call, ctx):
    """Tensors bound into `Lambda(functools.partial(f, image=image))`: the function gets
    the placeholder as an argument every time it runs."""
    if ctx.names.path(call.func) != L.LAMBDA_PATH or not call.args:
        return []  # not a Lambda, or its function is given by keyword
    partial = call.args[0]
    if not (isinstance(partial, ast.Call) and ctx.names.path(partial.func) == _PARTIAL):
        return []
    bound = list(partial.args[1:]) + [k.value for k in partial.keywords]
    return [b.id for b in bound if isinstance(b, ast.Name) and ctx.values.of(b).kind == V.SYMBOLIC]
