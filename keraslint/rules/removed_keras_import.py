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
`keras.utils` has. No fix for `import keras.engine.topology`, star imports, names without a
Keras 3 counterpart (`merge(..., mode=...)`, `CuDNNLSTM`, `KerasClassifier`), or names that
go to different modules.

## References
- Keras 3 migration guide: https://keras.io/guides/migrating_to_keras_3/
- keraslint/rules/_removed_imports.py (the table)
"""

from __future__ import annotations

import ast
import re

from keraslint.rules._removed_imports import (
    ALSO_IN, GONE_MODULES, GONE_NAMES, MOVED, NAME_MOVES, RENAMED, TF_KERAS_GONE_NAMES, TF_KERAS_OK, TF_KERAS_SHARED,
)
from keraslint.violations import SAFE, FixSpec, Replace

CODE = "KER303"
NAME = "removed-keras-import"
MESSAGE = "`{old}` does not exist in Keras 3: {hint}"
FIX_TITLE = "Import from `{new}`"
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
            fix = _utils_module_fix(alias, canonical, spelled, ctx, alias.asname is not None)
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
        where = _module_node(statement, ctx)
        message = MESSAGE.format(old=statement.module, hint=GONE_MODULES[gone])
        yield ctx.report(CODE, where, message, _fix(statement, canonical, prefix, where, ctx))
        return
    for alias in statement.names:
        hint = GONE_NAMES.get(canonical, {}).get(alias.name)
        tf_keras_gone = hint is None and prefix == "tensorflow."
        if tf_keras_gone:
            hint = TF_KERAS_GONE_NAMES.get(canonical, {}).get(alias.name)
        if hint is None or (prefix == "tensorflow." and f"{canonical}.{alias.name}" in TF_KERAS_OK):
            continue
        fix = _name_move_fix(statement, canonical, prefix, ctx) or _rename_fix(alias, canonical, ctx)
        if tf_keras_gone:
            fix = _tf_keras_losses_fix(statement, canonical, ctx)
        if len(statement.names) == 1 and canonical == "keras.utils":
            fix = _utils_module_fix(alias, f"{canonical}.{alias.name}", prefix, ctx, True, statement)
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


def _fix(statement: ast.ImportFrom, module: str, prefix: str, where, ctx):
    moves = MOVED.get(module, {})
    renamed = RENAMED.get(module, {})
    homes = {moves.get(renamed.get(alias.name, alias.name)) for alias in statement.names}
    if len(homes) != 1 or None in homes:
        return None  # a star import, a name without a counterpart, or names for two modules
    new = prefix + homes.pop()
    renames = tuple(_renamed(alias, renamed, ctx) for alias in statement.names if alias.name in renamed)
    return FixSpec(SAFE, FIX_TITLE.format(new=new), (Replace(ctx.span(where), new), *renames))


def _tf_keras_losses_fix(statement: ast.ImportFrom, module: str, ctx):
    """`from tensorflow.keras.losses import mean_squared_error, Huber` → `from keras.losses import
    ...`: Keras 3's module has the function, and the same objects for every other name."""
    known = TF_KERAS_SHARED.get(module, set()) | set(TF_KERAS_GONE_NAMES.get(module, {}))
    if any(alias.name not in known for alias in statement.names):
        return None  # a name keras.<module> lacks, or not the same object there
    return FixSpec(SAFE, FIX_TITLE.format(new=module), (Replace(ctx.span(_module_node(statement, ctx)), module),))


def _rename_fix(alias: ast.alias, module: str, ctx):
    """`from keras.layers import Deconv2D` → `... import Conv2DTranspose as Deconv2D`."""
    renamed = RENAMED.get(module, {})
    if alias.name not in renamed:
        return None
    return FixSpec(SAFE, f"Import `{renamed[alias.name]}`, the class `{alias.name}` named", (_renamed(alias, renamed, ctx),))


def _renamed(alias: ast.alias, renamed: dict, ctx) -> Replace:
    """The imported name replaced by the class it was an alias of, under the file's name for it."""
    new = renamed[alias.name] if alias.asname else f"{renamed[alias.name]} as {alias.name}"
    return Replace(ctx.span(_node(alias.lineno, alias.col_offset, alias.name, ctx)), new)


def _name_move_fix(statement: ast.ImportFrom, module: str, prefix: str, ctx):
    """`from keras.models import Input, Model` → `from keras import Input, Model`: every imported
    name either moved to one module or is the same object there too."""
    moves = NAME_MOVES.get(module, {})
    homes = {moves[alias.name] for alias in statement.names if alias.name in moves}
    if len(homes) != 1:
        return None  # no name moved (or names for two modules)
    home = homes.pop()
    if any(alias.name not in moves and alias.name not in ALSO_IN.get(home, {}).get(module, ()) for alias in statement.names):
        return None  # a name the new module does not have (split imports are not written)
    new = prefix + home
    return FixSpec(SAFE, FIX_TITLE.format(new=new), (Replace(ctx.span(_module_node(statement, ctx)), new),))


def _utils_module_fix(alias, module, prefix, ctx, importable, statement=None):
    """`from keras.utils import np_utils [as u]` → `from keras import utils [as u]`, and
    `import keras.utils.np_utils as u` → `import keras.utils as u`: Keras 3's `keras.utils`
    has every name the file reads from the old module (`np_utils.to_categorical`)."""
    allowed = {name for name, home in MOVED.get(module, {}).items() if home == "keras.utils"}
    if not allowed or not importable:
        return None  # `import keras.utils.np_utils` is used by its full dotted name: not rewritten
    bound = alias.asname or alias.name
    uses = [n for n in ctx.index.nodes(ast.Name) if n.id == bound and isinstance(n.ctx, ast.Load)
            and ctx.names.import_path(bound, ctx.index.scope_at(n)) == prefix + module]
    for use in uses:
        parent = ctx.index.parents.get(use)
        if not (isinstance(parent, ast.Attribute) and parent.value is use and parent.attr in allowed):
            return None  # a name Keras 3's keras.utils lacks, or the module passed around
    name = _node(alias.lineno, alias.col_offset, alias.name, ctx)
    if statement is None:  # import keras.utils.np_utils as u
        edits = (Replace(ctx.span(name), prefix + "keras.utils"),)
    else:
        edits = (Replace(ctx.span(_module_node(statement, ctx)), prefix + "keras"), Replace(ctx.span(name), "utils"))
        if alias.asname is None:
            if not ctx.names.is_free("utils"):
                return None
            edits += tuple(Replace(ctx.span(use), "utils") for use in uses)
    return FixSpec(SAFE, f"Use `{prefix}keras.utils`", edits)


def _node(line: int, byte_col: int, text: str, ctx) -> ast.AST:
    node = ast.Name(id=text, ctx=ast.Load())
    node.lineno = node.end_lineno = line
    node.col_offset, node.end_col_offset = byte_col, byte_col + len(text.encode("utf-8"))
    return node


def _module_node(statement: ast.ImportFrom, ctx) -> ast.AST:
    """A node spanning the dotted module name after `from` (ast has no node for it)."""
    line = ctx.lines[statement.lineno - 1]
    start = ctx.char_col(statement.lineno, statement.col_offset)
    dotted = re.escape(statement.module).replace(r"\.", r"\s*\.\s*")
    match = re.compile(r"from\s+(" + dotted + r")").match(line, start)
    if match is None:
        return statement  # split over lines: report the statement
    return _node(statement.lineno, len(line[: match.start(1)].encode("utf-8")), match.group(1), ctx)


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
