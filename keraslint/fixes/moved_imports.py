"""KER303's fixes: imports of Keras 2 modules and names rewritten to where Keras 3 has them
(rules/_removed_imports.py holds the tables, rules/removed_keras_import.py finds the imports).
Every builder returns a FixSpec, or None when the import cannot be rewritten as a whole."""

from __future__ import annotations

import ast
import re

from keraslint.fixes.replaced_imports import call_edits, uses
from keraslint.rules._removed_imports import (
    ALSO_IN, MOVED, NAME_MOVES, RENAMED, REPLACED, REPLACED_UNSAFE, STAR_MOVES, TF_KERAS_BUNDLE, TF_KERAS_GONE_NAMES,
    TF_KERAS_SHARED,
)
from keraslint.violations import SAFE, UNSAFE, FixSpec, Replace

IMPORT_TITLE = "Import from `{new}`"


def module_fix(statement: ast.ImportFrom, module: str, prefix: str, where, ctx):
    """`from <gone module> import ...` → the one Keras 3 module that has every imported name
    (renamed or replaced names under their old name); `where`: the module name's node."""
    moves = MOVED.get(module, {})
    renamed = RENAMED.get(module, {})
    replaced = REPLACED.get(module, {})
    if module in STAR_MOVES and [a.name for a in statement.names] == ["*"]:
        return star_fix(module, prefix, where, ctx)
    homes = {replaced[a.name][0] if a.name in replaced else moves.get(renamed.get(a.name, a.name)) for a in statement.names}
    if len(homes) != 1 or None in homes:
        return None  # a star import, a name without a counterpart, or names for two modules
    new = prefix + homes.pop()
    renames = tuple(_renamed(alias, renamed, ctx) for alias in statement.names if alias.name in renamed)
    if any(alias.name in replaced for alias in statement.names):
        return replaced_fix(statement, module, prefix, ctx, Replace(ctx.span(where), new), *renames)
    return FixSpec(SAFE, IMPORT_TITLE.format(new=new), (Replace(ctx.span(where), new), *renames))


def star_fix(module: str, prefix: str, where, ctx):
    """`from keras.objectives import *` → `from keras.losses import *` when the file reads no
    name that only the old star import gave."""
    new, only_old = STAR_MOVES[module]
    if any(node.id in only_old and not ctx.index.lookup(node.id, ctx.index.scope_at(node))[1] for node in ctx.index.nodes(ast.Name)):
        return None  # reads `mse`, `K`, ... that only the old star import gave
    return FixSpec(SAFE, IMPORT_TITLE.format(new=prefix + new), (Replace(ctx.span(where), prefix + new),))


def replaced_fix(statement: ast.ImportFrom, module: str, prefix: str, ctx, *edits, only=None):
    """`from keras.layers import CuDNNGRU` → `... import GRU as CuDNNGRU` (REPLACED), with the
    calls of the name completed where the new one needs it; `edits` come along. `only`: the
    one imported name to fix (else all the replaced ones)."""
    replaced = REPLACED.get(module, {})
    names = [alias for alias in statement.names if alias.name in replaced and only in (None, alias)]
    if not names:
        return None
    unsafe = [REPLACED_UNSAFE[a.name] for a in names if a.name in REPLACED_UNSAFE]
    for alias in names:
        bound = alias.asname or alias.name
        calls = call_edits(alias.name, bound, f"{prefix}{module}.{alias.name}", ctx)
        if calls is None:
            return None
        new = replaced[alias.name][1]
        text = new if alias.asname else f"{new} as {alias.name}"
        edits += (Replace(ctx.span(name_node(alias.lineno, alias.col_offset, alias.name, ctx)), text), *calls)
    title = ", ".join(f"`{replaced[a.name][1]}`" for a in names)
    title = f"Use {title}" + (f" (unsafe: {'; '.join(unsafe)})" if unsafe else "")
    return FixSpec(UNSAFE if unsafe else SAFE, title, edits)


def tf_keras_losses_fix(statement: ast.ImportFrom, module: str, ctx):
    """`from tensorflow.keras.losses import mean_squared_error, Huber` → `from keras.losses import
    ...`: Keras 3's module has the function, and the same objects for every other name."""
    known = TF_KERAS_SHARED.get(module, set()) | set(TF_KERAS_GONE_NAMES.get(module, {}))
    if any(alias.name not in known for alias in statement.names):
        return None  # a name keras.<module> lacks, or not the same object there
    return FixSpec(SAFE, IMPORT_TITLE.format(new=module), (Replace(ctx.span(module_node(statement, ctx)), module),))


