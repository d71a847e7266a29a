"""The flow analysis: loops, helpers per call site, plain-class methods, containers, backward
evidence, module aliases by assignment, and what stays unknown (no TensorFlow needed)."""

import ast
import textwrap

import pytest

from keraslint.analysis import values as V
from keraslint.analysis.names import Names
from keraslint.analysis.scopes import TreeIndex
from keraslint.analysis.values import Values
from keraslint.config import Settings
from keraslint.engine import check_source

ALL = Settings(select=("ALL",))


def analyse(source):
    source = textwrap.dedent(source)
    index = TreeIndex(ast.parse(source))
    names = Names(index)
    return index, names, Values(index, names)


def call_on_line(index, line, text):
    """The call on `line` whose source starts with `text`."""
    for call in index.nodes(ast.Call):
        if call.lineno == line and ast.unparse(call).startswith(text):
            return call
    raise AssertionError(f"no call {text!r} on line {line}")


def argument_kind(source, line, text, position=0):
    index, _, values = analyse(source)
    return values.of(call_on_line(index, line, text).args[position])


def reports(source, code="KER301"):
    return [(v.line, v.code) for v in check_source(textwrap.dedent(source), "t.py", ALL) if v.code == code]


# -- loops ------------------------------------------------------------------------------------
LOOP = """\
import keras
import tensorflow as tf
from keras import layers

def block(t):
    return layers.Add()([t, layers.Activation("tanh")(t)])

x = keras.Input((4,))
h = layers.Dense(4)(x)
for _ in range(3):
    h = tf.nn.relu(h)
    h = block(h)
out = tf.math.sigmoid(h)
"""


def test_a_tensor_rebound_in_a_loop_by_layer_and_helper_calls_stays_symbolic():
    assert argument_kind(LOOP, 11, "tf.nn.relu").kind == V.SYMBOLIC  # inside, before the rebinding
    assert argument_kind(LOOP, 13, "tf.math.sigmoid").kind == V.SYMBOLIC  # after the loop


# -- helpers per call site --------------------------------------------------------------------
HELPER = """\
import keras
import numpy as np
import tensorflow as tf

def unit(v):
    return v / tf.norm(v, axis=-1, keepdims=True)

def build():
    x = keras.Input((4,))
    return keras.Model(x, unit(x))

print(unit(tf.ones((2, 4))))
print(tf.nn.relu(unit(np.ones((2, 4)))))
"""


def test_a_parameter_is_symbolic_when_one_call_passes_a_symbolic_tensor():
    value = argument_kind(HELPER, 6, "tf.norm")
    assert value.kind == V.SYMBOLIC
    assert value.site is not None and value.site.lineno == 10  # the call that passes it


def test_the_helper_result_at_an_eager_call_stays_unknown():
    # `unit(np.ones(...))` passes data: its result is not a graph tensor
    assert argument_kind(HELPER, 13, "tf.nn.relu").kind == V.UNKNOWN


def test_the_report_inside_a_helper_names_the_call_site():
    found = check_source(HELPER, "t.py", ALL)
    assert [(v.line, v.code) for v in found] == [(6, "KER301")]
    assert "line 10" in found[0].message


def test_a_helper_whose_calls_pass_only_unknown_values_is_silent():
    source = """\
    import keras
    import tensorflow as tf

    def unit(v):
        return v / tf.norm(v)

    def run(batch, model):
        return unit(batch), unit(model(batch))

    x = keras.Input((4,))
    """
    assert reports(source) == []


def test_a_helper_passed_as_an_argument_is_analysed_at_the_inner_call():
    source = """\
    import keras
    import tensorflow as tf
    from keras import layers

    def basic(t):
        return tf.nn.relu(t)

    def stage(t, block):
        return block(layers.Dense(4)(t))

    x = keras.Input((4,))
    y = stage(x, basic)
    """
    assert reports(source) == [(6, "KER301")]


def test_helpers_called_in_a_chain_inside_a_loop_reach_a_fixpoint():
    source = """\
    import keras
    import tensorflow as tf
    from keras.layers import Activation, Conv2D

    def conv(inputs, filters):
        return Conv2D(filters, 3)(inputs)

    def squeeze(inputs):
        return tf.reduce_mean(inputs, [1, 2], keepdims=True)

    def block(inputs, filters, use_se):
        nn = conv(inputs, filters)
        nn = Activation("relu")(nn)
        if use_se:
            nn = squeeze(nn)
        return nn

    def build():
        inputs = keras.Input((8, 8, 3))
        nn = conv(inputs, 4)
        for i in range(3):
            nn = block(nn, 4, i)
        return keras.Model(inputs, nn)
    """
    assert reports(source) == [(9, "KER301")]


