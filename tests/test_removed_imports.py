"""KER303: every row of the removed-imports table, checked against the real packages.

The `keras`-marked tests import Keras 3.15.1 and tf_keras 2.21: each old path must fail on
Keras 3 (else the rule would report working code), each new path must import there, and the
object must carry the same name as the one tf_keras (the Keras 2 code base) has for the old
path; the two utils functions are also compared on data.
"""

import importlib

import pytest

from keraslint.config import Settings
from keraslint.engine import check_source, fix_source
from keraslint.rules._removed_imports import (
    ALSO_IN, GONE_MODULES, GONE_NAMES, MOVED, NAME_MOVES, RENAMED, REPLACED, TF_KERAS_BUNDLE, TF_KERAS_GONE_NAMES,
    TF_KERAS_OK, TF_KERAS_SHARED,
)

KER303 = Settings(select=("KER303",))
MOVED_ROWS = [(old, name, new) for old, names in MOVED.items() for name, new in names.items()]
# tf_keras keeps Keras 2's modules under tf_keras.src, some renamed
_TF_KERAS_RENAMED = {
    "layers.merge": "layers.merging", "layers.advanced_activations": "layers.activation",
    "layers.recurrent": "layers.rnn", "layers.wrappers": "layers.rnn", "layers.convolutional_recurrent": "layers.rnn",
    "layers.noise": "layers.regularization", "layers.embeddings": "layers.core", "engine.topology": "engine.base_layer",
    "layers.experimental.preprocessing": "layers.experimental.preprocessing", "objectives": "losses",
}


def _imports(module, name=None) -> bool:
    try:
        imported = importlib.import_module(module)
    except ImportError:
        return False
    return name is None or hasattr(imported, name)


def _tf_keras_object(old, name):
    """What `from <old> import <name>` named in the Keras 2 code base (tf_keras)."""
    rest = old[len("keras."):]
    for module in (f"tf_keras.src.{_TF_KERAS_RENAMED.get(rest, rest)}", f"tf_keras.src.{rest}"):
        if _imports(module, name):
            return getattr(importlib.import_module(module), name)
    for public in ("tf_keras", "tf_keras.layers", "tf_keras.models", "tf_keras.utils"):
        if _imports(public, name):
            return getattr(importlib.import_module(public), name)
    return None


@pytest.mark.keras
@pytest.mark.parametrize("old, name, new", MOVED_ROWS)
def test_moved_name_is_the_same_object_in_keras3(old, name, new):
    import keras  # noqa: F401  (Keras 3 first: the old paths must fail there)

    assert not _imports(old, name), f"{old} still has {name} on Keras 3: nothing to report"
    if old.replace("keras.", "tensorflow.keras.", 1) not in TF_KERAS_OK:
        assert not _imports("tensorflow." + old, name)
    assert _imports(new, name), f"{new}.{name} is missing on Keras 3"
    before = _tf_keras_object(old, name)
    assert before is not None, f"tf_keras has no {old}.{name}"
    assert getattr(importlib.import_module(new), name).__name__ == before.__name__


@pytest.mark.keras
def test_moved_utils_compute_the_same():
    import numpy as np
    import keras
    from tf_keras.src.utils import np_utils

    labels = np.array([2, 0, 1, 2])
    np.testing.assert_array_equal(keras.utils.to_categorical(labels, 4), np_utils.to_categorical(labels, 4))
    data = np.array([[3.0, 4.0], [1.0, -1.0]])
    np.testing.assert_allclose(keras.utils.normalize(data), np_utils.normalize(data), rtol=1e-7)


@pytest.mark.keras
@pytest.mark.parametrize("module", sorted(GONE_MODULES))
def test_gone_module_fails_on_keras3(module):
    import keras  # noqa: F401

    assert not _imports(module)
    if module not in TF_KERAS_OK:
        assert not _imports("tensorflow." + module)


@pytest.mark.keras
@pytest.mark.parametrize("module, name", [(m, n) for m, names in GONE_NAMES.items() for n in names])
def test_gone_name_fails_on_keras3(module, name):
    import keras  # noqa: F401

    assert _imports(module) and not _imports(module, name) and not _imports(f"{module}.{name}")
    if f"{module}.{name}" not in TF_KERAS_OK:
        assert not _imports("tensorflow." + module, name)


