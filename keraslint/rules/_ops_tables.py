"""Data for KER301, KER302 and KER106: which TensorFlow ops and `keras.backend` functions map
to `keras.ops` with the same numbers, and how to write the call so the meaning survives.

Every rewrite here is a row of PITFALLS.md (KER301 "Verified tf → keras.ops mapping", KER302
"These pairs gave equal values") and has a model-building fixture (fixtures/KER301_*,
fixtures/KER302_*). A builder gets the call's arguments bound to the original function's
parameter names and returns the replacement text, or None when the call uses a form the table
does not cover (the rule then reports without a fix). Nothing here imports TensorFlow or Keras.
"""

from __future__ import annotations

import ast
from typing import Callable, Dict, Optional, Tuple

from keraslint.violations import AddImport


class Args:
    """A call's arguments bound to the original function's parameter names."""

    def __init__(self, bound: Dict[str, ast.AST], segment: Callable[[ast.AST], str], ops: str, extra: tuple = ()):
        self.bound, self.segment, self.ops, self.extra = bound, segment, ops, extra

    def has(self, name: str) -> bool:
        return name in self.bound

    def __getitem__(self, name: str) -> str:
        return self.segment(self.bound[name])

    def get(self, name: str, default: str) -> str:
        return self[name] if name in self.bound else default

    def node(self, name: str) -> Optional[ast.AST]:
        return self.bound.get(name)

    def is_false(self, *names: str) -> bool:
        """Every named argument is absent or a literal False/None/0."""
        return all(_literal(self.bound[n]) in (False, None, 0) if n in self.bound else True for n in names)

    def as_tuple(self, name: str) -> str:
        """A list literal as a tuple (`ops` wants shapes as tuples), anything else as written."""
        node = self.bound[name]
        if isinstance(node, ast.List):
            items = [self.segment(e) for e in node.elts]
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return self[name]


def bind(call: ast.Call, params: Tuple[str, ...]) -> Optional[Dict[str, ast.AST]]:
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


