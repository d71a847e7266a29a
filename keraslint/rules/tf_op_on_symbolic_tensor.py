"""KER301: a TensorFlow op applied to a Keras 3 symbolic tensor.

## What it does
Finds a `tf.*` op (or a `tf.keras.backend` function) called on a symbolic Keras tensor (an
`Input`, a layer output, a `keras.ops` result) while a model is built, in a file that targets
Keras 3. Calls inside a Layer's `call` (any method of a Layer/Model subclass), a `Lambda`
function, a `@tf.function` or a `lambda` are not construction code and are not reported.

## Why is this bad?
Keras 3 symbolic tensors are placeholders that only `keras.layers` and `keras.ops` accept.
Every TensorFlow op on one raises at build time: ``ValueError: A KerasTensor cannot be used
as input to a TensorFlow function``. tf_keras used to wrap such ops in `TFOpLambda` layers
silently, so code that worked there breaks when it moves to Keras 3.

## Example
```python
import keras
import tensorflow as tf

x = keras.Input((4, 6))
y = keras.Input((4, 6))
joined = tf.concat([x, y], axis=-1)
scores = tf.matmul(x, y, transpose_b=True)
```

## Use instead
```python
import keras
from keras import ops

x = keras.Input((4, 6))
y = keras.Input((4, 6))
joined = ops.concatenate([x, y], axis=-1)
scores = ops.matmul(x, ops.swapaxes(y, -2, -1))
```
Names that lie are translated, not renamed: `tf.concat` keeps its axis written out (the
default of `ops.concatenate` is 0, the batch axis), `tf.split` with sizes gets cumulative
indices, `transpose_b=True` becomes an explicit `ops.swapaxes`, `tf.gather` becomes
`ops.take` with its axis, and the axes `tf.cumsum`/`tf.argmax` default to are written out.
`tf.squeeze` without an axis is reported without a fix: it drops the batch axis of a batch
of one, so you must choose the axis. An op without a verified `keras.ops` counterpart is
reported without a fix: wrap it in a Layer subclass whose `call` runs it.

## Fix safety
Safe: every rewrite is a proven row of the table in keraslint/fixes/ops_rows.py, which a
differential property test (tests/test_ops_tables.py) runs on TensorFlow and Keras 3 with
random shapes, dtypes and arguments (equal values, dtypes and shapes); the fixtures also
build the models at batch sizes 1, 3 and 4 with a safe-mode reload. Names that are not
tensor ops (`tf.name_scope`, `tf.TensorSpec`, `tf.function`, ...) are not reported.

## References
- PITFALLS.md, KER301 (Keras 3.15.1, tf_keras 2.21.0)
- keraslint/fixes/ops_rows.py (the table), benchmarks/list_op_candidates.py (what it covers)
- https://keras.io/api/ops/
"""

from __future__ import annotations

import ast

from keraslint.analysis.context import deferred_body
from keraslint.fixes import backend_helpers, keras3
from keraslint.violations import SAFE, FixSpec, Replace

CODE = "KER301"
NAME = "tf-op-on-symbolic-tensor"
MESSAGE = "`{op}` is applied to the symbolic Keras tensor `{arg}`; Keras 3 raises at build time: {advice}"
FIX_TITLE = "Replace with the equivalent `keras.ops` call"
NODE_TYPES = (ast.Call,)
TRIGGERS = ("tensorflow",)
# a symbolic tensor is born in the file (`Input(...)`, a model's `.output`/`.input`), or a
# layer is made and called there (`Conv2D(8, 3)(t)`), or a `Model(...)` is built there
REQUIRES = (("Input", ".output", ".input", ")(", "Model("),)
DEFAULT_ENABLED = True
# tf.keras.backend functions that work on a Keras 3 KerasTensor (measured): not KER301.
_TF_BACKEND_WORKS = frozenset(
    "backend clear_session epsilon floatx get_uid image_data_format is_float_dtype is_int_dtype "
    "is_keras_tensor result_type set_epsilon set_floatx set_image_data_format standardize_dtype "
    "int_shape get_value".split()
)


