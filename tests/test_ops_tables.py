"""Differential property tests for the KER301/KER302 table (keraslint/fixes/ops_rows.py).

For every proven row, hypothesis draws a call of the source function (random shapes, ranks,
dtypes, axes, keepdims and the row's other arguments, positional or by keyword, through any
spelling of the function), keraslint rewrites it with the same code the rules use
(`keras3.rewrite`), and both texts run: the original on TensorFlow / tf_keras, the rewrite on
Keras 3. Outputs, dtypes and shapes must be equal (allclose with a tight tolerance; NaN where
the other side has NaN).

Arguments are drawn by kind, named in each row's `test` spec ("x:f axis:ax? keepdims:kd?",
`?` = sometimes left out); the kinds are the `_draw_*` functions below.

CI runs a few examples per row; `KERASLINT_TABLE_EXAMPLES=200` runs many more locally.
"""

from __future__ import annotations

import ast
import csv
import inspect
import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from keraslint.fixes import backend_helpers, keras3
from keraslint.fixes.ops_rows import FLOAT32_IMAGES, OWN_TEST, ROWS, SIGNED_ZERO

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = int(os.environ.get("KERASLINT_TABLE_EXAMPLES", "6"))
# api rows and random rows: tests/test_backend_api_rows.py
PROVEN = [row for row in ROWS.values() if row.proven and row.kind == "op" and row.test != OWN_TEST]
OP_ROWS = [row for row in ROWS.values() if row.kind == "op"]
KERAS2_ONLY = {"K.image_dim_ordering", "K.set_image_dim_ordering", "K.get_variable_shape"}  # not in tf_keras
SIGNATURE_ROWS = OP_ROWS + [row for row in ROWS.values() if row.kind == "api" and row.source not in KERAS2_ONLY]
pytestmark = pytest.mark.keras

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_HEADER = "import tensorflow as tf\nfrom keras import backend as K\n"  # K as a Keras 3 file names it


@pytest.fixture(scope="module")
def libs():
    import keras
    import tensorflow as tf
    import tf_keras.backend as K
    from keras import ops

    return {"tf": tf, "K": K, "keras": keras, "ops": ops, "K3": keras.backend}


