"""The `api` rows of keraslint/fixes/ops_rows.py: removed `keras.backend` functions that are not
tensor ops but have a faithful Keras 3 spelling (a name scope, a variable update, the Keras 2.0
data-format strings).

Each test writes a small Keras 3 program that uses the removed function, fixes it with
keraslint, runs the fixed text on Keras 3 and the original on tf_keras (same program, `K` is
`tf_keras.backend`), and compares what the program computed. `K.image_dim_ordering` is older
than tf_keras: its reference is Keras 2.0's definition, "th" for channels_first, else "tf".
"""

import textwrap

import numpy as np
import pytest

from keraslint.config import Settings
from keraslint.engine import check_source, fix_source
from keraslint.fixes.ops_rows import ROWS

KER302 = Settings(select=("KER302",))
HEADER = "import keras\nimport numpy as np\nfrom keras import backend as K\n"
API_ROWS = sorted(source for source, row in ROWS.items() if row.kind == "api")


def _fixed(body: str, unsafe=False) -> str:
    source = HEADER + textwrap.dedent(body)
    outcome = fix_source(source, "t.py", KER302, unsafe=unsafe)
    assert fix_source(outcome.text, "t.py", KER302, unsafe=unsafe).text == outcome.text  # settles
    return outcome.text


def _run_original(body: str) -> dict:
    """The program on tf_keras, where every classic backend function still exists."""
    import tf_keras

    namespace = {"keras": tf_keras, "np": np, "K": tf_keras.backend}
    exec(textwrap.dedent(body), namespace)  # noqa: S102 - the test's own program
    return namespace


def _run_fixed(text: str) -> dict:
    namespace = {}
    exec(text, namespace)  # noqa: S102 - keraslint's output for the test's own program
    return namespace


def test_every_api_row_has_a_test_here():
    covered = {"K.name_scope", "K.update", "K.update_add", "K.update_sub", "K.set_value",
               "K.image_dim_ordering", "K.set_image_dim_ordering"}
    assert set(API_ROWS) == covered


def test_fixes_are_safe_for_statements_and_unsafe_when_the_result_is_used():
    source = HEADER + "v = keras.Variable(np.zeros(3))\nK.update(v, np.ones(3))\nupdates = [K.update(v, np.ones(3))]\n"
    fixes = [v.fix.applicability for v in check_source(source, "t.py", KER302)]
    assert fixes == ["safe", "unsafe"]


@pytest.mark.parametrize("call", ["K.name_scope()", "K.name_scope('a', 'b')", "K.set_image_dim_ordering(order)"])
def test_forms_outside_the_rows_are_report_only(call):
    [violation] = check_source(HEADER + f"order = 'th'\nout = {call}\n", "t.py", KER302)
    assert violation.fix is None


@pytest.mark.keras
def test_variable_updates_compute_what_tf_keras_computed():
    body = """
        v = K.variable(np.array([0.5, -1.0, 2.0]))
        K.set_value(v, [1.0, 2.0, 3.0])
        K.update_add(v, np.array([0.25, 0.5, 1.0]))
        first = K.get_value(v)
        K.update_sub(v, np.array([1.0, 1.0, 1.5]))
        second = K.get_value(v)
        K.update(v, np.array([4.0, 5.0, 6.0]) * 2)
        third = K.get_value(v)
        K.set_value(v, np.array([7, 8, 9], dtype="int64"))  # set_value converts to the variable's dtype
        last = K.get_value(v)
    """
    fixed = _fixed(body)
    assert "K.update" not in fixed and "K.set_value" not in fixed and "v.assign_add(" in fixed
    expected, actual = _run_original(body), _run_fixed(fixed)
    for name in ("first", "second", "third", "last"):
        assert np.asarray(actual[name]).dtype == np.asarray(expected[name]).dtype == np.float32, name
        np.testing.assert_array_equal(actual[name], expected[name], err_msg=name)


@pytest.mark.keras
def test_name_scope_prefixes_the_variables_created_inside():
    body = """
        with K.name_scope("block"):
            w = make_variable("w")
        name = variable_name(w)
    """
    fixed = _fixed(body)
    assert 'with keras.name_scope("block"):' in fixed
    import tensorflow as tf

    def original(text):  # tf_keras: a TensorFlow variable, named "block/w:0" by tf.name_scope
        import tf_keras

        namespace = {"keras": tf_keras, "np": np, "K": tf_keras.backend,
                     "make_variable": lambda n: tf.Variable(np.zeros(2), name=n),
                     "variable_name": lambda v: v.name.split(":")[0]}
        exec(textwrap.dedent(text), namespace)  # noqa: S102
        return namespace

    def rewritten(text):  # Keras 3: a Keras variable, its path prefixed by keras.name_scope
        import keras

        namespace = {"make_variable": lambda n: keras.Variable(np.zeros(2), name=n), "variable_name": lambda v: v.path}
        exec(text, namespace)  # noqa: S102
        return namespace

    assert original(body)["name"] == rewritten(fixed)["name"] == "block/w"


@pytest.mark.keras
@pytest.mark.parametrize("data_format", ["channels_first", "channels_last"])
def test_image_dim_ordering_is_keras_2s_string(data_format):
    body = """
        ordering = K.image_dim_ordering()
        axis = 1 if K.image_dim_ordering() == "th" else -1
        is_tf = K.image_dim_ordering() != 'th'
        reversed_test = "tf" == K.image_dim_ordering()
    """
    fixed = _fixed(body)
    assert "image_dim_ordering" not in fixed and 'K.image_data_format() == "channels_first" else -1' in fixed
    import keras

    old = keras.config.image_data_format()
    keras.config.set_image_data_format(data_format)
    try:
        actual = _run_fixed(fixed)
    finally:
        keras.config.set_image_data_format(old)
    reference = "th" if data_format == "channels_first" else "tf"  # Keras 2.0's image_dim_ordering()
    assert actual["ordering"] == reference
    assert actual["axis"] == (1 if reference == "th" else -1)
    assert actual["is_tf"] is (reference != "th") and actual["reversed_test"] is (reference == "tf")


@pytest.mark.keras
def test_set_image_dim_ordering_sets_the_data_format():
    import keras

    old = keras.config.image_data_format()
    try:
        for ordering, expected in (("th", "channels_first"), ("tf", "channels_last")):
            fixed = _fixed(f"K.set_image_dim_ordering({ordering!r})\n")
            _run_fixed(fixed)
            assert keras.config.image_data_format() == expected
    finally:
        keras.config.set_image_data_format(old)
