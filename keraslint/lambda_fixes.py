"""Rewrites of a Lambda layer into layers that save and load in safe mode (KER201–KER204).

Each builder returns a `Rewrite` (title, edits) or None when it does not apply; a rule tries
them in order and says whether the result is safe. What they produce:

- `Rescaling(scale=a, offset=b)` for `t * a`, `a * t`, `t + b`, `t - b`, `b - t`, `t * a + b`
  (a, b numbers or captured values; on tf_keras arrays are passed as lists);
- `Multiply()`, `Add()`, `Subtract()` for `t[0] * t[1]` (and `+`, `-`, `ops.multiply`, ...)
  when the Lambda is applied to a literal pair;
- `Activation("relu")` for `ops.relu(t)` and its `tf`/`activations` spellings (Keras 3);
- otherwise a registered layer class whose `call` returns the body (keraslint.lambda_snippets),
  with every captured value passed to its constructor and kept in its config.
Nothing is produced when the body reads a name whose value the fix cannot carry over.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional, Tuple

from keraslint import lambda_snippets as S
from keraslint.analysis import lambdas as L
from keraslint.analysis import values as V
from keraslint.violations import AddHelper, AddImport, Replace

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
    if param in S.RESERVED or any(isinstance(n, _NESTED) for n in ast.walk(body)):
        return None
    keywords = _keywords(use, ctx)
    if keywords is None:
        return None
    captured, uses = {}, []
    for name, item in free.items():
        if item.kind == L.MODULE_OBJECT:
            continue  # the class lives in the same module: the name resolves as before
        how = _storage(item, use, ctx)
        if how is None or name in S.RESERVED or name == param:
            return None
        captured[name] = how
        uses.extend(item.uses)
    names = _module_names(ctx, use.call, S.ARRAY in captured.values())
    if names is None:
        return None
    keras, np_name, imports = names
    text = S.replace_names(body, uses)
    summary = ast.unparse(body)
    base = S.class_name_for(body, list(captured))
    class_name, source = _claim(ctx, base, lambda n: S.layer_class(n, param, text, captured, keras, np_name, summary))
    if class_name is None:
        return None
    arguments = _join(", ".join(f"{n}={n}" for n in captured), keywords)
    edits = (Replace(ctx.span(use.call), f"{class_name}({arguments})"), *imports, AddHelper(class_name, source))
    return Rewrite(f"Replace with the registered layer `{class_name}`", edits)


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
            return S.INTEGER
        return S.NUMBER if item.value.raw_kind == V.NUMBER else S.ARRAY
    if not item.single_binding:
        return None  # rebound: the Lambda would read the last value, the snapshot the current
    kind = item.value.raw_kind
    if kind == V.NUMBER:
        return S.NUMBER
    return S.ARRAY if kind in _RAW_OK else None


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
