"""KER302: a `keras.backend` function that no longer exists in Keras 3.

## What it does
Finds a use of a classic `keras.backend` tensor function (`K.int_shape`, `K.concatenate`,
`K.sqrt`, `K.repeat`, ...) through the Keras 3 `keras` package, in a file that targets
Keras 3, and the graph-mode machinery Keras 3 removed with them (`K.placeholder`,
`K.function`, `K.get_session`, `K.learning_phase`, `K.set_value`, ...: reported with what to
use instead, never rewritten). Not reported: the 14 names Keras 3 still has (`K.epsilon()`,
`K.clear_session()`, `K.floatx()`, `K.image_data_format()`, ...) and `tf_keras.backend`. `tf.keras.backend` on a symbolic tensor is KER301.

## Why is this bad?
Keras 3 keeps only 14 functions in `keras.backend`; the others raise
`AttributeError: module 'keras.backend' has no attribute 'int_shape'` (inside a Lambda it
surfaces as a shape-inference `NotImplementedError` instead). A same-named `keras.ops`
function does not always mean the same thing: `ops.concatenate` defaults to axis 0 where
`K.concatenate` used the last axis, `ops.repeat(x, 2)` flattens where `K.repeat` added a time
axis, and `ops.switch` selects a branch by index where `K.switch` selected element-wise.

## Example
```python
import keras
from keras import backend as K

x = keras.Input((4, 6))
units = K.int_shape(x)[-1]
both = K.concatenate([x, x])
```

## Use instead
```python
import keras
from keras import ops

x = keras.Input((4, 6))
units = ops.shape(x)[-1]
both = ops.concatenate([x, x], axis=-1)
```

## Fix safety
Safe: every rewrite is a proven row of the table in keraslint/fixes/ops_rows.py, which a
differential property test (tests/test_ops_tables.py) runs on tf_keras and Keras 3 with
random shapes, dtypes and arguments: equal values, dtypes and shapes. Rewrites translate
what a rename would change: `K.sqrt` clips negatives first, `K.relu(x, alpha=a)` becomes
`ops.leaky_relu`, `K.hard_sigmoid` keeps its slope 0.2, `K.argmax` stays int64,
`K.concatenate` writes its axis -1, `K.repeat` adds a time axis. `K.shape` and
`K.batch_flatten` are fixed on run-time tensors only (a Layer's `call`, a loss), not on a
symbolic tensor. `K.switch` and `K.batch_dot` depend on ranks the linter cannot see: the fix
inserts tf_keras' algorithm written with `keras.ops` as a function of the file and calls it.
Functions that are not tensor ops get their Keras 3 spelling where it is the same thing:
`keras.name_scope`, `x.assign(v)` for `K.set_value` / `K.update` (unsafe where the result
is used: tf_keras returned the variable), `K.image_data_format() == "channels_first"` for
`K.image_dim_ordering() == "th"`. The random functions become `keras.random` (proven by their
statistics; unsafe with a seed, which Keras 3 repeats on every call). Unsafe too: `K.zeros` /
`K.ones` (a `keras.Variable`, or a tensor for a run-time size: tf_keras chose by the shape)
and `K.bias_add` without `data_format` (`x + bias` holds for channels_last only). A row that
cannot be made equal is reported with its replacement and the reason in the message; the
graph-mode machinery (`K.function`, `K.get_session`, `K.learning_phase`, `K.gradients`, ...)
has no Keras 3 equivalent and stays report-only. A function imported by name
(`from keras.backend import int_shape`) is reported without a fix: the import itself must
change too.

## References
- PITFALLS.md, KER302 (Keras 3.15.1, tf_keras 2.21.0)
- keraslint/fixes/ops_rows.py (the table), benchmarks/list_op_candidates.py (what it covers)
- https://keras.io/api/ops/
"""

from __future__ import annotations

import ast
import re

from keraslint.fixes import backend_helpers, keras3
from keraslint.fixes.ops_rows import ROWS
from keraslint.violations import SAFE, UNSAFE, FixSpec, Replace

CODE = "KER302"
NAME = "removed-backend-function"
MESSAGE = "`keras.backend.{name}` does not exist in Keras 3; use {hint}"
FIX_TITLE = "Replace with the equivalent `keras.ops` call"
NODE_TYPES = (ast.Attribute, ast.Name)
TRIGGERS = ("backend",)
# the Keras 3 package itself (tf.keras.backend is KER301), and its backend module named:
# `keras.backend.sum`, `import keras.backend as K`, or `from keras import (..., backend, ...)`
_FROM_KERAS_IMPORT_BACKEND = re.compile(r"from[ \t]+keras[ \t]+import[ \t]*(?:[^\n(]*|\([^)]*)\bbackend\b")


def _names_keras_backend(text: str) -> bool:
    return "keras.backend" in text or _FROM_KERAS_IMPORT_BACKEND.search(text) is not None


REQUIRES = (("import keras", "from keras"), _names_keras_backend)
DEFAULT_ENABLED = True