@pytest.mark.keras
@pytest.mark.parametrize("module, name", [(m, n) for m, names in TF_KERAS_GONE_NAMES.items() for n in names])
def test_tf_keras_gone_name_fails_only_through_tensorflow(module, name):
    import keras  # noqa: F401

    assert _imports(module, name) and not _imports("tensorflow." + module, name)


# -- lint behaviour (no TensorFlow) ------------------------------------------------------------
def _report(source, target="auto"):
    settings = Settings(select=("KER303",), target=target)
    return [(v.line, v.col + 1, v.fix.applicability if v.fix else None) for v in check_source(source, "m.py", settings)]


def test_module_is_reported_and_fixed():
    source = "from keras.engine.topology import Layer, InputSpec\n"
    assert _report(source) == [(1, 6, "safe")]
    assert fix_source(source, "m.py", KER303).text == "from keras.layers import Layer, InputSpec\n"


def test_tf_keras_spelling_keeps_its_prefix():
    source = "from tensorflow.keras.layers.experimental.preprocessing import Rescaling, Normalization\n"
    assert fix_source(source, "m.py", KER303).text == "from tensorflow.keras.layers import Rescaling, Normalization\n"
    assert _report("from tensorflow.keras.preprocessing.text import Tokenizer\n") == []  # still bundled


@pytest.mark.parametrize("source, fixed", [
    ("from keras.models import Input, Model\n", "from keras import Input, Model\n"),
    ("from keras.models import Sequential, Input\n", "from keras import Sequential, Input\n"),
    ("from keras.layers import activations\n", "from keras import activations\n"),
    ("from keras.layers import Layer, activations\n", "from keras import Layer, activations\n"),
    ("from tensorflow.keras.models import Input\n", "from tensorflow.keras import Input\n"),
])
def test_moved_name_moves_the_whole_import(source, fixed):
    assert [fix for *_, fix in _report(source)] == ["safe"]
    assert fix_source(source, "m.py", KER303).text == fixed


@pytest.mark.keras
@pytest.mark.parametrize("module, name, home", [(m, n, h) for m, names in NAME_MOVES.items() for n, h in names.items()])
def test_name_moves_name_the_same_object_in_keras3(module, name, home):
    import tf_keras

    assert not _imports(module, name) and _imports(home, name)
    moved = getattr(importlib.import_module(home), name)
    old = getattr(importlib.import_module("tf_keras." + module.split(".", 1)[1]), name, None)
    old = old if old is not None else getattr(tf_keras, name)  # keras.layers.activations: the module
    assert moved.__name__.split(".")[-1] == old.__name__.split(".")[-1] == name  # Input / the activations module


@pytest.mark.keras
@pytest.mark.parametrize("home, module, name", [(h, m, n) for h, ms in ALSO_IN.items() for m, ns in ms.items() for n in sorted(ns)])
def test_names_that_move_along_are_the_same_objects(home, module, name):
    assert getattr(importlib.import_module(home), name) is getattr(importlib.import_module(module), name)


def test_lowercase_loss_missing_from_tf_keras_moves_the_import_to_keras():
    source = "from tensorflow.keras.losses import binary_crossentropy, mean_absolute_error, Huber\n"
    assert [fix for *_, fix in _report(source)] == ["safe"]
    assert fix_source(source, "m.py", KER303).text == source.replace("tensorflow.keras.losses", "keras.losses")
    assert [fix for *_, fix in _report("from tensorflow.keras.losses import mse, mean_squared_error\n")] == [None]


@pytest.mark.keras
@pytest.mark.parametrize("module", sorted(TF_KERAS_SHARED))
def test_tf_keras_shared_names_are_the_same_objects_in_keras3(module):
    import tensorflow as tf

    old, new = importlib.import_module("tensorflow." + module), importlib.import_module(module)
    assert [n for n in sorted(TF_KERAS_SHARED[module]) if getattr(old, n) is not getattr(new, n)] == []
    assert all(hasattr(new, n) for n in TF_KERAS_GONE_NAMES[module])
    assert tf.keras.losses is not None


