"""Rewrites for the Keras 3 family: TensorFlow ops (KER301) and classic `keras.backend`
functions (KER302) to `keras.ops`.

The table is data (keraslint/fixes/ops_rows.py): one row per source name with its
replacement template, each proven by a differential test (tests/test_ops_tables.py). This
module turns a call into the replacement text: bind the call's arguments to the row's
parameter names, check the row's argument pattern, fill the template. A call outside every
proven pattern gets None, and the rule reports it without a fix. Nothing here imports
TensorFlow, Keras or libcst.
"""

from __future__ import annotations

import ast
import re
from typing import Callable, Dict, Optional

from keraslint.fixes.ops_rows import ALIASES, ROWS, Row
from keraslint.violations import AddImport


def row_for(source: str) -> Optional[Row]:
    """The row of `tf.<name>` / `K.<name>`, through the other spellings of TF functions."""
    return ROWS.get(ALIASES.get(source, source))


def verdict(source: str) -> str:
    """"proven", "report-only: <reason>", "not an op", "in Keras 3" or "MISSING"."""
    row = row_for(source)
    if row is None:
        return "MISSING"
    if row.kind == "not_op":
        return "not an op"
    if row.kind == "present":
        return "in Keras 3"
    return "proven" if row.proven else f"report-only: {row.report}"


class Args:
    """A call's arguments bound to the row's parameter names."""

    def __init__(self, bound: Dict[str, ast.AST], segment: Callable[[ast.AST], str], names):
        self.bound, self.segment, self.names = bound, segment, names

    def has(self, name: str) -> bool:
        return name in self.bound

    def __getitem__(self, name: str) -> str:
        return self.segment(self.bound[name])

    def literal(self, name: str):
        return _literal(self.bound[name]) if name in self.bound else None

    def as_tuple(self, name: str) -> str:
        """A list literal as a tuple (`ops` wants shapes as tuples), an int as a 1-tuple."""
        node = self.bound[name]
        if isinstance(node, ast.List):
            items = [self.segment(e) for e in node.elts]
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return f"({self[name]},)"
        return self[name]


def bind(call: ast.Call, params) -> Optional[Dict[str, ast.AST]]:
    """Arguments of `call` by parameter name; None for `*args`, `**kw` or unknown keywords."""
    if len(call.args) > len(params) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    bound = dict(zip(params, call.args))
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg not in params or keyword.arg in bound:
            return None
        bound[keyword.arg] = keyword.value
    return bound


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return ...


_TF_DTYPES = {"float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
              "uint16", "uint32", "uint64", "bool", "complex64", "complex128"}


