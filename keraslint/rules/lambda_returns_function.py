"""KER203: a Lambda whose function returns a function object instead of calling it.

## What it does
Finds a `Lambda` layer whose function's result is a bare name bound to a `def` or a
`lambda`, as in `Lambda(lambda t: product)`: the function is returned, never called.

## Why is this bad?
The layer's output is a Python function, not a tensor. Keras 3 cannot infer the output shape
(`NotImplementedError: ... Please specify the output_shape argument`), tf_keras fails with
`TypeError: Could not build a TypeSpec for <function product ...>`. Adding `output_shape`
on Keras 3 hides it until `predict` or `fit` raise a `TypeError`.

## Example
```python
import keras


def product(t):
    return t[0] * t[1]


a = keras.Input((4,))
b = keras.Input((4,))
y = keras.layers.Lambda(lambda t: product)([a, b])
```

## Use instead
```python
import keras


def product(t):
    return t[0] * t[1]


a = keras.Input((4,))
b = keras.Input((4,))
y = keras.layers.Multiply()([a, b])
```
When the returned function is a plain product, sum or difference of the two inputs
(`t[0] * t[1]`, `ops.add(t[0], t[1])`, ...) and the Lambda is applied to a literal pair,
the fix uses the Merge layer (`Multiply`, `Add`, `Subtract`), which saves and loads without
any custom code. Otherwise, when the function is a module-level `def`, the fix calls it from
a registered layer class inserted once into the module (`class ProductLayer`, whose `call`
returns `product(t)`); the model then saves and loads in safe mode in a process that imports
the module. `Lambda(product)` is never offered: an unregistered function cannot be loaded on
Keras 3.

## Fix safety
Safe: the original model cannot compute anything, and the fix computes what the function
says. No fix when the function is a local `def` or `lambda` that is not a plain
product/sum/difference, or when the Lambda has `mask=` or `arguments=`.

## References
- PITFALLS.md, KER203
"""

from __future__ import annotations

import ast

from keraslint.fixes import lambdas as lambda_fixes
from keraslint.analysis import lambdas as L
from keraslint.violations import SAFE, FixSpec

CODE = "KER203"
NAME = "lambda-returns-function"
MESSAGE = "`Lambda` function returns the function `{name}` instead of calling it; the layer's output is not a tensor"
FIX_TITLE = "Call the function (a Merge layer, or a registered layer whose `call` calls it)"
NODE_TYPES = (ast.Call,)
TRIGGERS = ("Lambda",)
DEFAULT_ENABLED = True


def check(call: ast.Call, ctx):
    analysis = L.lambdas_of(ctx)
    if analysis.finding(call) != CODE:
        return  # not a Lambda returning a function, or another KER2xx finding
    use = analysis.of(call)
    returned = analysis.returned_function(use)
    name = use.body.id if isinstance(use.body, ast.Name) else "lambda"
    message = MESSAGE.format(name=name)
    yield ctx.report(CODE, call, message, _fix(use, returned, ctx))


def _fix(use, returned, ctx):
    rewrite = lambda_fixes.merge(use, ctx, returned)
    if rewrite is None:
        rewrite = _call_it(use, ctx)
    if rewrite is None:
        return None  # a local function we cannot call from a module-level class
    return FixSpec(SAFE, rewrite.title, rewrite.edits)


def _call_it(use, ctx):
    if not isinstance(use.body, ast.Name):
        return None  # an inline lambda: only the Merge form is offered
    free = use.free.get(use.body.id)
    if free is None or free.kind != L.MODULE_OBJECT or not use.simple_params:
        return None  # only a module-level def can be called from the inserted class
    if any(item.kind != L.MODULE_OBJECT for item in use.free.values()):
        return None
    body = ast.Call(ast.Name(use.body.id, ast.Load()), [ast.Name(use.params[0], ast.Load())], [])
    return lambda_fixes.layer_class(use, ctx, body=body, free={})
