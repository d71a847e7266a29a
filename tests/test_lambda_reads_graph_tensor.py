"""KER205 on small sources (no TensorFlow): what counts as a hidden graph-tensor read."""

import textwrap

import pytest

from keraslint.config import Settings
from keraslint.engine import check_source

ALL = Settings(select=("ALL",))
HEAD = "import keras\nimport functools\nfrom keras import ops\nboxes = keras.Input((4,))\nimage = keras.Input((None, 3))\n"


def codes(body, settings=ALL):
    return [(v.code, v.fix.applicability if v.fix else None) for v in check_source(HEAD + textwrap.dedent(body), "m.py", settings)]


@pytest.mark.parametrize("body", [
    "y = keras.layers.Lambda(lambda b: b * ops.mean(image))(boxes)\n",
    "y = keras.layers.Lambda(lambda b: b / ops.shape(image)[1])(boxes)\n",
    "import tensorflow as tf\ny = keras.layers.Lambda(lambda b: b / tf.cast(tf.shape(image)[1], 'float32'))(boxes)\n",
    "def f():\n    return keras.layers.Lambda(lambda b: b + ops.max(image))(boxes)\n",  # a module-level tensor
])
def test_reported_with_an_unsafe_fix(body):
    assert codes(body) == [("KER205", "unsafe")]


def test_ker201_is_silent_for_a_captured_tensor():
    # before KER205 a module-level tensor counted as a captured global value
    assert [c for c, _ in codes("y = keras.layers.Lambda(lambda b: b * image)(boxes)\n")] == ["KER205"]


@pytest.mark.parametrize("body", [
    "w = 2.0\ndef f():\n    s = 3.0\n    return keras.layers.Lambda(lambda b: b * s + ops.max(image))(boxes)\n",
    "y = keras.layers.Lambda(lambda pair: pair[0] * ops.max(image) * ops.max(pair[1]))([boxes, boxes])\n",
    "y = keras.layers.Lambda(functools.partial(ops.multiply, image))(boxes)\n",
    # passed in as well, but read from the closure: still the placeholder (measured)
    "y = keras.layers.Lambda(lambda pair: pair[0] * ops.max(image))([boxes, image])\n",
    "layer = keras.layers.Lambda(lambda b: b * ops.max(image))\n",  # not called here: no fix
])
def test_report_only(body):
    assert codes(body) == [("KER205", None)]


@pytest.mark.parametrize("body", [
    "y = keras.layers.Lambda(lambda pair: pair[0] * ops.max(pair[1]))([boxes, image])\n",  # passed in
    "y = keras.layers.Lambda(lambda b: b / image.shape[1])(boxes)\n",  # a Python int at build time
    "width = image.shape[1]\ny = keras.layers.Lambda(lambda b: b / width)(boxes)\n",
    "y = keras.layers.Lambda(functools.partial(ops.multiply, 2.0))(boxes)\n",
    "def f(t):\n    return keras.layers.Lambda(lambda b: b * ops.max(t))(boxes)\n",  # t unknown
])
def test_silent(body):
    assert [c for c, _ in codes(body) if c == "KER205"] == []


def test_tensor_also_applied_is_fixed_with_itself_twice():
    body = "y = keras.layers.Lambda(lambda t: t / ops.max(image))(image)\n"
    assert codes(body) == [("KER205", "unsafe")]


def test_loop_variable_stays_ker202():
    body = "outs = []\nfor t in [boxes, image]:\n    outs.append(keras.layers.Lambda(lambda b: b * ops.max(t))(boxes))\n"
    assert [c for c, _ in codes(body)] == ["KER202"]
