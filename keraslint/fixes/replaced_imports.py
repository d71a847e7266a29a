"""KER303's fixes for names Keras 3 replaced by another class or function doing the same work
(`CuDNNGRU` -> `GRU`, Keras 1's `plot` -> `plot_model`): the old name is imported as an alias of
the new one, and the calls are checked (or completed) so that they mean what they meant.
The table is rules/_removed_imports.py's `REPLACED`."""

from __future__ import annotations

import ast
from typing import Optional, Tuple

from keraslint.violations import SAFE, AddHelper, FixSpec, RemoveStatement, Replace

# Keras 1's `plot(model, to_file, show_shapes, show_layer_names=True)`: `plot_model`'s fourth
# parameter is `show_dtype` and its `show_layer_names` defaults to False
_PLOT_POSITIONAL = 3  # at most this many positional arguments mean the same to both


def uses(bound: str, path: str, ctx) -> list:
    """The places that read `bound` as the import of `path`."""
    return [n for n in ctx.index.nodes(ast.Name) if n.id == bound and isinstance(n.ctx, ast.Load)
            and ctx.names.import_path(bound, ctx.index.scope_at(n)) == path]


def call_edits(old_name: str, bound: str, path: str, ctx) -> Optional[Tuple[Replace, ...]]:
    """What the calls of the replaced name need so that they keep their meaning: nothing for a
    layer called with its units alone as positional argument (`CuDNNGRU(64, ...)`: GRU's
    other parameters come in another order), `show_layer_names=True` added to each `plot(...)`.
    None when a call cannot be kept."""
    edits = []
    for use in uses(bound, path, ctx):
        call = ctx.index.parents.get(use)
        is_call = isinstance(call, ast.Call) and call.func is use
        if old_name != "plot":
            if is_call and len(call.args) > 1:
                return None  # positional arguments that GRU/LSTM take in another order
            continue
        if not is_call or len(call.args) > _PLOT_POSITIONAL or any(isinstance(a, ast.Starred) for a in call.args):
            return None  # `plot` passed around, or a positional argument plot_model reads differently
        keywords = {k.arg for k in call.keywords}
        if None in keywords:
            return None  # **kwargs: cannot tell whether it sets show_layer_names
        if "show_layer_names" in keywords:
            continue
        source = ctx.segment(call)
        if "#" in source or not (call.args or call.keywords):
            return None  # a comment inside the call: not rewritten
        edits.append(Replace(ctx.span(call), _with_argument(source, ctx.span(call), call, "show_layer_names=True", ctx)))
    return tuple(edits)


def _with_argument(source: str, span, call: ast.Call, argument: str, ctx) -> str:
    """The call's source with `argument` after its last argument (a trailing comma and the
    closing parenthesis's line stay as they are)."""
    last = ctx.span(max([*call.args, *call.keywords], key=lambda node: (node.end_lineno, node.end_col_offset)))
    lines = source.splitlines(keepends=True)
    row = last.end_line - span.line
    col = last.end_col - (span.col if row == 0 else 0)
    at = sum(len(line) for line in lines[:row]) + col
    return f"{source[:at]}, {argument}{source[at:]}"


# Keras 2's `keras.utils.conv_utils` functions people import; Keras 3 keeps them private, so the
# fix defines the ones a file uses in the file. Each is tf_keras 2.21's behaviour, checked
# against it by tests/test_removed_imports.py.
CONV_UTILS = {
    "conv_output_length": '''
def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """The length of a convolution's output along one axis (None when the input's is unknown)."""
    if input_length is None:
        return None
    if padding not in ("same", "valid", "full", "causal"):
        raise ValueError(f"unknown padding: {padding!r}")
    span = filter_size + (filter_size - 1) * (dilation - 1)  # the dilated kernel's extent
    length = {"valid": input_length - span + 1, "full": input_length + span - 1}.get(padding, input_length)
    return (length + stride - 1) // stride
''',
    "normalize_tuple": '''
def normalize_tuple(value, n, name, allow_zero=False):
    """`value` as a tuple of `n` sizes (an integer is repeated), each at least 1 (or 0)."""
    try:
        values = (value,) * n if isinstance(value, int) else tuple(value)
        for size in values:
            int(size)  # raises for what is not a number
    except (TypeError, ValueError):
        values = ()
    smallest = 0 if allow_zero else 1
    if len(values) != n or any(v < smallest for v in values):
        raise ValueError(f"`{name}` must be {n} integers of at least {smallest}; got {value!r}")
    return values
''',
    "normalize_padding": '''
def normalize_padding(value):
    """A padding name in lower case, checked; a list or tuple of paddings as it is."""
    if isinstance(value, (list, tuple)):
        return value
    padding = value.lower()
    if padding not in ("valid", "same", "causal"):
        raise ValueError(f"unknown padding: {value!r}")
    return padding
''',
}
HELPER_MODULES = {"keras.utils.conv_utils": CONV_UTILS}


