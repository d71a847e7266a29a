"""The shared analysis on its own: qualified names, what a value is, the file's target."""

import ast
import textwrap

import pytest

from keraslint.analysis import values as V
from keraslint.analysis.names import Names, canonical, detect_target
from keraslint.analysis.scopes import TreeIndex
from keraslint.analysis.values import Values
from keraslint.engine import check_source


def analyse(source):
    source = textwrap.dedent(source)
    tree = ast.parse(source)
    index = TreeIndex(tree)
    names = Names(index)
    return source, index, names, Values(index, names)


def assigned(index, name):
    """The value expression of the last `name = ...` in the file."""
    found = [n for n in index.nodes(ast.Assign) if any(isinstance(t, ast.Name) and t.id == name for t in n.targets)]
    return found[-1].value


def last_use(index, name):
    uses = [n for n in index.nodes(ast.Name) if n.id == name and isinstance(n.ctx, ast.Load)]
    return uses[-1]


# -- qualified names --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "imports, expression, path, flavor",
    [
        ("import keras", "keras.layers.Multiply", "keras.layers.Multiply", "keras"),
        ("from tensorflow import keras", "keras.layers.Multiply", "keras.layers.Multiply", "tf.keras"),
        ("import tensorflow as tf", "tf.keras.layers.Multiply", "keras.layers.Multiply", "tf.keras"),
        ("from tensorflow.keras import layers as L", "L.Multiply", "keras.layers.Multiply", "tf.keras"),
        ("from keras.layers import *", "Multiply", "keras.layers.Multiply", "keras"),
        ("from keras.layers import Multiply as Mul", "Mul", "keras.layers.Multiply", "keras"),
        ("import tf_keras as keras", "keras.layers.Multiply", "keras.layers.Multiply", "tf_keras"),
        ("from keras import backend as K", "K.variable", "keras.backend.variable", "keras"),
        ("from keras.layers.merge import multiply", "multiply", "keras.layers.multiply", "keras"),
        ("from keras.models import Model", "Model", "keras.Model", "keras"),
        ("from keras.layers import Input", "Input", "keras.Input", "keras"),
        ("import tensorflow.keras as tk", "tk.Input", "keras.Input", "tf.keras"),
        ("import numpy as np", "np.array", "numpy.array", None),
    ],
)
def test_qualified_names_through_import_forms(imports, expression, path, flavor):
    source, index, names, _ = analyse(f"{imports}\nvalue = {expression}\n")
    resolved = names.resolve(assigned(index, "value"))
    assert resolved is not None
    assert (resolved.path, resolved.flavor) == (path, flavor)


@pytest.mark.parametrize(
    "source",
    [
        # a project class with a Keras name
        "from keras.layers import *\nclass Multiply: pass\nvalue = Multiply\n",
        # a parameter called like the module, inside the function
        "from keras import layers\ndef f(layers):\n    value = layers.Multiply\n",
        # a star import of a project module
        "from mymodels import *\nvalue = Multiply\n",
        # bound to two different things
        "import keras\nimport tf_keras as keras\nvalue = keras.layers.Multiply\n",
        # relative import
        "from .layers import Multiply\nvalue = Multiply\n",
    ],
)
def test_shadowed_or_foreign_names_do_not_resolve(source):
    _, index, names, _ = analyse(source)
    assert names.resolve(assigned(index, "value")) is None


def test_a_parameter_shadows_the_module_only_inside_its_function():
    _, index, names, _ = analyse(
        """
        from keras import layers
        def helper(layers):
            inner = layers.Dense
        outer = layers.Dense
        """
    )
    assert names.resolve(assigned(index, "inner")) is None
    assert names.path(assigned(index, "outer")) == "keras.layers.Dense"


def test_canonical_collapses_internal_paths():
    assert canonical("keras.src.layers.merging.multiply.Multiply").path == "keras.layers.Multiply"
    assert canonical("tensorflow.python.keras.layers.Dense").flavor == "tf_keras"
    assert canonical("tensorflow.concat").path == "tensorflow.concat"


def test_module_reference_reuses_imports_and_adds_missing_ones():
    _, _, names, _ = analyse("import tensorflow as tf\nimport numpy\n")
    assert names.module_reference("tensorflow.keras", "keras") == ("tf.keras", [])
    assert names.module_reference("numpy", "np") == ("numpy", [])
    expression, imports = names.module_reference("keras", "keras")
    assert expression == "keras" and [i.render() for i in imports] == ["import keras"]


def test_module_reference_refuses_a_taken_alias():
    _, _, names, _ = analyse("np = 3\n")
    assert names.module_reference("numpy", "np") == (None, [])


# -- target ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, target",
    [
        ("import keras\n", "keras3"),
        ("import tensorflow as tf\nfrom tensorflow import keras\n", "keras3"),
        ("import tf_keras as keras\n", "tf_keras"),
        ("import os\nos.environ['TF_USE_LEGACY_KERAS'] = '1'\nfrom tensorflow import keras\n", "tf_keras"),
        ("from keras.layers.merge import multiply\n", "keras3"),  # Keras 2-era code runs on Keras 3 today
        ("from keras.engine.topology import Layer\n", "keras3"),
        ("import tensorflow as tf\nfrom keras.utils import np_utils\nx = tf.keras.layers.Dense(3)\n", "keras3"),
    ],
)
def test_target_from_imports(source, target):
    _, _, names, _ = analyse(source)
    assert detect_target(names, source) == target


