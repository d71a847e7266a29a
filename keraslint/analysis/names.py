"""Qualified names: which library object does an expression name?

`L.Multiply`, `keras.layers.Multiply`, `Mul` (from `from keras.layers import Multiply as Mul`),
`Multiply` (from `from tensorflow.keras.layers import *`) and `tf.keras.layers.Multiply` all
resolve to the canonical path `keras.layers.Multiply`; the *flavor* says which Keras it came
from (`keras`, `tf.keras`, `tf_keras`). A name that the file also binds to something else
(a local class called `Multiply`, a parameter called `layers`) resolves to None: rules stay
silent on what they cannot name.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Optional

from keraslint.analysis.scopes import Scope, TreeIndex

# Keras 2 module paths that hold public names also exported one level up.
_KERAS2_SUBMODULES = {
    "layers": "keras.layers",
    "engine": "keras",
    "models": "keras.models",
}
_TOP_LEVEL_ALIASES = {
    "keras.layers.Input": "keras.Input",
    "keras.layers.InputLayer": "keras.layers.InputLayer",
    "keras.models.Model": "keras.Model",
    "keras.models.Sequential": "keras.Sequential",
    "keras.engine.Model": "keras.Model",
    "keras.engine.Input": "keras.Input",
    "keras.engine.Layer": "keras.Layer",
    "keras.layers.Layer": "keras.Layer",
    "keras.engine.training.Model": "keras.Model",
    "keras.engine.functional.Functional": "keras.Model",
    "keras.engine.sequential.Sequential": "keras.Sequential",
    "keras.engine.input_layer.Input": "keras.Input",
    "keras.engine.base_layer.Layer": "keras.Layer",
    "keras.engine.topology.Input": "keras.Input",
    "keras.models.clone_model": "keras.models.clone_model",
    "keras.models.load_model": "keras.models.load_model",
    "keras.saving.load_model": "keras.models.load_model",
}


@dataclass(frozen=True)
class QualifiedName:
    path: str  # canonical: "keras.layers.Multiply", "tensorflow.concat", "numpy.array"
    flavor: Optional[str]  # "keras", "tf.keras", "tf_keras" for Keras objects, else None
    raw: str  # the path as imported: "tensorflow.keras.layers.Multiply"


def canonical(raw: str) -> QualifiedName:
    parts = raw.split(".")
    flavor = None
    if parts[0] == "tf_keras":
        flavor, parts = "tf_keras", ["keras"] + parts[1:]
    elif parts[:3] == ["tensorflow", "python", "keras"]:
        flavor, parts = "tf_keras", ["keras"] + parts[3:]
    elif parts[:2] == ["tensorflow", "keras"]:
        flavor, parts = "tf.keras", ["keras"] + parts[2:]
    elif parts[:4] == ["tensorflow", "compat", "v1", "keras"] or parts[:4] == ["tensorflow", "compat", "v2", "keras"]:
        flavor, parts = "tf.keras", ["keras"] + parts[4:]
    elif parts[0] == "keras":
        flavor = "keras"
    if flavor is None:
        return QualifiedName(".".join(parts), None, raw)
    if parts[1:3] == ["backend", "tf"] and len(parts) > 3:
        # Keras 2's backend re-exported TensorFlow: `K.tf.range` is `tf.range`
        return QualifiedName(".".join(["tensorflow"] + parts[3:]), None, raw)
    # keras.src.*, keras.api._v2.keras.* and keras 2 submodules collapse to the public path;
    # not keras.src.backend: Keras' internal backend package is much larger than keras.backend
    if len(parts) > 1 and parts[1] == "src" and parts[2:3] != ["backend"]:
        parts = ["keras"] + parts[2:]
    if parts[1:4] == ["api", "_v2", "keras"]:
        parts = ["keras"] + parts[4:]
    path = ".".join(parts)
    if path in _TOP_LEVEL_ALIASES:
        path = _TOP_LEVEL_ALIASES[path]
    elif len(parts) > 3 and parts[1] in ("layers",) and parts[-1][:1].isupper():
        path = f"keras.layers.{parts[-1]}"  # keras.layers.merge.Multiply
    elif len(parts) > 3 and parts[1] == "layers" and parts[2] in ("merge", "merging"):
        path = f"keras.layers.{parts[-1]}"  # keras.layers.merge.multiply
    return QualifiedName(path, flavor, raw)


class Names:
    """Resolves expressions to qualified names for one file."""

    def __init__(self, index: TreeIndex):
        self.index = index
        self._cache: dict = {}
        self._module_expressions: dict = {}
        self._bound: Optional[set] = None
        self._aliasing: set = set()

    def resolve(self, expr: ast.AST) -> Optional[QualifiedName]:
        key = id(expr)
        if key not in self._cache:
            raw = self._raw(expr)
            self._cache[key] = canonical(raw) if raw else None
        return self._cache[key]

    def path(self, expr: ast.AST) -> Optional[str]:
        qname = self.resolve(expr)
        return qname.path if qname else None

    def _raw(self, expr: ast.AST) -> Optional[str]:
        if isinstance(expr, ast.Attribute):
            base = self._raw(expr.value)
            return f"{base}.{expr.attr}" if base else None
        if isinstance(expr, ast.Name):
            return self.import_path(expr.id, self.index.scope_at(expr))
        return None

    def import_path(self, name: str, scope: Scope) -> Optional[str]:
        """The module path `name` is bound to by imports, if every binding is that import."""
        owner, bindings = self.index.lookup(name, scope)
        if bindings:
            paths = {b.qualified for b in bindings}
            if all(b.kind == "import" for b in bindings) and len(paths) == 1:
                return paths.pop()
            if len(bindings) == 1 and bindings[0].kind == "assign":
                return self._module_alias(bindings[0])
            return None  # shadowed, or bound to different things
        # not bound anywhere: a star import may provide it
        for module in reversed(self.index.module_scope.star_imports):
            if _star_may_provide(module, name):
                return f"{module}.{name}"
        return None

    def _module_alias(self, binding) -> Optional[str]:
        """`keras = tf.keras`, `L = keras.layers`, `K = keras.backend`: a name assigned once,
        plainly, to a dotted name of an imported module (not a call, not unpacked)."""
        statement = self.index.parents.get(binding.node)
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1 and statement.targets[0] is binding.node):
            return None
        value = statement.value
        if not isinstance(value, (ast.Attribute, ast.Name)):
            return None
        key = id(binding.node)
        if key in self._aliasing:
            return None  # `a = b.x` and `b = a.y`: a cycle
        self._aliasing.add(key)
        try:
            return self._raw(value)
        finally:
            self._aliasing.discard(key)

    # -- imports, for fixes -----------------------------------------------------------------
    def module_expression(self, module: str) -> Optional[str]:
        """Source text that names `module` through the file's module-level imports:
        "np" for numpy after `import numpy as np`, "tf.keras" for tensorflow.keras after
        `import tensorflow as tf`. None when no import reaches it."""
        if module not in self._module_expressions:
            self._module_expressions[module] = self._module_expression(module)
        return self._module_expressions[module]

    def _module_expression(self, module: str) -> Optional[str]:
        best = None
        for name, bindings in self.index.module_scope.bindings.items():
            if len(bindings) != 1 or bindings[0].kind != "import":
                continue
            bound = bindings[0].qualified
            if bound == module:
                return name
            if module.startswith(bound + ".") and best is None:
                best = name + module[len(bound):]
        return best

    def module_reference(self, module: str, alias: str):
        """(expression, [AddImport]) naming `module`: an existing import, else a new
        `import module as alias` when `alias` is free; (None, []) when neither works."""
        from keraslint.violations import AddImport

        existing = self.module_expression(module)
        if existing is not None:
            return existing, []
        if self.is_free(alias):
            return alias, [AddImport(module, None, alias if alias != module else None)]
        return None, []

    def is_free(self, name: str) -> bool:
        """True when no scope in the file binds `name` (safe to add an import of it)."""
        if self._bound is None:
            self._bound = {bound for scope in self.index.scope_of.values() for bound in scope.bindings}
        return name not in self._bound

    # -- which Keras does the file target? --------------------------------------------------
    def import_paths(self) -> list:
        """Every module path imported anywhere in the file (including star imports)."""
        paths = []
        for node in self.index.nodes(ast.Import):
            paths.extend(alias.name for alias in node.names)
        for node in self.index.nodes(ast.ImportFrom):
            if node.module and not node.level:  # `from tensorflow import keras` → tensorflow.keras
                paths.extend(node.module if a.name == "*" else f"{node.module}.{a.name}" for a in node.names)
        return paths


# `os.environ["TF_USE_LEGACY_KERAS"] = "1"`, `os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")`,
# `os.putenv(...)`, `%env TF_USE_LEGACY_KERAS=1`: set to a true value, not merely mentioned.
_LEGACY_FLAG = re.compile(
    r"""TF_USE_LEGACY_KERAS['"]?\s*(?:\]\s*=|,|=)\s*(?:['"]\s*(?:1|true|True|TRUE|yes)\s*['"]|1\b|True\b)"""
)


def sets_legacy_keras(source: str) -> bool:
    """True when the file sets TF_USE_LEGACY_KERAS (tf.keras is then tf_keras)."""
    return "TF_USE_LEGACY_KERAS" in source and bool(_LEGACY_FLAG.search(source))


def detect_target(names: Names, source: str) -> str:
    """"keras3" or "tf_keras", from the file's imports. Standalone Keras 2-era code
    (`from keras.engine.topology import Layer`) counts as Keras 3: that is what
    `pip install keras` runs it on today. Only the setting `target = "keras2"` says otherwise."""
    paths = names.import_paths()
    legacy_flag = sets_legacy_keras(source)
    # `tensorflow.python.keras` is TensorFlow's frozen internal Keras 2: its tensors take tf ops
    tf_keras = sum(
        1 for p in paths if p and (p == "tf_keras" or p.startswith(("tf_keras.", "tensorflow.python.keras")))
    )
    keras3 = sum(1 for p in paths if p and (p == "keras" or p.startswith("keras.")))
    # `import tensorflow` alone says nothing about the Keras flavour; `tf.keras` in the code does
    tf_dot_keras = sum(1 for p in paths if p and p.startswith("tensorflow.keras"))
    if "tensorflow" in paths and _says_tf_keras(source):
        tf_dot_keras += 1
    if legacy_flag:
        tf_keras += tf_dot_keras
    else:
        keras3 += tf_dot_keras
    return "tf_keras" if tf_keras and tf_keras >= keras3 else "keras3"


def _says_tf_keras(source: str) -> bool:
    """`tf.keras` or `tensorflow.keras` as a name in the source (str.find around ".keras":
    a regex that starts with a word boundary is slow on long files)."""
    start = source.find(".keras")
    while start != -1:
        after = source[start + 6 : start + 7]
        if not (after.isalnum() or after == "_"):
            for owner in ("tf", "tensorflow"):
                first = start - len(owner)
                before = source[first - 1 : first] if first > 0 else ""
                if source[max(first, 0) : start] == owner and first >= 0 and not (before.isalnum() or before == "_"):
                    return True
        start = source.find(".keras", start + 1)
    return False


# Star imports we know about: names a `from <module> import *` can provide. Anything else
# star-imported is assumed to provide the name only if the module is Keras/TF/numpy.
_STAR_MODULE = re.compile(r"^(keras|tf_keras|tensorflow|numpy)(\.|$)")


def _star_may_provide(module: str, name: str) -> bool:
    return bool(_STAR_MODULE.match(module)) and not name.startswith("_")
