"""Rewrites of a Lambda layer into layers that save and load in safe mode (KER201–KER204).

Each builder returns a `Rewrite` (title, edits) or None when it does not apply; a rule tries
them in order and says whether the result is safe. What they produce:

- `Rescaling(scale=a, offset=b)` for `t * a`, `a * t`, `t + b`, `t - b`, `b - t`, `t * a + b`
  (a, b numbers or captured values; on tf_keras arrays are passed as lists);
- `Multiply()`, `Add()`, `Subtract()` for `t[0] * t[1]` (and `+`, `-`, `ops.multiply`, ...)
  when the Lambda is applied to a literal pair;
- `Activation("relu")` for `ops.relu(t)` and its `tf`/`activations` spellings (Keras 3);
- otherwise a registered layer class whose `call` returns the body, with every captured value
  passed to its constructor and kept in its config.
Nothing is produced when the body reads a name whose value the fix cannot carry over.

The layer class is inserted once into the user's module:

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
`DivideByStd` with different bodies. The class source is only a string here: this module must
not import TensorFlow, Keras or numpy.
"""

from __future__ import annotations

import ast
import copy
import zlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from keraslint.analysis import lambdas as L
from keraslint.analysis import values as V
from keraslint.violations import AddHelper, AddImport, Replace

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


def layer_class_source(class_name: str, param: str, body: str, captured: Dict[str, str], keras: str,
                np: Optional[str], summary: str, unpack: Tuple[str, ...] = ()) -> str:
    """Source of a registered layer class computing `body` (an expression of `param` and of
    `self.<name>` for every captured name). `captured` maps names to NUMBER, INTEGER or ARRAY;
    ARRAY needs `np`, the module's name for numpy. With `unpack`, `call` first unpacks its
    input list into those names (the layer has several inputs). The text ends with a newline."""
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
    lines += ["", f"    def call(self, {param}):"]
    if unpack:
        lines.append(f"        {', '.join(unpack)} = {param}")
    lines.append(f"        return {body}")
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


def replace_names(body: ast.expr, uses, renamed=None) -> str:
    """`body` as source, with the given Name nodes (uses of captured names) replaced by
    `self.<name>` (`renamed` maps a name to its attribute when they differ). Rendered with
    ast.unparse: the body's own line breaks are not kept."""
    renamed = renamed or {}
    clone = copy.deepcopy(body)
    chosen = {id(node) for node in uses}
    # deepcopy keeps the structure, so the walks visit matching nodes in the same order
    swap = {id(new) for old, new in zip(ast.walk(body), ast.walk(clone)) if id(old) in chosen}

    class _Swap(ast.NodeTransformer):
        def visit_Name(self, node):
            if id(node) in swap:
                attribute = renamed.get(node.id, node.id)
                return ast.copy_location(ast.Attribute(ast.Name("self", ast.Load()), attribute, ast.Load()), node)
            return node

    return ast.unparse(_Swap().visit(clone))

_KEPT_KEYWORDS = {"name"}
_DROPPED_KEYWORDS = {"output_shape"}  # our layers infer the shape themselves
_MERGE_OPS = {ast.Mult: "Multiply", ast.Add: "Add", ast.Sub: "Subtract"}
_MERGE_CALLS = {"keras.ops.multiply": "Multiply", "keras.ops.add": "Add", "keras.ops.subtract": "Subtract"}
_ACTIVATIONS = {
    "keras.ops.relu": "relu", "keras.ops.sigmoid": "sigmoid", "keras.ops.tanh": "tanh",
    "keras.activations.relu": "relu", "keras.activations.sigmoid": "sigmoid", "keras.activations.tanh": "tanh",
    "tensorflow.nn.relu": "relu", "tensorflow.nn.sigmoid": "sigmoid", "tensorflow.sigmoid": "sigmoid",
    "tensorflow.math.sigmoid": "sigmoid", "tensorflow.tanh": "tanh", "tensorflow.math.tanh": "tanh",
    "tensorflow.nn.tanh": "tanh",
}
_RAW_OK = (V.NUMBER, V.ARRAY, V.TENSOR, V.LIST, V.VARIABLE)


@dataclass
class Rewrite:
    title: str
    edits: Tuple


def _keywords(use, ctx) -> Optional[str]:
    """`, name=...` carried over from the Lambda, or None when it has keywords we cannot keep."""
    kept = []
    for key, value in use.keywords.items():
        if key in _KEPT_KEYWORDS:
            kept.append(f"{key}={ctx.segment(value)}")
        elif key not in _DROPPED_KEYWORDS:
            return None
    if len(use.call.args) > 1:
        return None  # output_shape, mask, arguments given by position
    return ", ".join(kept)


def _join(*parts) -> str:
    return ", ".join(p for p in parts if p)