def rename_fix(alias: ast.alias, module: str, ctx):
    """`from keras.layers import Deconv2D` → `... import Conv2DTranspose as Deconv2D`."""
    renamed = RENAMED.get(module, {})
    if alias.name not in renamed:
        return None
    return FixSpec(SAFE, f"Import `{renamed[alias.name]}`, the class `{alias.name}` named", (_renamed(alias, renamed, ctx),))


def _renamed(alias: ast.alias, renamed: dict, ctx) -> Replace:
    """The imported name replaced by the class it was an alias of, under the file's name for it."""
    new = renamed[alias.name] if alias.asname else f"{renamed[alias.name]} as {alias.name}"
    return Replace(ctx.span(name_node(alias.lineno, alias.col_offset, alias.name, ctx)), new)


def name_move_fix(statement: ast.ImportFrom, module: str, prefix: str, ctx):
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
    return FixSpec(SAFE, IMPORT_TITLE.format(new=new), (Replace(ctx.span(module_node(statement, ctx)), new),))


def utils_module_fix(alias, module, prefix, ctx, importable, statement=None):
    """`from keras.utils import np_utils [as u]` → `from keras import utils [as u]`, and
    `import keras.utils.np_utils as u` → `import keras.utils as u`: Keras 3's `keras.utils`
    has every name the file reads from the old module (`np_utils.to_categorical`)."""
    allowed = {name for name, home in MOVED.get(module, {}).items() if home == "keras.utils"}
    if not allowed or not importable:
        return None  # `import keras.utils.np_utils` is used by its full dotted name: not rewritten
    bound = alias.asname or alias.name
    reads = uses(bound, prefix + module, ctx)
    for use in reads:
        parent = ctx.index.parents.get(use)
        if not (isinstance(parent, ast.Attribute) and parent.value is use and parent.attr in allowed):
            return None  # a name Keras 3's keras.utils lacks, or the module passed around
    name = name_node(alias.lineno, alias.col_offset, alias.name, ctx)
    if statement is None:  # import keras.utils.np_utils as u
        edits = (Replace(ctx.span(name), prefix + "keras.utils"),)
    else:
        edits = (Replace(ctx.span(module_node(statement, ctx)), prefix + "keras"), Replace(ctx.span(name), "utils"))
        if alias.asname is None:
            if not ctx.names.is_free("utils"):
                return None
            edits += tuple(Replace(ctx.span(use), "utils") for use in reads)
    return FixSpec(SAFE, f"Use `{prefix}keras.utils`", edits)


def name_node(line: int, byte_col: int, text: str, ctx) -> ast.AST:
    node = ast.Name(id=text, ctx=ast.Load())
    node.lineno = node.end_lineno = line
    node.col_offset, node.end_col_offset = byte_col, byte_col + len(text.encode("utf-8"))
    return node


def module_node(statement: ast.ImportFrom, ctx) -> ast.AST:
    """A node spanning the dotted module name after `from` (ast has no node for it)."""
    line = ctx.lines[statement.lineno - 1]
    start = ctx.char_col(statement.lineno, statement.col_offset)
    dotted = re.escape(statement.module).replace(r"\.", r"\s*\.\s*")
    match = re.compile(r"from\s+(" + dotted + r")").match(line, start)
    if match is None:
        return statement  # split over lines: report the statement
    return name_node(statement.lineno, len(line[: match.start(1)].encode("utf-8")), match.group(1), ctx)


def tf_keras_bundle_fix(statement: ast.ImportFrom, module: str, prefix: str, ctx):
    """`from keras.preprocessing.image import ImageDataGenerator` → `from tensorflow.keras.
    preprocessing.image import ...`: the class Keras 3 keeps for tf.keras (TF_KERAS_BUNDLE).
    Unsafe where the file does not import TensorFlow already: it then needs TensorFlow."""
    if prefix or any(alias.name not in TF_KERAS_BUNDLE.get(module, ()) for alias in statement.names):
        return None  # already tf.keras, or a name the bundle lacks
    new = "tensorflow." + module
    with_tf = any(path.split(".")[0] == "tensorflow" for path in ctx.names.import_paths())
    title = IMPORT_TITLE.format(new=new) + ("" if with_tf else " (unsafe: needs TensorFlow)")
    return FixSpec(SAFE if with_tf else UNSAFE, title, (Replace(ctx.span(module_node(statement, ctx)), new),))
