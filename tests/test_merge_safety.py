"""KER101's message and fix safety follow what Keras really does (measured on Keras 3.15.1).

`Add`/`Average([x, c])` with an `(N,)` array or tensor on Keras 3 compute the right numbers
(the TensorFlow backend adds `c` with `bias_add`) and reload; only the symbolic shape is
wrong. The message says so and the `Rescaling` fix, which keeps the numbers, is safe. Every
case that crashes or computes wrong numbers keeps the "shapes and values go wrong" message
and an unsafe fix. tests/test_bad_fixtures.py proves the Keras side on the fixtures.
"""

from __future__ import annotations

import pytest

from keraslint.config import Settings
from keraslint.engine import check_source

KERAS3 = "import keras\nimport numpy as np\nimport tensorflow as tf\nfrom keras import layers\n"
TF_KERAS = "import numpy as np\nimport tensorflow as tf\nimport tf_keras as keras\nfrom tf_keras import layers\n"
BODY = "C = {constant}\nx = keras.Input((4,))\ny = {call}\n"


def _violation(header, constant, call):
    found = check_source(header + BODY.format(constant=constant, call=call), "m.py", Settings(select=("KER101",)))
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("call", ["layers.Add()([x, C])", "layers.average([x, C])", "keras.layers.add([x, C])"])
@pytest.mark.parametrize("constant", ["np.array([0.5, 1.5, 2.0, -1.0])", "tf.constant([0.5, 1.5, 2.0, -1.0])"])
def test_keras3_add_and_average_with_a_vector_report_the_shape_and_fix_safely(constant, call):
    violation = _violation(KERAS3, constant, call)
    assert "symbolic shape is wrong (`(4,)`, not `(None, 4)`" in violation.message
    assert "values go wrong" not in violation.message
    assert violation.fix.applicability == "safe"


@pytest.mark.parametrize(
    "header, constant, call",
    [
        (KERAS3, "np.array([0.5, 1.5, 2.0, -1.0])", "layers.Multiply()([x, C])"),  # (4, 4) at B=1
        (KERAS3, "np.array([0.5, 1.5, 2.0, -1.0])", "layers.Subtract()([x, C])"),
        (KERAS3, "np.array([0.5, 1.5, 2.0, -1.0])", "layers.Add()([C, x])"),  # raises at build
        (KERAS3, "keras.Variable(np.array([0.5, 1.5, 2.0, -1.0]))", "layers.Add()([x, C])"),  # never trained
        (TF_KERAS, "np.array([0.5, 1.5, 2.0, -1.0])", "layers.Add()([x, C])"),  # tf_keras: like Multiply
    ],
)
def test_wrong_results_keep_the_strong_message_and_an_unsafe_fix(header, constant, call):
    violation = _violation(header, constant, call)
    assert "shapes and values go wrong" in violation.message
    assert violation.fix is None or violation.fix.applicability == "unsafe"


@pytest.mark.parametrize("header, reload", [(KERAS3, False), (TF_KERAS, True)])
def test_a_row_constant_reports_only_the_shape(header, reload):
    violation = _violation(header, "np.array([[0.5, 1.5, 2.0, -1.0]])", "layers.Multiply()([x, C])")
    assert "symbolic shape is wrong (`(1, 4)`, not `(None, 4)`; the numbers are right" in violation.message
    assert ("does not load" in violation.message) == reload
    assert violation.fix.applicability == "safe"
