"""KER301 / KER302 / KER106 beyond the fixtures: the semantic traps of naive renames, target
awareness, import handling, and the shared "does this run at construction?" analysis.

The fixtures' model tests (tests/test_fixed_models.py, `-k "KER3 or KER106"`) prove the numbers
with real Keras; these tests pin the exact rewrites, so a naive rename that comes back fails
here without TensorFlow.
"""

import ast
import textwrap

import pytest

from keraslint.analysis.context import deferred_body
from keraslint.analysis.names import Names, detect_target, sets_legacy_keras
from keraslint.analysis.scopes import TreeIndex
from keraslint.analysis.values import SYMBOLIC, Values
from keraslint.config import Settings
from keraslint.engine import check_source, fix_source

ALL = Settings(select=("ALL",))
HEADER = "import keras\nimport tensorflow as tf\nfrom keras import ops\nx = keras.Input((4, 6))\ny = keras.Input((4, 6))\n"


def fixed_line(expression, header=HEADER, settings=ALL):
    """The last line of the fixed source of `out = <expression>`."""
    source = header + f"out = {expression}\n"
    return fix_source(source, "t.py", settings, unsafe=True).text.rstrip("\n").splitlines()[-1]


def reports(source, settings=ALL):
    return [(v.code, v.line, v.col + 1, v.fix.applicability if v.fix else None) for v in check_source(source, "t.py", settings)]


# -- the semantic traps ----------------------------------------------------------------------
def test_concat_keeps_its_axis_explicit():
    # ops.concatenate defaults to axis 0, the batch axis: the axis must always be written out
    assert fixed_line("tf.concat([x, y], -1)") == "out = ops.concatenate([x, y], axis=-1)"
    assert fixed_line("tf.concat(values=[x, y], axis=1)") == "out = ops.concatenate([x, y], axis=1)"


def test_backend_concatenate_gets_the_last_axis():
    header = "import keras\nfrom keras import backend as K\nfrom keras import ops\nx = keras.Input((4, 6))\n"
    assert fixed_line("K.concatenate([x, x])", header) == "out = ops.concatenate([x, x], axis=-1)"
    tf_header = "import keras\nfrom tensorflow.keras import backend as K\nfrom keras import ops\nx = keras.Input((4, 6))\n"
    assert fixed_line("K.concatenate([x, x])", tf_header) == "out = ops.concatenate([x, x], axis=-1)"


@pytest.mark.parametrize(
    "sizes, indices",
    [("[2, 4]", "[2]"), ("[1, 2, 3]", "[1, 3]"), ("(3, 3)", "[3]"), ("[6]", "1")],
)
def test_split_sizes_become_cumulative_indices(sizes, indices):
    assert fixed_line(f"tf.split(x, {sizes}, axis=-1)") == f"out = ops.split(x, {indices}, axis=-1)"


def test_split_into_equal_parts_keeps_the_count():
    assert fixed_line("tf.split(x, 2, axis=-1)") == "out = ops.split(x, 2, axis=-1)"
    assert fixed_line("tf.split(x, 2)") == "out = ops.split(x, 2, axis=0)"


def test_split_with_run_time_sizes_calls_the_inserted_tf_split():
    assert reports(HEADER + "sizes = [2, 4]\nout = tf.split(x, sizes, axis=-1)\n") == [("KER301", 7, 7, "safe")]
    fixed = fix_source(HEADER + "sizes = [2, 4]\nout = tf.split(x, sizes, axis=-1)\n", "t.py", ALL).text
    assert "def tf_split(value, num_or_size_splits, axis=0):" in fixed and fixed.endswith("out = tf_split(x, sizes, axis=-1)\n")
    assert reports(HEADER + "out = tf.split(x, [2, -1], axis=-1)\n") == [("KER301", 6, 7, None)]  # a literal -1


def test_matmul_transpose_flags_become_explicit_transposes():
    assert fixed_line("tf.matmul(x, y, transpose_b=True)") == "out = ops.matmul(x, ops.swapaxes(y, -2, -1))"
    assert fixed_line("tf.linalg.matmul(x, y, transpose_a=True, transpose_b=False)") == "out = ops.matmul(ops.swapaxes(x, -2, -1), y)"
    assert "transpose_b" not in fixed_line("tf.matmul(x, y, transpose_b=True)")


def test_matmul_with_a_run_time_flag_or_adjoint_is_not_fixed():
    assert reports(HEADER + "flag = True\nout = tf.matmul(x, y, transpose_b=flag)\n") == [("KER301", 7, 7, None)]
    assert reports(HEADER + "out = tf.matmul(x, y, adjoint_b=True)\n") == [("KER301", 6, 7, None)]