def helper_import_fix(statement, module: str, prefix: str, ctx) -> Optional[FixSpec]:
    """`from keras.utils.conv_utils import conv_output_length` or `import keras.utils.conv_utils
    as conv_utils` (and `conv_utils.normalize_tuple(...)`) → the functions the file uses,
    defined in the file, and the import gone. Only for an import at the top level, used after
    the imports (where the definitions go) and with names the file does not use otherwise."""
    helpers = HELPER_MODULES.get(module)
    if helpers is None or ctx.index.parents.get(statement) is not ctx.tree or len(statement.names) != 1 and isinstance(statement, ast.Import):
        return None
    if any(other is not statement and other.lineno <= statement.end_lineno and statement.lineno <= other.end_lineno
           for other in ctx.tree.body):
        return None  # `import ...; x = 1`: the line stays
    edits: list = [RemoveStatement(ctx.span(statement))]
    if isinstance(statement, ast.ImportFrom):
        if any(alias.asname or alias.name not in helpers for alias in statement.names):
            return None  # a renamed import, or a function without a helper
        names = {alias.name for alias in statement.names}
        reads = [n for n in ctx.index.nodes(ast.Name) if n.id in names]
        for name in names:
            _, bindings = ctx.index.lookup(name, ctx.index.module_scope)
            if any(b.kind != "import" or b.qualified != f"{prefix}{module}.{name}" for b in bindings):
                return None  # the name is bound to something else too
    else:
        alias = statement.names[0]
        if alias.asname is None:
            return None  # `import keras.utils.conv_utils`: used by its dotted name
        names, reads = set(), uses(alias.asname, prefix + module, ctx)
        for use in reads:
            attribute = ctx.index.parents.get(use)
            if not (isinstance(attribute, ast.Attribute) and attribute.value is use and attribute.attr in helpers):
                return None  # the module passed around, or a function without a helper
            if attribute.attr not in names and not ctx.names.is_free(attribute.attr):
                return None  # the file has its own `normalize_tuple`
            names.add(attribute.attr)
            edits.append(Replace(ctx.span(attribute), attribute.attr))
    last_import = max((s.end_lineno for s in ctx.tree.body if isinstance(s, (ast.Import, ast.ImportFrom))), default=0)
    if any(n.lineno <= last_import for n in reads):
        return None  # used before the definitions could go
    if not reads:
        return FixSpec(SAFE, "Remove the unused import", tuple(edits))
    edits += [AddHelper(name, helpers[name].lstrip("\n")) for name in sorted(names)]
    return FixSpec(SAFE, f"Define {', '.join(f'`{n}`' for n in sorted(names))} in the file (Keras 3 keeps it private)", tuple(edits))


# Keras 2's `ThresholdedReLU(theta=1.0)` (x where x > theta, else 0) is Keras 3's
# `ReLU(threshold=theta)`: tests/test_removed_imports.py compares them at and around theta
_LAYER_KEYWORDS = {"name", "dtype", "trainable", "input_shape", "batch_input_shape"}


def thresholded_relu_fix(alias: ast.alias, alias_node, path: str, ctx) -> Optional[FixSpec]:
    """`from keras.layers import ThresholdedReLU` and `ThresholdedReLU(0.5)` → `ReLU` and
    `ReLU(threshold=0.5)`; None unless every use is such a call and `ReLU` is free."""
    if alias.asname is not None or not ctx.names.is_free("ReLU"):
        return None
    edits = [Replace(ctx.span(alias_node), "ReLU")]
    for use in uses(alias.name, path, ctx):
        call = ctx.index.parents.get(use)
        if not (isinstance(call, ast.Call) and call.func is use) or len(call.args) > 1 or any(isinstance(a, ast.Starred) for a in call.args):
            return None  # passed around, or called with what ReLU reads differently
        keywords = {k.arg: k.value for k in call.keywords}
        if None in keywords or set(keywords) - _LAYER_KEYWORDS - {"theta"} or (call.args and "theta" in keywords):
            return None
        theta = call.args[0] if call.args else keywords.get("theta")
        arguments = [f"threshold={ctx.segment(theta) if theta is not None else '1.0'}"]  # Keras 2's default theta
        arguments += [f"{k.arg}={ctx.segment(k.value)}" for k in call.keywords if k.arg != "theta"]
        edits.append(Replace(ctx.span(call), f"ReLU({', '.join(arguments)})"))
    return FixSpec(SAFE, "Use `ReLU(threshold=...)`", tuple(edits))