# -- drawing a call -----------------------------------------------------------------------------
class Draw:
    """One example: the arrays, the base shape and the argument texts, in parameter order."""

    def __init__(self, data, row):
        self.data, self.row = data, row
        self.arrays = {}
        self.spec = [(item.split(":")[0], item.split(":")[1].rstrip("?"), item.endswith("?")) for item in row.test.split()]
        kinds = {kind for _, kind, _ in self.spec}
        self.present = {p: not optional or data.draw(st.booleans()) for p, _, optional in self.spec}
        float32_only = row.caveat == FLOAT32_IMAGES or "cx" in kinds  # convolutions: proven on float32
        self.dtype = "float32" if float32_only else data.draw(st.sampled_from(["float32", "float64"]))
        min_rank = 3 if "f3" in kinds else 1 if "scores" in kinds else 2 if kinds & {"m", "sq", "f2x"} else 1 if kinds & {"f1", "ax", "ax0", "ax1", "axl", "nsplit", "prob", "probc"} else 0
        max_rank = 2 if "f2x" in kinds else 3 if kinds & {"m", "sq", "f3"} else 1 if "scores" in kinds else 4
        rank = data.draw(st.integers(min_rank, max_rank))
        self.shape = list(data.draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank)))
        if "sq" in kinds:
            self.shape[-1] = self.shape[-2]
        self.axis = data.draw(st.integers(-rank, rank - 1)) if rank else None
        if "ax1" in kinds:
            self.shape[self.axis] = 1
        self.ncls = data.draw(st.integers(1, 5))

    def array(self, name, shape, dtype=None, low=-10.0, high=10.0):
        dtype = dtype or self.dtype
        size = int(np.prod(shape)) if shape else 1
        values = self.data.draw(st.lists(st.floats(low, high, allow_subnormal=False), min_size=size, max_size=size))
        array = np.asarray(values, dtype=dtype).reshape(shape)
        if np.issubdtype(array.dtype, np.floating):
            # a float64 draw can become a float32/float16 subnormal: TensorFlow's CPU kernels
            # flush those to zero, NumPy-backed code does not (not a difference of the row)
            array[np.abs(array) < np.finfo(array.dtype).tiny] = 0
        if self.row.caveat and self.row.caveat.startswith("ties"):
            array = array + np.arange(array.size, dtype=dtype).reshape(shape) * 1e-3  # no equal values
        if self.row.caveat == SIGNED_ZERO:
            array = array + 0.0  # -0.0 becomes 0.0: the documented difference of the row
        self.arrays[name] = array
        return name

    def text(self, param, kind):
        return getattr(self, f"_draw_{kind}")(param)

    # float arrays of the base shape (f1, f2x: a rank of at least 1, exactly 2)
    def _draw_f(self, p):
        return self.array(p, self.shape)

    _draw_f1 = _draw_f2x = _draw_f3 = _draw_f

    def _draw_g(self, p):  # broadcasts against the base shape: same shape, a suffix, or a number
        choice = self.data.draw(st.sampled_from(["same", "suffix", "number"]))
        if choice == "number":
            # not float32 subnormals: Keras 3 makes a float32 of a Python number, and TensorFlow
            # flushes those to 0 (a documented difference of every row, see ops_rows.py)
            return repr(self.data.draw(st.floats(-3, 3, width=32, allow_subnormal=False)))
        cut = self.data.draw(st.integers(0, len(self.shape))) if choice == "suffix" else 0
        return self.array(p, self.shape[cut:])

    def _draw_b(self, p):
        values = self.data.draw(st.lists(st.booleans(), min_size=math.prod(self.shape), max_size=math.prod(self.shape)))
        self.arrays[p] = np.asarray(values, dtype=bool).reshape(self.shape)
        return p

    _draw_bx = _draw_b

    def _draw_unit(self, p):
        return self.array(p, self.shape, low=0.0, high=1.0)

    def _draw_prob(self, p):
        name = self.array(p, self.shape, low=0.01, high=1.0)
        self.arrays[p] = self.arrays[p] / self.arrays[p].sum(axis=-1, keepdims=True)
        return name

    def _draw_probc(self, p):
        name = self.array(p, self.shape + [self.ncls], low=0.01, high=1.0)
        self.arrays[p] = self.arrays[p] / self.arrays[p].sum(axis=-1, keepdims=True)
        return name

    def _draw_cls(self, p):
        values = self.data.draw(st.lists(st.integers(0, self.ncls - 1), min_size=math.prod(self.shape), max_size=math.prod(self.shape)))
        self.arrays[p] = np.asarray(values, dtype=self.data.draw(st.sampled_from(["int32", "int64"]))).reshape(self.shape)
        return p

    def _draw_ncls(self, p):
        return str(self.ncls)

    def _draw_idx(self, p):  # indices valid on every axis of the base shape
        rank = self.data.draw(st.integers(0, 2))
        shape = self.data.draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
        values = self.data.draw(st.lists(st.integers(0, min(self.shape) - 1), min_size=math.prod(shape), max_size=math.prod(shape)))
        self.arrays[p] = np.asarray(values, dtype="int32").reshape(shape)
        return p

    def _draw_lst(self, p):
        count = self.data.draw(st.integers(1, 3))
        return "[" + ", ".join(self.array(f"{p}_{i}", self.shape) for i in range(count)) + "]"

    def _draw_m(self, p):  # (..., n, k) @ (k, p): the contraction axis is the base shape's last
        return self.array(p, self.shape)

    def _draw_mr(self, p):
        return self.array(p, [self.shape[-1], self.data.draw(st.integers(1, 4))])

    def _draw_mm(self, p):
        return self.array(p, self.shape[:-2] + [self.shape[-1], self.data.draw(st.integers(1, 4))])

    _draw_sq = _draw_f

    # literals
    def _draw_s(self, p):
        return repr(self.data.draw(st.sampled_from([0.5, 1.0, 2.0, 3.0, -1.0, 1.5])))

    def _draw_lo(self, p):
        return repr(self.data.draw(st.floats(-5, 0, width=32)))

    def _draw_pos(self, p):
        return repr(self.data.draw(st.sampled_from([6, 6.0, 1.0, 0.5, 3])))

    def _draw_hi(self, p):
        return repr(self.data.draw(st.floats(0, 5, width=32)))

    def _draw_img(self, p):  # NHWC or HWC images
        rank = self.data.draw(st.integers(3, 4))
        shape = self.data.draw(st.lists(st.integers(1, 5), min_size=rank, max_size=rank))
        return self.array(p, shape)

    def _draw_hw(self, p):
        return self._sequence(self.data.draw(st.lists(st.integers(1, 8), min_size=2, max_size=2)))

    def _draw_interp(self, p):
        return self.data.draw(st.sampled_from(['"bilinear"', '"nearest"', '"bicubic"', '"area"', '"lanczos3"']))

    def _draw_kc(self, p):
        return str(self.data.draw(st.integers(1, self.ncls)))

    def _draw_pair(self, p):
        return self._sequence(self.data.draw(st.lists(st.integers(0, 3), min_size=2, max_size=2)))

    def _draw_scores(self, p):
        return self.array(p, self.shape + [self.ncls])

    def _draw_shp0(self, p):
        return self._sequence(self.data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3)))

    def _draw_pads(self, p):
        pairs = [self.data.draw(st.lists(st.integers(0, 2), min_size=2, max_size=2)) for _ in self.shape]
        return "[" + ", ".join(f"[{a}, {b}]" for a, b in pairs) + "]"

    def _draw_begin(self, p):
        self.begin = [self.data.draw(st.integers(0, d - 1)) for d in self.shape]
        return self._sequence(self.begin)

    def _draw_size(self, p):
        return self._sequence([self.data.draw(st.integers(1, d - b)) for d, b in zip(self.shape, self.begin)])

    def _draw_k(self, p):
        return str(self.data.draw(st.integers(1, self.shape[-1])))

    def _draw_bias(self, p):  # K.bias_add: a bias for the last axis, or for every axis but the batch
        if len(self.shape) > 1 and self.data.draw(st.booleans()):
            return self.array(p, self.shape[1:])
        return self.array(p, self.shape[-1:])

    def _draw_chl(self, p):
        return self.data.draw(st.sampled_from(['"channels_last"', "None"]))

    def _draw_cond(self, p):  # K.switch: a scalar, rank 1 (broadcast at the end) or a prefix of the shape
        rank = self.data.draw(st.integers(0, len(self.shape)))
        if rank == 1:
            shape = self.data.draw(st.sampled_from([self.shape[-1:], [1]])) if self.shape else [1]
        else:
            shape = [d if self.data.draw(st.booleans()) else 1 for d in self.shape[:rank]]
        values = self.data.draw(st.lists(st.booleans(), min_size=math.prod(shape), max_size=math.prod(shape)))
        self.arrays[p] = np.asarray(values, dtype=bool).reshape(shape)
        return p

    # K.batch_dot: x and y of ranks 2-4 with a batch axis, the contracted axes (drawn first) of equal size
    def _draw_bdx(self, p):
        batch = self.data.draw(st.integers(1, 3))
        x_rank, y_rank = self.data.draw(st.integers(2, 4)), self.data.draw(st.integers(2, 4))
        x_shape = [batch] + self.data.draw(st.lists(st.integers(1, 3), min_size=x_rank - 1, max_size=x_rank - 1))
        y_shape = [batch] + self.data.draw(st.lists(st.integers(1, 3), min_size=y_rank - 1, max_size=y_rank - 1))
        if self.present["axes"]:
            x_axis, y_axis = self.data.draw(st.integers(1, x_rank - 1)), self.data.draw(st.integers(1, y_rank - 1))
            if self.data.draw(st.booleans()):
                y_axis = x_axis if x_axis < y_rank else y_axis  # axes=int: the same axis on both
                self.axes = str(x_axis - x_rank * self.data.draw(st.integers(0, 1))) if x_axis == y_axis else None
            else:
                self.axes = None
            if self.axes is None:
                pair = [x_axis - x_rank * self.data.draw(st.integers(0, 1)), y_axis]
                self.axes = self._sequence(pair)
        else:  # tf_keras' default: x's last axis, y's last (rank 2) or next to last
            x_axis, y_axis = x_rank - 1, (y_rank - 1 if y_rank == 2 else y_rank - 2)
        y_shape[y_axis] = x_shape[x_axis]
        self.y_shape = y_shape
        return self.array(p, x_shape)

    def _draw_bdy(self, p):
        return self.array(p, self.y_shape)

    def _draw_bdaxes(self, p):
        return self.axes

    # K.conv1d/2d/3d: channels_last (batch, *spatial, in) and a kernel (*window, in, out)
    def _draw_cx(self, p):
        self.spatial = int(self.row.source[-2])  # K.conv2d → 2
        self.channels = self.data.draw(st.integers(1, 3))
        sizes = self.data.draw(st.lists(st.integers(3, 5), min_size=self.spatial, max_size=self.spatial))
        return self.array(p, [self.data.draw(st.integers(1, 2))] + sizes + [self.channels])

    def _draw_ck(self, p):
        window = self.data.draw(st.lists(st.integers(1, 3), min_size=self.spatial, max_size=self.spatial))
        return self.array(p, window + [self.channels, self.data.draw(st.integers(1, 3))])

    def _draw_cs(self, p):  # strides or dilation_rate: an int for conv1d, a tuple otherwise
        steps = self.data.draw(st.lists(st.integers(1, 2), min_size=self.spatial, max_size=self.spatial))
        return str(steps[0]) if self.spatial == 1 else self._sequence(steps)

    def _draw_c1(self, p):  # dilation_rate 1, written as K.conv*d's default is
        return "1" if self.spatial == 1 else self._sequence([1] * self.spatial)

    def _draw_cp(self, p):
        return self.data.draw(st.sampled_from(['"valid"', '"same"']))

    def _draw_lastvec(self, p):
        return self.array(p, self.shape[-1:])

    def _draw_segs(self, p):
        ids = sorted(self.data.draw(st.lists(st.integers(0, 3), min_size=self.shape[0], max_size=self.shape[0])))
        self.arrays[p] = np.asarray(ids, dtype="int32")
        return p

    def _draw_true(self, p):
        return "True"

    def _draw_kd(self, p):
        return repr(self.data.draw(st.booleans()))

    def _draw_ax(self, p):
        return str(self.axis)

    _draw_ax0 = _draw_ax1 = _draw_ax

    def _draw_axe(self, p):
        return str(self.data.draw(st.integers(-len(self.shape) - 1, len(self.shape))))

    def _draw_axn(self, p):
        rank = len(self.shape)
        if rank == 0 or self.data.draw(st.booleans()):
            return "None"
        axes = self.data.draw(st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True))
        if len(axes) == 1 and self.data.draw(st.booleans()):
            return str(axes[0] - rank * self.data.draw(st.integers(0, 1)))
        return self._sequence(axes)

    def _draw_axl(self, p):
        axes = self.data.draw(st.lists(st.integers(0, len(self.shape) - 1), min_size=1, max_size=len(self.shape), unique=True))
        return str(axes[0]) if len(axes) == 1 and self.data.draw(st.booleans()) else self._sequence(axes)

    def _sequence(self, items):
        if self.data.draw(st.booleans()):
            return "[" + ", ".join(map(str, items)) + "]"
        return "(" + ", ".join(map(str, items)) + ("," if len(items) == 1 else "") + ")"

    def _draw_dt(self, p):
        return self.data.draw(st.sampled_from(['"float32"', '"float64"', '"int32"', "tf.int64", "tf.float32", '"bool"', "K.floatx()",
                                               'K.dtype(tf.constant(1, "int64"))', 'K.dtype(tf.zeros((2,), "float64"))']))

    def _draw_dtf(self, p):
        return self.data.draw(st.sampled_from(['"float32"', '"float64"', "tf.float32", "K.floatx()"]))

    def _draw_shp(self, p):
        dims = list(self.shape)
        self.data.draw(st.randoms()).shuffle(dims)
        if dims and self.data.draw(st.booleans()):
            dims[self.data.draw(st.integers(0, len(dims) - 1))] = -1
        if not dims or self.data.draw(st.booleans()):
            dims = [-1]
        return self._sequence(dims)

    def _draw_perm(self, p):
        return self._sequence(self.data.draw(st.permutations(range(len(self.shape)))))

    def _draw_reps(self, p):
        reps = self.data.draw(st.lists(st.integers(1, 3), min_size=len(self.shape), max_size=len(self.shape)))
        return self._sequence(reps) if reps else "[]"

    def _draw_bshp(self, p):
        return self._sequence([self.data.draw(st.integers(1, 3))] + self.shape)

    def _draw_n(self, p):
        return str(self.data.draw(st.integers(1, 3)))

    def _draw_one(self, p):
        return "1"

    def _draw_nsplit(self, p):
        axis = self.axis if self.present.get("axis") else 0
        size = self.shape[axis]
        if self.data.draw(st.booleans()):
            return str(self.data.draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0])))
        cuts = sorted(self.data.draw(st.lists(st.integers(0, size), max_size=3)))
        sizes = [b - a for a, b in zip([0] + cuts, cuts + [size])]
        return "[" + ", ".join(map(str, sizes)) + "]"

    def _draw_i0(self, p):
        return str(self.data.draw(st.integers(0, 5) if self.present.get("stop") else st.integers(1, 8)))

    def _draw_i1(self, p):
        return str(self.data.draw(st.integers(6, 12)))

    def _draw_i2(self, p):
        return str(self.data.draw(st.integers(1, 3)))

    def _draw_eq(self, p):
        equation, shapes = self.data.draw(st.sampled_from([
            ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("ij->ji", [(2, 3)]),
            ("bi,bi->b", [(3, 4), (3, 4)]), ("bij,bkj->bik", [(2, 4, 3), (2, 2, 3)]), ("ii->i", [(3, 3)]),
        ]))
        names = [self.array(f"e{i}", list(shape)) for i, shape in enumerate(shapes)]
        return ", ".join([repr(equation)] + names)

    def call(self):
        """(source spelling, argument text)."""
        parts, positional = [], True
        for param, kind, _ in self.spec:
            if not self.present[param]:
                positional = False
                continue
            text = self.text(param, kind)
            if self.row.source == "tf.einsum":
                parts.append(text)
                continue
            position_ok = positional and list(self.row.params).index(param) == len(parts)
            if position_ok and (not parts or self.data.draw(st.booleans())):
                parts.append(text)
            else:
                positional = False
                parts.append(f"{param}={text}")
        spelling = self.data.draw(st.sampled_from((self.row.source,) + self.row.aliases))
        return spelling, ", ".join(parts)


