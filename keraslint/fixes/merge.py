"""KER101's fixes: a raw Merge-layer operand becomes part of the model.

Element-wise merges of one tensor and one constant become `Rescaling(scale=…, offset=…)`; other
merges keep the Merge layer and get `ConstantOperand(c)(x)`, a registered layer whose source this
module inserts into the user's module, after its imports, so the fixed file stays self-contained
(no runtime dependency on keraslint). On tf_keras, values go into layer configs as lists.

The helper class is decorated with `register_keras_serializable` because `load_model` in safe
mode only rebuilds classes it finds in the registry: a process that imports the fixed module
(which registers the class) can load the saved model. The package is `keraslint`, so the saved
name is `keraslint>ConstantOperand` whichever module defines it; every copy of the text is
identical, so re-registering is harmless. The decorator is taken from `utils`, not `saving`:
`tf.keras` on TensorFlow 2.16+ with Keras 3 (`keras._tf_keras.keras`) has no `saving`.

The helper source is only a string here: this module must not import TensorFlow, Keras or numpy.
"""

from __future__ import annotations

import ast
import re
from string import Template

from keraslint.analysis import values as V
from keraslint.violations import SAFE, UNSAFE, AddHelper, AddImport, FixSpec, Replace

CONSTANT_OPERAND = "ConstantOperand"  # the class name the snippet defines
TARGETS = ("keras3", "tf_keras")

# `$keras`, `$np`, `$tf` are the user's local names for those modules.  The
# constant is kept without a batch axis and broadcast to the batch of `x` at
# call time, which is what the user meant by passing it to a Merge layer.
_HEAD = '''\
@$keras.utils.register_keras_serializable(package="keraslint")
class ConstantOperand($keras.layers.Layer):
    """A per-sample constant, broadcast to the batch of its input.

    Inserted by keraslint: Merge layers read axis 0 of every operand as the
    batch axis, so a raw array must be given a batch axis by a layer.  The
    value is one non-trainable float32 weight, so it is saved with the model.
    """

    def __init__(self, value, **kwargs):
        super().__init__(**kwargs)
        self.value = $np.asarray(value, dtype="float32")

    def build(self, input_shape):
        self.constant = self.add_weight(
            name="value",
            shape=self.value.shape,
            dtype="float32",
            initializer="zeros",
            trainable=False,
        )
        self.constant.assign(self.value)
'''

_KERAS3_CALL = '''
    def call(self, x):
        batch = $keras.ops.shape(x)[0]
        return $keras.ops.broadcast_to(self.constant, (batch,) + self.value.shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.value.shape
'''

_TF_KERAS_CALL = '''
    def call(self, x):
        shape = $tf.concat([$tf.shape(x)[:1], $tf.shape(self.constant)], axis=0)
        return $tf.broadcast_to(self.constant, shape)

    def compute_output_shape(self, input_shape):
        batch = $tf.TensorShape(input_shape)[:1]
        return batch.concatenate(self.value.shape)
'''

# JSON-native config: `.tolist()`, never an ndarray (safe load rejects it).
_TAIL = '''
    def get_config(self):
        return {**super().get_config(), "value": self.value.tolist()}
'''

_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\Z")


