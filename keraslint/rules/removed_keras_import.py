"""KER303: an import of a module or name that Keras 3 does not have.

## What it does
Finds imports of Keras 2 modules and names that Keras 3 removed: `keras.engine.*`,
`keras.layers.merge` and the other per-family layer modules (`core`, `convolutional`,
`recurrent`, `normalization`, `pooling`, ...), `keras.utils.np_utils` / `generic_utils` /
`data_utils` / `vis_utils`, `keras.legacy.*`, `keras.wrappers.scikit_learn`,
`keras.preprocessing.text`, Keras 1's `merge`/`Merge`, `CuDNNLSTM`, `multi_gpu_model`, ... in a
file that targets Keras 3 (a Keras 2-era file does, in `target = "auto"`: `pip install keras`
runs it on Keras 3). The same paths spelled `tensorflow.keras.` are reported where they fail
too (`tensorflow.keras.layers.experimental.preprocessing`, `tensorflow.keras.utils.np_utils`).
An import inside a `try` whose `except` catches the `ImportError` is a deliberate fallback and
is left alone.

Reported at the name Keras 3 lacks: the module after `from` (or after `import`) when the
module is gone, the imported name when the module exists but the name does not
(`from keras.layers import merge`).

## Why is this bad?
The import fails (`ModuleNotFoundError: No module named 'keras.engine'`, measured on Keras
3.15.1), so nothing in the file runs.

## Example
```python
from keras.engine.topology import Layer
from keras.utils.np_utils import to_categorical
from keras.layers import merge
```

## Use instead
```python
from keras.layers import Layer
from keras.utils import to_categorical
from keras.layers import Add  # or Multiply, Concatenate, ...: the layer for merge's `mode`
```

## Fix safety
Safe: the fix only changes the module in `from <module> import ...` when Keras 3 has every
imported name under one new module, and each name is the same class or function (same name
and meaning) as the one the old path named; tests/test_removed_imports.py checks every row
against tf_keras 2.21 and Keras 3.15.1. A utils module imported as a name becomes
`keras.utils` (`from keras.utils import np_utils` → `from keras import utils`, and its uses
`np_utils.to_categorical` → `utils.to_categorical`) when every use reads a name Keras 3's
`keras.utils` has. Also safe:
- `CuDNNGRU` → `GRU as CuDNNGRU` (the same weights and math: Keras 3's GRU resets after the
  recurrent product, as cuDNN does), when no call passes it more than the units by position;
- Keras 1's `plot` → `plot_model as plot`, with `show_layer_names=True` (Keras 1's default)
  added to its calls;
- `from keras.objectives import *` → `from keras.losses import *` when the file reads none
  of the short aliases (`mse`, `kld`, ...) only the old module had;
- `ThresholdedReLU(theta)` → `ReLU(threshold=theta)` (zero up to the threshold, the input
  above it: equal at and around it);
- Keras 1's `merge([a, b], mode="concat", concat_axis=1)` → `Concatenate(axis=1)([a, b])`
  (and `Add`, `Multiply`, `Average`, `Maximum` for "sum", "mul", "ave", "max");
- `keras.utils.conv_utils`'s `conv_output_length`, `normalize_tuple` and `normalize_padding`
  defined in the file, and the import removed;
- `ImageDataGenerator`, `Tokenizer`, ... → imported from `tensorflow.keras.preprocessing.*`,
  where Keras 3 keeps its port of them for tf.keras (unsafe when the file does not import
  TensorFlow already: it then needs it).

Unsafe: `CuDNNLSTM` → `LSTM as CuDNNLSTM`: LSTM has one bias vector where CuDNNLSTM had two
(fewer parameters). No fix for `import keras.engine.topology`, other star imports, names
without a Keras 3 counterpart (`merge` with "dot", "cos" or a function as mode,
`LocallyConnected2D`, `KerasClassifier`), or names that go to different modules.

## References
- Keras 3 migration guide: https://keras.io/guides/migrating_to_keras_3/
- keraslint/rules/_removed_imports.py (the table)
"""

from __future__ import annotations

import ast
import re

from keraslint.fixes.keras1_merge import merge_call_fix
from keraslint.fixes.moved_imports import (
    IMPORT_TITLE, module_fix, module_node, name_move_fix, name_node, rename_fix, replaced_fix, tf_keras_bundle_fix,
    tf_keras_losses_fix, utils_module_fix,
)
from keraslint.fixes.replaced_imports import helper_import_fix, thresholded_relu_fix
from keraslint.rules._removed_imports import GONE_MODULES, GONE_NAMES, TF_KERAS_GONE_NAMES, TF_KERAS_OK

CODE = "KER303"
NAME = "removed-keras-import"
MESSAGE = "`{old}` does not exist in Keras 3: {hint}"
FIX_TITLE = IMPORT_TITLE
NODE_TYPES = (ast.Import, ast.ImportFrom)
# A file can only hold a finding if an import of a Keras module names one of the removed
# modules or names: checking for those words there (not just "keras" anywhere) keeps the other
# Keras files from being parsed for this rule. An import's names may continue in parentheses.
_KERAS_IMPORT = re.compile(
    r"[ \t]*(?:from[ \t]+(?:tensorflow\.)?keras\b[\w.]*[ \t]+import[^\n(]*(?:\([^)]*\)|[^\n]*)"
    r"|import[ \t][^\n]*\b(?:tensorflow\.)?keras\.[^\n]*)"
)