# -- values ----------------------------------------------------------------------------------
def kind_of(source, name):
    _, index, _, values = analyse(source)
    return values.of(last_use(index, name))


@pytest.mark.parametrize(
    "definition, kind, raw_kind, shape",
    [
        ("c = np.array([0.5, 1.5, 2.0, -1.0])", V.RAW, V.ARRAY, (4,)),
        ("c = np.asarray([[1.0, 2.0]])", V.RAW, V.ARRAY, (1, 2)),
        ("c = np.ones((1, 4)) * 0.8", V.RAW, V.ARRAY, (1, 4)),
        ("c = np.full(4, 2.0)", V.RAW, V.ARRAY, (4,)),
        ("c = tf.constant([1.0, 2.0])", V.RAW, V.TENSOR, (2,)),
        ("c = tf.Variable(np.zeros(3))", V.RAW, V.VARIABLE, (3,)),
        ("c = keras.Variable(np.ones(4) * 0.8)", V.RAW, V.VARIABLE, (4,)),
        ("c = K.constant(np.ones(2))", V.RAW, V.TENSOR, (2,)),
        ("c = K.variable(np.ones(2))", V.RAW, V.VARIABLE, (2,)),
        ("c = ops.convert_to_tensor([1.0, 2.0])", V.RAW, V.TENSOR, (2,)),
        ("c = 2.0", V.RAW, V.NUMBER, ()),
        ("c = [1.0, 2.0, 3.0]", V.RAW, V.LIST, (3,)),
        ("c = np.arange(12).reshape(3, 4)", V.RAW, V.ARRAY, (3, 4)),
        ("c = np.ones(4)\nc = np.ones((1, 4))", V.RAW, V.ARRAY, (1, 4)),
    ],
)
def test_raw_values(definition, kind, raw_kind, shape):
    source = "import numpy as np\nimport tensorflow as tf\nimport keras\nfrom keras import ops\nfrom keras import backend as K\n"
    value = kind_of(source + definition + "\nuse(c)\n", "c")
    assert (value.kind, value.raw_kind, value.shape) == (kind, raw_kind, shape)


@pytest.mark.parametrize(
    "definition",
    [
        "c = keras.Input((4,))",
        "c = keras.layers.Dense(3)(keras.Input((4,)))",
        "m = keras.Model(i, o)\nc = m(keras.Input((4,)))",
        "m = keras.applications.MobileNetV2()\nc = m.output",
        "m = keras.Sequential()\nc = m.layers[-1].output",
        "x = keras.Input((4,))\nc = ops.sum(x, axis=-1)",
        "x = keras.Input((4,))\nc = x * 2.0 + 1.0",
        "x = keras.Input((4,))\nc = x[:, 0]",
        "a, c = keras.Input((2,)), keras.Input((4,))",
        "def tower(t):\n    h = keras.layers.Dense(8)(t)\n    return h\nc = tower(keras.Input((4,)))",
        "x = keras.Input((4,))\nc = ops.zeros_like(x) + np.ones(4)",
    ],
)
def test_symbolic_values(definition):
    source = "import numpy as np\nimport keras\nfrom keras import ops\n"
    assert kind_of(source + definition + "\nuse(c)\n", "c").kind == V.SYMBOLIC


@pytest.mark.parametrize(
    "definition, kind",
    [
        ("c = keras.layers.Dense(3)", V.LAYER),
        ("c = keras.Sequential([keras.layers.Dense(3)])", V.MODEL),
        ("c = keras.models.load_model('m.keras')", V.MODEL),
        ("def c(t):\n    return t", V.FUNCTION),
        ("c = some_function()", V.UNKNOWN),
        ("c = 'text'", V.UNKNOWN),
        ("c = [1.0] * 3", V.UNKNOWN),
        ("for c in range(3):\n    pass", V.UNKNOWN),
    ],
)
def test_other_values(definition, kind):
    source = "import keras\n"
    assert kind_of(source + definition + "\nuse(c)\n", "c").kind == kind


def test_parameters_are_unknown():
    value = kind_of("import numpy as np\ndef f(c):\n    return use(c)\n", "c")
    assert value.kind == V.UNKNOWN


def test_last_binding_before_the_use_wins():
    source = "import numpy as np\nimport keras\nc = np.ones(4)\nuse(c)\nc = keras.Input((4,))\n"
    _, index, _, values = analyse(source)
    first_use = [n for n in index.nodes(ast.Name) if n.id == "c" and isinstance(n.ctx, ast.Load)][0]
    assert values.of(first_use).kind == V.RAW


