"""KER201–KER204 (Lambda layers): one finding per Lambda, the KER204 default, the near misses
of the issue, the documentation's examples, and the inserted layer classes. No TensorFlow."""

import ast
import re

import pytest

from keraslint.config import Settings
from keraslint.engine import check_source, fix_source
from keraslint.rules import RULES_BY_CODE

ALL = Settings(select=("ALL",))
CODES = ("KER201", "KER202", "KER203", "KER204")
HEAD = "import keras\nimport numpy as np\nfrom keras import layers, ops\n"


def codes(source, settings=ALL):
    return [(v.line, v.code, v.fix.applicability if v.fix else None) for v in check_source(source, "m.py", settings)]


def lambda_codes(source, settings=ALL):
    return [item for item in codes(source, settings) if item[1].startswith("KER2")]


def _blocks(doc, heading):
    section = doc.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.mark.parametrize("code", CODES)
def test_docs_have_every_section_and_their_examples_behave(code):
    rule = RULES_BY_CODE[code]
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "References"):
        assert f"## {heading}" in rule.__doc__
    (example,) = _blocks(rule.__doc__, "Example")
    (instead,) = _blocks(rule.__doc__, "Use instead")
    ast.parse(example), ast.parse(instead)
    assert [c for _, c, _ in lambda_codes(example)] == [code]
    assert lambda_codes(instead) == []
    assert fix_source(example, "m.py", ALL, unsafe=True).text == instead
    assert 40 <= len(open(rule.__file__).read().splitlines()) <= 200


def test_one_violation_per_lambda_loop_wins_over_capture():
    source = HEAD + "x = keras.Input((4,))\nys = [layers.Lambda(lambda t: ops.maximum(t, w))(x) for w in [np.ones(4), np.zeros(4)]]\nkeras.Model(x, ys).save('m.keras')\n"
    assert lambda_codes(source) == [(5, "KER202", "unsafe")]


def test_capture_wins_over_module_object():
    source = HEAD + "W = np.ones(4)\nx = keras.Input((4,))\ny = layers.Lambda(lambda t: ops.maximum(t, W))(x)\nkeras.Model(x, y).save('m.keras')\n"
    assert lambda_codes(source) == [(6, "KER201", "unsafe")]


KER204_SOURCE = HEAD + "x = keras.Input((4,))\ny = layers.Lambda(lambda t: ops.sum(t, axis=-1))(x)\nmodel = keras.Model(x, y)\n"


def test_ker204_only_where_the_file_saves_unless_selected():
    assert lambda_codes(KER204_SOURCE) == []
    assert lambda_codes(KER204_SOURCE + "model.save('m.keras')\n") == [(5, "KER204", "safe")]
    assert lambda_codes(KER204_SOURCE, Settings(select=("KER204",))) == [(5, "KER204", "safe")]
    assert lambda_codes(KER204_SOURCE, Settings(extend_select=("KER204",))) == [(5, "KER204", "safe")]


def test_ker204_is_about_lambda_code_not_a_named_def():
    # a `def` is saved by module and name and loads again with `custom_objects=` (even in safe
    # mode; measured on Keras 3.15.1); only a `lambda` is saved as code rebuilt without globals
    saves = "model.save('m.keras')\n"
    named = HEAD + "def total(t):\n    return ops.sum(t, axis=-1)\n\nx = keras.Input((4,))\ny = layers.Lambda(total)(x)\nmodel = keras.Model(x, y)\n"
    assert lambda_codes(named + saves) == []
    stored = HEAD + "total = lambda t: ops.sum(t, axis=-1)\nx = keras.Input((4,))\ny = layers.Lambda(total)(x)\nmodel = keras.Model(x, y)\n"
    assert [code for _, code, _ in lambda_codes(stored + saves)] == ["KER204"]


def test_ker204_is_keras3_only():
    source = KER204_SOURCE.replace("import keras\n", "import tf_keras as keras\n").replace("from keras import layers, ops", "from tf_keras import layers\nimport tensorflow as tf").replace("ops.sum", "tf.reduce_sum")
    assert lambda_codes(source + "model.save('m.keras')\n") == []


def test_flake8_plugin_reports_ker204_only_in_files_that_save():
    from keraslint.flake8_plugin import KeraslintChecker

    def run(source):
        checker = KeraslintChecker(ast.parse(source), "m.py", source.splitlines(keepends=True))
        return [message.split()[0] for _, _, message, _ in checker.run()]

    assert run(KER204_SOURCE) == []
    assert run(KER204_SOURCE + "model.save('m.keras')\n") == ["KER204"]


@pytest.mark.parametrize("body", [
    "layers.Lambda(lambda t: t * 2.0)(x)",  # self-contained
    "layers.Lambda(lambda t, c: t * c, arguments={'c': W})(x)",  # arguments=
    "[layers.Lambda(lambda t: t * 2.0)(x) for _ in range(3)]",  # loop variable not read
    "[layers.Lambda(lambda t, w=w: t * w)(x) for w in [1.0, 2.0]]",  # default argument: bound at once
    "sorted([3.0, 1.0], key=lambda v: v * W[0])",  # not a Lambda layer
    "layers.Lambda(lambda t: t[:, axis:])(x)",  # a closure int as a slice bound
    "layers.Lambda(lambda t: ops.sum(t, axis=axis))(x)",  # ... and as an axis
    "layers.Lambda(lambda t: t * scale)(x)",  # a parameter: value unknown
    "[layers.Lambda(lambda t: t * 2.0, name=f'l{i}')(x) for i in range(3)]",  # loop variable outside the lambda
])
def test_near_misses_are_silent(body):
    source = HEAD + f"W = np.ones(4)\n\n\ndef build(scale):\n    axis = 1\n    x = keras.Input((4,))\n    return {body}\n"
    assert lambda_codes(source) == []


