"""Where the graph fixes (KER101-KER106) deliberately stay report-only: each case is a finding
whose rewrite would change something the source still relies on. No TensorFlow needed."""

from __future__ import annotations

import textwrap

from keraslint.config import Settings
from keraslint.engine import check_source

ALL = Settings(select=("ALL",))

_PROJECTION = """\
import keras
from keras import layers


def projection(x, units):
    return layers.Dense(units, name="projection")(x)


def build_model():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Concatenate()([projection(inputs, 6), projection(inputs, 2)]))
    {extra}
    return model
"""


def _fixes(source: str, code: str) -> list:
    return [v.fix for v in check_source(textwrap.dedent(source), "m.py", ALL) if v.code == code]


def test_ker103_derives_names_when_nothing_looks_them_up():
    (fix,) = _fixes(_PROJECTION.format(extra="model.summary()"), "KER103")
    assert fix is not None and "units" in fix.title


def test_ker103_keeps_a_name_that_is_looked_up():
    assert _fixes(_PROJECTION.format(extra='model.get_layer("projection").trainable = False'), "KER103") == [None]


def test_ker103_keeps_names_when_weights_load_by_name():
    assert _fixes(_PROJECTION.format(extra='model.load_weights("w.h5", by_name=True)'), "KER103") == [None]


def test_ker101_inside_a_layer_call_gets_no_constant_layer():
    source = """\
        import keras
        import numpy as np

        FLOOR = np.eye(4)[1]


        class Clip(keras.layers.Layer):
            def call(self, x):
                return keras.layers.Maximum()([x, FLOOR])
    """
    assert _fixes(source, "KER101") in ([], [None])


def test_ker102_shape_from_the_tensor_needs_provably_equal_other_arguments():
    source = """\
        import keras
        from keras import layers


        def input_shape():
            return (4,)


        def encode(x, units):
            return layers.Dense(units)(x)


        def build_model(sizes):
            query = keras.Input(input_shape())
            answer = keras.Input(input_shape())
            gap = layers.Subtract()([encode(query, next(sizes)), encode(answer, next(sizes))])
            return keras.Model([query, answer], gap)
    """
    assert _fixes(source, "KER102") == [None]
    fixed = _fixes(source.replace("next(sizes)", "4"), "KER102")
    assert len(fixed) == 1 and fixed[0] is not None
    assert any("shape=query.shape[1:]" in getattr(edit, "text", "") for edit in fixed[0].edits)


def test_ker106_does_not_spell_a_use_through_tensorflow_private_keras():
    source = """\
        import tensorflow as tf
        from tensorflow.python.keras.layers import Activation, Dense, Input
        from tensorflow.python.keras.models import Model


        def build_model():
            x = Input((4,))
            h = Dense(3)(x)
            h = Activation("relu")(h)
            return Model(x, tf.keras.layers.Activation("softmax")(h))
    """
    fixes = _fixes(source, "KER106")
    assert fixes and all(fix is None for fix in fixes)  # a fix would import from tf_keras into this file


def test_ker106_spells_a_use_through_the_name_the_file_imports():
    source = """\
        import tf_keras
        from keras.layers import Dense, Input
        from keras.models import Model


        def build_model():
            x = Input((4,))
            h = Dense(3)(x)
            return Model(x, tf_keras.layers.Dense(2)(h))
    """
    (fix,) = _fixes(source, "KER106")
    assert [edit.text for edit in fix.edits] == ["Dense"]