@pytest.mark.parametrize("source, fixed", [
    ("from keras.layers import Dense, Deconv2D\n", "from keras.layers import Dense, Conv2DTranspose as Deconv2D\n"),
    ("from keras.layers import Deconv2D as Up\n", "from keras.layers import Conv2DTranspose as Up\n"),
    ("from keras.constraints import maxnorm\n", "from keras.constraints import MaxNorm as maxnorm\n"),
    ("from keras.layers.convolutional import Conv2D, Deconv2D\n", "from keras.layers import Conv2D, Conv2DTranspose as Deconv2D\n"),
    ("from keras.layers.convolutional import (\n    Conv2D,\n    Deconvolution3D,\n)\n",
     "from keras.layers import (\n    Conv2D,\n    Conv3DTranspose as Deconvolution3D,\n)\n"),
])
def test_dropped_keras2_alias_is_imported_under_its_class_name(source, fixed):
    assert [fix for *_, fix in _report(source)] == ["safe"]
    assert fix_source(source, "m.py", KER303).text == fixed


@pytest.mark.keras
@pytest.mark.parametrize("module, old, new", [(m, o, n) for m, names in RENAMED.items() for o, n in names.items()])
def test_renamed_alias_is_gone_and_its_class_is_there(module, old, new):
    """Keras 2 defined the alias as the class itself (`Deconv2D = Conv2DTranspose`, `maxnorm =
    MaxNorm`); tf_keras 2.21 dropped the aliases too, so the class is the only Keras 3 spelling."""
    home = MOVED.get(module, {}).get(new, module)
    assert not _imports(module, old) and not _imports(home, old)
    assert _imports(home, new)


@pytest.mark.parametrize("source", [
    "from keras.models import Input, load_model\n",  # load_model is not in `keras`
    "from keras.layers import Add, activations\n",  # Add is not in `keras`: no split import
    "from keras.engine import Model, Layer\n",  # two new homes
    "from keras.layers.core import *\n",
    "from keras.layers.local import LocallyConnected2D\n",
    "import keras.engine.topology\n",
    "from keras.wrappers.scikit_learn import KerasClassifier\n",
])
def test_report_only(source):
    assert [fix for *_, fix in _report(source)] == [None]


def test_missing_name_is_reported_at_the_name():
    assert _report("from keras.layers import Dense, merge\n") == [(1, 33, None)]


@pytest.mark.parametrize("source", [
    "try:\n    from keras.engine.topology import Layer\nexcept ImportError:\n    from keras.layers import Layer\n",
    "from keras.layers import Layer\nfrom keras.utils import to_categorical\n",
    "from tf_keras.src.engine import base_layer\n",
    "from .keras.engine import thing\n",
    "import tf_keras as keras\nfrom keras.engine.topology import Layer\n",  # target tf_keras
])
def test_silent(source):
    assert _report(source) == []


def test_old_import_in_the_else_of_a_version_test_is_a_fallback():
    source = (
        "import tensorflow as tf\n"
        "if tf.__version__ >= '2.16':\n    from keras.layers import Conv2D\n"
        "elif tf.__version__ >= '2.9':\n    from keras.layers.convolutional import Conv2D\n"
        "else:\n    from keras.layers.convolutional import Conv2D\n"
    )
    assert _report(source) == []


def test_old_import_in_the_first_branch_of_a_version_test_runs_on_keras3():
    source = "import tensorflow as tf\nif tf.__version__ >= '2.2':\n    from tensorflow.keras.layers.experimental import SyncBatchNormalization\n"
    assert [line for line, _, _ in _report(source)] == [3]


def test_lowercase_losses_are_gone_from_tf_keras_only():
    assert _report("from tensorflow.keras.losses import mean_squared_error, MeanSquaredError\n") == [(1, 37, "safe")]
    assert _report("from keras.losses import mean_squared_error\n") == []


def test_target_keras2_is_silent():
    assert _report("from keras.engine.topology import Layer\n", target="keras2") == []


UTILS_SCRIPT = (
    "import numpy as np\n"
    "from keras.utils import np_utils\n"
    "import keras.utils.generic_utils as gu\n"
    "LABELS = np_utils.to_categorical(np.array([2, 0, 1]), 3)\n"
    "SCALED = np_utils.normalize(np.array([[3.0, 4.0]]))\n"
    "BAR = gu.Progbar(3)\n"
)
UTILS_FIXED = UTILS_SCRIPT.replace("from keras.utils import np_utils", "from keras import utils").replace(
    "import keras.utils.generic_utils as gu", "import keras.utils as gu").replace("np_utils.", "utils.")


def test_utils_module_imported_as_a_name_is_fixed_with_its_uses():
    assert fix_source(UTILS_SCRIPT, "m.py", KER303).text == UTILS_FIXED


