"""The rows of keraslint/fixes/ops_rows.py that the differential test cannot prove: the `api` rows
(removed `keras.backend` functions that are not tensor ops but have a faithful Keras 3 spelling:
a name scope, a variable update, the Keras 2.0 data-format strings), the random draws (proven by
shape, dtype and sample statistics) and `K.zeros` / `K.ones` (variables).

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
from keraslint.fixes.ops_rows import OWN_TEST, ROWS

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


def test_every_row_proven_here_has_a_test_here():
    covered = {"K.name_scope", "K.update", "K.update_add", "K.update_sub", "K.set_value",
               "K.image_dim_ordering", "K.set_image_dim_ordering", "K.moving_average_update", "K.batch_get_value",
               "K.get_variable_shape"}
    assert set(API_ROWS) == covered
    own = {"K.random_normal", "K.random_uniform", "K.truncated_normal", "K.dropout", "K.zeros", "K.ones",
           "K.random_bernoulli", "K.random_binomial"}
    assert {source for source, row in ROWS.items() if row.test == OWN_TEST} == own


def test_fixes_are_safe_for_statements_and_unsafe_when_the_result_is_used():
    source = HEADER + "v = keras.Variable(np.zeros(3))\nK.update(v, np.ones(3))\nupdates = [K.update(v, np.ones(3))]\n"
    fixes = [v.fix.applicability for v in check_source(source, "t.py", KER302)]
    assert fixes == ["safe", "unsafe"]


def test_name_scope_bound_with_as_is_report_only():
    """tf.name_scope's `as` target is the scope's name, a str; keras.name_scope binds itself."""
    [violation] = check_source(HEADER + "with K.name_scope('block') as scope:\n    print(scope + 'w')\n", "t.py", KER302)
    assert violation.fix is None


@pytest.mark.parametrize("call", ["K.name_scope()", "K.name_scope('a', 'b')", "K.set_image_dim_ordering(order)"])
def test_forms_outside_the_rows_are_report_only(call):
    [violation] = check_source(HEADER + f"order = 'th'\nout = {call}\n", "t.py", KER302)
    assert violation.fix is None


@pytest.mark.keras
def test_variable_updates_compute_what_tf_keras_computed(monkeypatch):
    import tf_keras

    # Keras 2 defined get_variable_shape(x) as int_shape(x); tf_keras dropped the alias
    monkeypatch.setattr(tf_keras.backend, "get_variable_shape", tf_keras.backend.int_shape, raising=False)
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
        K.moving_average_update(v, np.array([1.0, 4.0, -2.0], dtype="float32"), 0.9)
        averaged, values = K.batch_get_value([v, v * 2])
        shape = K.get_variable_shape(v)
    """
    fixed = _fixed(body)
    assert "K.update" not in fixed and "K.set_value" not in fixed and "v.assign_add(" in fixed
    expected, actual = _run_original(body), _run_fixed(fixed)
    assert "v.assign_sub((v - np.array([1.0, 4.0, -2.0], dtype=\"float32\")) * (1 - keras.ops.cast(0.9, v.dtype)))" in fixed
    assert actual["shape"] == expected["shape"] == (3,)
    for name in ("first", "second", "third", "last", "averaged", "values"):
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


# -- random rows: no value can be compared, the distribution can ------------------------------------
RANDOM_CALLS = [
    # (call, what the sample must satisfy: mean, std, low, high)
    ("K.random_normal((200, 100))", (0.0, 1.0, None, None)),
    ("K.random_normal([200, 100], mean=2.0, stddev=0.5, dtype='float64')", (2.0, 0.5, None, None)),
    ("K.random_normal(shape=(200, 100), stddev=3.0)", (0.0, 3.0, None, None)),
    ("K.random_uniform((200, 100))", (0.5, (1 / 12) ** 0.5, 0.0, 1.0)),
    ("K.random_uniform((200, 100), minval=-2.0, maxval=4.0, dtype='float16')", (1.0, 3 ** 0.5, -2.0, 4.0)),
    # Bernoulli(p): mean p, std sqrt(p (1 - p)), values 0 and 1
    ("K.random_binomial((200, 100), p=0.3)", (0.3, (0.3 * 0.7) ** 0.5, 0.0, 1.0)),
    ("K.random_bernoulli((200, 100), 0.8, dtype='float64')", (0.8, (0.8 * 0.2) ** 0.5, 0.0, 1.0)),
    # truncated at 2 standard deviations: std = 0.8796 * stddev
    ("K.truncated_normal((200, 100), mean=1.0, stddev=2.0)", (1.0, 2.0 * 0.87962566, -3.0, 5.0)),
]


def _rewritten_call(call: str) -> str:
    fixed = _fixed(f"out = {call}\n")
    assert "K." not in fixed.splitlines()[-1], fixed
    return fixed