@pytest.mark.parametrize("call", ["tf.squeeze(x)", "tf.squeeze(x, axis=None)", "tf.squeeze(x, None)"])
def test_squeeze_without_an_axis_is_reported_without_a_fix(call):
    found = check_source(HEADER + f"out = {call}\n", "t.py", ALL)
    assert [(v.code, v.fix) for v in found] == [("KER301", None)]
    assert "axis" in found[0].message


def test_squeeze_with_an_axis_is_fixed():
    assert fixed_line("tf.squeeze(x, axis=-1)") == "out = ops.squeeze(x, axis=-1)"
    assert fixed_line("tf.squeeze(x, [1])") == "out = ops.squeeze(x, axis=[1])"


@pytest.mark.parametrize(
    "call, expected",
    [
        ("tf.gather(x, [0, 2])", "ops.take(x, [0, 2], axis=0)"),  # ops.take without axis flattens
        ("tf.gather(x, [0, 2], axis=1)", "ops.take(x, [0, 2], axis=1)"),
        ("tf.math.cumsum(x)", "ops.cumsum(x, axis=0)"),  # ops.cumsum without axis flattens
        ("tf.argmax(x)", 'ops.cast(ops.argmax(x, axis=0), "int64")'),  # ops.argmax flattens without axis, gives int32
        ("tf.nn.softmax(x)", "ops.softmax(x, axis=-1)"),
        ("tf.stack([x, y])", "ops.stack([x, y], axis=0)"),
        ("tf.reshape(x, [-1, 24])", "ops.reshape(x, (-1, 24))"),
        ("tf.reshape(x, [-1])", "ops.reshape(x, (-1,))"),
        ("tf.transpose(x, perm=[0, 2, 1])", "ops.transpose(x, axes=(0, 2, 1))"),
        ("tf.cast(x, tf.int32)", "ops.cast(x, 'int32')"),
        ("tf.cast(x, 'float16')", "ops.cast(x, 'float16')"),
        ("tf.clip_by_value(x, clip_value_min=0.5, clip_value_max=1.5)", "ops.clip(x, 0.5, 1.5)"),
        ("tf.where(x > y, x, y)", "ops.where(x > y, x, y)"),
        ("tf.pow(x, 3.0)", "ops.power(x, 3.0)"),
        ("tf.math.l2_normalize(x, axis=-1)", "ops.normalize(x, axis=-1, epsilon=1e-6)"),
        ("tf.einsum('bij,bkj->bik', x, y)", "ops.einsum('bij,bkj->bik', x, y)"),
        ("tf.reduce_sum(x, axis=-1, keepdims=True, name='s')", "ops.sum(x, axis=-1, keepdims=True)"),
    ],
)
def test_tf_rewrites(call, expected):
    assert fixed_line(call) == f"out = {expected}"


@pytest.mark.parametrize(
    "call",
    [
        "tf.math.l2_normalize(x)",  # over every axis, the batch too
        "tf.math.l2_normalize(x, axis=-1, epsilon=1e-3)",
        "tf.math.cumsum(x, axis=1, exclusive=True)",
        "tf.gather(x, [0], batch_dims=1)",
        "tf.argmax(x, -1, output_type=tf.int32)",
        "tf.cast(x, dtype)",
        "tf.where(x > y)",  # coordinates
        "tf.reduce_sum(x, **options)",
        "tf.image.resize(x, (8, 8), preserve_aspect_ratio=True)",
        "tf.shape(x)",
    ],
)
def test_forms_without_a_verified_rewrite_are_only_reported(call):
    found = check_source(HEADER + "dtype = 'int32'\noptions = {}\n" + f"out = {call}\n", "t.py", ALL)
    assert [(v.code, v.fix) for v in found] == [("KER301", None)]


def test_nested_ops_are_all_fixed():
    assert fixed_line("tf.reduce_sum(tf.square(x), axis=-1)") == "out = ops.sum(ops.square(x), axis=-1)"


def test_tuple_unpacked_pieces_are_symbolic():
    source = HEADER + "a, b = tf.split(x, 2, axis=-1)\nout = tf.concat([b, a], -1)\n"
    assert fix_source(source, "t.py", ALL).text.endswith("out = ops.concatenate([b, a], axis=-1)\n")