# -- comparing -----------------------------------------------------------------------------------
def _plain(value, libs):
    """(kind, payload) of a result, for comparison."""
    if isinstance(value, (list, tuple)):
        return ("sequence", [_plain(v, libs) for v in value])
    if isinstance(value, np.generic):
        return ("array", (np.asarray(value), libs["K3"].standardize_dtype(value.dtype)))
    if isinstance(value, (int, float, str, bool, type(None))):
        return ("python", value)
    array = np.asarray(libs["ops"].convert_to_numpy(value) if not isinstance(value, np.ndarray) else value)
    dtype = libs["K3"].standardize_dtype(value.dtype)
    return ("array", (array, dtype))


def _assert_same(expected, actual, where):
    kind, payload = expected
    assert actual[0] == kind, f"{where}: {kind} vs {actual[0]}"
    if kind == "sequence":
        assert len(payload) == len(actual[1]), where
        for e, a in zip(payload, actual[1]):
            _assert_same(e, a, where)
    elif kind == "python":
        assert type(payload) is type(actual[1]) and payload == actual[1], f"{where}: {payload!r} vs {actual[1]!r}"
    else:
        (e, e_dtype), (a, a_dtype) = payload, actual[1]
        assert e_dtype == a_dtype, f"{where}: dtype {e_dtype} vs {a_dtype}"
        assert e.shape == a.shape, f"{where}: shape {e.shape} vs {a.shape}"
        if e.dtype.kind == "f":
            rtol, atol = (1e-5, 1e-6) if e.dtype.itemsize <= 4 else (1e-10, 1e-12)
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
        else:
            np.testing.assert_array_equal(a, e, err_msg=where)