@pytest.mark.keras
@pytest.mark.parametrize("call, stats", RANDOM_CALLS, ids=[c for c, _ in RANDOM_CALLS])
def test_random_rows_draw_from_the_same_distribution(call, stats):
    expected = np.asarray(_run_original(f"out = {call}\n")["out"])
    fixed = _rewritten_call(call)
    first, second = (np.asarray(_run_fixed(fixed)["out"]) for _ in range(2))
    mean, std, low, high = stats
    for sample in (expected, first):
        assert sample.shape == (200, 100)
        assert abs(float(sample.mean()) - mean) < 0.05 * max(std, 1.0)  # 20,000 draws: the mean's error is std/141
        assert abs(float(sample.std()) - std) < 0.03 * std
        if low is not None:
            assert sample.min() >= low and sample.max() <= high
    assert first.dtype == expected.dtype
    assert not np.array_equal(first, second)  # unseeded: new numbers on every run, as before
    if "binomial" in call or "bernoulli" in call:
        assert set(np.unique(first)) == set(np.unique(expected)) == {0.0, 1.0}


@pytest.mark.keras
def test_dropout_row_keeps_and_scales_like_tf_keras():
    x = "np.linspace(1.0, 2.0, 20000, dtype='float32').reshape(200, 100)"
    call = f"K.dropout({x}, 0.3)"
    expected = np.asarray(_run_original(f"out = {call}\n")["out"])
    actual = np.asarray(_run_fixed(_rewritten_call(call))["out"])
    inputs = np.linspace(1.0, 2.0, 20000, dtype="float32").reshape(200, 100)
    for sample in (expected, actual):
        assert sample.shape == inputs.shape and sample.dtype == np.float32
        kept = sample != 0
        assert abs(1 - kept.mean() - 0.3) < 0.015  # the share dropped
        np.testing.assert_allclose(sample[kept], inputs[kept] / 0.7, rtol=1e-6)  # kept values scaled by 1/(1-rate)


@pytest.mark.keras
def test_dropout_noise_shape_drops_whole_columns():
    call = "K.dropout(np.ones((50, 400), 'float32'), 0.5, noise_shape=(1, 400))"
    actual = np.asarray(_run_fixed(_rewritten_call(call))["out"])
    assert (actual == actual[:1]).all()  # one mask for every row
    assert 0.4 < (actual[0] == 0).mean() < 0.6


def test_seeded_random_calls_get_an_unsafe_fix():
    source = HEADER + "a = K.random_normal((2, 3), seed=1)\nb = K.random_normal((2, 3))\n"
    assert [v.fix.applicability for v in check_source(source, "t.py", KER302)] == ["unsafe", "safe"]


@pytest.mark.keras
def test_seeded_rewrite_repeats_its_numbers_where_tf_keras_did_not():
    """Why a seed makes the fix unsafe: tf_keras' op seed gives new numbers on every call, a Keras 3
    integer seed the same ones."""
    import keras
    import tf_keras

    old = [np.asarray(tf_keras.backend.random_normal((3,), seed=7)) for _ in range(2)]
    new = [np.asarray(keras.random.normal((3,), seed=7)) for _ in range(2)]
    assert not np.array_equal(*old) and np.array_equal(*new)


@pytest.mark.keras
def test_random_normal_runs_in_a_keras3_model():
    """The VAE sampling layer: the rewrite draws inside a compiled predict, new noise each call."""
    fixed = _fixed("""
        class Sampling(keras.layers.Layer):
            def call(self, inputs):
                mean, log_var = inputs
                epsilon = K.random_normal(shape=(K.shape(mean)[0], 4))
                return mean + K.exp(0.5 * log_var) * epsilon

        mean = keras.Input((4,))
        log_var = keras.Input((4,))
        model = keras.Model([mean, log_var], Sampling()([mean, log_var]))
    """)
    assert "keras.random.normal(" in fixed
    model = _run_fixed(fixed)["model"]
    batch = [np.zeros((3, 4), "float32"), np.zeros((3, 4), "float32")]
    first, second = model.predict(batch, verbose=0), model.predict(batch, verbose=0)
    assert first.shape == (3, 4) and not np.array_equal(first, second)


# -- K.zeros / K.ones: a variable for a known shape, a tensor for a run-time one ----------------------
@pytest.mark.keras
def test_zeros_and_ones_of_a_known_shape_stay_variables():
    body = """
        a = K.zeros((2, 3))
        b = K.ones([4], dtype="int32", name="b")
        c = K.ones(shape=(3, 1), dtype=K.dtype(a))
    """
    fixed = _fixed(body, unsafe=True)
    assert "keras.Variable(" in fixed and "K.zeros" not in fixed and "K.ones" not in fixed
    expected, actual = _run_original(body), _run_fixed(fixed)
    import keras

    for name in "abc":
        old, new = expected[name], actual[name]
        assert isinstance(new, keras.Variable) and new.trainable == old.trainable, name
        assert new.dtype == old.dtype.name and tuple(new.shape) == tuple(old.shape), name
        np.testing.assert_array_equal(np.asarray(new), np.asarray(old), err_msg=name)
        new.assign(np.asarray(new) + 1)  # state, as before
    assert actual["b"].name == "b"