def check(node, ctx):
    if ctx.target != "keras3":
        return  # tf_keras and Keras 2 still have every classic backend function
    if isinstance(node, ast.Attribute) and _removed(node.attr) is None:
        return  # cheap test first: not a removed backend function
    if isinstance(node, ast.Name) and (not isinstance(node.ctx, ast.Load) or node.id not in _names_from_backend(ctx)):
        return  # a binding, or a name not imported from a backend module
    parent = ctx.index.parents.get(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        return  # part of a longer dotted name: the outer node is checked
    qualified = ctx.names.resolve(node)
    if qualified is None or qualified.flavor != "keras" or not qualified.path.startswith("keras.backend."):
        return  # not the Keras 3 backend (tf.keras.backend is KER301, tf_keras.backend still works)
    name = qualified.path[len("keras.backend."):]
    row = _removed(name)
    if row is None:
        return  # still in Keras 3, or unknown to us
    called = isinstance(parent, ast.Call) and parent.func is node
    where = parent if called else node
    fixable = called and isinstance(node, ast.Attribute) and row.kind in ("op", "api")
    fix, replacement = _fix(parent, name, ctx) if fixable else (None, None)
    if replacement and row.kind == "api":
        hint = keras3.MACHINERY_HINTS[name]  # e.g. `variable.assign(value)`
    elif replacement:
        hint = f"`{keras3.head(replacement)}`" + (f" {keras3.NOTES[f'K.{name}']}" if f"K.{name}" in keras3.NOTES else "")
    else:
        hint = keras3.hint(f"K.{name}")
    yield ctx.report(CODE, where, MESSAGE.format(name=name, hint=hint), fix)


def _removed(name: str):
    """The table's row of a function Keras 3 removed from `keras.backend`: a tensor op (fixed
    when proven) or graph-mode machinery (sessions, learning phase, ...: report-only)."""
    row = ROWS.get(f"K.{name}")
    return row if row is not None and row.kind in ("op", "api", "not_op") else None


def _names_from_backend(ctx) -> frozenset:
    """Local names bound by `from <...>backend import name [as alias]`, once per file."""
    return ctx.memo("names_from_backend", lambda c: frozenset(
        alias.asname or alias.name
        for node in c.index.nodes(ast.ImportFrom)
        if (node.module or "").endswith("backend")
        for alias in node.names
    ))


def _fix(call: ast.Call, name: str, ctx):
    ops, imports = keras3.ops_reference(ctx.names)
    if ops is None:
        return None, None  # no free name to import keras.ops under
    keras_expr, keras_imports = keras3.keras_reference(ctx.names) if name in _NEEDS_KERAS else (None, [])
    k_module = ctx.segment(call.func.value)  # Keras 3's keras.backend, as the file names it
    target = call
    parent = ctx.index.parents.get(call)
    if name == "image_dim_ordering" and isinstance(parent, ast.Compare) and not call.args and not call.keywords:
        text = keras3.image_dim_ordering_test(parent, k_module)  # `== "th"`: compare the data format
        target = parent if text is not None else call
    if name == "name_scope" and isinstance(parent, ast.withitem) and parent.optional_vars is not None:
        return None, None  # `with K.name_scope(n) as scope`: tf_keras bound the scope's name (a str)
    if target is call:
        symbolic = bool(call.args) and ctx.values.of(call.args[0]).is_symbolic  # e.g. K.shape: no batch size yet
        text = keras3.rewrite(f"K.{name}", call, ctx.segment, ctx.names, ops, k_module, keras_expr, symbolic)
    if text is None:
        return None, None  # no proven row, or a form of the call the row does not cover
    edits = [Replace(ctx.span(target), text)]
    helper = backend_helpers.helper_edits(f"K.{name}", text, ops, ctx)
    if helper is None:
        return None, None  # the file has its own `switch` / `batch_dot`
    edits += helper
    if helper or re.search(rf"(?<![\w.]){re.escape(ops)}\.", text):
        edits += imports
    if keras_expr and text.startswith(f"{keras_expr}."):
        edits += keras_imports
    row = ROWS[f"K.{name}"]
    title = f"Replace with `{keras3.head(text)}`"
    if row.statement_only and not isinstance(parent, ast.Expr):
        # e.g. `updates.append(K.update(v, x))`: tf_keras returned the variable, Keras 3 returns the value
        return FixSpec(UNSAFE, title + " (its result is the assigned value, no longer the variable)", tuple(edits)), text
    bound = keras3.bind(call, row.params) or {}
    given = {p for p, node in bound.items() if not (isinstance(node, ast.Constant) and node.value is None)}
    if any(p in given for p in row.unsafe_if) or any(p not in given for p in row.unsafe_unless):
        return FixSpec(UNSAFE, title + _UNSAFE_BECAUSE.get(name, _SEEDED), tuple(edits)), text
    return FixSpec(SAFE, title, tuple(edits)), text


# rows whose text names the keras package
_NEEDS_KERAS = {"variable", "name_scope", "zeros", "ones", "random_normal", "random_uniform", "truncated_normal", "dropout",
                "random_bernoulli", "random_binomial"}
_SEEDED = " (seeded: Keras 3 draws other numbers for the seed, the same ones on every call)"
_STATE = (" (tf_keras made a variable for a fully known shape, a tensor otherwise: check that the code needs"
          " the kind written)")
_UNSAFE_BECAUSE = {"zeros": _STATE, "ones": _STATE,
                   "bias_add": " (for channels_last data, the default `image_data_format()`)",
                   **{f"conv{d}d": " (for channels_last data, the default `image_data_format()`)" for d in (1, 2, 3)}}