def dtype_text(node: ast.AST, names, segment=None) -> Optional[str]:
    """`tf.int32` → "'int32'"; a dtype string literal as written; `K.floatx()` and
    `K.standardize_dtype(...)` (Keras 3 has them) as written; `K.dtype(y)` as its rewrite
    `K.standardize_dtype(y.dtype)`; anything else: None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in _TF_DTYPES:
        return repr(node.value)
    if isinstance(node, ast.Call) and segment is not None and names is not None:
        qualified = names.resolve(node.func)
        keras3_backend = qualified is not None and qualified.flavor == "keras" and isinstance(node.func, ast.Attribute)
        path = qualified.path if keras3_backend else None
        if path in ("keras.backend.floatx", "keras.backend.standardize_dtype") and not node.keywords:
            return segment(node) if len(node.args) == (path.endswith("standardize_dtype")) else None
        if path == "keras.backend.dtype" and len(node.args) == 1 and not node.keywords:
            # tf_keras' K.dtype(x), a dtype name: written as the K.dtype row rewrites it
            x = segment(node.args[0])
            x = x if isinstance(node.args[0], (ast.Name, ast.Attribute)) else f"({x})"
            return f"{segment(node.func.value)}.standardize_dtype({x}.dtype)"
    path = names.path(node) if names is not None else None
    if path and path.startswith(("tensorflow.", "tensorflow.dtypes.")) and path.rsplit(".", 1)[1] in _TF_DTYPES:
        return repr(path.rsplit(".", 1)[1])
    return None


# -- the template language (described in ops_rows.py) ---------------------------------------------
_FIELD = re.compile(r"\{(\w+)(?::(\w+))?(?:\|([^}]*))?\}")
_CHUNK = re.compile(r"\[(, [^\[\]]*)\]")  # "[, axis={axis}]"; a plain "[0]" is an index


class _NoFix(Exception):
    pass


def fill(template: str, a: Args, refs: Dict[str, str]) -> Optional[str]:
    def chunk(match):  # an argument written as `None` means what leaving it out means
        inner = match.group(1)
        wanted = [m.group(1) for m in _FIELD.finditer(inner) if m.group(1) not in refs]
        return inner if all(a.has(p) and a.literal(p) is not None for p in wanted) else ""

    def field(match):
        name, conversion, default = match.groups()
        if name in refs:
            if refs[name] is None:
                raise _NoFix  # e.g. no expression names Keras 3's keras.backend
            return refs[name]
        if not a.has(name) or (default is None and a.literal(name) is None):
            if default is None:
                raise _NoFix  # a required argument is absent (or `None`, which means the same)
            return default
        if conversion == "tuple":
            return a.as_tuple(name)
        if conversion == "dtype":
            text = dtype_text(a.bound[name], a.names, a.segment)
            if text is None:
                raise _NoFix
            return text
        if conversion == "paren" and not isinstance(a.bound[name], (ast.Name, ast.Attribute)):
            return f"({a[name]})"
        return a[name]

    try:
        return _FIELD.sub(field, _CHUNK.sub(chunk, template))
    except _NoFix:
        return None


def _matches(row: Row, a: Args) -> bool:
    for param, allowed in row.only.items():
        if not a.has(param):
            continue
        value = a.literal(param)
        if allowed == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                return False
        elif value is ... or value not in allowed:
            return False
    return True


# -- rows whose rewrite is more than a template ---------------------------------------------------
def _matmul(a: Args, refs) -> Optional[str]:
    ops = refs["ops"]
    left, right = a["a"], a["b"]
    for flag, side in (("transpose_a", "left"), ("transpose_b", "right")):
        value = a.literal(flag)
        if a.has(flag) and value not in (True, False):
            return None  # a flag computed at run time
        if value:  # ops.matmul has no transpose_*: swap the last two axes explicitly
            if side == "left":
                left = f"{ops}.swapaxes({left}, -2, -1)"
            else:
                right = f"{ops}.swapaxes({right}, -2, -1)"
    return f"{ops}.matmul({left}, {right})"


def _split(a: Args, refs) -> Optional[str]:
    ops = refs["ops"]
    axis = a["axis"] if a.has("axis") else "0"
    value = a.literal("num_or_size_splits")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{ops}.split({a['value']}, {a['num_or_size_splits']}, axis={axis})"
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) and v >= 0 for v in value):
        cuts, total = [], 0
        for size in value[:-1]:
            total += size
            cuts.append(str(total))
        if not cuts:
            return f"{ops}.split({a['value']}, 1, axis={axis})"  # one piece: the whole tensor
        return f"{ops}.split({a['value']}, [{', '.join(cuts)}], axis={axis})"  # sizes → cut indices
    if value is ... and isinstance(a.bound["num_or_size_splits"], (ast.Name, ast.Attribute, ast.Subscript)):
        # a count or sizes known only at run time: the inserted `tf_split` (fixes/backend_helpers.py)
        return f"tf_split({a['value']}, {a['num_or_size_splits']}, axis={axis})"
    return None  # sizes with -1, or an expression


def _k_constant(a: Args, refs) -> Optional[str]:
    if a.has("shape") or a.has("name") or refs["K"] is None:
        return None
    dtype = a["dtype"] if a.has("dtype") else f"{refs['K']}.floatx()"  # K.constant made floats of ints too
    return f"{refs['ops']}.convert_to_tensor({a['value']}, dtype={dtype})"


def _k_variable(a: Args, refs) -> Optional[str]:
    if a.has("constraint") or refs["K"] is None or refs["keras"] is None:
        return None
    dtype = a["dtype"] if a.has("dtype") else f"{refs['K']}.floatx()"
    name = f", name={a['name']}" if a.has("name") else ""
    return f"{refs['keras']}.Variable({a['value']}, dtype={dtype}{name})"


def _k_filled(kind: str):
    def build(a: Args, refs) -> Optional[str]:
        if refs["K"] is None or refs["keras"] is None:
            return None
        if a.has("dtype"):
            dtype = dtype_text(a.bound["dtype"], a.names, a.segment)
            if dtype is None:
                return None  # a dtype known only at run time
        else:
            dtype = f"{refs['K']}.floatx()"  # tf_keras' default
        tensor = f"{refs['ops']}.{kind}({a['shape']}, dtype={dtype})"
        run_time = any(isinstance(n, ast.Call) and _called_name(n) == "shape" for n in ast.walk(a.bound["shape"]))
        if run_time:  # `(K.shape(x)[0],)`: tf_keras returned this tensor, not a variable
            return tensor
        name = f", name={a['name']}" if a.has("name") else ""
        return f"{refs['keras']}.Variable({tensor}{name})"

    return build


def _called_name(call: ast.Call) -> Optional[str]:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _k_relu(a: Args, refs) -> Optional[str]:
    ops, x = refs["ops"], a["x"]
    alpha = a["alpha"] if a.has("alpha") and a.literal("alpha") not in (0, None) else None
    if a.has("max_value") and a.literal("max_value") is not None:
        text = f"{ops}.minimum({ops}.relu({x}), {a['max_value']})"  # tf_keras clips relu(x) at max_value
        if alpha is not None:  # and subtracts alpha * relu(-x) for the negative part
            text += f" - {_paren(a, 'alpha')} * {ops}.relu(-{_paren(a, 'x')})"
        return text
    if alpha is not None:
        return f"{ops}.leaky_relu({x}, negative_slope={alpha})"
    return f"{ops}.relu({x})"


def _paren(a: Args, name: str) -> str:
    node = a.bound[name]
    simple = isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)) or (
        isinstance(node, ast.Constant) and not (isinstance(node.value, (int, float)) and node.value < 0))
    return a[name] if simple else f"({a[name]})"


def _k_temporal_padding(a: Args, refs) -> Optional[str]:
    value = a.literal("padding") if a.has("padding") else (1, 1)
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and all(type(v) is int for v in value)):
        return None  # a padding known only at run time
    before, after = value  # rank 3 (batch, time, features): pads the time axis
    return f"{refs['ops']}.pad({a['x']}, [[0, 0], [{before}, {after}], [0, 0]])"


_ORDERING = {"th": "channels_first", "tf": "channels_last"}


def _k_image_dim_ordering(a: Args, refs) -> Optional[str]:
    """Keras 2.0: "th" when the data format is channels_first, else "tf"."""
    if refs["K"] is None:
        return None
    return f"(\"th\" if {refs['K']}.image_data_format() == \"channels_first\" else \"tf\")"


def image_dim_ordering_test(compare: ast.Compare, k_module: str) -> Optional[str]:
    """`K.image_dim_ordering() == "th"` → `K.image_data_format() == "channels_first"` (and the
    `!=`, "tf" and reversed forms); None for any other comparison."""
    if len(compare.ops) != 1 or not isinstance(compare.ops[0], (ast.Eq, ast.NotEq)):
        return None
    other = compare.comparators[0] if isinstance(compare.left, ast.Call) else compare.left
    if not (isinstance(other, ast.Constant) and other.value in _ORDERING):
        return None  # e.g. "channels_first": never equal to what image_dim_ordering returned
    operator = "==" if isinstance(compare.ops[0], ast.Eq) else "!="
    return f"{k_module}.image_data_format() {operator} \"{_ORDERING[other.value]}\""


def _k_set_image_dim_ordering(a: Args, refs) -> Optional[str]:
    value = a.literal("dim_ordering")
    if refs["K"] is None or value not in _ORDERING:
        return None  # tf_keras raised for anything but "th" / "tf"
    return f"{refs['K']}.set_image_data_format(\"{_ORDERING[value]}\")"


def _k_moving_average_update(a: Args, refs) -> Optional[str]:
    if not isinstance(a.bound["x"], (ast.Name, ast.Attribute)) or not a.has("momentum") or not a.has("value"):
        return None  # x is read twice: only a plain name or attribute
    x, value, momentum = a["x"], _paren(a, "value"), a["momentum"]
    # tf_keras computes 1 - momentum in the variable's dtype (a float64 `1 - 0.9` rounds otherwise)
    return f"{x}.assign_sub(({x} - {value}) * (1 - {refs['ops']}.cast({momentum}, {x}.dtype)))"


CUSTOM = {"K.image_dim_ordering": _k_image_dim_ordering, "K.moving_average_update": _k_moving_average_update, "K.set_image_dim_ordering": _k_set_image_dim_ordering,
          "K.zeros": _k_filled("zeros"), "K.ones": _k_filled("ones"), "K.relu": _k_relu, "K.temporal_padding": _k_temporal_padding, "tf.matmul": _matmul, "tf.split": _split, "K.constant": _k_constant, "K.variable": _k_variable}


def rewrite(source: str, call: ast.Call, segment, names, ops: str, k_module: Optional[str] = None,
            keras: Optional[str] = None, symbolic: bool = False) -> Optional[str]:
    """The `keras.ops` text replacing `call` of `source` ("tf.reduce_sum", "K.sum"), or None
    when no proven row covers this form of the call. `k_module` is the file's expression for
    Keras 3's `keras.backend`, `keras` for the keras package (both only where a row needs them);
    `symbolic`: the call's tensor is a symbolic Keras tensor (rows proven on run-time tensors
    only do not apply)."""
    row = row_for(source)
    if row is None or not row.proven or (symbolic and row.runtime_only):
        return None
    if row.source == "tf.einsum":
        if call.keywords or not call.args or any(isinstance(x, ast.Starred) for x in call.args):
            return None
        return f"{ops}.einsum({', '.join(segment(x) for x in call.args)})"
    bound = bind(call, row.params)
    if bound is None or (row.params and row.params[0] not in bound):
        return None
    a = Args(bound, segment, names)
    if not _matches(row, a):
        return None
    refs = {"ops": ops, "K": k_module, "keras": keras}
    if row.source in CUSTOM:
        return CUSTOM[row.source](a, refs)
    return fill(row.template, a, refs)


# -- messages -----------------------------------------------------------------------------------
# What the fix translates, for the message (the traps of a plain rename).
NOTES = {
    "tf.concat": "with the axis written out (its default is 0, the batch axis)",
    "tf.split": "(a list of sizes becomes cut indices)",
    "tf.matmul": "with `transpose_*` as explicit `ops.swapaxes`",
    "tf.gather": "with its axis written out (without one it flattens)",
    "tf.cumsum": "with its axis written out (without one it flattens)",
    "tf.argmax": "with its axis written out (without one it flattens)",
    "K.concatenate": "with `axis=-1` written out (its default is 0, the batch axis)",
    "K.gather": "with `axis=0`",
    "K.sqrt": "with negatives clipped to 0 first, as `K.sqrt` did",
    "K.hard_sigmoid": "with tf_keras' slope 0.2 (`ops.hard_sigmoid` uses 1/6)",
    "K.repeat": "on a new time axis (`ops.repeat(x, n)` flattens)",
    "tf.nn.gelu": "with `approximate=False` written out (`ops.gelu` approximates by default)",
    "K.switch": "(inserted into the file: tf_keras' `switch` written with `keras.ops`)",
    "K.batch_dot": "(inserted into the file: tf_keras' `batch_dot` written with `keras.ops`)",
}


# What replaces the removed graph-mode machinery of `keras.backend` (no tensor op, no fix).
MACHINERY_HINTS = {
    "placeholder": "`keras.Input(shape)`", "function": "a `keras.Model`",
    "gradients": "`tf.GradientTape` in a custom `train_step`",
    "learning_phase": "the `training=` argument of the call",
    "set_learning_phase": "the `training=` argument of the call",
    "learning_phase_scope": "the `training=` argument of the call",
    "in_train_phase": "the `training=` argument of a layer's `call`",
    "in_test_phase": "the `training=` argument of a layer's `call`",
    "get_session": "nothing: TensorFlow 2 has no sessions", "set_session": "nothing: TensorFlow 2 has no sessions",
    "name_scope": "`keras.name_scope`", "update": "`variable.assign(value)`",
    "update_add": "`variable.assign_add(value)`", "update_sub": "`variable.assign_sub(value)`",
    "moving_average_update": "`variable.assign_sub((variable - value) * (1 - momentum))`", "set_value": "`variable.assign(value)`",
    "batch_set_value": "`variable.assign(value)` for each pair",
    "batch_get_value": "`[ops.convert_to_numpy(x) for x in xs]`",
    "count_params": "`layer.count_params()`", "print_tensor": "`print` in eager code",
    "image_dim_ordering": "`keras.backend.image_data_format()` (\"channels_first\" was \"th\")",
    "set_image_dim_ordering": "`keras.backend.set_image_data_format(...)` (\"channels_first\" was \"th\")",
    "get_variable_shape": "`variable.shape`",
}


def hint(source: str) -> Optional[str]:
    """What to write instead, for a call without a fix."""
    row = row_for(source)
    if row is not None and row.kind in ("not_op", "api") and source.startswith("K."):
        return MACHINERY_HINTS.get(source[2:], "nothing: Keras 3 has no equivalent")
    if row is None or row.kind != "op":
        return None
    if row.report:
        return (f"{row.hint} " if row.hint else "") + f"(no automatic fix: {row.report})"
    if row.hint:
        return row.hint
    if row.template and row.template.startswith("{ops}."):
        replacement = head(row.template.replace("{ops}", "ops"))  # `ops.shape(...)` for K.int_shape
    else:
        replacement = f"ops.{source.rsplit('.', 1)[1]}"
    return f"`{replacement}` (this form of the call has no proven rewrite)"


def head(text: str) -> str:
    """`ops.sum(...)` for the message, from the replacement text."""
    name = text.split("(", 1)[0]
    return f"{name}(...)"


# -- naming keras.ops / keras through the file's imports ------------------------------------------
def ops_reference(names):
    """(expression naming keras.ops, [AddImport]) through the file's imports, or (None, [])."""
    existing = names.module_expression("keras.ops")
    if existing is not None:
        return existing, []
    if names.is_free("ops"):
        return "ops", [AddImport("keras", "ops")]
    if names.is_free("keras"):
        return "keras.ops", [AddImport("keras")]
    return None, []


def keras_reference(names):
    existing = names.module_expression("keras")
    if existing is not None:
        return existing, []
    if names.is_free("keras"):
        return "keras", [AddImport("keras")]
    return None, []