@pytest.mark.keras
def test_zeros_of_a_run_time_size_becomes_a_tensor():
    """The unsafe part: traced, tf_keras fails here; the tensor computes what it computed eagerly."""
    body = """
        def loss(y_true, y_pred):
            return K.zeros((K.shape(y_pred)[0],)) + K.ones((K.shape(y_pred)[0],), dtype="float32") * 2.0
    """
    fixed = _fixed(body, unsafe=True)
    assert "keras.Variable" not in fixed and "ops.zeros(" in fixed
    import tensorflow as tf

    batch = tf.zeros((5, 3))
    spec = tf.TensorSpec((None, 3), tf.float32)
    original = _run_original(body)["loss"]
    expected = original(batch, batch)  # eagerly: tf_keras makes variables of the known size
    with pytest.raises(TypeError, match="out of scope"):  # traced: tf_keras' init_scope cannot see the size
        tf.function(original, input_signature=[spec, spec])(batch, batch)
    rewritten = _run_fixed(fixed)["loss"]
    for actual in (rewritten(batch, batch), tf.function(rewritten, input_signature=[spec, spec])(batch, batch)):
        assert actual.dtype == expected.dtype and actual.shape == expected.shape == (5,)
        np.testing.assert_array_equal(actual, expected)


def test_zeros_and_ones_fixes_are_unsafe():
    source = HEADER + "a = K.zeros((2, 3))\nb = K.ones((2,))\n"
    assert [v.fix.applicability for v in check_source(source, "t.py", KER302)] == ["unsafe", "unsafe"]


@pytest.mark.parametrize("call, applicability", [
    ("K.bias_add(x, b)", "unsafe"), ("K.bias_add(x, b, data_format=None)", "unsafe"),
    ("K.bias_add(x, b, data_format='channels_last')", "safe"), ("K.bias_add(x, b, 'channels_first')", None),
    ("K.bias_add(x, b, data_format=fmt)", None),
])
def test_bias_add_is_safe_only_for_written_channels_last(call, applicability):
    """Without `data_format`, tf_keras followed `image_data_format()`: `x + bias` holds for the
    default channels_last only (the differential test proves that case)."""
    [violation] = check_source(HEADER + f"out = {call}\n", "t.py", KER302)
    assert (violation.fix.applicability if violation.fix else None) == applicability


# -- K.switch / K.batch_dot: an inserted helper (proven row by row in tests/test_ops_tables.py) --------
ATTENTION = """
    class Attention(keras.layers.Layer):
        def call(self, inputs):
            q, k = inputs
            scores = K.batch_dot(q, K.permute_dimensions(k, (0, 2, 1)))
            weights = K.switch(scores > 0, scores, K.zeros_like(scores))
            pooled = K.batch_dot(weights, k, axes=[2, 1])
            return K.switch(K.greater(K.sum(weights), 0.0), pooled, K.switch(pooled < 1, pooled, -pooled))

    q = keras.Input((3, 4))
    k = keras.Input((3, 4))
    model = keras.Model([q, k], Attention()([q, k]))
"""


@pytest.mark.keras
def test_switch_and_batch_dot_helpers_run_in_a_keras3_model_like_tf_keras():
    fixed = _fixed(ATTENTION)
    assert "K." not in fixed.split("class Attention")[1] and fixed.count("def switch(") == 1
    assert fix_source(fixed, "t.py", Settings(select=("ALL",))).text == fixed  # nothing left to fix
    original, rewritten = _run_original(ATTENTION)["model"], _run_fixed(fixed)["model"]
    rng = np.random.default_rng(3)
    for batch in (1, 3, 4):
        inputs = [rng.normal(size=(batch, 3, 4)).astype("float32") for _ in range(2)]
        expected = original.predict(inputs, verbose=0)
        actual = rewritten.predict(inputs, verbose=0)
        assert actual.shape == expected.shape == (batch, 3, 4)
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)
    assert rewritten.count_params() == original.count_params() == 0


def test_helper_is_not_inserted_over_a_function_of_the_same_name():
    source = HEADER + "def switch(a, b, c):\n    return a\n\nout = K.switch(x > 0, x, -x)\n"
    [violation] = check_source(source, "t.py", KER302)
    assert violation.fix is None


@pytest.mark.keras
def test_tf_split_helper_builds_a_keras3_model_like_tf_keras():
    """KER301 on a symbolic tensor with run-time sizes: the fixed functional model computes what
    the original computed on tf_keras."""
    body = """
        import tensorflow as tf

        def build(radix, sizes):
            x = keras.Input((6,))
            parts = tf.split(x, radix, axis=-1)
            pieces = tf.split(x, sizes, axis=-1)
            return keras.Model(x, keras.layers.Concatenate()([parts[-1], pieces[0] * 2.0, pieces[-1]]))

        model = build(3, [1, -1, 2])
    """
    fixed = fix_source(HEADER + textwrap.dedent(body), "t.py", Settings(select=("KER301",))).text
    assert fixed.count("tf_split(x, ") == 2 and "def tf_split(" in fixed
    original, rewritten = _run_original(body)["model"], _run_fixed(fixed)["model"]
    for batch in (1, 3, 4):
        data = np.arange(batch * 6, dtype="float32").reshape(batch, 6) - 7.5
        np.testing.assert_array_equal(rewritten.predict(data, verbose=0), original.predict(data, verbose=0))
