"""Source text of the registered layer classes that replace a Lambda (KER201–KER204).

A Lambda's function cannot be loaded in safe mode (and on Keras 3 not at all when it names a
module-level object or captures an array), so the fixes move the function's body into the
`call` of a small layer class inserted once into the user's module:

    @keras.utils.register_keras_serializable(package="keraslint", name="DivideByStd_1b2c3d4e")
    class DivideByStd(keras.layers.Layer):
        def __init__(self, std, **kwargs):
            super().__init__(**kwargs)
            self.std = np.asarray(std)
            if self.std.dtype.kind == "f":
                self.std = self.std.astype("float32")

        def call(self, t):
            return t / self.std

        def get_config(self):
            return {**super().get_config(), "std": self.std.tolist()}

The body is the Lambda's own expression; only the captured values change, from closure cells
to constructor arguments kept in the layer's config (JSON-native: numbers stay numbers,
arrays become lists). The class runs in the module that defines it, so the module-level names
the body uses (`ops`, `tf`, `K`, a helper function) resolve as they did in the Lambda.
The registered name carries a hash of the class text: Keras silently lets a later
registration of the same name replace an earlier one, and two modules may well both get a
`DivideByStd` with different bodies.

This module only builds strings: it must not import TensorFlow, Keras or numpy.
"""

from __future__ import annotations

import ast
import copy
import zlib
from typing import Dict, List, Optional

NUMBER, ARRAY, INTEGER = "number", "array", "integer"  # how a captured value is stored

_OPERATOR_WORDS = {
    ast.Mult: "Multiply", ast.Div: "Divide", ast.Add: "Add", ast.Sub: "Subtract", ast.Pow: "Power",
    ast.MatMult: "MatMul", ast.FloorDiv: "FloorDivide", ast.Mod: "Modulo",
}
# attributes every Keras layer has: a captured value must not overwrite one of them
RESERVED = frozenset({
    "self", "kwargs", "name", "dtype", "trainable", "weights", "built", "input", "output", "losses",
    "metrics", "call", "build", "get_config", "from_config", "variables", "dtype_policy", "supports_masking",
    "input_spec", "compute_dtype", "variable_dtype", "add_weight", "count_params", "path", "super",
    "training", "mask",
})


def _store(name: str, how: str, np: str) -> List[str]:
    if how == NUMBER:
        return [f"self.{name} = {name}"]
    if how == INTEGER:
        return [f"self.{name} = int({name})"]
    return [
        f"self.{name} = {np}.asarray({name})",
        f"if self.{name}.dtype.kind == \"f\":",
        f"    self.{name} = self.{name}.astype(\"float32\")",
    ]


def _config(name: str, how: str) -> str:
    return f'"{name}": self.{name}' + (".tolist()" if how == ARRAY else "")


def layer_class(class_name: str, param: str, body: str, captured: Dict[str, str], keras: str,
                np: Optional[str], summary: str) -> str:
    """Source of a registered layer class computing `body` (an expression of `param` and of
    `self.<name>` for every captured name). `captured` maps names to NUMBER, INTEGER or ARRAY;
    ARRAY needs `np`, the module's name for numpy. The text ends with a newline."""
    lines = [f"class {class_name}({keras}.layers.Layer):"]
    doc = f"Computes `{summary}` (was a Lambda); inserted by keraslint."
    if '"""' in doc or "\\" in doc or "\n" in doc or len(doc) > 90:
        doc = "Was a Lambda; inserted by keraslint."
    lines.append(f'    """{doc}"""')
    if captured:
        arguments = ", ".join(captured)
        lines += ["", f"    def __init__(self, {arguments}, **kwargs):", "        super().__init__(**kwargs)"]
        for name, how in captured.items():
            lines += ["        " + line for line in _store(name, how, np)]
    lines += ["", f"    def call(self, {param}):", f"        return {body}"]
    if captured:
        entries = ", ".join(_config(name, how) for name, how in captured.items())
        lines += ["", "    def get_config(self):", f"        return {{**super().get_config(), {entries}}}"]
    text = "\n".join(lines) + "\n"
    registered = f"{class_name}_{zlib.crc32(text.encode('utf-8')):08x}"
    return f'@{keras}.utils.register_keras_serializable(package="keraslint", name="{registered}")\n' + text


def class_name_for(body: ast.expr, captured: List[str]) -> str:
    """A name saying what the layer does: `DivideByStd`, `SumLayer`, `SliceByI`."""
    if isinstance(body, ast.Call):
        func = body.func
        word = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "Compute")
        word = _camel(word)
    elif isinstance(body, ast.BinOp):
        word = _OPERATOR_WORDS.get(type(body.op), "Compute")
    elif isinstance(body, ast.Subscript):
        word = "Slice"
    elif isinstance(body, ast.UnaryOp) and isinstance(body.op, ast.USub):
        word = "Negate"
    else:
        word = "Compute"
    if not captured:
        return word + "Layer"
    return word + "By" + "".join(_camel(name) for name in captured)


def _camel(name: str) -> str:
    parts = [p for p in name.replace(".", "_").split("_") if p]
    return "".join(p[:1].upper() + (p[1:].lower() if p.isupper() else p[1:]) for p in parts) or "Value"


def replace_names(body: ast.expr, uses) -> str:
    """`body` as source, with the given Name nodes (uses of captured names) replaced by
    `self.<name>`. Rendered with ast.unparse: the body's own line breaks are not kept."""
    clone = copy.deepcopy(body)
    chosen = {id(node) for node in uses}
    # deepcopy keeps the structure, so the walks visit matching nodes in the same order
    swap = {id(new) for old, new in zip(ast.walk(body), ast.walk(clone)) if id(old) in chosen}

    class _Swap(ast.NodeTransformer):
        def visit_Name(self, node):
            if id(node) in swap:
                return ast.copy_location(ast.Attribute(ast.Name("self", ast.Load()), node.id, ast.Load()), node)
            return node

    return ast.unparse(_Swap().visit(clone))