# -- plain classes ----------------------------------------------------------------------------
CLASS = """\
import keras
import tensorflow as tf
from keras import layers

class Builder:
    def __init__(self, size):
        self.size = size

    def block(self, x):
        return tf.nn.relu(layers.Dense(4)(x))

    def build(self):
        self.inp = keras.Input((self.size,))
        h = self.block(self.inp)
        return keras.Model(self.inp, tf.nn.softmax(h))

    def pooled(self):
        return tf.reduce_mean(self.inp, axis=-1)
"""


def test_methods_of_a_plain_class_and_self_attributes():
    assert argument_kind(CLASS, 10, "tf.nn.relu").kind == V.SYMBOLIC
    assert argument_kind(CLASS, 15, "tf.nn.softmax").kind == V.SYMBOLIC
    assert argument_kind(CLASS, 18, "tf.reduce_mean").kind == V.SYMBOLIC


def test_methods_of_a_keras_layer_stay_deferred():
    source = """\
    import keras
    import tensorflow as tf

    class Block(keras.layers.Layer):
        def call(self, x):
            return self.scale(x)

        def scale(self, x):
            return tf.nn.relu(x)

    x = keras.Input((4,))
    y = Block()(x)
    """
    assert reports(source) == []


def test_a_self_attribute_bound_to_different_kinds_is_unknown():
    source = """\
    import keras
    import numpy as np
    import tensorflow as tf

    class Holder:
        def a(self):
            self.t = keras.Input((4,))

        def b(self):
            self.t = np.ones(4)

        def c(self):
            return tf.nn.relu(self.t)
    """
    assert reports(source) == []


# -- containers -------------------------------------------------------------------------------
def test_lists_and_dicts_filled_with_tensors():
    source = """\
    import keras
    import tensorflow as tf
    from keras import layers

    x = keras.Input((4,))
    outs = []
    for _ in range(2):
        outs.append(layers.Dense(4)(x))
    heads = {}
    heads["a"] = layers.Dense(2)(x)
    data = []
    data.append(tf.ones((2, 4)))
    joined = tf.concat(outs, axis=-1)
    first = tf.nn.relu(outs[0])
    scaled = tf.nn.sigmoid(heads["a"])
    eager = tf.concat(data, axis=0)
    """
    assert reports(source) == [(13, "KER301"), (14, "KER301"), (15, "KER301")]


def test_a_list_with_anything_unknown_in_it_is_unknown():
    index, _, values = analyse("""\
    import keras
    x = keras.Input((4,))
    outs = []
    outs.append(x)
    outs.append(load())
    y = outs
    """)
    assert values.of(index.nodes(ast.Assign)[-1].value).kind == V.UNKNOWN


# -- backward evidence ------------------------------------------------------------------------
BACKWARD = """\
import keras
import numpy as np
import tensorflow as tf
from keras import layers
from thirdparty import crf_head, make_backbone

features = keras.Input((8,))
logits = crf_head(features)
probs = tf.math.sigmoid(logits)
model = keras.Model(inputs=features, outputs=probs)

base = make_backbone()
scaled = tf.multiply(base.output[0], 255.0)
scaled = tf.clip_by_value(scaled, 0.0, 255.0)
wrapped = keras.Model(base.input, scaled)

merged = layers.Concatenate()([features, tf.expand_dims(crf_head(features), -1)])
"""


def test_what_reaches_a_model_or_a_merge_next_to_a_tensor_is_symbolic():
    assert reports(BACKWARD) == [(9, "KER301"), (13, "KER301"), (14, "KER301"), (17, "KER301")]


def test_backward_evidence_stops_at_parameters_and_plain_data():
    source = """\
    import keras
    import numpy as np
    import tensorflow as tf
    from keras import layers

    def build(units):
        x = keras.Input((4,))
        return keras.Model(x, [layers.Dense(2)(x), tf.reshape(units, [-1])])

    image = np.ones((1, 8, 8, 3))
    pooled = layers.GlobalAveragePooling2D()(image)
    grown = tf.expand_dims(pooled, 1)
    out = layers.Dense(2)(grown)
    """
    assert reports(source) == []


