"""The KER301/KER302 table as data: one row per TensorFlow op or `keras.backend` function.

A row says, for one source name (`tf.reduce_sum`, `K.sqrt`):
- `params`: the source function's parameters in order (a call is bound to them; tests check
  them against the installed function's signature);
- `template`: the `keras.ops` text for the argument patterns it holds for (see `template`
  below), or None;
- `report`: None when the row is proven, else why there is no fix (the rule's message says it);
- `test`: the arguments tests/test_ops_tables.py draws for the differential test.

Kinds: `op` (a tensor op: a finding; fixed when proven), `api` (not a tensor op, but with a
faithful Keras 3 spelling: a finding, fixed; proven by tests/test_backend_api_rows.py), `not_op` (not a tensor op: sessions,
scopes, variables' state, specs: no finding at all), `present` (Keras 3 still has it under
`keras.backend`: no finding). The candidates come from benchmarks/list_op_candidates.py (every
public `tf_keras.backend` function, the most called TensorFlow ops in
keraslint/fixes/data/tf_op_counts.tsv); a test checks that each has a row.

One difference holds for every row with a Python number as an operand (found by the tests):
against a float64 tensor, Keras 3 treats a number in float32's subnormal range (below 1.2e-38)
as 0 where TensorFlow keeps it, so `ops.greater(x, 1e-43)` can differ. Tests do not draw such
numbers.

Template language: `{ops}` is the file's name for `keras.ops`; `{p}` is the argument bound to
parameter p as written (no fix when it is absent); `{p|text}` uses text when p is absent;
`{p:tuple}` writes a list literal as a tuple; `{p:dtype}` accepts only a known dtype
(`tf.int32`, "int32") and writes it as a string; `{p:paren}` parenthesises anything but a name;
`{K}` is the file's expression for the Keras 3 `keras.backend` module; `[, ...]` is kept only
when every argument named inside it is present (and not `None`). `only={p: (values...)}`: the call matches only
when p is absent or a literal among values; `need={p}`: p must be present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

NOT_PROVEN = "no differential test proves a `keras.ops` equivalent yet"
SIGNED_ZERO = "a maximum (minimum) tied between -0.0 and 0.0: Keras 3 ranks -0.0 below 0.0, TensorFlow takes the first"
FLOAT32_IMAGES = "float64 images: tf.image.resize returns float32 for every method but nearest, Keras 3 keeps float64"
INT = "int"  # in `only`: the argument must be an int literal (or absent)
OWN_TEST = "own"  # `test` of a row proven by its own tests (tests/test_backend_api_rows.py), not the differential one


@dataclass(frozen=True)
class Row:
    source: str  # "tf.reduce_sum", "K.sum"
    params: Tuple[str, ...] = ()
    template: Optional[str] = None
    report: Optional[str] = None  # None: proven; else the reason it stays report-only
    kind: str = "op"  # "op", "not_op", "present"
    test: str = ""  # "x:f axis:ax? keepdims:kd?" (see tests/test_ops_tables.py)
    only: dict = field(default_factory=dict)
    hint: Optional[str] = None  # what to write instead, for report-only rows
    caveat: Optional[str] = None  # a documented input class where the sides differ (tests avoid it)
    runtime_only: bool = False  # proven on run-time tensors only: no fix on a symbolic tensor
    aliases: Tuple[str, ...] = ()  # other spellings of the same TensorFlow function
    statement_only: bool = False  # fixed only where the call is a statement of its own (result unused)
    unsafe_if: Tuple[str, ...] = ()  # the fix is unsafe when one of these arguments is given
    unsafe_unless: Tuple[str, ...] = ()  # ... or when one of these is absent (or None)

    @property
    def proven(self) -> bool:
        return self.kind in ("op", "api") and self.report is None and self.template is not None

    @property
    def pattern(self) -> str:
        """The argument patterns the row holds for, in words (for docs and reports)."""
        parts = [f"{self.source}({', '.join(self.params)})"]
        parts += [f"{p} absent or one of {values}" for p, values in self.only.items()]
        return "; ".join(parts)


def op(source, params, template, test, aliases=(), hint=None, caveat=None, runtime_only=False, unsafe_if=(),
       unsafe_unless=(), **only):
    return Row(source, tuple(params.split()), template, None, "op", test, only, hint=hint, aliases=tuple(aliases),
               caveat=caveat, runtime_only=runtime_only, unsafe_if=tuple(unsafe_if), unsafe_unless=tuple(unsafe_unless))


def report(source, reason, hint=None, params="", aliases=()):
    return Row(source, tuple(params.split()), None, reason, "op", "", {}, hint=hint, aliases=tuple(aliases))


def api(source, params, template, statement_only=False):
    """Not a tensor op, but a function with a faithful Keras 3 spelling (a scope, a variable
    update, a config string). `statement_only`: fixed only where the call's result is unused
    (tf_keras and Keras 3 return different things)."""
    return Row(source, tuple(params.split()), template, None, "api", "", statement_only=statement_only)


def not_op(*sources):
    return [Row(source, kind="not_op") for source in sources]


def present(*sources):
    return [Row(source, kind="present") for source in sources]


# tf computes x * rsqrt(max(sum(x²), 1e-12)); ops.normalize clips at 1 / epsilon, which is the
# same bound with epsilon=1e-6 (its default, 1e-7, is 10x apart for norms below 1e-6)
L2_NORMALIZE = "{ops}.normalize({x}, axis={axis}, epsilon=1e-6)"
_RANDOM = "random numbers: Keras 3 draws from another generator, so no rewrite can give equal values"
_VARIABLE = "tf_keras returns a Variable here; say whether you mean a constant (`ops.{0}`) or state (`keras.Variable`)"
_LAYOUT = "the result depends on `image_data_format()` and the operand ranks, which the linter cannot see"

BACKEND_ROWS = [
    # -- element-wise, one operand -----------------------------------------------------------
    *[op(f"K.{n}", "x", f"{{ops}}.{n}({{x}})", "x:f") for n in
      "abs square exp log tanh sigmoid sign sin cos softplus softsign round".split()],
    op("K.sqrt", "x", "{ops}.sqrt({ops}.maximum({x}, 0.0))", "x:f"),  # K.sqrt clips negatives to 0
    op("K.hard_sigmoid", "x", "{ops}.clip({x} * 0.2 + 0.5, 0.0, 1.0)", "x:f"),  # ops.hard_sigmoid has slope 1/6
    op("K.elu", "x alpha", "{ops}.elu({x}[, alpha={alpha}])", "x:f alpha:s?"),
    # alpha: leaky below 0 (not ops.relu); max_value: clipped above (built in keras3.py)
    op("K.relu", "x alpha max_value threshold", "custom", "x:f alpha:s? max_value:pos?", threshold=(0, 0.0)),
    op("K.stop_gradient", "variables", "{ops}.stop_gradient({variables})", "variables:f"),
    op("K.cast", "x dtype", "{ops}.cast({x}, {dtype:dtype})", "x:f dtype:dt"),
    # -- two operands ------------------------------------------------------------------------
    *[op(f"K.{n}", "x y", f"{{ops}}.{n}({{x}}, {{y}})", "x:f y:g") for n in
      "maximum minimum equal not_equal greater greater_equal less less_equal".split()],
    op("K.pow", "x a", "{ops}.power({x}, {a})", "x:f a:s"),
    op("K.dot", "x y", "{ops}.dot({x}, {y})", "x:m y:mr"),
    op("K.clip", "x min_value max_value", "{ops}.clip({x}, {min_value}, {max_value})", "x:f min_value:lo max_value:hi"),
    # -- reductions --------------------------------------------------------------------------
    *[op(f"K.{n}", "x axis keepdims", f"{{ops}}.{n}({{x}}[, axis={{axis}}][, keepdims={{keepdims}}])",
         "x:f axis:axn? keepdims:kd?") for n in "sum mean max min prod std var".split()],
    *[op(f"K.{n}", "x axis keepdims", f"{{ops}}.{n}({{x}}[, axis={{axis}}][, keepdims={{keepdims}}])",
         "x:b axis:axn? keepdims:kd?") for n in "any all".split()],
    op("K.argmax", "x axis", "{ops}.cast({ops}.argmax({x}, axis={axis|-1}), \"int64\")", "x:f1 axis:ax?", caveat=SIGNED_ZERO),
    op("K.argmin", "x axis", "{ops}.cast({ops}.argmin({x}, axis={axis|-1}), \"int64\")", "x:f1 axis:ax?", caveat=SIGNED_ZERO),
    op("K.cumsum", "x axis", "{ops}.cumsum({x}, axis={axis|0})", "x:f1 axis:ax?"),
    op("K.cumprod", "x axis", "{ops}.cumprod({x}, axis={axis|0})", "x:f1 axis:ax?"),
    op("K.softmax", "x axis", "{ops}.softmax({x}, axis={axis|-1})", "x:f1 axis:ax?"),
    op("K.l2_normalize", "x axis", L2_NORMALIZE, "x:f1 axis:ax"),
    # -- shapes ------------------------------------------------------------------------------
    op("K.int_shape", "x", "{ops}.shape({x})", "x:f"),
    op("K.ndim", "x", "{ops}.ndim({x})", "x:f"),
    op("K.dtype", "x", "{K}.standardize_dtype({x:paren}.dtype)", "x:f"),
    op("K.reshape", "x shape", "{ops}.reshape({x}, {shape:tuple})", "x:f shape:shp"),
    op("K.expand_dims", "x axis", "{ops}.expand_dims({x}, {axis|-1})", "x:f axis:axe?"),
    op("K.squeeze", "x axis", "{ops}.squeeze({x}, axis={axis})", "x:f1 axis:ax1"),
    op("K.transpose", "x", "{ops}.transpose({x})", "x:f"),
    op("K.permute_dimensions", "x pattern", "{ops}.transpose({x}, axes={pattern:tuple})", "x:f pattern:perm"),
    op("K.flatten", "x", "{ops}.reshape({x}, (-1,))", "x:f"),
    op("K.tile", "x n", "{ops}.tile({x}, {n:tuple})", "x:f n:reps"),
    op("K.repeat", "x n", "{ops}.repeat({ops}.expand_dims({x}, 1), {n}, axis=1)", "x:f2x n:n",
       hint="`ops.repeat(ops.expand_dims(x, 1), n, axis=1)` (`ops.repeat(x, n)` flattens)"),
    op("K.repeat_elements", "x rep axis", "{ops}.repeat({x}, {rep}, axis={axis})", "x:f1 rep:n axis:ax"),
    op("K.reverse", "x axes", "{ops}.flip({x}, axis={axes:tuple})", "x:f1 axes:axl"),
    op("K.concatenate", "tensors axis", "{ops}.concatenate({tensors}, axis={axis|-1})", "tensors:lst axis:ax?"),
    op("K.stack", "x axis", "{ops}.stack({x}, axis={axis|0})", "x:lst axis:axe?"),
    op("K.gather", "reference indices", "{ops}.take({reference}, {indices}, axis=0)", "reference:f1 indices:idx"),
    op("K.one_hot", "indices num_classes", "{ops}.one_hot({indices}, {num_classes})", "indices:cls num_classes:ncls"),
    op("K.zeros_like", "x dtype name", "{ops}.zeros_like({x}[, dtype={dtype:dtype}])", "x:f dtype:dt?"),
    op("K.ones_like", "x dtype name", "{ops}.ones_like({x}[, dtype={dtype:dtype}])", "x:f dtype:dt?"),
    op("K.arange", "start stop step dtype", "{ops}.arange({start}[, {stop}][, step={step}], dtype={dtype|\"int32\"})",
       "start:i0 stop:i1? step:i2?"),
    op("K.eval", "x", "{ops}.convert_to_numpy({x})", "x:f", runtime_only=True),
    op("K.get_value", "x", "{ops}.convert_to_numpy({x})", "x:f", runtime_only=True),
    # -- losses ------------------------------------------------------------------------------
    op("K.categorical_crossentropy", "target output from_logits axis",
       "{ops}.categorical_crossentropy({target}, {output}[, from_logits={from_logits}][, axis={axis}])",
       "target:prob output:prob from_logits:kd?"),
    op("K.sparse_categorical_crossentropy", "target output from_logits axis ignore_class",
       "{ops}.sparse_categorical_crossentropy({target}, {output}[, from_logits={from_logits}])",
       "target:cls output:probc from_logits:kd?", axis=(-1,), ignore_class=(None,)),
    # on probabilities, tf_keras and Keras 3 clip the output differently near 0 and 1 (4 % apart)
    op("K.binary_crossentropy", "target output from_logits",
       "{ops}.binary_crossentropy({target}, {output}, from_logits={from_logits})",
       "target:unit output:f from_logits:true", from_logits=(True,)),
    # -- report-only tensor ops ----------------------------------------------------------------
    # on run-time tensors (a Lambda's function, a Layer's call, a loss): ops.shape gives the
    # unknown sizes as scalar tensors there. Not on a symbolic tensor (KER302 gives no fix there)
    op("K.shape", "x", "{ops}.convert_to_tensor({ops}.shape({x}), \"int32\")", "x:f", runtime_only=True,
       hint="`ops.shape(x)` (a tuple: on a symbolic tensor its unknown sizes are None)"),
    # what they mean depends on the operand ranks, unknown when linting: the fix inserts tf_keras'
    # algorithm written with keras.ops (keraslint/fixes/backend_helpers.py) and calls it
    op("K.switch", "condition then_expression else_expression", "switch({condition}, {then_expression}, {else_expression})",
       "condition:cond then_expression:f else_expression:g",
       hint="`ops.where(condition, then, else)` with a condition of the branches' rank (`ops.switch` picks a branch by index)"),
    op("K.batch_dot", "x y axes", "batch_dot({x}, {y}[, axes={axes}])", "x:bdx y:bdy axes:bdaxes?",
       hint="`ops.einsum(...)` (the contracted axes depend on the ranks)"),
    # on run-time tensors, like K.shape (KER302 gives no fix on a symbolic tensor)
    op("K.batch_flatten", "x", "{ops}.reshape({x}, ({ops}.shape({x})[0], -1))", "x:f1",
       hint="`keras.layers.Flatten()(x)`", runtime_only=True),
    # channels_last (the default format): tf.nn.bias_add or x + bias, both `x + bias` by broadcasting.
    # Unsafe without data_format: it follows image_data_format(), which the linter cannot see
    op("K.bias_add", "x bias data_format", "{ops}.add({x}, {bias})", "x:f1 bias:bias data_format:chl?",
       unsafe_unless=("data_format",), data_format=(None, "channels_last")),
    op("K.constant", "value dtype shape name", "custom", "value:f dtype:dtf?"),
    op("K.variable", "value dtype name constraint", "custom", "value:f dtype:dtf?"),
    # tf_keras made a Variable when the shape is fully known, else a tensor: a `keras.Variable` of
    # `ops.zeros` / `ops.ones`, or the tensor when the shape reads a run-time size (`K.shape(x)[0]`).
    # Unsafe: whether the shape is static, and whether the code needs a variable, is not visible here
    *[op(f"K.{n}", "shape dtype name", "custom", OWN_TEST, unsafe_if=("shape",)) for n in ("zeros", "ones")],
    report("K.eye", _VARIABLE.format("eye")),
    report("K.cast_to_floatx", "it returns a NumPy array, not a tensor", "`np.asarray(x, dtype=keras.backend.floatx())`"),
    # random draws: no value can be compared; tests/test_backend_api_rows.py proves shape, dtype and
    # the distribution (mean, std, range, dropout's kept values) on large samples. Unsafe with a seed:
    # Keras 3 draws other numbers for it, the same ones on every call
    *[op(f"K.{n}", f"shape {a} {b} dtype seed", f"{{keras}}.random.{k}({{shape}}[, {a}={{{a}}}][, {b}={{{b}}}]"
         "[, dtype={dtype:dtype}][, seed={seed}])", OWN_TEST, dtype=(None, "float16", "float32", "float64"),
         unsafe_if=("seed",)) for n, k, a, b in (
        ("random_normal", "normal", "mean", "stddev"), ("random_uniform", "uniform", "minval", "maxval"),
        ("truncated_normal", "truncated_normal", "mean", "stddev"))],
    op("K.dropout", "x level noise_shape seed", "{keras}.random.dropout({x}, {level}[, noise_shape={noise_shape}][, seed={seed}])",
       OWN_TEST, unsafe_if=("seed",)),
    # tf_keras: 1 where uniform(shape) <= p, else 0 (random_binomial is its deprecated alias)
    *[op(f"K.{n}", "shape p dtype seed", "{keras}.random.binomial({shape}, 1, {p|0.0}[, dtype={dtype:dtype}][, seed={seed}])",
         OWN_TEST, dtype=(None, "float16", "float32", "float64"), unsafe_if=("seed",))
      for n in ("random_bernoulli", "random_binomial")],
    *[report(f"K.{n}", _RANDOM, f"`keras.random.{k}`") for n, k in (
        ("random_normal_variable", "normal"), ("random_uniform_variable", "uniform"))],
    # channels_last, "valid"/"same" padding (conv1d's "causal" has no ops.conv form), no dilation (the
    # test found dilated convolutions giving implausible values, 1e10 against 1e-9 for inputs in
    # [-10, 10], so nothing is proven there); tested on float32. Unsafe without data_format: both
    # follow their image_data_format(), unseen here
    *[op(f"K.{n}", "x kernel strides padding data_format dilation_rate",
         "{ops}.conv({x}, {kernel}[, strides={strides}][, padding={padding}][, data_format={data_format}])",
         "x:cx kernel:ck strides:cs? padding:cp? data_format:chl? dilation_rate:c1?",
         padding=("valid", "same"), data_format=(None, "channels_last"), unsafe_unless=("data_format",),
         dilation_rate=(None, 1, (1,), (1, 1), (1, 1, 1), [1], [1, 1], [1, 1, 1]))
      for n in ("conv1d", "conv2d", "conv3d")],
    *[report(f"K.{n}", _LAYOUT, "`ops.conv` / `ops.depthwise_conv` / `ops.conv_transpose` / `ops.separable_conv`") for n in
      "conv2d_transpose depthwise_conv2d separable_conv2d local_conv1d local_conv2d".split()],
    *[report(f"K.{n}", _LAYOUT, "`ops.max_pool` / `ops.average_pool`") for n in ("pool2d", "pool3d")],
    op("K.temporal_padding", "x padding", "custom", "x:f3 padding:pair?"),
    *[report(f"K.{n}", _LAYOUT, "`ops.pad`") for n in ("spatial_2d_padding", "spatial_3d_padding")],
    *[report(f"K.{n}", _LAYOUT, "`keras.layers.UpSampling2D` / `ops.image.resize`") for n in ("resize_images", "resize_volumes")],
    report("K.batch_normalization", NOT_PROVEN, "`ops.batch_normalization`"),
    report("K.normalize_batch_in_training", NOT_PROVEN, "`ops.moments` and `ops.batch_normalization`"),
    op("K.in_top_k", "predictions targets k", "{ops}.in_top_k({targets}, {predictions}, {k})",  # its order
       "predictions:scores targets:cls k:kc", caveat="ties: Keras 3 sorts stably, tf.argsort need not"),
    report("K.ctc_batch_cost", NOT_PROVEN, "`keras.losses.CTC`"),
    report("K.ctc_decode", NOT_PROVEN, "`ops.ctc_decode`"),
    report("K.ctc_label_dense_to_sparse", NOT_PROVEN, "a Layer whose `call` runs TensorFlow"),
    report("K.binary_focal_crossentropy", NOT_PROVEN, "`keras.losses.BinaryFocalCrossentropy`"),
    report("K.categorical_focal_crossentropy", NOT_PROVEN, "`keras.losses.CategoricalFocalCrossentropy`"),
    report("K.map_fn", NOT_PROVEN, "`ops.map`"), report("K.foldl", NOT_PROVEN, "`ops.fori_loop`"),
    report("K.foldr", NOT_PROVEN, "`ops.fori_loop`"), report("K.rnn", NOT_PROVEN, "`keras.layers.RNN`"),
    report("K.to_dense", NOT_PROVEN, "`ops.convert_to_tensor`"),
    # -- not tensor ops: sessions, graph-mode machinery, variables' state --------------------
    *not_op(*("K." + n for n in (
        "placeholder function gradients learning_phase set_learning_phase learning_phase_scope in_train_phase "
        "in_test_phase get_session set_session "
        "batch_set_value manual_variable_initialization reset_uids count_params "
        "print_tensor is_sparse"
    ).split())),
    # -- not tensor ops with a faithful Keras 3 spelling (tests/test_backend_api_rows.py) ------
    api("K.name_scope", "name", "{keras}.name_scope({name})"),  # tf_keras: tf.name_scope(name)
    # tf_keras: tf.compat.v1.assign / assign_add / assign_sub; set_value converts to x's dtype first
    api("K.update", "x new_x", "{x:paren}.assign({new_x})", statement_only=True),
    api("K.update_add", "x increment", "{x:paren}.assign_add({increment})", statement_only=True),
    api("K.update_sub", "x decrement", "{x:paren}.assign_sub({decrement})", statement_only=True),
    api("K.set_value", "x value", "{x:paren}.assign({value})", statement_only=True),
    # tf_keras (TF 2): x.assign_sub((x - value) * (1 - momentum)); x is read twice: a name or attribute only
    api("K.moving_average_update", "x value momentum", "custom", statement_only=True),
    # tf_keras, eagerly: [x.numpy() for x in tensors]
    api("K.batch_get_value", "tensors", "[{ops}.convert_to_numpy(value) for value in {tensors}]"),
    api("K.get_variable_shape", "x", "{ops}.shape({x})"),  # Keras 2: int_shape(x) (tf_keras dropped it)
    # Keras 2.0's names for the data format: "th" is channels_first, "tf" channels_last
    api("K.image_dim_ordering", "", "custom"),
    api("K.set_image_dim_ordering", "dim_ordering", "custom"),
    # -- still in Keras 3's keras.backend --------------------------------------------------
    *present(*("K." + n for n in (
        "backend clear_session epsilon floatx get_uid image_data_format is_float_dtype is_int_dtype "
        "is_keras_tensor result_type set_epsilon set_floatx set_image_data_format standardize_dtype"
    ).split())),
]

TF_ROWS = [
    # -- element-wise ------------------------------------------------------------------------
    *[op(f"tf.{n}", "x name", f"{{ops}}.{k}({{x}})", "x:f", aliases=a) for n, k, a in (
        ("abs", "abs", ("tf.math.abs",)), ("square", "square", ("tf.math.square",)),
        ("sqrt", "sqrt", ("tf.math.sqrt",)), ("math.exp", "exp", ("tf.exp",)), ("math.log", "log", ()),
        ("sigmoid", "sigmoid", ("tf.nn.sigmoid", "tf.math.sigmoid")), ("nn.tanh", "tanh", ("tf.math.tanh", "tf.tanh")),
        ("floor", "floor", ("tf.math.floor",)), ("math.ceil", "ceil", ()), ("cos", "cos", ("tf.math.cos",)),
        ("sin", "sin", ("tf.math.sin",)), ("math.round", "round", ("tf.round",)), ("atan", "arctan", ("tf.math.atan",)),
        ("math.is_nan", "isnan", ()), ("sign", "sign", ("tf.math.sign",)), ("math.log1p", "log1p", ()),
        ("math.reciprocal", "reciprocal", ()),
    )],
    op("tf.nn.softplus", "features name", "{ops}.softplus({features})", "features:f", aliases=("tf.math.softplus",)),
    op("tf.nn.relu", "features name", "{ops}.relu({features})", "features:f"),
    op("tf.nn.relu6", "features name", "{ops}.relu6({features})", "features:f"),
    # tf.nn.gelu is exact by default, ops.gelu approximates by default: written out
    op("tf.nn.gelu", "features approximate name", "{ops}.gelu({features}, approximate={approximate|False})",
       "features:f approximate:kd?"),
    op("tf.logical_not", "x name", "{ops}.logical_not({x})", "x:b", aliases=("tf.math.logical_not",)),
    op("tf.stop_gradient", "input name", "{ops}.stop_gradient({input})", "input:f"),
    op("tf.identity", "input name", "{input}", "input:f", aliases=("tf.compat.v1.identity",)),  # ops.identity makes an identity matrix
    *[op(f"tf.{n}", "x y name", f"{{ops}}.{k}({{x}}, {{y}})", "x:f y:g", aliases=a) for n, k, a in (
        ("maximum", "maximum", ("tf.math.maximum",)), ("minimum", "minimum", ("tf.math.minimum",)),
        ("multiply", "multiply", ("tf.math.multiply",)), ("add", "add", ("tf.math.add",)),
        ("subtract", "subtract", ("tf.math.subtract",)), ("pow", "power", ("tf.math.pow",)),
        ("equal", "equal", ("tf.math.equal",)), ("not_equal", "not_equal", ("tf.math.not_equal",)),
        ("greater", "greater", ("tf.math.greater",)), ("greater_equal", "greater_equal", ("tf.math.greater_equal",)),
        ("less", "less", ("tf.math.less",)), ("less_equal", "less_equal", ("tf.math.less_equal",)),
        ("math.divide_no_nan", "divide_no_nan", ()),
    )],
    op("tf.divide", "x y name", "{ops}.divide({x}, {y})", "x:f y:g", aliases=("tf.math.divide",)),
    op("tf.math.floordiv", "x y name", "{ops}.floor_divide({x}, {y})", "x:f y:g"),
    *[op(f"tf.{n}", "x y name", f"{{ops}}.{n}({{x}}, {{y}})", "x:b y:b", aliases=(f"tf.math.{n}",))
      for n in ("logical_and", "logical_or")],
    op("tf.clip_by_value", "t clip_value_min clip_value_max name", "{ops}.clip({t}, {clip_value_min}, {clip_value_max})",
       "t:f clip_value_min:lo clip_value_max:hi"),
    op("tf.cast", "x dtype name", "{ops}.cast({x}, {dtype:dtype})", "x:f dtype:dt", aliases=("tf.dtypes.cast",)),
    # -- reductions --------------------------------------------------------------------------
    *[op(f"tf.reduce_{n}", "input_tensor axis keepdims name",
         f"{{ops}}.{k}({{input_tensor}}[, axis={{axis}}][, keepdims={{keepdims}}])", f"input_tensor:{t} axis:axn? keepdims:kd?",
         aliases=(f"tf.math.reduce_{n}",)) for n, k, t in (
        ("sum", "sum", "f"), ("mean", "mean", "f"), ("max", "max", "f"), ("min", "min", "f"), ("prod", "prod", "f"),
        ("logsumexp", "logsumexp", "f"), ("any", "any", "b"), ("all", "all", "b"))],
    op("tf.argmax", "input axis output_type name", "{ops}.cast({ops}.argmax({input}, axis={axis|0}), \"int64\")",
       "input:f1 axis:ax?", aliases=("tf.math.argmax",), output_type=(None,), caveat=SIGNED_ZERO),
    op("tf.math.argmin", "input axis output_type name", "{ops}.cast({ops}.argmin({input}, axis={axis|0}), \"int64\")",
       "input:f1 axis:ax?", aliases=("tf.argmin",), output_type=(None,), caveat=SIGNED_ZERO),
    op("tf.cumsum", "x axis exclusive reverse name", "{ops}.cumsum({x}, axis={axis|0})", "x:f1 axis:ax?",
       aliases=("tf.math.cumsum",), exclusive=(False,), reverse=(False,)),
    op("tf.nn.softmax", "logits axis name", "{ops}.softmax({logits}, axis={axis|-1})", "logits:f1 axis:ax?",
       aliases=("tf.math.softmax",)),
    op("tf.nn.log_softmax", "logits axis name", "{ops}.log_softmax({logits}, axis={axis|-1})", "logits:f1 axis:ax?",
       aliases=("tf.math.log_softmax",)),
    op("tf.nn.l2_normalize", "x axis epsilon name dim", L2_NORMALIZE, "x:f1 axis:ax",
       aliases=("tf.math.l2_normalize", "tf.linalg.l2_normalize"), epsilon=(1e-12,), dim=(None,)),
    # -- shapes and joins --------------------------------------------------------------------
    op("tf.reshape", "tensor shape name", "{ops}.reshape({tensor}, {shape:tuple})", "tensor:f shape:shp"),
    op("tf.expand_dims", "input axis name", "{ops}.expand_dims({input}, {axis})", "input:f axis:axe"),
    op("tf.squeeze", "input axis name", "{ops}.squeeze({input}, axis={axis})", "input:f1 axis:ax1"),
    op("tf.transpose", "a perm conjugate name", "{ops}.transpose({a}[, axes={perm:tuple}])", "a:f perm:perm?",
       conjugate=(False,)),
    op("tf.concat", "values axis name", "{ops}.concatenate({values}, axis={axis})", "values:lst axis:ax"),
    op("tf.stack", "values axis name", "{ops}.stack({values}, axis={axis|0})", "values:lst axis:axe?"),
    op("tf.unstack", "value num axis name", "{ops}.unstack({value}, axis={axis|0})", "value:f1 axis:ax?", num=(None,)),
    op("tf.tile", "input multiples name", "{ops}.tile({input}, {multiples:tuple})", "input:f multiples:reps"),
    op("tf.repeat", "input repeats axis name", "{ops}.repeat({input}, {repeats}[, axis={axis}])", "input:f1 repeats:n axis:ax?"),
    op("tf.broadcast_to", "input shape name", "{ops}.broadcast_to({input}, {shape:tuple})", "input:f shape:bshp"),
    op("tf.reverse", "tensor axis name", "{ops}.flip({tensor}, axis={axis:tuple})", "tensor:f1 axis:axl"),
    op("tf.gather", "params indices validate_indices axis batch_dims name",
       "{ops}.take({params}, {indices}, axis={axis|0})", "params:f1 indices:idx axis:ax0?", validate_indices=(None,), batch_dims=(0,)),
    op("tf.one_hot", "indices depth on_value off_value axis dtype name", "{ops}.one_hot({indices}, {depth})",
       "indices:cls depth:ncls", on_value=(None,), off_value=(None,), axis=(None, -1), dtype=(None,)),
    op("tf.where", "condition x y name", "{ops}.where({condition}, {x}, {y})", "condition:bx x:f y:g"),
    op("tf.matmul", "a b transpose_a transpose_b adjoint_a adjoint_b a_is_sparse b_is_sparse output_type grad_a grad_b name",
       "custom", "a:sq b:sq transpose_a:kd? transpose_b:kd?", aliases=("tf.linalg.matmul",),
       adjoint_a=(False,), adjoint_b=(False,), a_is_sparse=(False,), b_is_sparse=(False,), output_type=(None,),
       grad_a=(False,), grad_b=(False,)),
    op("tf.tensordot", "a b axes name", "{ops}.tensordot({a}, {b}, axes={axes})", "a:m b:mr axes:one", aliases=("tf.linalg.tensordot",)),
    op("tf.einsum", "equation", "custom", "equation:eq", aliases=("tf.linalg.einsum",)),  # variadic: built in keras3.py
    op("tf.split", "value num_or_size_splits axis num name", "custom", "value:f1 num_or_size_splits:nsplit axis:ax?", num=(None,)),
    op("tf.zeros_like", "input dtype name layout", "{ops}.zeros_like({input}[, dtype={dtype:dtype}])", "input:f dtype:dt?", layout=(None,)),
    op("tf.ones_like", "input dtype name layout", "{ops}.ones_like({input}[, dtype={dtype:dtype}])", "input:f dtype:dt?", layout=(None,)),
    report("tf.rank", "`tf.rank` gives an int32 tensor, `ops.ndim` a Python int", "`ops.ndim(x)`"),
    op("tf.size", "input out_type name", "{ops}.size({input})", "input:f", out_type=(None,)),
    op("tf.add_n", "inputs name", "{ops}.sum({ops}.stack({inputs}), axis=0)", "inputs:lst", aliases=("tf.math.add_n",)),
    op("tf.math.count_nonzero", "input axis keepdims dtype name",
       "{ops}.cast({ops}.count_nonzero({input}[, axis={axis}]), \"int64\")", "input:f axis:ax?",
       keepdims=(None, False), dtype=(None,), axis=INT),
    op("tf.norm", "tensor ord axis keepdims name", "{ops}.norm({tensor}, axis={axis}[, keepdims={keepdims}])",
       "tensor:f1 axis:ax keepdims:kd?", aliases=("tf.linalg.norm",), ord=("euclidean",), axis=INT),
    # -- report-only tensor ops ------------------------------------------------------------------
    report("tf.shape", "on a symbolic tensor `ops.shape` has `None` for the batch size, where `tf.shape` "
           "gives the run-time size", "`ops.shape(x)` for static sizes, or a Layer whose `call` uses it"),
    report("tf.constant", "on a symbolic tensor it only fails; there is nothing to translate", "`ops.convert_to_tensor`"),
    # -- creation, padding, slicing, sorting, losses --------------------------------------------
    op("tf.convert_to_tensor", "value dtype dtype_hint name", "{ops}.convert_to_tensor({value}[, dtype={dtype:dtype}])",
       "value:f dtype:dtf?", dtype_hint=(None,)),
    *[op(f"tf.{n}", "shape dtype name layout", f"{{ops}}.{n}({{shape:tuple}}, dtype={{dtype:dtype|\"float32\"}})",
         "shape:shp0 dtype:dt?", layout=(None,)) for n in ("zeros", "ones")],
    op("tf.fill", "dims value name layout", "{ops}.full({dims:tuple}, {value})", "dims:shp0 value:s", layout=(None,)),
    op("tf.range", "start limit delta dtype name", "{ops}.arange({start}[, {limit}][, step={delta}])",
       "start:i0 limit:i1? delta:i2?", dtype=(None,)),
    op("tf.eye", "num_rows num_columns batch_shape dtype name", "{ops}.eye({num_rows}[, {num_columns}], dtype={dtype:dtype|\"float32\"})",
       "num_rows:n num_columns:n? dtype:dt?", batch_shape=(None,)),
    op("tf.pad", "tensor paddings mode constant_values name", "{ops}.pad({tensor}, {paddings}[, constant_values={constant_values}])",
       "tensor:f paddings:pads constant_values:s?", mode=("CONSTANT", "constant")),
    op("tf.slice", "input_ begin size name", "{ops}.slice({input_}, {begin}, {size})", "input_:f1 begin:begin size:size"),
    op("tf.nn.top_k", "input k sorted index_type name", "{ops}.top_k({input}, {k|1}[, sorted={sorted}])",
       "input:f1 k:k? sorted:kd?", aliases=("tf.math.top_k",), index_type=(None,)),
    op("tf.argsort", "values axis direction stable name", "{ops}.argsort({values}, axis={axis|-1})", "values:f1 axis:ax?",
       direction=("ASCENDING",), caveat="ties: Keras 3 sorts stably, tf.argsort need not"),
    op("tf.roll", "input shift axis name", "{ops}.roll({input}, {shift}, axis={axis})", "input:f1 shift:n axis:ax"),
    op("tf.sequence_mask", "lengths maxlen dtype name", "{ops}.less({ops}.arange({maxlen}), {ops}.expand_dims({lengths}, -1))",
       "lengths:cls maxlen:ncls", dtype=(None,)),
    op("tf.nn.bias_add", "value bias data_format name", "{ops}.add({value}, {bias})", "value:f1 bias:lastvec",
       data_format=(None, "NHWC", "NWC", "NDHWC", "N...C")),
    op("tf.nn.l2_loss", "t name", "{ops}.sum({ops}.square({t})) / 2", "t:f"),
    op("tf.nn.sigmoid_cross_entropy_with_logits", "labels logits name",
       "{ops}.binary_crossentropy({labels}, {logits}, from_logits=True)", "labels:unit logits:f"),
    op("tf.nn.softmax_cross_entropy_with_logits", "labels logits axis name",
       "{ops}.categorical_crossentropy({labels}, {logits}, from_logits=True[, axis={axis}])", "labels:prob logits:f1"),
    op("tf.nn.sparse_softmax_cross_entropy_with_logits", "labels logits name",
       "{ops}.sparse_categorical_crossentropy({labels}, {logits}, from_logits=True)", "labels:cls logits:probc"),
    report("tf.nn.log_poisson_loss", NOT_PROVEN, "`keras.losses.Poisson`"),
    op("tf.math.segment_sum", "data segment_ids name", "{ops}.segment_sum({data}, {segment_ids}, sorted=True)",
       "data:f1 segment_ids:segs"),
    report("tf.meshgrid", NOT_PROVEN, "`ops.meshgrid`"),
    # float bounds only: tf.linspace of ints gives float64, ops.linspace float32
    op("tf.linspace", "start stop num name axis", "{ops}.linspace({start}, {stop}, {num})", "start:lo stop:hi num:n",
       axis=(0,)),
    report("tf.gather_nd", NOT_PROVEN, "a Layer whose `call` runs `tf.gather_nd`"),
    report("tf.boolean_mask", "the result's size depends on the values: Keras 3 symbolic tensors cannot express it",
           "a Layer whose `call` runs `tf.boolean_mask`"),
    # data_format written out: ops.image.resize follows image_data_format(), tf.image.resize is always NHWC
    op("tf.image.resize", "images size method preserve_aspect_ratio antialias name",
       "{ops}.image.resize({images}, {size:tuple}[, interpolation={method}], data_format=\"channels_last\")",
       "images:img size:hw method:interp?", preserve_aspect_ratio=(False,), antialias=(False,),
       caveat=FLOAT32_IMAGES),
    report("tf.tensor_scatter_nd_update", NOT_PROVEN, "`ops.scatter_update`"),
    report("tf.scatter_nd", NOT_PROVEN, "`ops.scatter`"),
    report("tf.map_fn", NOT_PROVEN, "`ops.map`"), report("tf.cond", NOT_PROVEN, "`ops.cond`"),
    report("tf.while_loop", NOT_PROVEN, "`ops.while_loop`"),
    report("tf.linalg.band_part", NOT_PROVEN, "`ops.triu` / `ops.tril`"),
    report("tf.linalg.diag", NOT_PROVEN, "`ops.diag`"), report("tf.linalg.set_diag", NOT_PROVEN, "a Layer"),
    report("tf.nn.conv2d", _LAYOUT, "`ops.conv`"), report("tf.nn.depthwise_conv2d", _LAYOUT, "`ops.depthwise_conv`"),
    report("tf.nn.avg_pool", _LAYOUT, "`ops.average_pool`"),
    report("tf.nn.dropout", _RANDOM, "`keras.random.dropout`"),
    report("tf.random_uniform", "not in TensorFlow 2", "`keras.random.uniform`"),
    report("tf.log", "not in TensorFlow 2", "`ops.log`"),
    report("tf.image.resize_bilinear", "not in TensorFlow 2", "`ops.image.resize`"),
    report("tf.image.resize_images", "not in TensorFlow 2", "`ops.image.resize`"),
    report("tf.unique", "the result's size depends on the values", "a Layer"),
    report("tf.histogram_fixed_width", NOT_PROVEN, "a Layer"),
    report("tf.clip_by_global_norm", NOT_PROVEN, "an optimizer's `global_clipnorm=`"),
    report("tf.ensure_shape", NOT_PROVEN, "a Layer"),
    *[report(f"tf.image.{n}", NOT_PROVEN, "`keras.layers` preprocessing layers or `ops.image`") for n in (
        "pad_to_bounding_box flip_left_right crop_to_bounding_box crop_and_resize "
        "grayscale_to_rgb convert_image_dtype random_flip_left_right rgb_to_grayscale random_contrast random_crop "
        "random_saturation resize_with_crop_or_pad combined_non_max_suppression non_max_suppression "
        "sample_distorted_bounding_box").split()],
    # -- not tensor ops --------------------------------------------------------------------
    *not_op(*("tf." + n for n in (
        "name_scope TensorSpec Variable TensorShape GradientTape function device control_dependencies zeros_initializer "
        "Session variable_scope ConfigProto get_variable constant_initializer executing_eagerly "
        "random_normal_initializer group is_tensor Graph as_dtype SparseTensor Assert RaggedTensorSpec print "
        "init_scope placeholder truncated_normal_initializer get_collection global_variables_initializer "
        "assert_equal get_static_value WholeFileReader image.decode_jpeg image.decode_image image.encode_jpeg "
        "image.extract_jpeg_shape").split())),
]

ROWS = {row.source: row for row in BACKEND_ROWS + TF_ROWS}
ALIASES = {alias: row.source for row in TF_ROWS for alias in row.aliases}