@pytest.mark.parametrize("source", [
    "from keras.utils import np_utils\nx = np_utils.HDF5Matrix\n",  # not in Keras 3's keras.utils
    "from keras.utils import np_utils\nutils = 3\nx = np_utils.to_categorical([1], 2)\n",  # `utils` taken
    "from keras.utils import np_utils\nf(np_utils)\n",  # the module itself passed around
    "import keras.utils.np_utils\nx = keras.utils.np_utils.to_categorical([1], 2)\n",
])
def test_utils_module_report_only(source):
    assert [fix for *_, fix in _report(source)] == [None]


@pytest.mark.keras
def test_fixed_utils_script_runs_on_keras3_like_the_old_one_on_tf_keras():
    import numpy as np
    from tf_keras.src.utils import np_utils

    with pytest.raises(ImportError):
        exec(compile(UTILS_SCRIPT, "old.py", "exec"), {})
    fixed = {}
    exec(compile(UTILS_FIXED, "fixed.py", "exec"), fixed)
    np.testing.assert_array_equal(fixed["LABELS"], np_utils.to_categorical(np.array([2, 0, 1]), 3))
    np.testing.assert_allclose(fixed["SCALED"], np_utils.normalize(np.array([[3.0, 4.0]])), rtol=1e-7)


def test_trigger_words_count_only_on_keras_import_lines():
    from keraslint.engine import candidate_rules
    from keraslint.rules import removed_keras_import

    elsewhere = "import keras\nengine = 'merge'  # the words, but not in an import\n"
    assert candidate_rules([removed_keras_import], elsewhere) == []
    wrapped = "from keras.layers import (\n    Dense,\n    merge,\n)\n"
    assert candidate_rules([removed_keras_import], wrapped) == [removed_keras_import]
    assert [line for line, _, _ in _report(wrapped)] == [3]


# -- names Keras 3 replaced, Keras 1's merge, conv_utils helpers -------------------------------
@pytest.mark.parametrize("source, fixed, safety", [
    ("from keras.layers import Dense, CuDNNGRU\nr = CuDNNGRU(8, return_sequences=True)\n",
     "from keras.layers import Dense, GRU as CuDNNGRU\nr = CuDNNGRU(8, return_sequences=True)\n", "safe"),
    ("from keras.layers import CuDNNLSTM as Rnn\ncell = Rnn\n", "from keras.layers import LSTM as Rnn\ncell = Rnn\n", "unsafe"),
    ("from keras.utils.visualize_util import plot\nplot(m, 'm.png', True)\nplot(m, show_layer_names=False)\n",
     "from keras.utils import plot_model as plot\nplot(m, 'm.png', True, show_layer_names=True)\nplot(m, show_layer_names=False)\n", "safe"),
    ("from keras.utils.visualize_util import plot\nplot(m,\n     to_file='m.png',\n)\n",
     "from keras.utils import plot_model as plot\nplot(m,\n     to_file='m.png', show_layer_names=True,\n)\n", "safe"),
])
def test_replaced_name_is_imported_under_its_old_name(source, fixed, safety):
    assert [fix for *_, fix in _report(source)] == [safety]
    assert fix_source(source, "m.py", KER303, unsafe=True).text == fixed


@pytest.mark.parametrize("source", [
    "from keras.layers import CuDNNGRU\nr = CuDNNGRU(8, 'glorot_uniform')\n",  # GRU's 2nd parameter is `activation`
    "from keras.utils.visualize_util import plot\nplot(m, 'm.png', True, True)\n",  # plot_model's 4th is show_dtype
    "from keras.utils.visualize_util import plot\ndraw = plot\n",
    "from keras.utils.visualize_util import plot\nplot(m, **options)\n",
])
def test_replaced_name_report_only(source):
    assert [fix for *_, fix in _report(source)] == [None]


@pytest.mark.parametrize("source, fixed", [
    ("from keras.objectives import *\nloss = binary_crossentropy\n", "from keras.losses import *\nloss = binary_crossentropy\n"),
    ("from keras.objectives import *\nmse = 1\nloss = mse\n", "from keras.losses import *\nmse = 1\nloss = mse\n"),
])
def test_objectives_star_import_moves_to_losses(source, fixed):
    assert fix_source(source, "m.py", KER303).text == fixed


def test_objectives_star_import_of_a_short_alias_is_report_only():
    assert [fix for *_, fix in _report("from keras.objectives import *\nloss = mse\n")] == [None]