def check(call: ast.Call, ctx):
    if ctx.target != "keras3":
        return  # tf_keras (and Keras 2) wrap TensorFlow ops on symbolic tensors themselves
    qualified = ctx.names.resolve(call.func)
    if qualified is None:
        return  # not a library function
    if qualified.path.startswith("tensorflow."):
        short, backend = qualified.path[len("tensorflow."):], False
    elif qualified.flavor == "tf.keras" and qualified.path.startswith("keras.backend."):
        short, backend = qualified.path[len("keras.backend."):], True
        if "." in short or short in _TF_BACKEND_WORKS:
            return  # tf.keras.backend functions that accept a KerasTensor (int_shape, epsilon, ...)
    else:
        return  # a Keras object, or not TensorFlow at all
    row = keras3.row_for(("K." if backend else "tf.") + short)
    if row is not None and row.kind != "op":
        return  # not a tensor op (tf.name_scope, tf.TensorSpec, ...), or still in Keras 3's backend
    argument, site = _symbolic_argument(call, ctx)
    if argument is None:
        return  # no argument is known to be symbolic: eager data, tf.data, or unknown
    if deferred_body(call, ctx.index, ctx.names) is not None:
        return  # inside a Layer method, a Lambda function or a tf.function: runs on real tensors
    op = ("tf.keras.backend." if backend else "tf.") + short
    source = ("K." if backend else "tf.") + short
    fix, replacement = _fix(call, source, backend, ctx)
    if replacement is not None and not replacement.startswith(("tf_split(", "batch_dot(", "switch(")):
        note = keras3.NOTES.get(keras3.ALIASES.get(source, source))
        advice = f"use `{keras3.head(replacement)}`" + (f" {note}" if note else "")
    elif replacement is not None:  # a function the fix inserts: TensorFlow's semantics with keras.ops
        advice = f"use `{keras3.head(replacement)}`, inserted: {source}'s meaning written with `keras.ops`"
    elif short == "squeeze":
        advice = "use `keras.ops.squeeze` with an explicit `axis=` (without it a batch of 1 loses its batch axis)"
    else:
        hint = keras3.hint(source)
        advice = f"use {hint}" if hint else "use `keras.ops`, or run the op in the `call` of a Layer subclass"
    message = MESSAGE.format(op=op, arg=_short(ctx.segment(argument)), advice=advice)
    if site is not None and _inside(call, site, ctx):
        message += f" (the call on line {site.lineno} passes a symbolic tensor)"
    yield ctx.report(CODE, call, message, fix)


def _symbolic_argument(call: ast.Call, ctx):
    for argument in list(call.args) + [k.value for k in call.keywords]:
        candidates = argument.elts if isinstance(argument, (ast.List, ast.Tuple)) else [argument]
        for node in candidates:
            value = ctx.values.of(node)
            if value.is_symbolic or value.kind == "symbolic_list":
                return node, value.site  # built from keras.Input: not `model(batch)` on eager data
    return None, None


def _inside(call, site, ctx) -> bool:
    """`call` is in a helper and `site` calls it from elsewhere (the report names the site)."""
    return not any(node is site for node in ctx.index.ancestors(call)) and site.lineno != call.lineno


def _fix(call, source, backend, ctx):
    ops, imports = keras3.ops_reference(ctx.names)
    if ops is None:
        return None, None  # no free name to import keras.ops under
    if source in ("K.constant", "K.variable"):
        return None, None  # never meaningful on a symbolic tensor
    row = keras3.row_for(source)
    if row is not None and (row.unsafe_if or row.unsafe_unless):
        return None, None  # e.g. bias_add / conv without data_format: not fixed here (KER302 makes them unsafe)
    # KER301's tensor is symbolic; rows that need Keras 3's backend module get no fix here
    text = keras3.rewrite(source, call, ctx.segment, ctx.names, ops, symbolic=True)
    if text is None:
        return None, None  # no proven row, or a form of the call the row does not cover
    helper = backend_helpers.helper_edits(source, text, ops, ctx)  # batch_dot, switch, tf_split
    if helper is None:
        return None, None  # the file uses the helper's name for something else
    return FixSpec(SAFE, f"Replace with `{keras3.head(text)}`", (Replace(ctx.span(call), text), *imports, *helper)), text


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."