def keras_import_lines(text: str) -> str:
    """The import statements of Keras modules, as text. Found with str.find("import") and a
    regex tried only at the start of those lines: scanning a whole file with a regex costs
    more than parsing the few files it keeps out."""
    found = []
    at = text.find("import")
    while at != -1:
        line_start = text.rfind("\n", 0, at) + 1
        match = _KERAS_IMPORT.match(text, line_start)
        if match and match.end() > at:
            found.append(match.group())
            at = text.find("import", match.end())
        else:
            line_end = text.find("\n", at)
            at = -1 if line_end == -1 else text.find("import", line_end)
    return "\n".join(found)


TRIGGER_SCOPE = keras_import_lines
TRIGGERS = tuple(sorted(
    {module.split(".", 1)[1] for module in GONE_MODULES}
    | {"preprocessing" if parent.startswith("keras.preprocessing") else name
       for parent, names in (*GONE_NAMES.items(), *TF_KERAS_GONE_NAMES.items()) for name in names}
))
DEFAULT_ENABLED = True
_CATCHES_IMPORT_ERROR = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def check(statement, ctx):
    if ctx.target != "keras3":
        return  # Keras 2 and tf_keras still have these modules
    if _guarded(statement, ctx):
        return  # `try: from keras.engine import Layer / except ImportError: ...`: a fallback
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            spelled, canonical = _canonical(alias.name)
            gone = _gone_module(canonical)
            if gone is None or spelled is None or (spelled and canonical in TF_KERAS_OK):
                continue
            fix = (utils_module_fix(alias, canonical, spelled, ctx, alias.asname is not None)
                   or helper_import_fix(statement, canonical, spelled, ctx))
            yield ctx.report(CODE, alias, MESSAGE.format(old=alias.name, hint=GONE_MODULES[gone]), fix)
        return
    if statement.level or not statement.module:
        return  # a relative import: the project's own module
    prefix, canonical = _canonical(statement.module)
    if prefix is None:
        return  # not a Keras 3 spelling
    gone = _gone_module(canonical)
    if gone is not None:
        if prefix == "tensorflow." and canonical in TF_KERAS_OK:
            return  # tf.keras on Keras 3 still bundles it
        where = module_node(statement, ctx)
        message = MESSAGE.format(old=statement.module, hint=GONE_MODULES[gone])
        fix = (module_fix(statement, canonical, prefix, where, ctx) or helper_import_fix(statement, gone, prefix, ctx)
               or tf_keras_bundle_fix(statement, canonical, prefix, ctx))
        yield ctx.report(CODE, where, message, fix)
        return
    for alias in statement.names:
        hint = GONE_NAMES.get(canonical, {}).get(alias.name)
        tf_keras_gone = hint is None and prefix == "tensorflow."
        if tf_keras_gone:
            hint = TF_KERAS_GONE_NAMES.get(canonical, {}).get(alias.name)
        if hint is None or (prefix == "tensorflow." and f"{canonical}.{alias.name}" in TF_KERAS_OK):
            continue
        fix = (name_move_fix(statement, canonical, prefix, ctx) or rename_fix(alias, canonical, ctx)
               or replaced_fix(statement, canonical, prefix, ctx, only=alias) or tf_keras_bundle_fix(statement, canonical, prefix, ctx))
        if alias.name in ("merge", "ThresholdedReLU") and canonical == "keras.layers":
            name = name_node(alias.lineno, alias.col_offset, alias.name, ctx)
            builder = merge_call_fix if alias.name == "merge" else thresholded_relu_fix
            fix = builder(alias, name, f"{prefix}keras.layers.{alias.name}", ctx)
        if tf_keras_gone:
            fix = tf_keras_losses_fix(statement, canonical, ctx)
        if len(statement.names) == 1 and canonical == "keras.utils":
            fix = utils_module_fix(alias, f"{canonical}.{alias.name}", prefix, ctx, True, statement)
        yield ctx.report(CODE, alias, MESSAGE.format(old=f"{statement.module}.{alias.name}", hint=hint), fix)


def _canonical(module: str):
    """("", "keras.x") for `keras.x`, ("tensorflow.", "keras.x") for `tensorflow.keras.x`;
    (None, module) for anything else."""
    if module == "keras" or module.startswith("keras."):
        return "", module
    if module.startswith("tensorflow.keras."):
        return "tensorflow.", module[len("tensorflow."):]
    return None, module


def _gone_module(module: str):
    """The GONE_MODULES entry `module` is or lies under, else None."""
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        candidate = ".".join(parts[:end])
        if candidate in GONE_MODULES:
            return candidate
    return None


def _guarded(statement, ctx) -> bool:
    """The import is a fallback: it sits in a `try` that catches ImportError, or in the `else`
    (or `elif`) of an `if` on a version number, whose first branch serves the new versions."""
    child = statement
    for parent in ctx.index.ancestors(statement):
        if isinstance(parent, ast.Try) and child in parent.body:
            for handler in parent.handlers:
                caught = handler.type
                names = [caught] if not isinstance(caught, ast.Tuple) else caught.elts
                if caught is None or any(isinstance(n, ast.Name) and n.id in _CATCHES_IMPORT_ERROR for n in names):
                    return True
        if isinstance(parent, ast.If) and child in parent.orelse and "version" in ctx.segment(parent.test).lower():
            return True  # `if <new version>: ... else: from keras.layers.convolutional ...`: for old versions
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            return False
        child = parent
    return False