def layer_reference(ctx, call, class_name):
    """(text, edits) naming keras `class_name` from the module the Lambda came from."""
    qualified = ctx.names.resolve(call.func)
    if qualified is None or qualified.path != L.LAMBDA_PATH:
        return None, ()
    module = qualified.raw.rsplit(".", 1)[0]
    if not module.endswith("layers"):
        return None, ()
    imported = ctx.names.import_path(class_name, ctx.index.module_scope) == f"{module}.{class_name}"
    if imported and isinstance(call.func, ast.Name):
        return class_name, ()  # `Lambda` imported by name, and so is `class_name`
    base = call.func.value if isinstance(call.func, ast.Attribute) else None
    if base is not None and ctx.names.resolve(base) is not None and ctx.names.resolve(base).raw == module:
        return f"{ctx.segment(base)}.{class_name}", ()
    expression = ctx.names.module_expression(module)
    if expression is not None:
        return f"{expression}.{class_name}", ()
    if imported:
        return class_name, ()
    if ctx.names.is_free(class_name):
        return class_name, (AddImport(module, class_name),)
    return None, ()


# -- Rescaling ----------------------------------------------------------------------------------
def rescaling(use, ctx) -> Optional[Rewrite]:
    if not use.simple_params or use.body is None or ctx.target == "keras2":
        return None
    form = _scale_shift(use.body, use.params[0])
    keywords = _keywords(use, ctx)
    if form is None or keywords is None:
        return None
    scale, offset, negate_offset = form
    imports = []
    texts = []
    for operand, negate in ((scale, False), (offset, negate_offset)):
        text = _operand_text(operand, negate, use, ctx, imports) if operand is not None else None
        if operand is not None and text is None:
            return None
        texts.append(text)
    reference, extra = layer_reference(ctx, use.call, "Rescaling")
    if reference is None:
        return None
    if texts[1] is None:
        arguments = f"scale={texts[0]}"
    else:
        arguments = f"{texts[0] if texts[0] is not None else '1.0'}, offset={texts[1]}"
    text = f"{reference}({_join(arguments, keywords)})"
    return Rewrite(f"Replace with `{reference}({arguments})`", (Replace(ctx.span(use.call), text), *extra, *imports))


def _scale_shift(body, param):
    """(scale, offset, negate_offset) operands of a scale/shift of `param`; scale may be the
    literal -1.0 (for `b - t`), None means absent."""
    def is_param(node):
        return isinstance(node, ast.Name) and node.id == param

    if not isinstance(body, ast.BinOp):
        return None
    left, right, op = body.left, body.right, body.op
    if isinstance(op, ast.Mult):
        if is_param(left) and not _mentions(right, param):
            return right, None, False
        if is_param(right) and not _mentions(left, param):
            return left, None, False
        return None
    if isinstance(op, (ast.Add, ast.Sub)):
        if isinstance(op, ast.Sub) and is_param(right) and not _mentions(left, param):
            return ast.Constant(-1.0), left, False
        if isinstance(op, ast.Add) and not _mentions(left, param):
            left, right = right, left  # b + (...)
        if _mentions(right, param):
            return None
        negate = isinstance(op, ast.Sub)
        if is_param(left):
            return None, right, negate
        inner = _scale_shift(left, param)
        if inner is not None and inner[1] is None and inner[0] is not None:
            return inner[0], right, negate
    return None


def _mentions(node, param) -> bool:
    return any(isinstance(n, ast.Name) and n.id == param for n in ast.walk(node))


def _operand_text(node, negate, use, ctx, imports) -> Optional[str]:
    number = _number(node)
    if number is not None:
        return repr(-number if negate else number)
    if not isinstance(node, ast.Name) or node.id not in use.free:
        return None
    free = use.free[node.id]
    if free.kind == L.VALUE and (not free.single_binding or free.value.raw_kind not in _RAW_OK):
        return None  # rebound later or not a number/array: the snapshot could differ
    if free.kind not in (L.VALUE, L.LOOP) or not _visible_at_call(free, use, ctx):
        return None
    kind = free.value.raw_kind
    if kind == V.NUMBER or (kind in (V.ARRAY, V.TENSOR) and ctx.target == "keras3"):
        return f"-{node.id}" if negate else node.id
    np_name, extra = ctx.names.module_reference("numpy", "np")
    if np_name is None:
        return None
    imports.extend(extra)
    array = f'{np_name}.asarray({node.id}, dtype="float32")'
    return f"(-{array}).tolist()" if negate else f"{array}.tolist()"