def test_module_level_int_is_reported_it_is_not_saved_with_the_closure():
    source = HEAD + "AXIS = 1\nx = keras.Input((4,))\ny = layers.Lambda(lambda t: t[:, AXIS:])(x)\n"
    assert lambda_codes(source) == [(6, "KER201", "safe")]


def test_report_only_when_the_body_cannot_be_carried_over():
    source = HEAD + (
        "W = np.ones(4)\n\n\ndef build(scale):\n    x = keras.Input((4,))\n"
        "    a = layers.Lambda(lambda t: t * W * scale)(x)\n"  # scale: unknown value
        "    b = layers.Lambda(lambda t: t * W.T)(x)\n"  # the value used other than as an operand
        "    c = layers.Lambda(lambda t, u: t * W)(x)\n"  # two parameters
        "    d = layers.Lambda(lambda t: t * W, mask=None)(x)\n"  # mask=
        "    return a, b, c, d\n"
    )
    assert lambda_codes(source) == [(9, "KER201", None), (10, "KER201", None), (11, "KER201", None), (12, "KER201", None)]


def test_rebound_value_gets_no_fix():
    source = HEAD + "x = keras.Input((4,))\nw = np.ones(4)\ny = layers.Lambda(lambda t: t * w)(x)\nw = np.zeros(4)\n"
    assert lambda_codes(source) == [(6, "KER201", None)]


def test_generated_classes_get_distinct_names_and_are_shared_when_identical():
    source = HEAD + (
        "A = np.ones(4)\n\n\ndef build():\n    std = np.full(4, 2.0)\n    x = keras.Input((4,))\n"
        "    a = layers.Lambda(lambda t: t / std)(x)\n"
        "    b = layers.Lambda(lambda t: t / std)(x)\n"
        "    c = layers.Lambda(lambda t: (t + A) / std)(x)\n"
        "    return a, b, c\n"
    )
    fixed = fix_source(source, "m.py", ALL, unsafe=True)
    assert fixed.problems == []
    tree = ast.parse(fixed.text)
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    assert classes == ["DivideByStd", "DivideByAStd"]
    assert fixed.text.count("DivideByStd(std=std)") == 2
    assert "layers.Lambda(" not in fixed.text
    assert fix_source(fixed.text, "m.py", ALL, unsafe=True).text == fixed.text


def test_same_class_name_different_bodies_get_a_suffix():
    source = HEAD + (
        "def build():\n    std = np.full(4, 2.0)\n    x = keras.Input((4,))\n"
        "    a = layers.Lambda(lambda t: t / std)(x)\n"
        "    b = layers.Lambda(lambda t: (t - 1.0) / std)(x)\n"
        "    return a, b\n"
    )
    fixed = fix_source(source, "m.py", ALL, unsafe=True).text
    assert "class DivideByStd(" in fixed and "class DivideByStd2(" in fixed
    registered = re.findall(r'name="(\w+)"', fixed)
    assert len(set(registered)) == 2


def test_tf_keras_rescaling_gets_lists():
    source = "import numpy as np\nimport tf_keras as keras\n\nW = np.ones(4)\nx = keras.Input((4,))\ny = keras.layers.Lambda(lambda t: t * W + 1.0)(x)\n"
    fixed = fix_source(source, "m.py", ALL, unsafe=True).text
    assert 'keras.layers.Rescaling(np.asarray(W, dtype="float32").tolist(), offset=1.0)(x)' in fixed


def test_names_the_loop_body_rebinds_are_late_bound_too():
    source = HEAD + (
        "def build(weights):\n    x = keras.Input((4,))\n    outs = []\n"
        "    for i in range(3):\n        w = weights[i]\n        outs.append(layers.Lambda(lambda t: t * w)(x))\n"
        "    k = 0\n    while k < 3:\n        s = float(k)\n        outs.append(layers.Lambda(lambda t: t + s)(x))\n        k += 1\n"
        "    return outs\n"
    )
    assert lambda_codes(source) == [(9, "KER202", "unsafe"), (13, "KER202", "unsafe")]


def test_value_bound_before_the_loop_is_a_capture_not_late_binding():
    source = HEAD + "def build():\n    x = keras.Input((4,))\n    scale = 2.0\n    return [layers.Lambda(lambda t: t * scale)(x) for _ in range(3)]\n"
    assert lambda_codes(source) == [(7, "KER201", "safe")]
    assert "layers.Rescaling(scale=scale)(x) for _ in range(3)" in fix_source(source, "m.py", ALL).text


def test_def_made_in_the_loop_is_followed():
    source = HEAD + (
        "def build():\n    x = keras.Input((4,))\n    outs = []\n    for w in [0.5, 2.0]:\n"
        "        def scale(t):\n            return t * w\n        outs.append(layers.Lambda(scale)(x))\n    return outs\n"
    )
    assert lambda_codes(source) == [(10, "KER202", "unsafe")]
    assert "outs.append(layers.Rescaling(scale=w)(x))" in fix_source(source, "m.py", ALL, unsafe=True).text