def constant_operand(keras: str, np: str, tf: str | None, target: str) -> str:
    """Source of class ``ConstantOperand`` for the user's module.

    ``keras``, ``np`` and ``tf`` are the names the module has for the Keras
    module (``"keras"``, ``"tf.keras"``, the tf_keras alias …), numpy and
    tensorflow.  ``target`` is ``"keras3"`` (the code uses ``keras.ops``;
    ``tf`` is not used and may be None) or ``"tf_keras"`` (the code uses
    ``tf``, which is then required).  The text ends with a newline.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; expected one of {TARGETS}")
    if target == "tf_keras" and tf is None:
        raise ValueError("target 'tf_keras' needs the module's name for tensorflow")
    names = {"keras": keras, "np": np, "tf": tf or ""}
    for role, name in names.items():
        if (role != "tf" or target == "tf_keras") and not _DOTTED_NAME.match(name):
            raise ValueError(f"not a module name for {role}: {name!r}")
    call = _KERAS3_CALL if target == "keras3" else _TF_KERAS_CALL
    return Template(_HEAD + call + _TAIL).substitute(names)

ELEMENTWISE = {"Add", "Subtract", "Multiply", "Average"}
_BROADCASTING = ELEMENTWISE | {"Maximum", "Minimum"}  # a scalar operand broadcasts in these


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def build_fix(call, layer, class_ref, operands, values, ctx):
    """The FixSpec for a raw operand in a Merge-layer call, or None (report only)."""
    target = ctx.target
    if target == "keras2":
        return None  # standalone Keras 2 has neither Rescaling nor keras.saving
    raw_positions = [i for i, value in enumerate(values) if value.is_raw]
    others = [i for i, value in enumerate(values) if not value.is_raw]
    if not others:
        return None  # nothing to take the batch size from
    if layer in ELEMENTWISE and len(values) == 2:
        return _rescaling_fix(call, layer, class_ref, operands, values, raw_positions[0], others[0], ctx)
    return _constant_operand_fix(layer, operands, values, raw_positions, others, ctx)


def _rescaling_fix(call, layer, class_ref, operands, values, raw_at, tensor_at, ctx):
    value = values[raw_at]
    rescaling, imports = _rescaling_reference(class_ref, ctx)
    np_name, np_imports = ctx.names.module_reference("numpy", "np")
    if rescaling is None or np_name is None:
        return None
    operand = ctx.segment(operands.elts[raw_at])
    tensor = ctx.segment(operands.elts[tensor_at])
    as_list = ctx.target != "keras3"  # tf_keras cannot deserialize an ndarray in the config
    plain = _plain_value(operands.elts[raw_at], value, operand, np_name, as_list)
    if layer == "Multiply":
        arguments = f"scale={plain}"
    elif layer == "Add":
        arguments = f"1.0, offset={plain}"
    elif layer == "Subtract" and raw_at == 1:  # x - c
        arguments = f"1.0, offset={_scaled(operands.elts[raw_at], value, operand, -1.0, np_name, as_list)}"
    elif layer == "Subtract":  # c - x
        arguments = f"-1.0, offset={plain}"
    else:  # Average: (x + c) / 2
        arguments = f"0.5, offset={_scaled(operands.elts[raw_at], value, operand, 0.5, np_name, as_list)}"
    text = f"{rescaling}({arguments})({tensor})"
    uses_np = f"{np_name}." in arguments.replace(operand, "")  # only our own wrappers name numpy
    edits = (Replace(ctx.span(call), text), *imports, *(np_imports if uses_np else ()))
    was_right = value.shape is not None and len(value.shape) == 2 and value.shape[0] == 1 and value.raw_kind != V.VARIABLE
    was_right = was_right or keras3_bias_add(layer, operands.elts, values, ctx.target)
    title = f"Replace with `{rescaling}({short(arguments)})`"
    return FixSpec(SAFE if was_right else UNSAFE, title, edits)


def keras3_bias_add(layer, elements, values, target):
    """`Add`/`Average([x, c])` on Keras 3 with an `(N,)` array or tensor `c`: the TensorFlow
    backend adds it with `bias_add`, so the numbers are right (only the symbolic shape is not).
    Measured on Keras 3.15.1: B=1/3/4 exact and the model reloads; `[c, x]` raises, a list or
    a number raises, and a variable is never trained (so a fix there depends on intent)."""
    if target != "keras3" or layer not in ("Add", "Average") or len(values) != 2:
        return False
    tensor, constant = values
    return (
        not tensor.is_raw
        and constant.is_raw
        and constant.raw_kind in (V.ARRAY, V.TENSOR)
        and constant.shape is not None
        and len(constant.shape) == 1
    )


def _plain_value(node, value, text, np_name, as_list):
    """The constant as Rescaling's argument: itself (a number stays a number), or a JSON-native
    list where an ndarray or tensor would reach a tf_keras config."""
    if value.raw_kind in (V.NUMBER, V.LIST):
        return text
    if value.raw_kind == V.VARIABLE and not as_list:
        return f"{np_name}.asarray({text})"  # a Variable in a layer config does not serialize
    if as_list:
        return f'{np_name}.asarray({text}, dtype="float32").tolist()'
    return text


def _scaled(node, value, text, factor, np_name, as_list):
    """`factor * c` (factor -1 or 0.5) written the way a person would: `-0.5`, `-w`, `w / 2`,
    `-OFFSET` for an array or tensor on Keras 3, and through numpy where the value is a list or
    variable or must become a list for a tf_keras config."""
    number = _literal_number(node)
    if number is not None:
        return repr(float(number) * factor)
    simple = isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call))
    if value.raw_kind == V.NUMBER or (value.raw_kind in (V.ARRAY, V.TENSOR) and not as_list):
        operand = text if simple else f"({text})"
        return f"-{operand}" if factor == -1.0 else f"{operand} / 2"
    array = f'{np_name}.asarray({text}, dtype="float32")'
    scaled = f"-{array}" if factor == -1.0 else f"{array} / 2"
    return f"({scaled}).tolist()" if as_list else scaled


def _literal_number(node):
    try:
        number = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return number if isinstance(number, (int, float)) and not isinstance(number, bool) else None


def _rescaling_reference(class_ref, ctx):
    """How to name `Rescaling` from the module the Merge layer came from."""
    qualified = ctx.names.resolve(class_ref)
    if qualified is None:
        return None, ()
    module = qualified.raw.rsplit(".", 1)[0]
    if module.endswith((".merge", ".merging")):
        module = module.rsplit(".", 1)[0]
    if isinstance(class_ref, ast.Attribute) and ctx.names.resolve(class_ref.value) is not None and ctx.names.resolve(class_ref.value).raw == module:
        return f"{ctx.segment(class_ref.value)}.Rescaling", ()
    existing = ctx.names.import_path("Rescaling", ctx.index.module_scope)
    if existing == f"{module}.Rescaling":
        return "Rescaling", ()
    if isinstance(class_ref, ast.Name) and existing is None and ctx.names.is_free("Rescaling"):
        # `Multiply` imported by name: import `Rescaling` the same way, next to it
        return "Rescaling", (AddImport(module, "Rescaling"),)
    expression = ctx.names.module_expression(module)
    if expression is not None:
        return f"{expression}.Rescaling", ()
    if ctx.names.is_free("Rescaling"):
        return "Rescaling", (AddImport(module, "Rescaling"),)
    return None, ()


def _constant_operand_fix(layer, operands, values, raw_positions, others, ctx):
    reference = operands.elts[others[0]]
    if not _plain_reference(reference):
        return None  # repeating a call expression would build a second layer
    if _in_method(reference, ctx):
        return None  # a layer's `call` would create a new weight on every run
    helper = _helper(ctx)
    if helper is None:
        return None
    edits = list(helper)
    for index in raw_positions:
        value = values[index]
        if value.raw_kind == V.NUMBER and layer not in _BROADCASTING:
            return None  # a scalar has no per-sample shape to concatenate or dot with
        # the value is read when the module runs: any expression works, its shape need not be known
        text = ctx.segment(operands.elts[index])
        if value.shape is not None and len(value.shape) >= 2 and value.shape[0] == 1:
            text = f"{text}[0]"  # a (1, N) constant: its only row is the per-sample value
        edits.insert(0, Replace(ctx.span(operands.elts[index]), f"{CONSTANT_OPERAND}({text})({ctx.segment(reference)})"))
    return FixSpec(UNSAFE, f"Wrap the constant in `{CONSTANT_OPERAND}(...)`", tuple(edits))


def _in_method(node, ctx) -> bool:
    scope = ctx.index.scope_at(node)
    while scope.kind == "comprehension":
        scope = scope.parent
    return scope.kind == "function" and scope.parent is not None and scope.parent.kind == "class"


def _plain_reference(node) -> bool:
    """A tensor expression that names an existing value (`x`, `self.x`, `inputs[0]`)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
            return False
        node = node.value
    return isinstance(node, ast.Name)


def _helper(ctx):
    """Edits that define ConstantOperand in the module (and import what it needs)."""
    name_taken = not ctx.names.is_free(CONSTANT_OPERAND)
    already_ours = any(
        isinstance(node, ast.ClassDef) and node.name == CONSTANT_OPERAND for node in ctx.tree.body
    )
    if name_taken and not already_ours:
        return None
    imports = []
    if ctx.target == "keras3":
        keras, extra = ctx.names.module_reference("keras", "keras")
        imports += extra
        tf = None
    else:
        keras_module = "tf_keras" if ctx.names.module_expression("tf_keras") else "tensorflow.keras"
        keras, extra = ctx.names.module_reference(keras_module, "keras" if keras_module == "tensorflow.keras" else "tf_keras")
        imports += extra
        tf, extra = ctx.names.module_reference("tensorflow", "tf")
        imports += extra
        if tf is None:
            return None
    np_name, extra = ctx.names.module_reference("numpy", "np")
    imports += extra
    if keras is None or np_name is None:
        return None
    source = constant_operand(keras=keras, np=np_name, tf=tf, target="keras3" if ctx.target == "keras3" else "tf_keras")
    return (*imports, AddHelper(CONSTANT_OPERAND, source))