def test_an_uncalled_function_feeding_a_layer_may_be_a_lambda_function():
    # called from another file as `Lambda(pool)`: its ops run on real tensors there
    source = """\
    import tensorflow as tf
    from keras.layers import Flatten

    def pool(inputs):
        phi = Flatten()(tf.sign(inputs))
        return tf.nn.l2_normalize(phi, axis=-1)
    """
    assert reports(source) == []


def test_an_uncalled_builder_that_returns_a_layer_output_counts():
    source = """\
    import tensorflow as tf
    from keras.layers import Concatenate, Conv2D

    def spatial_attention(feature):
        current = feature
        avg = tf.reduce_mean(current, axis=3, keepdims=True)
        top = tf.reduce_max(current, axis=3, keepdims=True)
        return Conv2D(1, 7)(Concatenate(axis=3)([avg, top]))
    """
    assert reports(source) == [(6, "KER301"), (7, "KER301")]


def test_an_uncalled_builder_that_returns_arithmetic_on_a_layer_output_counts():
    # a gated fusion: what it returns is computed from the `Activation` output `gate`
    source = """\
    import tensorflow as tf
    from keras import layers

    def gated_fusion(low, high, width):
        query = layers.Conv2D(width, 1)(high)
        query = layers.BatchNormalization()(query)
        query = tf.image.resize(query, (16, 16))
        gate = layers.Activation("sigmoid")(layers.Conv2D(1, 1)(low))
        return (1 - gate) * low + gate * query
    """
    assert reports(source) == [(7, "KER301")]
    # the same body returning the op's result (no layer output): may be a Lambda's function
    assert reports(source.replace("return (1 - gate) * low + gate * query", "return 2.0 * query")) == []


def test_an_uncalled_function_returning_arithmetic_on_an_op_result_stays_silent():
    # no layer output in what it returns: it may be a Lambda's function
    source = """\
    import tensorflow as tf
    from keras.layers import Flatten

    def pool(inputs):
        phi = Flatten()(tf.sign(inputs))
        return 2.0 * tf.nn.l2_normalize(phi, axis=-1)
    """
    assert reports(source) == []


def test_an_instance_of_a_layer_subclass_of_this_file_is_a_layer():
    source = """\
    import numpy as np
    import tensorflow as tf

    class Gate(tf.keras.layers.Layer):
        def call(self, inputs):
            return inputs

    class SoftGate(Gate):
        pass

    x = tf.keras.Input((4, 4, 8))
    out = tf.keras.layers.Activation("relu")(x)
    gated = SoftGate(name="g")(out)
    parts = tf.split(gated, 2, axis=-1)
    eager = tf.split(Gate()(np.ones((1, 4, 4, 8))), 2, axis=-1)
    """
    # the layer called on data runs eagerly: only the graph call is reported
    assert reports(source) == [(14, "KER301")]


def test_an_instance_of_a_plain_class_or_a_module_subclass_stays_unknown():
    source = """\
    import tensorflow as tf

    class Head(tf.Module):
        def __call__(self, t):
            return t

    class Plain:
        def __call__(self, t):
            return t

    x = tf.keras.Input((4, 8))
    parts = tf.split(Head()(x), 2, axis=-1)
    more = tf.split(Plain()(x), 2, axis=-1)
    """
    assert reports(source) == []


def test_a_helper_that_returns_a_model_on_every_path_gives_a_model():
    source = """\
    import tensorflow as tf
    from tensorflow.keras.models import load_model, model_from_json

    def restore(path, json_path=None):
        try:
            return load_model(path, compile=False)
        except ValueError:
            model = model_from_json(open(json_path).read())
            model.load_weights(path)
            return model

    def restore_or_none(path):
        if path:
            return load_model(path)
        return None

    model = restore("m.h5")
    for i in range(len(model.outputs)):
        named = tf.identity(model.outputs[i], name=f"out{i}")
    other = restore_or_none("m.h5")
    named = tf.identity(other.outputs[0])
    """
    # a helper that may return None (or anything else) is not a model
    assert reports(source) == [(19, "KER301")]


def test_a_parameter_reaching_a_model_output_through_an_op_stays_unknown():
    # `tf.reshape(units)` as an output proves the op's result symbolic, not what `units` is
    source = """\
    import keras
    import tensorflow as tf

    def build(units):
        x = keras.Input((4,))
        return keras.Model(x, tf.reshape(units, [-1]))
    """
    assert reports(source) == []


