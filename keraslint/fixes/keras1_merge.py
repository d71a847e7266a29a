"""KER303's fix for Keras 1's `merge` function: `merge([a, b], mode="concat", concat_axis=1,
name="m")` is the layer for the mode called on the list, `Concatenate(axis=1, name="m")([a, b])`.

Keras 1 computed these modes as Keras 3's layers do (a sum, a product, an average, a maximum, a
concatenation along `concat_axis`, default -1), with no weights. Its "dot" and "cos" modes
(batch_dot with `dot_axes`, a cosine with Keras 1's epsilon), callable modes and the
`output_shape`/`node_indices`/... arguments have no one-line Keras 3 equivalent: a file that
uses them gets no fix.
"""

from __future__ import annotations

import ast
from typing import Optional

from keraslint.fixes.replaced_imports import uses
from keraslint.violations import SAFE, AddImport, FixSpec, Replace

LAYER_FOR_MODE = {"sum": "Add", "mul": "Multiply", "ave": "Average", "max": "Maximum", "concat": "Concatenate"}


def merge_call_fix(alias: ast.alias, alias_node, path: str, ctx) -> Optional[FixSpec]:
    """The fix for `from keras.layers import merge`: every call of `merge` rewritten to its
    mode's layer, and the imported name replaced by those layers (None unless every use of
    the name is such a call)."""
    if alias.asname is not None:
        return None
    calls = []
    for use in uses("merge", path, ctx):
        call = ctx.index.parents.get(use)
        if not (isinstance(call, ast.Call) and call.func is use):
            return None  # `merge` passed around
        rewritten = _rewritten(call, ctx)
        if rewritten is None:
            return None
        calls.append(rewritten)
    layers = sorted({layer for layer, _ in calls})
    if not layers or any(not ctx.names.is_free(layer) for layer in layers):
        return None  # unused, or a layer name the file binds already
    edits = (Replace(ctx.span(alias_node), layers[0]), *(text for _, text in calls),
             *(AddImport(path.rsplit(".", 1)[0], layer) for layer in layers[1:]))
    return FixSpec(SAFE, f"Use {', '.join(f'`{layer}`' for layer in layers)} in place of Keras 1's `merge`", edits)


def _rewritten(call: ast.Call, ctx) -> Optional[tuple]:
    """(the layer, the Replace of the call) for `merge(inputs, mode=..., ...)`."""
    if len(call.args) != 1 or isinstance(call.args[0], ast.Starred):
        return None
    keywords = {k.arg: k.value for k in call.keywords}
    if None in keywords or set(keywords) - {"mode", "concat_axis", "name"}:
        return None  # **kwargs, dot_axes, output_shape, node_indices, ...
    mode = keywords.get("mode", ast.Constant("sum"))
    if not (isinstance(mode, ast.Constant) and mode.value in LAYER_FOR_MODE):
        return None  # a callable or computed mode, or "dot"/"cos"
    if "concat_axis" in keywords and mode.value != "concat":
        return None  # Keras 1 ignored it: keep the user's code as it is
    arguments = []
    if "concat_axis" in keywords:
        arguments.append(f"axis={ctx.segment(keywords['concat_axis'])}")
    if "name" in keywords:
        arguments.append(f"name={ctx.segment(keywords['name'])}")
    layer = LAYER_FOR_MODE[mode.value]
    return layer, Replace(ctx.span(call), f"{layer}({', '.join(arguments)})({ctx.segment(call.args[0])})")