def test_closure_needs_every_binding_to_agree():
    agreeing = "import numpy as np\nc = np.ones(4)\ndef f():\n    return use(c)\nc = np.zeros(4)\n"
    assert kind_of(agreeing, "c").kind == V.RAW
    disagreeing = "import numpy as np\nimport keras\nc = np.ones(4)\ndef f():\n    return use(c)\nc = keras.Input((4,))\n"
    assert kind_of(disagreeing, "c").kind == V.UNKNOWN


def test_self_reference_is_not_its_own_binding():
    assert kind_of("import numpy as np\nc = np.ones(4)\nc = c * 2.0\nuse(c)\n", "c").kind == V.RAW


def test_recursive_helper_does_not_loop():
    source = "import keras\ndef f(t):\n    return f(t)\nc = f(keras.Input((4,)))\nuse(c)\n"
    assert kind_of(source, "c").kind == V.UNKNOWN


# -- scopes ----------------------------------------------------------------------------------
def test_default_values_resolve_in_the_enclosing_scope():
    source, index, _, _ = analyse("w = 3\nf = lambda t, w=w: t * w\n")
    lam = index.nodes(ast.Lambda)[0]
    default = lam.args.defaults[0]
    owner, _ = index.lookup("w", index.scope_at(default))
    assert owner is index.module_scope
    body_use = lam.body.right
    owner, _ = index.lookup("w", index.scope_at(body_use))
    assert owner is index.scope_of[lam]


def test_comprehension_target_is_local_and_first_iterable_is_outside():
    _, index, _, _ = analyse("ws = [1, 2]\nouts = [w * 2 for w in ws]\n")
    comprehension = index.nodes(ast.ListComp)[0]
    inner = index.scope_of[comprehension]
    assert "w" in inner.bindings and "w" not in index.module_scope.bindings
    iterable = comprehension.generators[0].iter
    assert index.scope_at(iterable) is index.module_scope


def test_deep_expressions_do_not_hit_the_recursion_limit():
    depth = 1
    while depth < 20000:  # the deepest expression ast.parse still accepts here
        try:
            ast.parse("x = " + " + ".join(["1"] * (depth * 2)))
        except RecursionError:
            break
        depth *= 2
    source = "import keras\nimport numpy as np\nc = " + " + ".join(["np.ones(4)"] * depth) + "\n"
    source += "y = keras.layers.Add()([keras.Input((4,)), c])\n"
    tree = ast.parse(source)
    index = TreeIndex(tree)
    assert len(index.nodes(ast.BinOp)) == depth - 1
    check_source(source)  # values recurse through the chain: too deep is "unknown", not a crash


@pytest.mark.parametrize(
    "source, target",
    [
        ("import tensorflow as tf\nimport tf_keras\nx = tf.reshape(y, (-1,))\n", "tf_keras"),
        ("import tensorflow as tf\nx = tf.keras.Input((4,))\n", "keras3"),
        ("import tensorflow as tf\nimport tf_keras\nx = tf.keras.Input((4,))\n", "tf_keras"),
        (
            "import tensorflow as tf\nfrom tensorflow.python.keras.layers import Input, Conv2D\n"
            "from tensorflow.python.keras.models import Model\nx = tf.keras.backend.int_shape(Input((4,)))\n",
            "tf_keras",
        ),
    ],
)
def test_plain_tensorflow_import_does_not_vote_for_a_keras_flavour(source, target):
    _, _, names, _ = analyse(source)
    assert detect_target(names, source) == target


@pytest.mark.parametrize(
    "text, saves",
    [
        ("model.save('m.keras')", True),
        ("keras.saving.save_model(model, 'm.keras')", True),
        ("config = model.to_json()", True),
        ("callbacks = [keras.callbacks.ModelCheckpoint('best.keras')]", True),
        ("config = model.get_config()", True),
        ("def get_config(self):\n    return {**super().get_config(), 'units': 3}", False),
        ("base = super(Layer, self).get_config()", False),
        ("config = self.get_config()", False),
        ("model.fit(x, y)", False),
        ("save_model(model, 'm.h5')", True),
        ("tf.keras.models.save_model(model, 'm.h5')", True),
        # weights only, or a project's own method merely named save_model
        ("model.save_weights('w.h5')", False),
        ("def save_model(self, out_dir):\n    self.gen.save_weights(out_dir)", False),
        ("super().save_model(out_dir, epoch)", False),
        ("self.save_model(out_dir, epoch)", False),
    ],
)
def test_saves_model(text, saves):
    from keraslint.engine import saves_model

    assert saves_model(text) == saves


def test_keras_internal_backend_is_not_the_public_backend():
    assert canonical("keras.src.backend.convert_to_tensor").path == "keras.src.backend.convert_to_tensor"
    assert canonical("keras.src.ops.convert_to_tensor").path == "keras.ops.convert_to_tensor"


def test_exclusive_branches():
    _, index, _, _ = analyse(
        """
        if flag:
            a = 1
        else:
            b = 2
        try:
            c = 3
        except ImportError:
            d = 4
        e = 5
        """
    )
    names = {n.id: n for n in index.nodes(ast.Name)}
    assert index.exclusive(names["a"], names["b"])
    assert index.exclusive(names["c"], names["d"])
    assert not index.exclusive(names["a"], names["e"])
    assert not index.exclusive(names["a"], names["c"])