def _rewrite(spelling: str, arguments: str) -> str:
    from keraslint.analysis.names import Names
    from keraslint.analysis.scopes import TreeIndex

    text = f"{_HEADER}out = {spelling}({arguments})\n"
    tree = ast.parse(text)
    call = tree.body[-1].value
    names = Names(TreeIndex(tree))
    replacement = keras3.rewrite(spelling, call, lambda node: ast.get_source_segment(text, node), names, "ops", "K3", "keras")
    return replacement


@pytest.mark.parametrize("row", PROVEN, ids=lambda row: row.source)
def test_row_computes_what_the_original_computed(row, libs):
    tf = libs["tf"]
    compared = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(st.data())
    def check(data):
        draw = Draw(data, row)
        spelling, arguments = draw.call()
        original = f"{spelling}({arguments})"
        replacement = _rewrite(spelling, arguments)
        assert replacement is not None, f"the row does not rewrite {original}"
        where = f"{original}  →  {replacement}"
        env = {k: libs[k] for k in ("tf", "K")}
        env.update({name: tf.constant(array) for name, array in draw.arrays.items()})
        try:
            expected = eval(original, env)  # noqa: S307 - text drawn by this test
        except (tf.errors.InvalidArgumentError, ValueError, TypeError) as error:
            hypothesis.assume(False)  # the original rejects these arguments: nothing to compare
            raise AssertionError(error)
        new_env = {k: libs[k] for k in ("ops", "K3", "keras", "tf")}
        helper = backend_helpers.helper_source(row.source, "ops")
        if helper is not None:  # the function the fix inserts into the file
            exec(helper[1], new_env)  # noqa: S102 - keraslint's own helper source
        new_env["K"] = libs["K3"]  # the rewritten file's K is Keras 3's keras.backend
        new_env.update({name: libs["ops"].convert_to_tensor(array) for name, array in draw.arrays.items()})
        actual = eval(replacement, new_env)  # noqa: S307
        _assert_same(_plain(expected, libs), _plain(actual, libs), where)
        compared.append(where)

    check()
    if os.environ.get("KERASLINT_SHOW"):
        print(row.source, len(compared), *compared[:8], sep="\n  ")
    assert compared, "every drawn call was rejected by the original: the row's test spec is wrong"