def _number(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    return None


def _visible_at_call(free, use, ctx) -> bool:
    """The captured name means the same binding where the replacement layer is built."""
    seen_from_lambda, _ = ctx.index.lookup(free.name, ctx.index.scope_at(free.uses[0]))
    seen_from_call, _ = ctx.index.lookup(free.name, ctx.index.scope_at(use.call))
    return seen_from_lambda is seen_from_call


# -- Merge layers and Activation ------------------------------------------------------------------
def merge(use, ctx, function=None) -> Optional[Rewrite]:
    """`Multiply()` (or Add/Subtract) for a body `t[0] * t[1]` of a Lambda applied to a pair.
    `function` is the def or lambda whose body counts (KER203: the returned function)."""
    function = function or use.function
    body, param = _single_body(function)
    pair = use.applied_to
    if body is None or not isinstance(pair, (ast.List, ast.Tuple)) or len(pair.elts) != 2:
        return None
    if any(isinstance(e, ast.Starred) for e in pair.elts):
        return None
    layer = None
    if isinstance(body, ast.BinOp) and type(body.op) in _MERGE_OPS and _is_item(body.left, param, 0) and _is_item(body.right, param, 1):
        layer = _MERGE_OPS[type(body.op)]
    elif isinstance(body, ast.Call) and not body.keywords and len(body.args) == 2:
        path = ctx.names.path(body.func)
        if path in _MERGE_CALLS and _is_item(body.args[0], param, 0) and _is_item(body.args[1], param, 1):
            layer = _MERGE_CALLS[path]
    keywords = _keywords(use, ctx)
    if layer is None or keywords is None or ctx.target == "keras2":
        return None
    reference, extra = layer_reference(ctx, use.call, layer)
    if reference is None:
        return None
    return Rewrite(f"Replace with `{reference}()`", (Replace(ctx.span(use.call), f"{reference}({keywords})"), *extra))


def _single_body(function):
    args = function.args
    if len(args.args) != 1 or args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        return None, None
    if isinstance(function, ast.Lambda):
        return function.body, args.args[0].arg
    statements = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(statements) == 1 and isinstance(statements[0], ast.Return) and statements[0].value is not None:
        return statements[0].value, args.args[0].arg
    return None, None


def _is_item(node, param, index) -> bool:
    return (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == param
            and isinstance(node.slice, ast.Constant) and node.slice.value == index)


def activation(use, ctx) -> Optional[Rewrite]:
    """`Activation("relu")` for `ops.relu(t)` and the same function under other names."""
    if ctx.target != "keras3" or not use.simple_params or not isinstance(use.body, ast.Call):
        return None
    body = use.body
    name = _ACTIVATIONS.get(ctx.names.path(body.func) or "")
    if name is None or body.keywords or len(body.args) != 1:
        return None
    if not (isinstance(body.args[0], ast.Name) and body.args[0].id == use.params[0]):
        return None
    keywords = _keywords(use, ctx)
    reference, extra = layer_reference(ctx, use.call, "Activation")
    if keywords is None or reference is None:
        return None
    arguments = _join(repr(name).replace("'", '"'), keywords)
    return Rewrite(f'Replace with `{reference}("{name}")`', (Replace(ctx.span(use.call), f"{reference}({arguments})"), *extra))


# -- the registered layer class -----------------------------------------------------------------
def layer_class(use, ctx, body=None, free=None) -> Optional[Rewrite]:
    """A registered layer whose `call` returns the body; captured values go to its config.
    `body` and `free` default to the Lambda's own (KER203 passes `product(t)`)."""
    body = body if body is not None else use.body
    free = free if free is not None else use.free
    if body is None or not use.simple_params or ctx.target == "keras2":
        return None
    param = use.params[0]
    if param in RESERVED or any(isinstance(n, _NESTED) for n in ast.walk(body)):
        return None
    keywords = _keywords(use, ctx)
    if keywords is None:
        return None
    captured, uses = {}, []
    for name, item in free.items():
        if item.kind == L.MODULE_OBJECT:
            continue  # the class lives in the same module: the name resolves as before
        how = _storage(item, use, ctx)
        if how is None or name in RESERVED or name == param:
            return None
        captured[name] = how
        uses.extend(item.uses)
    names = _module_names(ctx, use.call, ARRAY in captured.values())
    if names is None:
        return None
    keras, np_name, imports = names
    attributes = _attribute_names(captured, param)
    text = replace_names(body, uses, attributes)
    summary = ast.unparse(body)
    base = class_name_for(body, list(captured))
    stored = {attributes[n]: how for n, how in captured.items()}
    class_name, source = _claim(ctx, base, lambda n: layer_class_source(n, param, text, stored, keras, np_name, summary))
    if class_name is None:
        return None
    arguments = _join(", ".join(f"{attributes[n]}={n}" for n in captured), keywords)
    edits = (Replace(ctx.span(use.call), f"{class_name}({arguments})"), *imports, AddHelper(class_name, source))
    return Rewrite(f"Replace with the registered layer `{class_name}`", edits)


def hidden_inputs_layer(use, ctx, hidden) -> Optional[Rewrite]:
    """KER205: `Lambda(f)(x)` whose `f` reads the graph tensors `hidden` becomes a registered
    layer called on `[x, *hidden]`; its `call(self, inputs)` unpacks them under the names the
    function used and returns the function's body unchanged."""
    outer = ctx.index.parents.get(use.call)
    if use.body is None or not use.simple_params or ctx.target == "keras2":
        return None
    if not (isinstance(outer, ast.Call) and outer.func is use.call and not outer.keywords):
        return None  # not `Lambda(f)(x)`
    if isinstance(use.applied_to, (ast.List, ast.Tuple, ast.Starred)):
        return None  # already several inputs: the unpacking would have to nest
    names = (use.params[0], *hidden)
    if any(name in RESERVED or name == "inputs" for name in names) or any(isinstance(n, _NESTED) for n in ast.walk(use.body)):
        return None
    for name, item in use.free.items():
        carried = item.kind == L.MODULE_OBJECT or (name in hidden and _visible_at_call(item, use, ctx))
        if not carried:
            return None  # also captures something else: the fix cannot carry it
    keywords = _keywords(use, ctx)
    module = _module_names(ctx, use.call, False)
    if keywords is None or module is None:
        return None
    keras, _, imports = module
    text = ast.unparse(use.body)
    render = lambda name: layer_class_source(name, "inputs", text, {}, keras, None, text, unpack=names)  # noqa: E731
    class_name, source = _claim(ctx, class_name_for(use.body, list(hidden)), render)
    if class_name is None:
        return None
    inputs = ", ".join([ctx.segment(use.applied_to), *hidden])
    edits = (Replace(ctx.span(outer), f"{class_name}({keywords})([{inputs}])"), *imports, AddHelper(class_name, source))
    return Rewrite(f"Pass `{'`, `'.join(hidden)}` as an input of the registered layer `{class_name}`", edits)


def _attribute_names(captured, param) -> Dict[str, str]:
    """The layer's argument and attribute for each captured name: a module constant `KEEP`
    becomes `keep` (`MultiplyByKeep(keep=KEEP)`), unless that would clash."""
    attributes = {name: name.lower() if name.isupper() else name for name in captured}
    lowered = list(attributes.values())
    if len(set(lowered)) != len(lowered) or any(a in RESERVED or a == param or (a != n and a in captured) for n, a in attributes.items()):
        return {name: name for name in captured}
    return attributes


_NESTED = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)