MERGE_SCRIPT = (
    "from keras.layers import Input, merge\n"
    "x = Input((3,))\n"
    "y = merge([x, x], mode='concat', concat_axis=1, name='pair')\n"
    "z = merge([y, y])\n"
)


def test_keras1_merge_calls_become_the_layers_of_their_mode():
    assert fix_source(MERGE_SCRIPT, "m.py", KER303).text == (
        "from keras.layers import Input, Add, Concatenate\n"
        "x = Input((3,))\n"
        "y = Concatenate(axis=1, name='pair')([x, x])\n"
        "z = Add()([y, y])\n"
    )


@pytest.mark.parametrize("call", [
    "merge([x, x], mode='dot', dot_axes=1)",  # batch_dot semantics
    "merge([x, x], mode='cos')",  # Keras 1's epsilon
    "merge([x, x], mode=lambda p: p[0] - p[1], output_shape=(3,))",
    "merge([x, x], mode=MODE)",
    "merge([x, x], mode='sum', concat_axis=1)",
    "merge(*pair)",
    "list(map(merge, pairs))",
])
def test_keras1_merge_report_only(call):
    source = f"from keras.layers import Input, merge\nx = Input((3,))\ny = {call}\n"
    assert [fix for *_, fix in _report(source)] == [None]


def test_keras1_merge_is_not_fixed_onto_a_taken_layer_name():
    assert [fix for *_, fix in _report("from keras.layers import merge\nAdd = 1\ny = merge([a, b])\n")] == [None]


@pytest.mark.parametrize("source, fixed_tail", [
    ("from keras.utils.conv_utils import conv_output_length\nimport numpy as np\n\n\ndef f(n):\n    return conv_output_length(n, 3, 'same', 2)\n",
     "def f(n):\n    return conv_output_length(n, 3, 'same', 2)\n"),
    ("import keras.utils.conv_utils as cu\nimport numpy as np\n\nSIZE = cu.normalize_tuple(2, 2, 'size')\n",
     "SIZE = normalize_tuple(2, 2, 'size')\n"),
])
def test_conv_utils_functions_are_defined_in_the_file(source, fixed_tail):
    fixed = fix_source(source, "m.py", KER303).text
    assert "conv_utils" not in fixed and "import numpy as np\n\n\ndef " in fixed
    assert fixed.endswith(fixed_tail)
    namespace = {}
    exec(compile(fixed.replace("import numpy as np\n", ""), "fixed.py", "exec"), namespace)
    assert (namespace["f"](7) if "f" in namespace else namespace["SIZE"]) in (4, (2, 2))


def test_unused_conv_utils_import_is_removed():
    assert fix_source("import os\nimport keras.utils.conv_utils as conv_utils\nx = 1\n", "m.py", KER303).text == "import os\nx = 1\n"


@pytest.mark.parametrize("source", [
    "from keras.utils.conv_utils import convert_kernel\n",  # no helper for it
    "from keras.utils.conv_utils import normalize_tuple as nt\n",
    "from keras.utils.conv_utils import normalize_tuple\ny = normalize_tuple(1, 2, 'y')\nimport os\n",  # used before the imports end
    "import keras.utils.conv_utils as cu\nf(cu)\n",
    "import keras.utils.conv_utils as cu\n\ndef normalize_tuple():\n    pass\n\nx = cu.normalize_tuple(1, 2, 'x')\n",
    "def f():\n    from keras.utils.conv_utils import normalize_tuple\n    return normalize_tuple(1, 2, 'x')\n",
    "import os; import keras.utils.conv_utils as cu\nx = cu.normalize_tuple(1, 2, 'x')\n",
])
def test_conv_utils_report_only(source):
    assert [fix for *_, fix in _report(source)] == [None]