# -- the table covers what it must, and says true things about the functions --------------------
def _function(source: str, libs):
    module, _, name = source.partition(".")
    target = libs["tf"] if module == "tf" else libs["K"]
    for part in name.split("."):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target


@pytest.mark.parametrize("row", [r for r in SIGNATURE_ROWS if r.params], ids=lambda row: row.source)
def test_row_parameters_are_the_functions_parameters(row, libs):
    function = _function(row.source, libs)
    assert function is not None, f"{row.source} does not exist"
    params = tuple(inspect.signature(function).parameters)
    assert params[: len(row.params)] == row.params


def test_aliases_are_the_same_function(libs):
    for row in OP_ROWS:
        for alias in row.aliases:
            assert _function(alias, libs) is _function(row.source, libs), alias


def test_every_tf_keras_backend_function_has_a_row(libs):
    names = [n for n in dir(libs["K"]) if not n.startswith("_") and callable(getattr(libs["K"], n))]
    assert len(names) > 140
    assert [n for n in names if f"K.{n}" not in ROWS] == []


def test_present_rows_are_exactly_keras3_backend(libs):
    present = {r.source[2:] for r in ROWS.values() if r.kind == "present"}
    assert present == {n for n in dir(libs["K3"]) if not n.startswith("_")}
    removed = {r.source[2:] for r in ROWS.values() if r.source.startswith("K.") and r.kind != "present"}
    assert not [n for n in removed if hasattr(libs["K3"], n)]