# -- naming keras.ops ------------------------------------------------------------------------
def test_uses_an_existing_keras_import():
    header = "import keras\nimport tensorflow as tf\nx = keras.Input((4,))\n"
    assert fixed_line("tf.abs(x)", header) == "out = keras.ops.abs(x)"


def test_adds_from_keras_import_ops_when_free():
    source = "import tensorflow as tf\nfrom keras import Input\nx = Input((4,))\nout = tf.abs(x)\n"
    fixed = fix_source(source, "t.py", ALL).text
    assert "from keras import Input, ops\n" in fixed and fixed.endswith("out = ops.abs(x)\n")  # joins its kin


def test_adds_import_keras_when_ops_is_taken():
    source = "import tensorflow as tf\nfrom keras import Input\nops = None\nx = Input((4,))\nout = tf.abs(x)\n"
    fixed = fix_source(source, "t.py", ALL).text
    assert "import keras\n" in fixed and fixed.endswith("out = keras.ops.abs(x)\n")


def test_backend_variable_and_constant_keep_the_float_dtype():
    header = "import keras\nimport numpy as np\nfrom keras import backend as K\nc = np.ones(4)\n"
    assert fixed_line("K.variable(c)", header) == "out = keras.Variable(c, dtype=K.floatx())"
    assert fixed_line("K.constant(c)", header) == "out = keras.ops.convert_to_tensor(c, dtype=K.floatx())"
    assert fixed_line("K.constant(c, dtype='float64')", header) == "out = keras.ops.convert_to_tensor(c, dtype='float64')"


@pytest.mark.parametrize(
    "name, hint",
    [("repeat", "ops.expand_dims(x, 1)"), ("switch", "ops.where"), ("batch_flatten", "Flatten"), ("shape", "ops.shape")],
)
def test_backend_names_without_a_safe_pair_name_the_replacement(name, hint):
    source = f"import keras\nfrom keras import backend as K\nx = keras.Input((4,))\nout = K.{name}(x)\n"
    [violation] = check_source(source, "t.py", ALL)
    assert violation.code == "KER302" and violation.fix is None and hint in violation.message


def test_backend_attribute_use_without_a_call_is_reported_at_the_attribute():
    source = "import keras\nfrom keras import backend as K\nshape_of = K.int_shape\n"
    assert reports(source) == [("KER302", 3, 12, None)]


# -- target awareness ------------------------------------------------------------------------
KERAS3_FILE = "import keras\nimport tensorflow as tf\nfrom keras import backend as K\nx = keras.Input((4,))\na = tf.abs(x)\nb = K.int_shape(x)\n"
TF_KERAS_FILE = "import tensorflow as tf\nimport tf_keras as keras\nx = keras.Input((4,))\na = tf.abs(x)\n"


def test_auto_target_reports_keras3_files_only():
    assert [r[0] for r in reports(KERAS3_FILE)] == ["KER301", "KER302"]
    assert reports(TF_KERAS_FILE) == []


def test_target_tf_keras_turns_both_rules_off():
    assert reports(KERAS3_FILE, Settings(select=("ALL",), target="tf_keras")) == []


def test_target_keras3_overrides_the_imports():
    assert [r[0] for r in reports(TF_KERAS_FILE, Settings(select=("ALL",), target="keras3"))] == ["KER301"]


def test_legacy_flag_turns_tf_keras_off():
    source = "import os\nos.environ['TF_USE_LEGACY_KERAS'] = '1'\nimport tensorflow as tf\nx = tf.keras.Input((4,))\na = tf.abs(x)\n"
    assert reports(source) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("os.environ['TF_USE_LEGACY_KERAS'] = '1'\n", True),
        ('os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")\n', True),
        ("%env TF_USE_LEGACY_KERAS=1\n", True),
        ('"""Without TF_USE_LEGACY_KERAS, tf.keras is Keras 3."""\n', False),
        ("os.environ['TF_USE_LEGACY_KERAS'] = '0'\n", False),
    ],
)
def test_legacy_flag_must_be_set_not_mentioned(source, expected):
    assert sets_legacy_keras(source) is expected
    names = Names(TreeIndex(ast.parse("import tensorflow as tf\nfrom tensorflow import keras\n")))
    assert detect_target(names, source) == ("tf_keras" if expected else "keras3")


