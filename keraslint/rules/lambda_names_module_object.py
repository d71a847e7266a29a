"""KER204: on Keras 3, a Lambda whose function names a module-level object.

## What it does
On the Keras 3 target, finds a `Lambda` layer whose `lambda` reads a module-level import or
definition: `ops`, `keras`, `tf`, `K`, `np`, a module-level function or class. A `def` is not
reported: Keras 3 saves it by module and name, and the model loads with `custom_objects=`
(safe mode too). By default it
reports only in files that save or serialise a model (`.save(`, `save_model`, `to_json(`,
`get_config(`, `ModelCheckpoint`, `.export(`); select `KER204` explicitly to report it
everywhere.

## Why is this bad?
Keras 3 saves the lambda's code but rebuilds it with globals that lack those names, so the
saved model can never be loaded again: not in safe mode (which refuses every lambda), not
with `safe_mode=False`, not even in the process that saved it (measured on Keras 3.15.1:
`NotImplementedError ... could not automatically infer the shape of the Lambda's output`,
caused by `NameError: name 'ops' is not defined`). The model works until it is saved; a
script that never saves is fine, hence the default.

## Example
```python
import keras
from keras import ops

x = keras.Input((4,))
y = keras.layers.Lambda(lambda t: ops.relu(t))(x)
keras.Model(x, y).save("model.keras")
```

## Use instead
```python
import keras
from keras import ops

x = keras.Input((4,))
y = keras.layers.Activation("relu")(x)
keras.Model(x, y).save("model.keras")
```
`ops.relu/sigmoid/tanh(t)` (and the `tf` and `keras.activations` spellings) become
`Activation`; `t[0] * t[1]`-style bodies of a Lambda applied to a pair (`ops.multiply`,
`ops.add`, `ops.subtract`) become `Multiply`/`Add`/`Subtract`. Any other body moves into the
`call` of a registered layer class inserted once into the module, where the module-level names
resolve as usual; the model then saves and loads in safe mode in a process that imports the
module.

## Fix safety
Safe: the layer computes the same expression with the same functions, and adds no
parameters. No fix when the body reads a local name whose value cannot be carried over, is a
`def` with more than a `return`, or when the Lambda has `mask=` or `arguments=`.

## References
- PITFALLS.md, KER204 and KER201 ("Lambdas that use tf, np, K or ops fail the same way")
- keras-team/keras#9431, #15759
"""

from __future__ import annotations

import ast

from keraslint.fixes import lambdas as lambda_fixes
from keraslint.analysis import lambdas as L
from keraslint.violations import SAFE, FixSpec

CODE = "KER204"
NAME = "lambda-names-module-object"
MESSAGE = "`Lambda` function names the module-level `{names}`; on Keras 3 the saved model can never be loaded again, not even with `safe_mode=False`"
FIX_TITLE = "Replace with a built-in layer or a registered layer whose `call` holds the body"
NODE_TYPES = (ast.Call,)
TRIGGERS = ("Lambda",)
DEFAULT_ENABLED = True


def check(call: ast.Call, ctx):
    if ctx.target != "keras3":
        return  # tf_keras rebuilds such lambdas in a process that imports the module
    if not ctx.saves_model and not ctx.settings.explicitly_selected(CODE):
        return  # the model is never saved here: the Lambda works (precision)
    analysis = L.lambdas_of(ctx)
    if analysis.finding(call) != CODE:
        return  # not a Lambda naming a module object, or another KER2xx finding
    use = analysis.of(call)
    message = MESSAGE.format(names="`, `".join(use.names_of(L.MODULE_OBJECT)))
    yield ctx.report(CODE, call, message, _fix(use, ctx))


def _fix(use, ctx):
    if "arguments" in use.keywords:
        return None  # the extra arguments would have to become config: not attempted
    rewrite = lambda_fixes.activation(use, ctx) or lambda_fixes.merge(use, ctx) or lambda_fixes.layer_class(use, ctx)
    if rewrite is None:
        return None  # the body cannot be carried over faithfully: report only
    return FixSpec(SAFE, rewrite.title, rewrite.edits)