def test_the_most_called_tf_ops_have_rows(libs):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from list_op_candidates import merged_tf_counts

    top = merged_tf_counts()[:150]
    assert len(top) == 150
    assert [spelling for spelling, _, spellings in top if not any(keras3.row_for(s) for s in spellings)] == []


def test_counts_file_is_the_committed_script_output():
    with (ROOT / "keraslint" / "fixes" / "data" / "tf_op_counts.tsv").open() as handle:
        header = next(csv.reader(handle, delimiter="\t"))
    assert header[:2] == ["name", "total"]


@settings(max_examples=max(EXAMPLES * 5, 30), deadline=None, database=None)
@given(st.data())
def test_tf_split_helper_splits_like_tf_split_with_run_time_sizes(data):
    """`tf.split(x, sizes)` with sizes known only at run time (a variable: a count, or a list of
    sizes with at most one -1) becomes the inserted `tf_split` (fixes/backend_helpers.py)."""
    import keras
    import tensorflow as tf

    rank = data.draw(st.integers(1, 3))
    shape = data.draw(st.lists(st.integers(1, 5), min_size=rank, max_size=rank))
    axis = data.draw(st.integers(-rank, rank - 1))
    size = shape[axis]
    if data.draw(st.booleans()):
        splits = data.draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
    else:
        cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=3)))
        splits = [b - a for a, b in zip([0] + cuts, cuts + [size])]
        if data.draw(st.booleans()):
            splits[data.draw(st.integers(0, len(splits) - 1))] = -1
    x = np.arange(math.prod(shape), dtype="float32").reshape(shape)
    env = {"ops": keras.ops}
    exec(backend_helpers.helper_source("tf.split", "ops")[1], env)  # noqa: S102 - keraslint's helper
    try:
        expected = tf.split(tf.constant(x), splits, axis=axis)
    except tf.errors.InvalidArgumentError:  # e.g. [-1] alone: TensorFlow refuses it
        hypothesis.assume(False)
    actual = env["tf_split"](keras.ops.convert_to_tensor(x), splits, axis=axis)
    assert len(actual) == len(expected)
    for e, a in zip(expected, actual):
        assert tuple(a.shape) == tuple(e.shape) and a.dtype == e.dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(e))
