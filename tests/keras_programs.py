"""A generator of runnable Keras model programs, for the linter's end-to-end tests.

Each program is a module in the style of real model code: imports in one of the spellings
people use (`keras`, `tf_keras`), module-level constants, helper functions called once or
several times, a plain class whose methods build layers, and a `build_model()` whose body
chains blocks: Dense layers, loops, Merge layers with symbolic and raw operands, Lambdas
(self-contained, capturing a constant, made in a loop or comprehension, naming a module,
returning a function), TensorFlow ops, `K.*` and `keras.ops` calls. Every block keeps the
working tensor at shape `(None, 4)`, so blocks compose; some blocks are the mistakes the rules
look for (and may crash when run), most are not.

A program defines `build_model()` and `INPUT_SHAPES` (per-sample shapes of the model's
inputs), which is all tests/test_generated_models.py needs to build and run it.

Two drivers share the same code: `keras_programs()` is a hypothesis strategy (shrinks a
failing program), `seeded_program(seed)` draws with `random.Random(seed)`, for batches that
must be reproducible and run in one subprocess.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import strategies as st

FLAVORS = ("keras3", "tf_keras")
VECTORS = ("[0.5, 1.5, 2.0, -1.0]", "[-0.25, 0.75, 3.0, 1.25]", "[2.0, -1.5, 0.5, 0.125]")


@dataclass(frozen=True)
class Program:
    source: str
    flavor: str  # "keras3" or "tf_keras"
    blocks: tuple  # the block kinds, in order: what the program was built from


class _RandomChooser:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def choice(self, options):
        return self.rng.choice(list(options))

    def integer(self, low, high):
        return self.rng.randint(low, high)


class _HypothesisChooser:
    def __init__(self, draw):
        self.draw = draw

    def choice(self, options):
        return self.draw(st.sampled_from(list(options)))

    def integer(self, low, high):
        return self.draw(st.integers(low, high))


class _Writer:
    """Collects the module's lines and build_model's body while blocks are drawn."""

    def __init__(self, ch, flavor):
        self.ch = ch
        self.flavor = flavor
        self.module: list[str] = []
        self.body: list[str] = []
        self.counter = 0
        self.layers = ch.choice(["layers.", "keras.layers."] if flavor == "tf_keras" else ["layers.", "keras.layers.", "L."])
        self.tensors = ["x0"]  # tensors of shape (None, 4)
        self.outputs: list[str] = []
        self.saves = False

    def name(self, stem):
        self.counter += 1
        return f"{stem}{self.counter}"

    def vector(self):
        return self.ch.choice(VECTORS)

    def current(self):
        return self.tensors[-1]

    def pick(self):
        return self.ch.choice(self.tensors)

    def emit(self, *lines):
        self.body.extend(lines)

    def push(self, tensor):
        self.tensors.append(tensor)


# --------------------------------------------------------------------------- blocks
# Each block reads tensors of shape (None, 4) and pushes one new tensor of that shape.


def dense(w):
    h = w.name("h")
    activation = w.ch.choice(['"relu"', '"tanh"', "None"])
    w.emit(f"{h} = {w.layers}Dense(4, activation={activation})({w.current()})")
    w.push(h)


def dense_loop(w):
    h = w.name("h")
    w.emit(f"{h} = {w.current()}", f"for _ in range({w.ch.integer(1, 3)}):", f"    {h} = {w.layers}Dense(4, activation=\"relu\")({h})")
    w.push(h)


def normalise(w):
    h = w.name("h")
    layer = w.ch.choice(["LayerNormalization()", "BatchNormalization()", "Dropout(0.5)", "ReLU()", "Activation(\"sigmoid\")"])
    w.emit(f"{h} = {w.layers}{layer}({w.current()})")
    w.push(h)


def merge_symbolic(w):
    h = w.name("h")
    a, b = w.current(), w.pick()
    layer = w.ch.choice(["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"])
    if w.ch.choice([True, False]):
        call = f"{w.layers}{layer}()([{a}, {b}])"
    else:
        call = f"{w.layers}{layer.lower()}([{a}, {b}])"
    if layer == "Concatenate":
        call = f"{w.layers}Dense(4)({call})"
    w.emit(f"{h} = {call}")
    w.push(h)


def _constant(w):
    """A raw operand: (the expression to use, lines that define it)."""
    kinds = ["np", "np_row", "list", "number"]
    kinds += ["ops", "tf", "variable"] if w.flavor == "keras3" else ["K", "tf"]
    kind = w.ch.choice(kinds)
    vector = w.vector()
    value = {
        "np": f"np.array({vector})",
        "np_row": f"np.array([{vector}])",
        "list": vector,
        "number": w.ch.choice(["2.0", "0.5"]),
        "ops": f"ops.convert_to_tensor({vector})",
        "tf": f"tf.constant({vector})",
        "variable": f"keras.Variable(np.array({vector}))",
        "K": f"K.constant(np.array({vector}))",
    }[kind]
    placement = w.ch.choice(["module", "local", "inline"])
    if placement == "inline" or kind == "number":
        return value, []
    name = w.name("C") if placement == "module" else w.name("c")
    line = f"{name} = {value}"
    if placement == "module":
        w.module.append(line)
        return name, []
    return name, [line]


def merge_raw(w):
    """KER101: a raw constant as a Merge-layer operand."""
    h = w.name("h")
    constant, lines = _constant(w)
    layer = w.ch.choice(["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"])
    operands = [w.current(), constant] if w.ch.integer(0, 3) else [constant, w.current()]
    arguments = "axes=-1" if layer == "Dot" else ""
    call = f"{w.layers}{layer}({arguments})([{', '.join(operands)}])"
    if layer in ("Concatenate", "Dot"):
        call = f"{w.layers}Dense(4)({call})"
    w.emit(*lines, f"{h} = {call}")
    w.push(h)


def lambda_simple(w):
    """A self-contained Lambda, or one with `arguments=`: nothing to report."""
    h = w.name("h")
    if w.ch.choice([True, False]):
        w.emit(f"{h} = {w.layers}Lambda(lambda t: t * 2.0 - 1.0)({w.current()})")
    else:
        w.emit(f"{h} = {w.layers}Lambda(lambda t, k: t * k, arguments={{\"k\": 0.5}})({w.current()})")
    w.push(h)


def lambda_capture(w):
    """KER201: a Lambda whose function captures a constant."""
    h = w.name("h")
    kind = w.ch.choice(["scale", "array", "shift", "floor", "slice"])
    where = w.ch.choice(["module", "local"])
    name = w.name("SCALE" if where == "module" else "scale")
    value = {"scale": "1.5", "array": f"np.array({w.vector()})", "shift": "0.25", "floor": f"np.array({w.vector()})", "slice": "2"}[kind]
    (w.module if where == "module" else w.body).append(f"{name} = {value}")
    t = w.current()
    body = {
        "scale": f"t * {name}",
        "array": f"t * {name}",
        "shift": f"t + {name}",
        "floor": f"{'ops' if w.flavor == 'keras3' else 'tf'}.maximum(t, {name})",
        "slice": f"t[:, :{name}] * 2.0",
    }[kind]
    w.emit(f"{h} = {w.layers}Lambda(lambda t: {body})({t})")
    if kind == "slice":  # (None, 2): back to 4 features
        w.emit(f"{h} = {w.layers}Dense(4)({h})")
    w.push(h)


def lambda_loop(w):
    """KER202: Lambdas made in a loop or comprehension read the loop variable late."""
    h = w.name("h")
    parts = w.name("parts")
    t = w.current()
    weights = w.ch.choice(["[0.5, 2.0]", "(0.25, 1.0, 3.0)", "[1.5, -1.0]"])
    if w.ch.choice([True, False]):
        w.emit(f"{parts} = []", f"for k in {weights}:", f"    {parts}.append({w.layers}Lambda(lambda t: t * k)({t}))")
    else:
        w.emit(f"{parts} = [{w.layers}Lambda(lambda t: t * k)({t}) for k in {weights}]")
    w.emit(f"{h} = {w.layers}Add()({parts})")
    w.push(h)


def lambda_returns_function(w):
    """KER203: a Lambda that returns a function object."""
    h = w.name("h")
    helper = w.name("double")
    w.module.append(f"def {helper}(t):\n    return t * 2.0\n")
    w.emit(f"{h} = {w.layers}Lambda(lambda t: {helper})({w.current()})")
    w.push(h)


def lambda_module(w):
    """KER204: a Lambda that names a module (reported when the file saves a model)."""
    h = w.name("h")
    body = w.ch.choice(["ops.relu(t)", "ops.abs(t) + 1.0"] if w.flavor == "keras3" else ["tf.nn.relu(t)", "tf.abs(t) + 1.0"])
    w.emit(f"{h} = {w.layers}Lambda(lambda t: {body})({w.current()})")
    w.push(h)


def tf_op(w):
    """KER301 on Keras 3 (fine on tf_keras): a TensorFlow op on a symbolic tensor."""
    h = w.name("h")
    a, b = w.current(), w.pick()
    call = w.ch.choice([f"tf.nn.relu({a})", f"tf.multiply({a}, {b})", f"tf.abs({a})", f"tf.tanh({a})",
                        f"tf.maximum({a}, {b})", f"tf.square({a})", f"tf.add({a}, {b})"])
    w.emit(f"{h} = {call}")
    w.push(h)


def backend(w):
    """KER302 on Keras 3 (fine on tf_keras): a removed `keras.backend` function."""
    h = w.name("h")
    call = w.ch.choice([f"K.softmax({w.current()})", f"K.clip({w.current()}, -0.5, 0.5)", f"K.pow({w.current()}, 2)",
                        f"K.l2_normalize({w.current()}, axis=-1)"])
    w.emit(f"{h} = {call}")
    w.push(h)


def ops_call(w):
    """keras.ops on Keras 3 (nothing to report)."""
    h = w.name("h")
    if w.flavor == "tf_keras":
        return dense(w)
    w.emit(f"{h} = {w.ch.choice(['ops.relu', 'ops.tanh', 'ops.abs'])}({w.current()})")
    w.push(h)


def helper(w):
    """A helper that creates layers, called once, or twice on same-shaped inputs (KER102),
    maybe with a constant layer name (KER103)."""
    fn = w.name("block")
    named = w.ch.integer(0, 3) == 0
    name_arg = f', name="{fn}_dense"' if named else ""
    w.module.append(f"def {fn}(t):\n    t = {w.layers}Dense(4, activation=\"relu\"{name_arg})(t)\n    return {w.layers}Dense(4)(t)\n")
    h = w.name("h")
    if w.ch.choice([True, False]):
        w.emit(f"{h} = {fn}({w.current()})")
    else:
        if "x1" not in w.tensors:
            w.tensors.insert(0, "x1")
        merge = w.ch.choice(["Subtract", "Add", "Maximum"])
        first = w.ch.choice(["x0", w.current()])  # two Inputs: shapes the analysis can prove equal
        w.emit(f"{h} = {w.layers}{merge}()([{fn}({first}), {fn}(x1)])")
    w.push(h)


def class_method(w):
    """A plain class whose methods build layers (as in real code), called once or twice."""
    cls = w.name("Blocks")
    w.module.append(
        f"class {cls}:\n    def __init__(self, units):\n        self.units = units\n\n"
        f"    def dense(self, t):\n        return {w.layers}Dense(self.units, activation=\"relu\")(t)\n\n"
        f"    def scaled(self, t):\n        return {w.layers}Lambda(lambda v: v * 0.5)(self.dense(t))\n"
    )
    h = w.name("h")
    method = w.ch.choice(["dense", "scaled"])
    if w.ch.choice([True, False]):
        w.emit(f"{h} = {cls}(4).{method}({w.current()})")
    else:
        b = w.name("b")
        w.emit(f"{b} = {cls}(4)", f"{h} = {w.layers}Average()([{b}.{method}({w.current()}), {b}.{method}({w.pick()})])")
    w.push(h)


def sequential(w):
    """A Sequential sub-model, built from a list or with `.add` (KER105 when its result is called)."""
    seq, h = w.name("seq"), w.name("h")
    if w.ch.integer(0, 4):
        w.emit(f"{seq} = keras.Sequential([{w.layers}Dense(4, activation=\"relu\"), {w.layers}Dense(4)])", f"{h} = {seq}({w.current()})")
    else:
        w.emit(f"{seq} = keras.Sequential()", f"{h} = {seq}.add({w.layers}Dense(4))({w.current()})")
    w.push(h)


def clone(w):
    """KER104: a clone used as a copy (predict) without its weights; the model uses the original."""
    seq, twin, h = w.name("seq"), w.name("twin"), w.name("h")
    w.emit(
        f"{seq} = keras.Sequential([keras.Input((4,)), {w.layers}Dense(4)])",
        f"{twin} = keras.models.clone_model({seq})",
        f"{twin}.predict(np.ones((2, 4)), verbose=0)",
        f"{h} = {seq}({w.current()})",
    )
    w.push(h)


def mixed(w):
    """KER106: a layer of the other Keras package in the model (crashes or drops weights)."""
    h = w.name("h")
    other = "tf_keras" if w.flavor == "keras3" else "keras"
    w.module.insert(0, f"import {other} as other_keras")
    w.emit(f"{h} = other_keras.layers.Dense(4)({w.current()})")
    w.push(h)


def output(w):
    """Make an intermediate tensor a model output too."""
    if w.current() not in w.outputs:
        w.outputs.append(w.current())


BLOCKS = {
    "dense": (dense, 3), "dense_loop": (dense_loop, 1), "normalise": (normalise, 2),
    "merge_symbolic": (merge_symbolic, 2), "merge_raw": (merge_raw, 3),
    "lambda_simple": (lambda_simple, 1), "lambda_capture": (lambda_capture, 2), "lambda_loop": (lambda_loop, 1),
    "lambda_returns_function": (lambda_returns_function, 1), "lambda_module": (lambda_module, 2),
    "tf_op": (tf_op, 1), "backend": (backend, 1), "ops_call": (ops_call, 1),
    "helper": (helper, 2), "class_method": (class_method, 1), "sequential": (sequential, 1), "output": (output, 1),
    "clone": (clone, 1), "mixed": (mixed, 1),
}
_WEIGHTED = [name for name, (_, weight) in BLOCKS.items() for _ in range(weight)]

IMPORTS = {
    "keras3": {
        "layers.": "import keras\nimport numpy as np\nimport tensorflow as tf\nfrom keras import backend as K\nfrom keras import layers, ops\n",
        "keras.layers.": "import numpy as np\nimport tensorflow as tf\nimport keras\nfrom keras import ops\nimport keras.backend as K\n",
        "L.": "import keras\nimport keras.layers as L\nimport numpy as np\nimport tensorflow as tf\nfrom keras import backend as K, ops\n",
    },
    "tf_keras": {
        "layers.": "import numpy as np\nimport tensorflow as tf\nimport tf_keras as keras\nfrom tf_keras import backend as K\nfrom tf_keras import layers\n",
        "keras.layers.": "import numpy as np\nimport tensorflow as tf\nimport tf_keras as keras\nimport tf_keras.backend as K\n",
    },
}


def draw_program(ch) -> Program:
    flavor = ch.choice(FLAVORS)
    w = _Writer(ch, flavor)
    kinds = []
    if ch.choice([True, False]):
        w.emit(f"x = {w.layers}Dense(4)(x0)")  # start from a layer output, as most models do
        w.tensors.append("x")
    for _ in range(ch.integer(1, 5)):
        kind = ch.choice(_WEIGHTED)
        BLOCKS[kind][0](w)
        kinds.append(kind)
    if w.current() not in w.outputs:
        w.outputs.append(w.current())
    inputs = ["x0"] + (["x1"] if "x1" in w.tensors else [])
    model_inputs = inputs[0] if len(inputs) == 1 else f"[{', '.join(inputs)}]"
    model_outputs = w.outputs[0] if len(w.outputs) == 1 else f"[{', '.join(w.outputs)}]"
    lines = [IMPORTS[flavor][w.layers]]
    lines.append(f"INPUT_SHAPES = {[(4,)] * len(inputs)!r}\n")
    lines += [m + "\n" for m in w.module]
    body = [f"    {i} = keras.Input((4,))" for i in inputs]
    body += ["    " + line.replace("\n", "\n    ") for line in w.body]
    body.append(f"    return keras.Model({model_inputs}, {model_outputs})")
    lines.append("def build_model():\n" + "\n".join(body) + "\n")
    if ch.integer(0, 2) == 0:  # a file that saves: KER204 is on by default there
        lines.append("def export(path):\n    build_model().save(path)\n")
        kinds.append("saves")
    return Program("\n".join(lines), flavor, tuple(kinds))


@st.composite
def keras_programs(draw) -> Program:
    """Hypothesis strategy: a random Keras model program."""
    return draw_program(_HypothesisChooser(draw))


def seeded_program(seed: int) -> Program:
    """The same generator, driven by `random.Random(seed)`: reproducible batches."""
    return draw_program(_RandomChooser(random.Random(seed)))