# -- module aliases ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "alias, expression, path",
    [
        ("keras = tf.keras", "keras.layers.Dense", "keras.layers.Dense"),
        ("L = tf.keras.layers", "L.Dense", "keras.layers.Dense"),
        ("K = tf.keras.backend", "K.sum", "keras.backend.sum"),
    ],
)
def test_module_aliases_made_by_assignment(alias, expression, path):
    index, names, _ = analyse(f"import tensorflow as tf\n{alias}\nvalue = {expression}\n")
    assigned = index.nodes(ast.Assign)[-1].value
    assert names.path(assigned) == path


def test_an_alias_assigned_twice_or_from_a_call_does_not_resolve():
    index, names, _ = analyse("import tensorflow as tf\nL = tf.keras.layers\nL = other\nM = get()\na = L.Dense\nb = M.Dense\n")
    assigned = index.nodes(ast.Assign)
    assert names.path(assigned[-2].value) is None
    assert names.path(assigned[-1].value) is None


# -- data made by any numpy function ----------------------------------------------------------
@pytest.mark.parametrize(
    "expression",
    ["np.broadcast_to(np.arange(4.0), (2, 4))", "np.stack([np.ones(4), np.zeros(4)])", "np.eye(4)[1]",
     "np.median(np.ones((3, 4)), axis=0)", "1.0 / np.ones((3, 4)).std(0)", "tf.tile(tf.constant([1.0]), [4])"],
)
def test_values_made_by_numpy_and_tensorflow_functions_are_data(expression):
    index, _, values = analyse(f"import numpy as np\nimport tensorflow as tf\nvalue = {expression}\n")
    assert values.of(index.nodes(ast.Assign)[-1].value).kind == V.RAW


@pytest.mark.parametrize("expression", ["np.random.default_rng(0)", "np.dtype('float32')", "tf.tile(unknown, [4])"])
def test_numpy_objects_that_are_not_data_stay_unknown(expression):
    index, _, values = analyse(f"import numpy as np\nimport tensorflow as tf\nvalue = {expression}\n")
    assert values.of(index.nodes(ast.Assign)[-1].value).kind != V.RAW


# -- Lambda argument forms --------------------------------------------------------------------
def test_lambda_argument_forms_are_followed():
    source = """\
    import functools

    import keras
    import numpy as np

    SIGMA = 0.5

    def sampling(args):
        mean, log_var = args
        return mean + keras.ops.exp(log_var / 2) * SIGMA

    def build(flag):
        weights = np.geomspace(1.0, 8.0, 4)
        x = keras.Input((4,))

        def weigh(t, power):
            return t * weights**power

        fn = lambda t: t * weights
        a = keras.layers.Lambda((lambda t: t * weights) if flag else (lambda t: t))(x)
        b = keras.layers.Lambda(functools.partial(weigh, power=2))(x)
        c = keras.layers.Lambda(fn)(x)
        d = keras.layers.Lambda(sampling)([x, x])
        e = keras.layers.Lambda(lambda t, w=2.0: t * w)(x)
        return keras.Model(x, [a, b, c, d, e])
    """
    found = [(v.line, v.code) for v in check_source(textwrap.dedent(source), "t.py", ALL) if v.code.startswith("KER2")]
    assert found == [(20, "KER201"), (21, "KER201"), (22, "KER201"), (23, "KER201")]


def test_tensorflow_through_the_keras_2_backend_is_tensorflow():
    index, names, _ = analyse("from keras import backend as K\nvalue = K.tf.range\n")
    assert names.path(index.nodes(ast.Assign)[-1].value) == "tensorflow.range"


def test_a_constant_layer_name_made_only_under_a_test_on_a_parameter_is_not_repeated():
    source = """\
    import keras
    from keras import layers

    def stage(x, index):
        if index == 0:
            x = layers.Conv2D(4, 1, name="stem")(x)
        return layers.Conv2D(4, 3, padding="same")(x)

    def build():
        x = keras.Input((8, 8, 3))
        for i in range(3):
            x = stage(x, i)
        return keras.Model(x, x)
    """
    assert reports(source, "KER103") == []
    assert reports(source.replace("if index == 0:", "if True:"), "KER103") == [(4, "KER103")]