@pytest.mark.keras
def test_conv_utils_helpers_behave_like_tf_keras():
    from hypothesis import given, settings, strategies as st
    from tf_keras.src.utils import conv_utils

    from keraslint.fixes.replaced_imports import CONV_UTILS

    helpers = {}
    for source in CONV_UTILS.values():
        exec(compile(source, "helpers.py", "exec"), helpers)

    def outcome(function, *args):
        try:
            return function(*args)
        except (ValueError, TypeError) as error:
            return type(error)

    sizes = st.one_of(st.integers(-2, 6), st.lists(st.one_of(st.integers(-1, 6), st.sampled_from([2.0, "x", None])), max_size=4))

    @settings(max_examples=300, deadline=None)
    @given(sizes, st.integers(1, 3), st.booleans())
    def same_tuple(value, n, allow_zero):
        got = outcome(helpers["normalize_tuple"], value, n, "size", allow_zero)
        want = outcome(conv_utils.normalize_tuple, value, n, "size", allow_zero)
        assert got == want

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(st.none(), st.integers(0, 40)), st.integers(1, 7), st.sampled_from(["same", "valid", "full", "causal"]),
           st.integers(1, 4), st.integers(1, 3))
    def same_length(length, size, padding, stride, dilation):
        assert helpers["conv_output_length"](length, size, padding, stride, dilation) == conv_utils.conv_output_length(
            length, size, padding, stride, dilation)

    @settings(max_examples=100, deadline=None)
    @given(st.one_of(st.sampled_from(["valid", "SAME", "Causal", "full", "x"]), st.lists(st.integers(0, 2), max_size=2)))
    def same_padding(value):
        assert outcome(helpers["normalize_padding"], value) == outcome(conv_utils.normalize_padding, value)

    same_tuple()
    same_length()
    same_padding()


@pytest.mark.keras
def test_star_moves_know_every_name_the_old_module_had_and_keras3_lacks():
    import keras  # noqa: F401
    import tf_keras.losses

    from keraslint.rules._removed_imports import STAR_MOVES

    new, only_old = STAR_MOVES["keras.objectives"]
    new_names = {n for n in dir(importlib.import_module(new)) if not n.startswith("_")}
    old_names = {n for n in dir(tf_keras.losses) if not n.startswith("_")}
    assert old_names - new_names <= only_old
    assert not only_old & new_names


@pytest.mark.keras
def test_cudnn_layers_and_their_keras3_replacements_have_these_weights():
    """CuDNNGRU's weights are GRU's with `reset_after=True` (Keras 3's default): same count, so
    the safe fix keeps the parameter count; CuDNNLSTM has a second bias vector that LSTM
    lacks (the unsafe fix). The math of the GRU is checked on numbers by the fixture
    KER303_keras1_script (tf_keras' CuDNN layers only run on a GPU)."""
    import keras
    from tf_keras.src.layers.rnn.cudnn_gru import CuDNNGRU
    from tf_keras.src.layers.rnn.cudnn_lstm import CuDNNLSTM

    def count(layer):
        layer.build((None, 5, 4))
        return layer.count_params()

    assert count(CuDNNGRU(3)) == count(keras.layers.GRU(3))
    assert count(CuDNNLSTM(3)) - count(keras.layers.LSTM(3)) == 4 * 3


@pytest.mark.keras
def test_plot_model_needs_show_layer_names_to_draw_them_as_plot_did():
    import inspect

    import keras

    parameters = list(inspect.signature(keras.utils.plot_model).parameters.values())
    assert [p.name for p in parameters[:4]] == ["model", "to_file", "show_shapes", "show_dtype"]
    assert inspect.signature(keras.utils.plot_model).parameters["show_layer_names"].default is False


@pytest.mark.keras
@pytest.mark.parametrize("module, old, new", [(m, o, new) for m, names in REPLACED.items() for o, (_, new) in names.items()])
def test_replaced_name_is_gone_and_its_replacement_is_there(module, old, new):
    home = REPLACED[module][old][0]
    assert not _imports(module, old) and _imports(home, new)


def test_removed_import_leaves_its_comment_to_the_next_statement():
    source = "# sizes\nimport keras.utils.conv_utils as cu\nimport os\n\nx = cu.normalize_tuple(1, 2, 'x')\n"
    fixed = fix_source(source, "m.py", KER303).text
    assert fixed.startswith("# sizes\nimport os\n\n\ndef normalize_tuple(") and fixed.endswith("\nx = normalize_tuple(1, 2, 'x')\n")


def test_thresholded_relu_becomes_relu_with_its_threshold():
    source = "from keras.layers import Dense, ThresholdedReLU\ny = ThresholdedReLU(0.5)(x)\nz = ThresholdedReLU(name='t')(x)\n"
    assert fix_source(source, "m.py", KER303).text == (
        "from keras.layers import Dense, ReLU\ny = ReLU(threshold=0.5)(x)\nz = ReLU(threshold=1.0, name='t')(x)\n")


