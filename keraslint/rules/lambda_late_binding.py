"""KER202: a Lambda made in a loop or comprehension whose function reads the loop variable.

## What it does
Finds a `Lambda` layer created inside a `for` loop or a comprehension whose function (an
inline `lambda` or a `def` made in the same loop) reads the loop's target variable freely,
or a name that the loop's body assigns (`w = weights[i]`), which is late-bound the same way.

## Why is this bad?
Python closures bind names, not values: every Lambda made by the loop reads the same
variable, and a functional model runs each Lambda's function again whenever it is called.
So every layer uses the loop variable's *last* value, on Keras 3 and tf_keras alike, before
any save (measured: each branch of `[Lambda(lambda t: t * w)(x) for w in [1., 2., 3.]]`
multiplies by 3.0). Calling the Lambda at once inside the loop does not help. The saved config
stores the last value too, so a reloaded model stays wrong. The usual workaround `lambda t,
w=w: t * w` computes the right numbers but makes the model impossible to load on Keras 3.

## Example
```python
import keras

x = keras.Input((4,))
outs = [keras.layers.Lambda(lambda t: t * w)(x) for w in [0.5, 1.5, 2.0]]
```

## Use instead
```python
import keras

x = keras.Input((4,))
outs = [keras.layers.Rescaling(scale=w)(x) for w in [0.5, 1.5, 2.0]]
```
A scale or shift of the input becomes `Rescaling`, built with the current value on every
iteration (on tf_keras, or when the value's type is unknown, as a list:
`np.asarray(w, dtype="float32").tolist()`). Other bodies move into the `call` of a
registered layer class inserted once into the module; the loop variable becomes a
constructor argument kept in the layer's config, so each layer keeps its own value and the
model saves and loads in safe mode. Never `w=w`, never `arguments=`.

## Fix safety
Always unsafe: the fix changes what the model computes (every layer now uses its own value,
which is what the loop meant). No fix when the body reads a name whose value cannot be carried
over, uses the loop variable other than as an operand, is a `def` with more than a `return`,
or when the Lambda has `mask=` or `arguments=`.

## References
- PITFALLS.md, KER202
- keras-team/keras#13574, #13697, #4875, #5298
"""

from __future__ import annotations

import ast

from keraslint.fixes import lambdas as lambda_fixes
from keraslint.analysis import lambdas as L
from keraslint.violations import UNSAFE, FixSpec

CODE = "KER202"
NAME = "lambda-late-binding"
MESSAGE = "`Lambda` made in a loop reads `{names}`, which the loop rebinds on every iteration; every layer uses the last value (late binding), not the value of its own iteration"
FIX_TITLE = "Replace with a layer that keeps each iteration's value"
NODE_TYPES = (ast.Call,)
TRIGGERS = ("Lambda",)
DEFAULT_ENABLED = True


def check(call: ast.Call, ctx):
    analysis = L.lambdas_of(ctx)
    if analysis.finding(call) != CODE:
        return  # not a Lambda reading a loop variable, or already another finding
    use = analysis.of(call)
    message = MESSAGE.format(names="`, `".join(use.names_of(L.LOOP)))
    yield ctx.report(CODE, call, message, _fix(use, ctx))


def _fix(use, ctx):
    rewrite = lambda_fixes.rescaling(use, ctx) or lambda_fixes.layer_class(use, ctx)
    if rewrite is None:
        return None  # the body cannot be carried over faithfully: report only
    return FixSpec(UNSAFE, rewrite.title, rewrite.edits)