# -- KER106 ----------------------------------------------------------------------------------
def test_mix_fix_rewrites_an_aliased_import():
    source = textwrap.dedent(
        """\
        import keras
        import tf_keras as legacy

        def build():
            x = keras.Input((4,))
            h = keras.layers.ReLU()(x)
            return keras.Model(x, legacy.layers.Dense(3)(h))
        """
    )
    assert reports(source) == [("KER106", 7, 27, "unsafe")]
    assert "import keras as legacy\n" in fix_source(source, "t.py", ALL, unsafe=True).text
    assert fix_source(source, "t.py", ALL, unsafe=False).text == source


def test_mix_moves_to_the_side_where_every_name_exists():
    source = textwrap.dedent(
        """\
        import keras
        from tf_keras.layers import Dense, LocallyConnected1D

        def build():
            x = keras.Input((4, 2))
            h = LocallyConnected1D(2, 1)(x)
            return keras.Model(x, Dense(3)(h))
        """
    )
    fixed = fix_source(source, "t.py", ALL, unsafe=True).text
    # LocallyConnected1D has no Keras 3 counterpart: Input and Model move to tf_keras instead
    assert "from tf_keras import Input, Model\n" in fixed and "keras.Input" not in fixed and "keras.Model" not in fixed
    assert "from tf_keras.layers import Dense, LocallyConnected1D\n" in fixed
    assert reports(fixed) == []


def test_mix_is_not_fixed_when_a_minority_name_has_no_counterpart():
    source = textwrap.dedent(
        """\
        import keras
        import tf_keras

        def build():
            x = keras.Input((4, 2))
            h = keras.layers.Dense(2)(x)
            h = tf_keras.layers.LocallyConnected1D(2, 1)(h)
            return keras.Model(x, tf_keras.layers.Dense(3)(h))
        """
    )
    assert [r[3] for r in reports(source)] == [None, None]


def test_separate_functions_with_one_implementation_each_are_silent():
    source = "import keras\nimport tf_keras\n\ndef a():\n    return keras.Model(keras.Input((4,)), None)\n\ndef b():\n    return tf_keras.Model(tf_keras.Input((4,)), None)\n"
    assert reports(source) == []


# -- the shared analysis: where does code run? ---------------------------------------------------
DEFERRED = textwrap.dedent(
    """\
    import keras
    import tensorflow as tf

    class Base(keras.layers.Layer):
        def call(self, t):
            return tf.abs(t)

    class Child(Base):
        def call(self, t):
            return tf.square(t)

    class Plain:
        def build(self):
            return tf.exp(keras.Input((4,)))

    def body(t):
        return tf.tanh(t)

    @tf.function
    def serve(t):
        return tf.sigmoid(t)

    def build_model():
        x = keras.Input((4,))
        y = keras.layers.Lambda(body)(x)
        z = keras.layers.Lambda(lambda t: tf.negative(t))(y)
        return tf.nn.relu(z)
    """
)


def test_deferred_bodies():
    tree = ast.parse(DEFERRED)
    index = TreeIndex(tree)
    names = Names(index)
    found = {}
    for call in index.nodes(ast.Call):
        path = names.path(call.func)
        if path and path.startswith("tensorflow.") and path != "tensorflow.function":
            body = deferred_body(call, index, names)
            found[path.rsplit(".", 1)[1]] = type(body).__name__ if body is not None else None
    assert found == {
        "abs": "FunctionDef", "square": "FunctionDef", "exp": None, "tanh": "FunctionDef",
        "sigmoid": "FunctionDef", "negative": "Lambda", "relu": None,
    }


def test_rules_stay_silent_in_deferred_bodies():
    assert [(code, line) for code, line, _, _ in reports(DEFERRED)] == [("KER301", 14), ("KER301", 27)]


def test_comparison_of_symbolic_tensors_is_symbolic():
    index = TreeIndex(ast.parse("import keras\nx = keras.Input((4,))\nm = x > 0.0\nn = x is None\n"))
    values = Values(index, Names(index))
    uses = {node.id: node for node in index.nodes(ast.Name) if isinstance(node.ctx, ast.Store)}
    assert values.of(index.parents[uses["m"]].value).kind == SYMBOLIC
    assert values.of(index.parents[uses["n"]].value).kind != SYMBOLIC


# -- only tensors built at model construction count ----------------------------------------------
def test_a_helper_called_with_an_input_is_reported():
    source = textwrap.dedent(
        """\
        import keras
        import tensorflow as tf

        def block(t, width=2):
            h = keras.layers.Dense(width)(t)
            return tf.concat([t, h], axis=-1)

        def build():
            x = keras.Input((4,))
            return keras.Model(x, block(x))
        """
    )
    assert reports(source) == [("KER301", 6, 12, "safe")]


