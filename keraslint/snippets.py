"""Source text of the helper layers that fixes insert into a user's module.

Some fixes need a layer that Keras does not ship: KER101 turns a raw constant
given to a Merge layer into ``ConstantOperand(c)(x)``.  The fixer pastes the
class definition returned here into the fixed module, after its imports, so
the fixed file stays self-contained (no runtime dependency on keraslint).

The classes are decorated with ``register_keras_serializable`` because
``load_model`` in safe mode only rebuilds classes it finds in the registry: a
process that imports the fixed module (which registers the class) can load the
saved model; nothing else needs to be trusted.  The package is ``keraslint``,
so the saved name is ``keraslint>ConstantOperand`` whichever module defines
it; every copy of the text is identical, so re-registering is harmless.
The decorator is taken from ``utils``, not ``saving``: ``tf.keras`` on
TensorFlow 2.16+ with Keras 3 (``keras._tf_keras.keras``) has no ``saving``.

This module only builds strings: it must not import TensorFlow, Keras or
numpy.
"""

from __future__ import annotations

import re
from string import Template

__all__ = ["CONSTANT_OPERAND", "TARGETS", "constant_operand"]

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
