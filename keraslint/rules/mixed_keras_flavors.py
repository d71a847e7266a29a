"""KER106: objects of Keras 3 (`keras`) and tf_keras mixed in one model.

## What it does
Finds a function (or the module body) that builds a model from objects of both Keras
implementations: Keras 3 (`import keras`, and `tf.keras` on TensorFlow ≥ 2.16) and tf_keras
(`import tf_keras`, and `tf.keras` in a file that sets `TF_USE_LEGACY_KERAS`). Layers,
`Input`, `Model`, `Sequential`, `keras.ops` and applications count. Each use of the file's
minority implementation is reported.

## Why is this bad?
The two implementations have different tensor and layer classes. A Keras 3 tensor fed to a
tf_keras layer raises `AttributeError: 'tuple' object has no attribute 'rank'`; a tf_keras
`Input` cannot start a Keras 3 `Model`. The worst mix is silent: a tf_keras `Input` through a
Keras 3 `Dense` into a tf_keras `Model` builds and predicts, but `count_params()` is 0, the
weights never train, and `save` fails.

## Example
```python
import keras
from tf_keras.layers import Dense

x = keras.Input((4,))
y = Dense(3)(x)
```

## Use instead
```python
import keras
from keras.layers import Dense

x = keras.Input((4,))
y = Dense(3)(x)
```

## Fix safety
Unsafe. The fix rewrites the minority import to the file's main package (`tf_keras` ↔
`keras`), and only when every name reached through that import exists under the same name in
both packages. Defaults and behaviour may still differ between the implementations, and the
rewritten code may need KER301/KER302 fixes next. When the import cannot be rewritten (a
plain `import tf_keras`, or a main package it does not map onto), the use itself is spelled
through the main package (`tf_keras.layers.Dense` → `keras.layers.Dense`, or `tf.keras.layers.Dense`
under `TF_USE_LEGACY_KERAS`; `Dense` when the file imports names from it, adding the import
when needed), on Keras 3 and tf_keras targets alike. An import left unused is not removed.

## References
- PITFALLS.md, KER106 (Keras 3.15.1, tf_keras 2.21.0)
- tensorflow/tensorflow#50249, keras-team/keras#11848, tensorflow/tensorflow#84027
"""

from __future__ import annotations

import ast

from keraslint.analysis.names import sets_legacy_keras
from keraslint.fixes.flavors import import_fix, use_fix

CODE = "KER106"
NAME = "mixed-keras-flavors"
MESSAGE = "`{name}` comes from {minority}, but this model is built with {main}; the two Keras implementations do not mix (crash, or weights silently dropped)"
FIX_TITLE = "Import it from the file's main Keras package"
NODE_TYPES = (ast.Module,)
TRIGGERS = ("tf_keras", "TF_USE_LEGACY_KERAS", "tensorflow.python.keras")
# and a Keras 3 import on the other side
REQUIRES = (("import keras", "from keras", "tf.keras", "tensorflow.keras", "tensorflow import keras"),)
DEFAULT_ENABLED = True

_MODEL_OBJECTS = ("keras.layers.", "keras.ops.", "keras.models.", "keras.applications.")
_MODEL_NAMES = {"keras.Input", "keras.Model", "keras.Sequential", "keras.Layer"}
# whole saved models: loading one is not assembling a model from parts of both packages
_WHOLE_MODELS = {"keras.models.load_model", "keras.models.save_model", "keras.models.model_from_json"}


def check(module: ast.Module, ctx):
    if ctx.target == "keras2":
        return  # standalone Keras 2 code: a different question
    legacy_flag = sets_legacy_keras(ctx.text)
    uses = []  # (node, qualified name, side)
    for node in ctx.index.nodes(ast.Attribute, ast.Name):
        qualified = _outermost_keras_name(node, ctx)
        if qualified is not None:
            side = "keras3" if qualified.flavor == "keras" or (qualified.flavor == "tf.keras" and not legacy_flag) else "legacy"
            uses.append((node, qualified, side))
    model_uses = [
        u for u in uses
        if (u[1].path in _MODEL_NAMES or u[1].path.startswith(_MODEL_OBJECTS)) and u[1].path not in _WHOLE_MODELS
    ]
    sides = [side for _, _, side in model_uses]
    if len(set(sides)) < 2:
        return  # one implementation only
    keras3, legacy = sides.count("keras3"), sides.count("legacy")
    if keras3 != legacy:
        main = "keras3" if keras3 > legacy else "legacy"  # the file's main namespace: most uses
    else:
        main = "keras3" if ctx.target == "keras3" else "legacy"  # a tie: the file's target decides
    groups: dict = {}
    for use in model_uses:
        groups.setdefault(_building_scope(use[0], ctx), []).append(use)
    main_words = "Keras 3 `keras`" if main == "keras3" else _legacy_words(uses)
    for members in groups.values():
        if len({side for _, _, side in members}) < 2:
            continue  # this function builds with one implementation only
        main_nodes = [node for node, _, side in members if side == main]
        for node, qualified, side in members:
            if side == main:
                continue
            if all(ctx.index.exclusive(node, other) for other in main_nodes):
                continue  # only in another branch of an if/try than the main package: never meet
            minority = "Keras 3 `keras`" if side == "keras3" else _legacy_words([(node, qualified, side)])
            message = MESSAGE.format(name=_short(ctx.segment(node)), minority=minority, main=main_words)
            fix = import_fix(node, side, uses, ctx) or use_fix(node, qualified, members, main, ctx)
            yield ctx.report(CODE, node, message, fix)


def _outermost_keras_name(node, ctx):
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return None  # a binding
    parent = ctx.index.parents.get(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        return None  # part of a longer dotted name
    qualified = ctx.names.resolve(node)
    return qualified if qualified is not None and qualified.flavor is not None else None


def _building_scope(node, ctx):
    scope = ctx.index.scope_at(node)
    while scope.parent is not None and scope.kind not in ("function", "module"):
        scope = scope.parent
    return id(scope.node)


def _legacy_words(uses) -> str:
    if any(q.flavor == "tf_keras" for _, q, _ in uses):
        return "`tf_keras`"
    return "legacy `tf.keras` (TF_USE_LEGACY_KERAS)"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."