def _storage(item, use, ctx) -> Optional[str]:
    """How a captured value is kept in the layer (NUMBER, INTEGER, ARRAY), or None."""
    if item.kind not in (L.VALUE, L.SMALL_INT, L.LOOP) or not _visible_at_call(item, use, ctx):
        return None
    for node in item.uses:  # only as an operand: no `w.numpy()`, `w.shape`, `w(...)`
        parent = ctx.index.parents.get(node)
        if isinstance(parent, ast.Attribute) or (isinstance(parent, ast.Call) and parent.func is node):
            return None
    if item.kind == L.LOOP:
        if L.only_index(item.uses, ctx.index):
            return INTEGER
        return NUMBER if item.value.raw_kind == V.NUMBER else ARRAY
    if not item.single_binding:
        return None  # rebound: the Lambda would read the last value, the snapshot the current
    kind = item.value.raw_kind
    if kind == V.NUMBER:
        return NUMBER
    return ARRAY if kind in _RAW_OK else None


def _module_names(ctx, call, needs_numpy):
    """The module's names for the Keras the Lambda came from (`keras`, `tf.keras`, ...) and
    for numpy, with the imports to add."""
    raw = ctx.names.resolve(call.func).raw
    if ".layers" not in raw:
        return None
    module = raw[: raw.index(".layers")]
    imports = []
    keras, extra = ctx.names.module_reference(module, "tf_keras" if module == "tf_keras" else "keras")
    imports += extra
    np_name = None
    if needs_numpy:
        np_name, extra = ctx.names.module_reference("numpy", "np")
        imports += extra
    if keras is None or (needs_numpy and np_name is None):
        return None
    return keras, np_name, tuple(imports)


def _claim(ctx, base, render):
    """A class name for this source: free (and not claimed by another fix in this file), or
    the name of an identical class the module already has."""
    claimed = L.lambdas_of(ctx).claimed
    for number in range(1, 20):
        name = base if number == 1 else f"{base}{number}"
        source = render(name)
        if claimed.get(name, source) != source:
            continue
        existing = [n for n in ctx.tree.body if isinstance(n, ast.ClassDef) and n.name == name]
        if existing and ctx.segment(existing[0]).strip() == source.split("\n", 1)[1].strip():
            return name, source
        if ctx.names.is_free(name):
            claimed[name] = source
            return name, source
    return None, None