def test_a_helper_called_only_with_eager_data_is_silent():
    source = textwrap.dedent(
        """\
        import numpy as np
        import keras
        import tensorflow as tf

        def prepare(t):
            return tf.concat([t, t], axis=-1)

        DATA = prepare(np.ones((2, 4)))
        """
    )
    assert reports(source) == []


def test_model_calls_on_eager_batches_are_silent():
    source = textwrap.dedent(
        """\
        import keras
        import tensorflow as tf

        x = keras.Input((4,))
        model = keras.Model(x, keras.layers.Dense(3)(x))
        for batch in tf.data.Dataset.range(3).batch(2):
            logits = model(batch, training=False)
            probabilities = tf.nn.softmax(logits)
        scores = tf.argmax(model(load_batch()), axis=-1)
        graph_scores = tf.argmax(model(x), axis=-1)
        """
    )
    assert reports(source) == [("KER301", 10, 16, "safe")]


def test_project_target_in_pyproject_overrides_auto(tmp_path):
    from keraslint.config import load_settings

    (tmp_path / "pyproject.toml").write_text('[tool.keraslint]\nselect = ["ALL"]\ntarget = "tf_keras"\n')
    settings = load_settings(tmp_path / "pyproject.toml")
    assert settings.target == "tf_keras"
    assert reports(KERAS3_FILE, settings) == []
    (tmp_path / "pyproject.toml").write_text('[tool.keraslint]\nselect = ["ALL"]\ntarget = "keras3"\n')
    assert [r[0] for r in reports(TF_KERAS_FILE, load_settings(tmp_path / "pyproject.toml"))] == ["KER301"]


def test_cli_target_flag(tmp_path, capsys):
    from keraslint.cli import main

    path = tmp_path / "model.py"
    path.write_text(KERAS3_FILE)
    assert main(["check", str(path), "--select", "KER3", "--target", "tf_keras"]) == 0
    assert main(["check", str(path), "--select", "KER3"]) == 1
    out = capsys.readouterr().out
    assert "KER301" in out and "KER302" in out


def test_new_ops_import_goes_next_to_its_kin():
    source = (
        "import numpy as np\nfrom keras import backend as K\nfrom keras.layers import Dense\nimport matplotlib.pyplot as plt\n\n\n"
        "def loss(y_true, y_pred):\n    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))\n"
    )
    lines = fix_source(source, "t.py", unsafe=True).text.splitlines()
    assert lines[:5] == [
        "import numpy as np", "from keras import backend as K", "from keras.layers import Dense", "from keras import ops",
        "import matplotlib.pyplot as plt",
    ]
    assert lines[-1] == "    return ops.sqrt(ops.maximum(ops.mean(ops.square(y_pred - y_true), axis=-1), 0.0))"


@pytest.mark.parametrize("name", ["epsilon", "floatx", "image_data_format", "clear_session", "is_keras_tensor"])
def test_backend_names_keras3_still_has_are_silent(name):
    source = f"import keras\nfrom keras import backend as K\nout = K.{name}()\n"
    assert check_source(source, "t.py", ALL) == []


@pytest.mark.parametrize("name, hint", [
    ("placeholder", "keras.Input(shape)"), ("learning_phase", "training="), ("get_session", "no sessions"),
    ("function", "keras.Model"), ("name_scope", "keras.name_scope"),
])
def test_removed_graph_machinery_is_reported_without_a_fix(name, hint):
    """Keras 3 removed these with the tensor functions (AttributeError): a finding, with what
    to use instead, but nothing to rewrite mechanically."""
    source = f"import keras\nfrom keras import backend as K\nout = K.{name}()\n"
    [violation] = check_source(source, "t.py", ALL)
    assert violation.code == "KER302" and violation.fix is None and hint in violation.message


@pytest.mark.parametrize("call", ["K.shape(x)", "K.batch_flatten(x)"])
def test_run_time_rows_give_no_fix_on_a_symbolic_tensor(call):
    source = f"import keras\nfrom keras import backend as K\nx = keras.Input((4, 6))\nout = {call}\n"
    [violation] = check_source(source, "t.py", ALL)
    assert violation.code == "KER302" and violation.fix is None


def test_run_time_rows_are_fixed_in_a_layer_call():
    source = (
        "import keras\nfrom keras import backend as K\n\n\nclass Flat(keras.layers.Layer):\n"
        "    def call(self, inputs):\n        return K.batch_flatten(inputs)\n"
    )
    [violation] = check_source(source, "t.py", ALL)
    assert violation.fix is not None
