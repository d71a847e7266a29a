"""KER201: a Lambda whose function captures a constant, array, tensor or variable.

## What it does
Finds a `Lambda` layer whose function (an inline `lambda` or a local `def`) reads a free name
bound to a raw value: a number, a list, a numpy array, a `tf.constant` or `K.constant`, a
variable, or any other value assigned at module level.

## Why is this bad?
The model predicts correctly, but the captured value is not part of the model. Safe mode
refuses every Python lambda when loading. With `safe_mode=False` it is worse (measured on
Keras 3.15 and tf_keras 2.21): a captured array or tensor is saved as a `__numpy__` dict
and never deserialised, and a module global is simply missing in the loading process
(`NameError`, on Keras 3 even in the same process). A custom layer that holds the value
saves it with the model.

A closure over a Python int that is used only as an axis or a slice bound is left alone
when the Lambda is not made in a loop: the int is saved with the closure and loads (only
safe mode's general refusal of lambdas applies). In a loop it is KER202. A captured symbolic
tensor of the model (an `Input`, a layer output) is KER205, not this rule.

## Example
```python
import keras
import numpy as np

w = np.array([0.5, 1.5, 2.0, -1.0])
x = keras.Input((4,))
y = keras.layers.Lambda(lambda t: t * w)(x)
```

## Use instead
```python
import keras
import numpy as np

w = np.array([0.5, 1.5, 2.0, -1.0])
x = keras.Input((4,))
y = keras.layers.Rescaling(scale=w)(x)
```
A scale or shift of the input (`t * w`, `t + b`, `t - b`, `b - t`, `t * w + b`) becomes
`Rescaling` (on tf_keras with the value as a list: an ndarray in its config does not load
there). Any other body moves into the `call` of a registered layer class inserted once into
the module and named after what it does (`DivideByStd`); the captured values become its
constructor arguments and are kept in its config, so the model saves and loads in safe mode
in a process that imports the module.

## Fix safety
Safe when every captured value is a number, an array or a tensor bound once: the layer
computes the same numbers and the parameter count does not change. Unsafe when a variable
is captured (the fix freezes its current value) or when a float array is kept as float32
by the generated class (Keras 3 ops on a float64 array compute in float64). No fix when the
body reads a name whose value is unknown, uses a captured value other than as an operand,
is a `def` with more than a `return`, or when the Lambda has `mask=` or `arguments=`.

## References
- PITFALLS.md, KER201 and "Custom rewrite layers"
- tensorflow/tensorflow#61211, keras-team/keras#18284, keras-team/tf-keras#44
"""

from __future__ import annotations

import ast

from keraslint.fixes import lambdas as lambda_fixes
from keraslint.analysis import lambdas as L
from keraslint.analysis import values as V
from keraslint.violations import SAFE, UNSAFE, FixSpec

CODE = "KER201"
NAME = "lambda-captures-value"
MESSAGE = "`Lambda` function captures {what} `{names}`, which is not saved with the model: it cannot be loaded again (safe mode refuses it; arrays, tensors and globals fail in every mode)"
FIX_TITLE = "Replace with `Rescaling(...)` or a registered layer that holds the value"
NODE_TYPES = (ast.Call,)
TRIGGERS = ("Lambda",)
DEFAULT_ENABLED = True
_KIND_WORDS = {V.ARRAY: "array", V.TENSOR: "tensor", V.VARIABLE: "variable", V.NUMBER: "number", V.LIST: "list"}


def check(call: ast.Call, ctx):
    analysis = L.lambdas_of(ctx)
    if analysis.finding(call) != CODE:
        return  # not a Lambda, or another KER2xx finding (one violation per Lambda)
    use = analysis.of(call)
    names = use.names_of(L.VALUE)
    words = {_word(use.free[name]) for name in names}
    what = words.pop() if len(words) == 1 else "values"
    message = MESSAGE.format(what=what, names="`, `".join(names))
    yield ctx.report(CODE, call, message, _fix(use, ctx))


def _word(free) -> str:
    word = _KIND_WORDS.get(free.value.raw_kind)
    if free.module_level:
        return f"the global {word}" if word else "the global"
    return f"the {word}" if word else "the value"


def _fix(use, ctx):
    rewrite = lambda_fixes.rescaling(use, ctx)
    generated = rewrite is None
    if generated:
        rewrite = lambda_fixes.layer_class(use, ctx)
    if rewrite is None:
        return None  # the body cannot be carried over faithfully: report only
    captured = [use.free[n] for n in use.free if use.free[n].kind in (L.VALUE, L.SMALL_INT)]
    raw_kinds = {item.value.raw_kind for item in captured}
    exact = V.VARIABLE not in raw_kinds and not (generated and raw_kinds - {V.NUMBER})
    return FixSpec(SAFE if exact else UNSAFE, rewrite.title, rewrite.edits)
