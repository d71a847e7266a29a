"""Self-tests of tests/model_harness.py on throw-away fixtures in tmp_path.

They show the harness passes a correct fix on both targets, and that it can
fail: wrong numbers, wrong shapes, wrong parameter counts, a bad.py that
differs although declared correct, and a model that safe mode will not load.
"""

from __future__ import annotations

import textwrap

import pytest

import model_harness as harness
from keraslint.fixes.merge import constant_operand

pytestmark = pytest.mark.keras

IMPORTS = {
    "keras3": "import keras\nimport numpy as np\n",
    "tf_keras": "import numpy as np\nimport tensorflow as tf\nimport tf_keras as keras\n",
}

# Two inputs and two outputs, so list handling is exercised too.
BUILD = """
C = np.array([0.5, 1.5, 2.0, -1.0])
C24 = np.array([[0.5, 1.5, 2.0, -1.0], [3.0, -0.25, 0.75, 2.5]])


def build_model():
    x = keras.Input((4,))
    z = keras.Input((2, 4))
    product = keras.layers.{merge}()([x, ConstantOperand(C)(x)])
    largest = keras.layers.Maximum()([z, ConstantOperand(C24)(z)])
    return keras.Model([x, z], [product, largest])
"""

CHECK = """
import numpy as np

TARGET = {target!r}
INPUTS = [(4,), (2, 4)]
PARAMS = {params!r}
TOLERANCE = {tolerance!r}
ORIGINAL_IS_CORRECT = {original_is_correct!r}
C = np.array([0.5, 1.5, 2.0, -1.0])
C24 = np.array([[0.5, 1.5, 2.0, -1.0], [3.0, -0.25, 0.75, 2.5]])


def intended(x, z):
    return [{product}, np.maximum(z, C24)]
"""

# Safe mode refuses any Python lambda, even a self-contained one.
LAMBDA_FIXED = """
def build_model():
    x = keras.Input((4,))
    return keras.Model(x, keras.layers.Lambda(lambda t: t * 2.0)(x))
"""

LAMBDA_CHECK = """
TARGET = {target!r}
INPUTS = [(4,)]
PARAMS = (0, 0, 0)


def intended(x):
    return x * 2.0
"""


def model_source(target, merge="Multiply"):
    snippet = constant_operand("keras", "np", "tf" if target == "tf_keras" else None, target)
    return IMPORTS[target] + "\n\n" + snippet + BUILD.format(merge=merge)


def write_case(root, name, fixed, check, bad=None):
    folder = root / name
    folder.mkdir()
    (folder / "fixed.py").write_text(textwrap.dedent(fixed))
    (folder / "check.py").write_text(textwrap.dedent(check))
    if bad is not None:
        (folder / "bad.py").write_text(bad)
    return folder


def good_case(root, target, name="good_case", **overrides):
    fields = dict(
        target=target,
        params=(12, 0, 12),
        tolerance=0.0,
        original_is_correct=False,
        product="x * C",
    )
    fields.update(overrides)
    return write_case(root, name, model_source(target), CHECK.format(**fields))


@pytest.mark.parametrize("target", harness.TARGETS)
def test_correct_fix_passes_in_process_and_after_fresh_reload(tmp_path, target):
    good = good_case(tmp_path, target)
    assert harness.verify_in_process(good) == []

    refused = write_case(
        tmp_path, "lambda_case", IMPORTS[target] + LAMBDA_FIXED, LAMBDA_CHECK.format(target=target)
    )
    assert harness.verify_in_process(refused) == []  # fine until it is saved
    workdir = tmp_path / "work"
    workdir.mkdir()
    problems = harness.verify_reload([good, refused], target, workdir)
    assert problems["good_case"] == []
    assert "safe-mode load failed" in problems["lambda_case"][0]


def test_wrong_numbers_shapes_and_params_are_reported(tmp_path):
    wrong = good_case(
        tmp_path, "keras3", name="wrong_values", product="x * C[::-1]", params=(12, 12, 0)
    )
    problems = harness.verify_in_process(wrong)
    assert sum("vs intended" in p and "max abs difference" in p for p in problems) == 3  # B=1/3/4
    assert any(p.startswith("params") for p in problems)

    column = good_case(tmp_path, "keras3", name="wrong_shape", product="(x * C)[:, :, None]")
    problems = harness.verify_in_process(column)
    assert problems and all("shape" in p for p in problems)


def test_original_declared_correct_must_match_bad_py(tmp_path):
    same = model_source("keras3")
    different = model_source("keras3", merge="Add")
    case = good_case(tmp_path, "keras3", name="declared_correct", original_is_correct=True)
    (case / "bad.py").write_text(same)
    assert harness.verify_in_process(case) == []
    (case / "bad.py").write_text(different)
    assert any("vs bad.py" in p for p in harness.verify_in_process(case))


def test_loose_tolerance_is_rejected(tmp_path):
    loose = good_case(tmp_path, "keras3", tolerance=1e-3)
    with pytest.raises(ValueError, match="TOLERANCE"):
        harness.load_spec(loose)


def test_compare_catches_nan_and_counts():
    import numpy as np

    a = np.array([[1.0, 2.0]], dtype="float32")
    assert harness.compare([a], [a.copy()], 0.0, "same") == []
    assert harness.compare([a * np.nan], [a], 0.0, "nan")
    assert harness.compare([a, a], [a], 0.0, "count") == ["count: 2 outputs, expected 1"]