@pytest.mark.parametrize("source", [
    "from keras.layers import ReLU, ThresholdedReLU\ny = ThresholdedReLU(0.5)(x)\n",  # ReLU taken
    "from keras.layers import ThresholdedReLU\nactivation = ThresholdedReLU\n",
    "from keras.layers import ThresholdedReLU\ny = ThresholdedReLU(**options)(x)\n",
])
def test_thresholded_relu_report_only(source):
    assert [fix for *_, fix in _report(source)] == [None]


@pytest.mark.keras
def test_relu_with_a_threshold_computes_what_thresholded_relu_did():
    import numpy as np
    import keras
    import tf_keras
    from hypothesis import given, settings, strategies as st

    values = st.lists(st.floats(-4, 4, width=32), min_size=1, max_size=12)

    @settings(max_examples=60, deadline=None)
    @given(values, st.floats(0, 3, width=32))
    def same(xs, theta):
        x = np.array([xs + [theta]], dtype="float32")  # the threshold itself: where the two could differ
        want = tf_keras.layers.ThresholdedReLU(theta=theta)(x).numpy()
        got = keras.ops.convert_to_numpy(keras.layers.ReLU(threshold=theta)(x))
        np.testing.assert_array_equal(got, want)

    same()


@pytest.mark.parametrize("source, fixed, safety", [
    ("import tensorflow as tf\nfrom keras.preprocessing.image import ImageDataGenerator, load_img\n",
     "import tensorflow as tf\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator, load_img\n", "safe"),
    ("from keras.preprocessing.text import Tokenizer\n", "from tensorflow.keras.preprocessing.text import Tokenizer\n", "unsafe"),
])
def test_preprocessing_kept_for_tf_keras_is_imported_from_there(source, fixed, safety):
    assert [fix for *_, fix in _report(source)] == [safety]
    assert fix_source(source, "m.py", KER303, unsafe=True).text == fixed


def test_preprocessing_name_outside_the_bundle_is_report_only():
    assert [fix for *_, fix in _report("from keras.preprocessing.image import ImageDataGenerator, my_helper\n")] == [None]


@pytest.mark.keras
@pytest.mark.parametrize("module", sorted(TF_KERAS_BUNDLE))
def test_tf_keras_bundle_has_these_names_on_keras3(module):
    import keras  # noqa: F401

    bundled = importlib.import_module("tensorflow." + module)
    assert {n for n in dir(bundled) if not n.startswith("_")} == TF_KERAS_BUNDLE[module]


@pytest.mark.keras
def test_bundled_preprocessing_computes_what_tf_keras_did():
    """Keras 3's port of Keras 2's ImageDataGenerator and Tokenizer against tf_keras 2.21's:
    the same batches for rescaling, feature-wise standardisation and a given transform, the
    same sequences for a text."""
    import numpy as np
    import tf_keras.preprocessing.image as old_image
    import tf_keras.preprocessing.text as old_text
    from tensorflow.keras.preprocessing import image as new_image, text as new_text

    images = np.random.default_rng(0).uniform(0, 255, (6, 8, 8, 3)).astype("float32")
    labels = np.arange(6)
    settings = dict(rescale=1 / 255.0, featurewise_center=True, featurewise_std_normalization=True)
    old, new = old_image.ImageDataGenerator(**settings), new_image.ImageDataGenerator(**settings)
    old.fit(images)
    new.fit(images)
    for (old_x, old_y), (new_x, new_y) in zip(old.flow(images, labels, batch_size=4, shuffle=False),
                                              new.flow(images, labels, batch_size=4, shuffle=False)):
        np.testing.assert_allclose(new_x, old_x, rtol=1e-6)
        np.testing.assert_array_equal(new_y, old_y)
        break
    transform = dict(theta=20, tx=1, ty=-2, shear=5, zx=1.1, zy=0.9, flip_horizontal=True)
    np.testing.assert_allclose(new.apply_transform(images[0], transform), old.apply_transform(images[0], transform), rtol=1e-6)
    texts = ["the cat sat", "the dog sat down", "a cat"]
    old_tok, new_tok = old_text.Tokenizer(num_words=5), new_text.Tokenizer(num_words=5)
    old_tok.fit_on_texts(texts)
    new_tok.fit_on_texts(texts)
    assert new_tok.texts_to_sequences(texts) == old_tok.texts_to_sequences(texts)