def dtype_text(node: ast.AST, names) -> Optional[str]:
    """`tf.int32` → "'int32'"; a string literal as written; anything else: None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in _TF_DTYPES:
        return repr(node.value)
    path = names.path(node)
    if path and path.startswith(("tensorflow.", "tensorflow.dtypes.")) and path.rsplit(".", 1)[1] in _TF_DTYPES:
        return repr(path.rsplit(".", 1)[1])
    return None


# -- tf → keras.ops ------------------------------------------------------------------------------
def _unary(op: str, param: str = "x"):
    return (param, "name"), lambda a: f"{a.ops}.{op}({a[param]})"


def _binary(op: str):
    return ("x", "y", "name"), lambda a: f"{a.ops}.{op}({a['x']}, {a['y']})"


def _reduce(op: str, tensor: str = "input_tensor", extra: tuple = ("name",)):
    """`ops.<op>(tensor, axis=…, keepdims=…)` from tf.reduce_* (`input_tensor`) or K.* (`x`)."""
    def build(a):
        text = f"{a.ops}.{op}({a[tensor]}"
        if a.has("axis"):
            text += f", axis={a['axis']}"
        if a.has("keepdims"):
            text += f", keepdims={a['keepdims']}"
        return text + ")"
    return (tensor, "axis", "keepdims", *extra), build


def _cumsum(a):
    if not a.is_false("exclusive", "reverse"):
        return None
    return f"{a.ops}.cumsum({a['x']}, axis={a.get('axis', '0')})"  # tf's default is axis 0, ops' flattens


def _concat(a):
    if not a.has("axis"):
        return None
    return f"{a.ops}.concatenate({a['values']}, axis={a['axis']})"  # ops' default is axis 0: always write it


def _squeeze(a):
    if not a.has("axis") or _literal(a.node("axis")) is None:
        return None  # without an axis a batch of 1 loses its batch axis: the user must choose
    return f"{a.ops}.squeeze({a['input']}, axis={a['axis']})"


def _transpose(a):
    if not a.is_false("conjugate"):
        return None
    if not a.has("perm"):
        return f"{a.ops}.transpose({a['a']})"
    return f"{a.ops}.transpose({a['a']}, axes={a.as_tuple('perm')})"


def _matmul(a):
    if not a.is_false("adjoint_a", "adjoint_b", "a_is_sparse", "b_is_sparse", "output_type", "grad_a", "grad_b"):
        return None
    left, right = a["a"], a["b"]
    for flag in ("transpose_a", "transpose_b"):
        if a.has(flag) and _literal(a.node(flag)) not in (True, False):
            return None  # a flag computed at run time
    if a.has("transpose_a") and _literal(a.node("transpose_a")):
        left = f"{a.ops}.swapaxes({left}, -2, -1)"
    if a.has("transpose_b") and _literal(a.node("transpose_b")):
        right = f"{a.ops}.swapaxes({right}, -2, -1)"  # ops.matmul has no transpose_b
    return f"{a.ops}.matmul({left}, {right})"


def _softmax(op: str):
    return ("logits", "axis", "name"), lambda a: f"{a.ops}.{op}({a['logits']}, axis={a.get('axis', '-1')})"


def _split(a):
    if a.has("num"):
        return None
    axis = a.get("axis", "0")
    sizes = a.node("num_or_size_splits")
    value = _literal(sizes)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{a.ops}.split({a['value']}, {a['num_or_size_splits']}, axis={axis})"
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) and v >= 0 for v in value):
        indices, total = [], 0
        for size in value[:-1]:
            total += size
            indices.append(str(total))
        return f"{a.ops}.split({a['value']}, [{', '.join(indices)}], axis={axis})"  # sizes → cut indices
    return None  # a size list only known at run time (or with -1): cannot convert it


def _gather(a):
    if not a.is_false("batch_dims") or a.has("validate_indices"):
        return None
    return f"{a.ops}.take({a['params']}, {a['indices']}, axis={a.get('axis', '0')})"  # ops.take flattens without axis


def _cast(a):
    dtype = dtype_text(a.node("dtype"), a.extra[0]) if a.has("dtype") else None
    return f"{a.ops}.cast({a['x']}, {dtype})" if dtype else None


def _ones_like(a):
    if a.has("layout"):
        return None
    if not a.has("dtype"):
        return f"{a.ops}.ones_like({a['input']})"
    dtype = dtype_text(a.node("dtype"), a.extra[0])
    return f"{a.ops}.ones_like({a['input']}, dtype={dtype})" if dtype else None


def _l2_normalize(a):
    if not a.has("axis") or a.has("epsilon") or a.has("dim"):
        return None  # tf normalizes over every axis (the batch too) without one
    return f"{a.ops}.normalize({a['x']}, axis={a['axis']})"


def _argmax(a):
    if a.has("output_type"):
        return None
    # tf's default axis is 0, and its indices are int64 (ops.argmax gives int32)
    return f"{a.ops}.cast({a.ops}.argmax({a['input']}, axis={a.get('axis', '0')}), 'int64')"


def _where(a):
    if not (a.has("x") and a.has("y")):
        return None  # one-argument tf.where returns coordinates
    return f"{a.ops}.where({a['condition']}, {a['x']}, {a['y']})"


def _einsum(call: ast.Call, segment, ops):
    if call.keywords or not call.args or any(isinstance(x, ast.Starred) for x in call.args):
        return None
    return f"{ops}.einsum({', '.join(segment(x) for x in call.args)})"


TF_OPS = {
    "multiply": _binary("multiply"), "add": _binary("add"), "maximum": _binary("maximum"),
    "minimum": _binary("minimum"), "pow": _binary("power"),
    "abs": _unary("abs"), "square": _unary("square"), "sqrt": _unary("sqrt"), "exp": _unary("exp"),
    "math.log": _unary("log"), "tanh": _unary("tanh"), "sigmoid": _unary("sigmoid"),
    "nn.relu": _unary("relu", "features"),
    "ones_like": (("input", "dtype", "name", "layout"), _ones_like),
    "math.cumsum": (("x", "axis", "exclusive", "reverse", "name"), _cumsum),
    "concat": (("values", "axis", "name"), _concat),
    "reduce_sum": _reduce("sum"), "reduce_mean": _reduce("mean"), "reduce_max": _reduce("max"),
    "reduce_logsumexp": _reduce("logsumexp"),
    "expand_dims": (("input", "axis", "name"), lambda a: f"{a.ops}.expand_dims({a['input']}, {a['axis']})" if a.has("axis") else None),
    "squeeze": (("input", "axis", "name"), _squeeze),
    "reshape": (("tensor", "shape", "name"), lambda a: f"{a.ops}.reshape({a['tensor']}, {a.as_tuple('shape')})" if a.has("shape") else None),
    "transpose": (("a", "perm", "conjugate", "name"), _transpose),
    "matmul": (("a", "b", "transpose_a", "transpose_b", "adjoint_a", "adjoint_b", "a_is_sparse", "b_is_sparse",
                "output_type", "grad_a", "grad_b", "name"), _matmul),
    "nn.softmax": _softmax("softmax"), "nn.log_softmax": _softmax("log_softmax"),
    "stack": (("values", "axis", "name"), lambda a: f"{a.ops}.stack({a['values']}, axis={a.get('axis', '0')})"),
    "tile": (("input", "multiples", "name"), lambda a: f"{a.ops}.tile({a['input']}, {a.as_tuple('multiples')})" if a.has("multiples") else None),
    "split": (("value", "num_or_size_splits", "axis", "num", "name"), _split),
    "gather": (("params", "indices", "validate_indices", "axis", "batch_dims", "name"), _gather),
    "cast": (("x", "dtype", "name"), _cast),
    "clip_by_value": (("t", "clip_value_min", "clip_value_max", "name"),
                      lambda a: f"{a.ops}.clip({a['t']}, {a['clip_value_min']}, {a['clip_value_max']})" if a.has("clip_value_max") else None),
    "math.l2_normalize": (("x", "axis", "epsilon", "name", "dim"), _l2_normalize),
    "argmax": (("input", "axis", "output_type", "name"), _argmax),
    "where": (("condition", "x", "y", "name"), _where),
    "einsum": None,  # variadic: handled by _einsum
}
# Other public names of the same TensorFlow functions (checked with `is` on TF 2.21).
TF_ALIASES = {
    "math.multiply": "multiply", "math.add": "add", "math.maximum": "maximum", "math.minimum": "minimum",
    "math.abs": "abs", "math.square": "square", "math.sqrt": "sqrt", "math.exp": "exp",
    "math.tanh": "tanh", "nn.tanh": "tanh", "math.sigmoid": "sigmoid", "nn.sigmoid": "sigmoid",
    "cumsum": "math.cumsum", "math.pow": "pow", "math.reduce_sum": "reduce_sum",
    "math.reduce_mean": "reduce_mean", "math.reduce_max": "reduce_max",
    "math.reduce_logsumexp": "reduce_logsumexp", "linalg.matmul": "matmul", "math.softmax": "nn.softmax",
    "math.log_softmax": "nn.log_softmax", "dtypes.cast": "cast", "nn.l2_normalize": "math.l2_normalize",
    "linalg.l2_normalize": "math.l2_normalize", "math.argmax": "argmax", "linalg.einsum": "einsum",
}


# What the fix translates, for the message (the traps of a plain rename).
TF_NOTES = {
    "concat": "with the axis written out (its default is 0, the batch axis)",
    "split": "(a list of sizes becomes cut indices)",
    "matmul": "with `transpose_*` as explicit `ops.swapaxes`",
    "gather": "with its axis written out (without one it flattens)",
    "math.cumsum": "with its axis written out (without one it flattens)",
    "argmax": "with its axis written out (without one it flattens)",
}
BACKEND_NOTES = {
    "concatenate": "with `axis=-1` written out (its default is 0, the batch axis)",
    "gather": "with `axis=0`",
    "constant": "with the float dtype `K.constant` chose",
    "variable": "with the float dtype `K.variable` chose",
}


def tf_rewrite(short: str, call: ast.Call, segment, ops: str, names) -> Optional[str]:
    """`keras.ops` text for `tf.<short>(...)`, or None (not in the table, or a form it lacks)."""
    short = TF_ALIASES.get(short, short)
    if short == "einsum":
        return _einsum(call, segment, ops)
    entry = TF_OPS.get(short)
    if entry is None:
        return None
    params, build = entry
    bound = bind(call, params)
    if bound is None or params[0] not in bound:
        return None
    return build(Args(bound, segment, ops, (names,)))


# -- keras.backend → keras.ops -------------------------------------------------------------------
def _k_concatenate(a):
    return f"{a.ops}.concatenate({a['tensors']}, axis={a.get('axis', '-1')})"  # K's default is the last axis


def _k_constant(a):
    if a.has("shape") or a.has("name"):
        return None
    return f"{a.ops}.convert_to_tensor({a['value']}, dtype={a.get('dtype', a.extra[1] + '.floatx()')})"


def _k_variable(a):
    if a.has("constraint") or a.extra[2] is None:
        return None
    name = f", name={a['name']}" if a.has("name") else ""
    return f"{a.extra[2]}.Variable({a['value']}, dtype={a.get('dtype', a.extra[1] + '.floatx()')}{name})"


def _k_l2_normalize(a):
    if not a.has("axis"):
        return None
    return f"{a.ops}.normalize({a['x']}, axis={a['axis']})"


# Pairs PITFALLS.md measured as equal (KER302 "These pairs gave equal values", plus concatenate
# with its axis written out). extra = (names, K expression, keras expression or None).
BACKEND_OPS = {
    "dot": (("x", "y"), lambda a: f"{a.ops}.dot({a['x']}, {a['y']})"),
    "gather": (("reference", "indices"), lambda a: f"{a.ops}.take({a['reference']}, {a['indices']}, axis=0)"),
    "l2_normalize": (("x", "axis"), _k_l2_normalize),
    "pow": (("x", "a"), lambda a: f"{a.ops}.power({a['x']}, {a['a']})"),
    "permute_dimensions": (("x", "pattern"), lambda a: f"{a.ops}.transpose({a['x']}, axes={a.as_tuple('pattern')})" if a.has("pattern") else None),
    "flatten": (("x",), lambda a: f"{a.ops}.reshape({a['x']}, (-1,))"),
    "int_shape": (("x",), lambda a: f"{a.ops}.shape({a['x']})"),
    "constant": (("value", "dtype", "shape", "name"), _k_constant),
    "variable": (("value", "dtype", "name", "constraint"), _k_variable),
    "sum": _reduce("sum", "x", ()), "mean": _reduce("mean", "x", ()), "std": _reduce("std", "x", ()),
    "stack": (("x", "axis"), lambda a: f"{a.ops}.stack({a['x']}, axis={a.get('axis', '0')})"),
    "softmax": (("x", "axis"), lambda a: f"{a.ops}.softmax({a['x']}, axis={a.get('axis', '-1')})"),
    "clip": (("x", "min_value", "max_value"),
             lambda a: f"{a.ops}.clip({a['x']}, {a['min_value']}, {a['max_value']})" if a.has("max_value") else None),
    "one_hot": (("indices", "num_classes"),
                lambda a: f"{a.ops}.one_hot({a['indices']}, {a['num_classes']})" if a.has("num_classes") else None),
    "categorical_crossentropy": (("target", "output", "from_logits", "axis"),
                                 lambda a: f"{a.ops}.categorical_crossentropy({a['target']}, {a['output']}"
                                 + (f", from_logits={a['from_logits']}" if a.has("from_logits") else "")
                                 + (f", axis={a['axis']}" if a.has("axis") else "") + ")" if a.has("output") else None),
    "concatenate": (("tensors", "axis"), _k_concatenate),
}


def backend_rewrite(name: str, call: ast.Call, segment, ops: str, names, k_expr: str, keras_expr) -> Optional[str]:
    entry = BACKEND_OPS.get(name)
    if entry is None:
        return None
    params, build = entry
    bound = bind(call, params)
    if bound is None or params[0] not in bound:
        return None
    return build(Args(bound, segment, ops, (names, k_expr, keras_expr)))


# Keras 3 `keras.backend` still has these (PITFALLS.md KER302, "present").
BACKEND_PRESENT = frozenset(
    "backend clear_session epsilon floatx get_uid image_data_format is_float_dtype is_int_dtype "
    "is_keras_tensor result_type set_epsilon set_floatx set_image_data_format standardize_dtype".split()
)
# Classic names missing from Keras 3 (PITFALLS.md KER302), with the replacement to name when
# there is no fix. Names not listed here are unknown to us: no report.
_SAME_NAME = (
    "shape ndim dtype zeros ones eye zeros_like ones_like concatenate reshape expand_dims squeeze sum mean "
    "max min prod std var square sqrt exp log abs clip maximum minimum argmax argmin equal greater less dot "
    "transpose stack tile repeat softmax sigmoid relu tanh softplus elu cast stop_gradient is_tensor switch "
    "categorical_crossentropy binary_crossentropy sparse_categorical_crossentropy one_hot arange "
    "convert_to_tensor convert_to_numpy any all cumsum sign round"
).split()
BACKEND_HINTS = {name: f"`ops.{name}` (check that its defaults match)" for name in _SAME_NAME}
BACKEND_HINTS.update({
    "repeat": "`ops.repeat(ops.expand_dims(x, 1), n, axis=1)` (`ops.repeat(x, n)` flattens)",
    "switch": "`ops.where(condition, then, else)` (`ops.switch` selects a branch by index)",
    "concatenate": "`ops.concatenate(tensors, axis=-1)` (its default axis is 0)",
    "constant": "`ops.convert_to_tensor(value, dtype=keras.backend.floatx())`",
    "variable": "`keras.Variable(value, dtype=keras.backend.floatx())`",
    "placeholder": "`keras.Input(shape)`",
    "eval": "`ops.convert_to_numpy(x)`", "get_value": "`ops.convert_to_numpy(x)`",
    "batch_get_value": "`[ops.convert_to_numpy(x) for x in xs]`",
    "set_value": "`variable.assign(value)`", "batch_set_value": "`variable.assign(value)` for each pair",
    "int_shape": "`ops.shape(x)`", "permute_dimensions": "`ops.transpose(x, axes=pattern)`",
    "flatten": "`ops.reshape(x, (-1,))`", "batch_flatten": "`keras.layers.Flatten()(x)`",
    "pow": "`ops.power(x, a)`", "batch_dot": "`ops.einsum(...)`, or `ops.sum(x * y, axis=-1, keepdims=True)` for rank-2 inputs with `axes=1`",
    "gather": "`ops.take(reference, indices, axis=0)`", "repeat_elements": "`ops.repeat(x, rep, axis=axis)`",
    "l2_normalize": "`ops.normalize(x, axis=axis)`", "cast_to_floatx": "`ops.cast(x, keras.backend.floatx())`",
    "learning_phase": "the `training=` argument of the call", "set_learning_phase": "the `training=` argument of the call",
    "in_train_phase": "the `training=` argument of a layer's `call`", "function": "a `keras.Model`",
    "gradients": "`tf.GradientTape` in a custom `train_step`", "count_params": "`layer.count_params()`",
    "random_normal": "`keras.random.normal`", "random_uniform": "`keras.random.uniform`",
    "random_normal_variable": "`keras.Variable(keras.random.normal(shape))`",
    "conv2d": "`ops.conv`", "pool2d": "`ops.max_pool` / `ops.average_pool`", "bias_add": "`ops.add`",
    "update": "`variable.assign(value)`", "update_add": "`variable.assign_add(value)`",
    "moving_average_update": "`variable.assign(...)`", "print_tensor": "`print` in eager code",
    "rnn": "`keras.layers.RNN`", "ctc_batch_cost": "`keras.losses.CTC`", "name_scope": "`keras.name_scope`",
    "get_session": "nothing: TensorFlow 2 has no sessions", "set_session": "nothing: TensorFlow 2 has no sessions",
})
# tf.keras.backend functions that work on a Keras 3 KerasTensor (measured): not KER301.
TF_BACKEND_WORKS = BACKEND_PRESENT | {"int_shape", "get_value"}


# -- the names that exist under both keras and tf_keras (dir() of Keras 3.15.1 ∩ tf_keras 2.21) --
_COMMON_LAYERS = (
    "Activation ActivityRegularization Add AdditiveAttention AlphaDropout Attention Average AveragePooling1D "
    "AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D BatchNormalization Bidirectional "
    "CategoryEncoding CenterCrop Concatenate Conv1D Conv1DTranspose Conv2D Conv2DTranspose Conv3D "
    "Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D Convolution1D Convolution1DTranspose Convolution2D "
    "Convolution2DTranspose Convolution3D Convolution3DTranspose Cropping1D Cropping2D Cropping3D Dense "
    "DepthwiseConv1D DepthwiseConv2D Discretization Dot Dropout ELU EinsumDense Embedding Flatten GRU GRUCell "
    "GaussianDropout GaussianNoise GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D "
    "GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D "
    "GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization HashedCrossing Hashing "
    "Identity Input InputLayer IntegerLookup LSTM LSTMCell Lambda Layer LayerNormalization LeakyReLU Masking "
    "MaxPool1D MaxPool2D MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum Minimum MultiHeadAttention "
    "Multiply Normalization PReLU Permute RNN RandomBrightness RandomContrast RandomCrop RandomFlip "
    "RandomRotation RandomTranslation RandomZoom ReLU RepeatVector Rescaling Reshape Resizing SeparableConv1D "
    "SeparableConv2D SeparableConvolution1D SeparableConvolution2D SimpleRNN SimpleRNNCell Softmax "
    "SpatialDropout1D SpatialDropout2D SpatialDropout3D SpectralNormalization StackedRNNCells StringLookup "
    "Subtract TextVectorization TimeDistributed UnitNormalization UpSampling1D UpSampling2D UpSampling3D "
    "Wrapper ZeroPadding1D ZeroPadding2D ZeroPadding3D add average concatenate dot maximum minimum multiply "
    "subtract"
).split()
_COMMON_ACTIVATIONS = "elu exponential gelu hard_sigmoid linear mish relu selu sigmoid softmax softplus softsign swish tanh".split()
_COMMON_INITIALIZERS = (
    "Constant GlorotNormal GlorotUniform HeNormal HeUniform Identity LecunNormal LecunUniform Ones Orthogonal "
    "RandomNormal RandomUniform TruncatedNormal VarianceScaling Zeros"
).split()
_COMMON_REGULARIZERS = "L1 L1L2 L2 l1 l1_l2 l2".split()
COMMON_NAMES = frozenset(
    ["Input", "Model", "Sequential", "models.Model", "models.Sequential"]
    + [f"layers.{n}" for n in _COMMON_LAYERS]
    + [f"activations.{n}" for n in _COMMON_ACTIVATIONS]
    + [f"initializers.{n}" for n in _COMMON_INITIALIZERS]
    + [f"regularizers.{n}" for n in _COMMON_REGULARIZERS]
)
COMMON_MODULES = frozenset({"", "layers", "activations", "initializers", "regularizers", "models"})


def ops_reference(names):
    """(expression naming keras.ops, [AddImport]) through the file's imports, or (None, [])."""
    return _ops_reference(names)


def keras_reference(names):
    return _keras_reference(names)


def _ops_reference(names):
    existing = names.module_expression("keras.ops")
    if existing is not None:
        return existing, []
    if names.is_free("ops"):
        return "ops", [AddImport("keras", "ops")]
    if names.is_free("keras"):
        return "keras.ops", [AddImport("keras")]
    return None, []


def _keras_reference(names):
    existing = names.module_expression("keras")
    if existing is not None:
        return existing, []
    if names.is_free("keras"):
        return "keras", [AddImport("keras")]
    return None, []
