"""Fixes of the model-graph rules KER102-KER105: towers that should share, layer names that
clash, clones without weights, and `Sequential.add` used as if it returned something.

Each builder takes the rule's findings (ast nodes and the shared analysis) and returns a
`FixSpec` or None (report only). Nothing here decides whether there is a finding.
"""

from __future__ import annotations

import ast
import re

from keraslint.analysis.calls import PROVEN
from keraslint.analysis.names import canonical
from keraslint.violations import SAFE, UNSAFE, AddImport, FixSpec, InsertStatements, Replace

_ROOTS = {"keras": "keras", "tf.keras": "tensorflow.keras", "tf_keras": "tf_keras"}
_INPUT_KINDS = {"dtype", "sparse", "ragged"}  # what the tower's Input copies besides the shape
_LOOKUPS = re.compile(r"by_name|get_layer\((?!\s*[\"'])")  # weights by name, or a computed layer name
_VERBS = re.compile(r"^(create|build|make|get|define|construct|add|init)_")
_SUFFIXES = re.compile(r"_(fn|func|function|layers?)$")


# -- KER102 / KER103: one shared sub-model instead of a helper run per input -------------------
def tower_fix(helper, sharing, ctx):
    """Insert `tower = Model(tower_input, helper(tower_input))` before the first call and call
    the tower at every site. The tower's `Input` copies the declared one when the source proves
    every run has that shape, else takes its shape from the first run's tensor."""
    if sharing.arguments != PROVEN:
        return None  # the other arguments may differ between the runs
    if sharing.other_tensors:
        return None  # several tensor arguments: a one-input tower does not fit
    statements = [site.anchor for site in sharing.sites]
    if len({id(ctx.index.parents.get(s)) for s in statements}) != 1:
        return None  # calls in different blocks: no single place before all of them
    first = min(statements, key=lambda s: (s.lineno, s.col_offset))
    call = sharing.sites[0].call
    names = [n for n in ast.walk(call) if isinstance(n, ast.Name) and n is not call.func and not _in(n, call, sharing.tensor_key)]
    source = sharing.inputs[0]
    if sharing.proof == PROVEN:
        input_args = [ctx.segment(a) for a in source.args]
        input_args += [f"{k.arg}={ctx.segment(k.value)}" for k in source.keywords if k.arg != "name"]
        names += [n for n in ast.walk(source) if isinstance(n, ast.Name)]
    else:
        shaped = _first_tensor(sharing.sites[0], sharing.tensor_key, ctx)
        if shaped is None:
            return None  # no name for the first run's tensor before the calls
        input_args = [f"shape={shaped[0]}.shape[1:]"]
        input_args += [f"{k.arg}={ctx.segment(k.value)}" for k in source.keywords if k.arg in _INPUT_KINDS]
        names += shaped[1]
        names += [n for n in ast.walk(source.func) if isinstance(n, ast.Name)]
    if not all(ctx.calls.visible_before(name, first) for name in names):
        return None  # the tower would name something not bound (or bound differently) there
    if not ctx.calls.defined_before(helper, first):
        return None  # the helper is not defined before that point
    model, imports = _model_reference(source, ctx.index.scope_at(first), ctx)
    tower = _tower_name(helper, ctx)
    if model is None or tower is None:
        return None
    tower_input = f"{tower}_input"
    helper_args = [tower_input if ("pos", i) == sharing.tensor_key else ctx.segment(a) for i, a in enumerate(call.args)]
    helper_args += [f"{k.arg}={tower_input if ('kw', k.arg) == sharing.tensor_key else ctx.segment(k.value)}" for k in call.keywords]
    text = (
        f"{tower_input} = {ctx.segment(source.func)}({', '.join(input_args)})\n"
        f"{tower} = {model}({tower_input}, {helper.name}({', '.join(helper_args)}), name=\"{tower}\")\n"
    )
    edits = [InsertStatements(ctx.span(first), text, after=False), *imports]
    for site in sharing.sites:
        edits.append(Replace(ctx.span(site.call), f"{tower}({ctx.segment(_tensor(site.call, sharing.tensor_key))})"))
    return FixSpec(UNSAFE, f"Build `{helper.name}` once as sub-model `{tower}` and call it at each site", tuple(edits))


def _first_tensor(site, key, ctx):
    """(text, names it reads) for the first run's tensor, readable before the calls: the
    argument itself, or `views[0]` for `[helper(v) for v in views]`; None when there is none."""
    if site.comprehension is not None or site.loop is not None:
        owner = site.comprehension.generators[0].iter if site.comprehension is not None else site.loop.iter
        return (f"{owner.id}[0]", [owner]) if isinstance(owner, ast.Name) else None
    tensor = _tensor(site.call, key)
    if not isinstance(tensor, (ast.Name, ast.Attribute)):
        return None
    return ctx.segment(tensor), [n for n in ast.walk(tensor) if isinstance(n, ast.Name)]


def _tower_name(helper, ctx):
    """`tower`, or a name from the helper's own words when that is taken (by the file, or by
    another fix in this pass); never the helper's full `create_base_network_tower`."""
    claimed = ctx.memo("sharing_names", lambda _: set())
    base = _SUFFIXES.sub("", _VERBS.sub("", helper.name)) or helper.name
    candidates = ["tower", f"{base}_tower" if not base.endswith("tower") else f"shared_{base}"]
    candidates += [f"tower_{n}" for n in range(2, 10)]
    for name in candidates:
        if name not in claimed and ctx.names.is_free(name) and ctx.names.is_free(f"{name}_input"):
            claimed.add(name)
            return name
    return None


def _tensor(call, key):
    if key[0] == "pos":
        return call.args[key[1]]
    return next(k.value for k in call.keywords if k.arg == key[1])


def _in(name, call, key):
    return any(n is name for n in ast.walk(_tensor(call, key)))


def _model_reference(source, scope, ctx):
    """How to name `Model` of the Keras that made the `Input`: (text, [AddImport])."""
    qualified = ctx.names.resolve(source.func)
    if qualified is None or qualified.flavor not in _ROOTS:
        return None, ()
    root = _ROOTS[qualified.flavor]
    for name, bindings in ctx.index.module_scope.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == "import" and _unshadowed(name, scope, ctx):
            bound = canonical(bindings[0].qualified)
            if bound.path == "keras.Model" and bound.flavor == qualified.flavor:
                return name, ()
    expression = ctx.names.module_expression(root)
    if expression is not None and _unshadowed(expression.split(".")[0], scope, ctx):
        return f"{expression}.Model", ()
    if ctx.names.is_free("Model"):
        return "Model", (AddImport(root, "Model"),)
    return None, ()


def _unshadowed(name, scope, ctx):
    return ctx.index.lookup(name, scope)[0] is ctx.index.module_scope


# -- KER103: runs that cannot share get names of their own --------------------------------------
def unique_names_fix(helper, runs, constant_names, ctx):
    """Names derived from a parameter whose value differs between the runs
    (`name=f"proj_{units}"`), else the constant `name=` dropped (Keras numbers the layers).
    `runs` are the call sites that run into one model; `constant_names` the profile's
    (constructor call, name) pairs."""
    names = [name for _, name in constant_names]
    if any(_named_elsewhere(name, call, ctx) for call, name in constant_names) or _LOOKUPS.search(ctx.text):
        return None  # names are looked up (`get_layer("proj")`, weights loaded by name): keep them
    parameter = _distinct_parameter(helper, runs) if len(set(names)) == len(names) else None
    edits = []
    for constructor, name in constant_names:
        keyword = next(k for k in constructor.keywords if k.arg == "name")
        if parameter is not None:
            if "{" in name or "}" in name:
                return None
            quoted = ctx.segment(keyword.value)
            if not quoted[:1] in ("'", '"'):
                return None  # a prefixed or implicitly concatenated string
            edits.append(Replace(ctx.span(keyword.value), f"f{quoted[0]}{name}_{{{parameter}}}{quoted[0]}"))
        else:
            edits.append(Replace(ctx.span(constructor), _without_keyword(constructor, "name", ctx)))
    if parameter is not None:
        title = f"Derive the layer names in `{helper.name}` from `{parameter}`"
    else:
        title = f"Drop the constant layer names in `{helper.name}` (Keras gives each layer its own)"
    return FixSpec(UNSAFE, title, tuple(edits))


def _distinct_parameter(helper, runs):
    """A parameter that gets a different int or string literal in every run, else None."""
    arguments = helper.args
    if arguments.vararg or arguments.kwarg or arguments.posonlyargs:
        return None
    if any(site.comprehension is not None or site.loop is not None for site in runs):
        return None  # one call site runs several times with the same arguments
    positional = [a.arg for a in arguments.args]
    defaults = dict(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults))
    defaults.update({a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None})
    bound = []
    for site in runs:
        values = dict(defaults)
        if any(isinstance(a, ast.Starred) for a in site.call.args) or any(k.arg is None for k in site.call.keywords):
            return None
        values.update(zip(positional, site.call.args))
        values.update({k.arg: k.value for k in site.call.keywords})
        bound.append(values)
    for parameter in positional + [a.arg for a in arguments.kwonlyargs]:
        literals = [_name_part(values.get(parameter)) for values in bound]
        if None not in literals and len(set(literals)) == len(literals):
            return parameter
    return None


def _name_part(node):
    if not isinstance(node, ast.Constant):
        return None
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    text = str(value)
    return text if re.fullmatch(r"[\w.-]+", text) else None


def _named_elsewhere(name, constructor, ctx) -> bool:
    keyword = next(k for k in constructor.keywords if k.arg == "name")
    return any(
        isinstance(node, ast.Constant) and node.value == name and node is not keyword.value
        for node in ctx.index.nodes(ast.Constant)
    )


def _without_keyword(call, dropped, ctx) -> str:
    parts = [ctx.segment(a) for a in call.args]
    parts += [ctx.segment(k) for k in call.keywords if k.arg != dropped]
    return f"{ctx.segment(call.func)}({', '.join(parts)})"


# -- KER104: the clone gets the original's weights ----------------------------------------------
def copy_weights_fix(call, statement, target, ctx):
    if any(k.arg == "clone_function" for k in call.keywords) or len(call.args) > 2:
        return None  # a clone_function may change the layers and their weights
    original = call.args[0]
    if not _plain_reference(original):
        return None  # evaluating it a second time might build something new
    parent = ctx.index.parents.get(statement)
    if not isinstance(parent, ast.Module) and statement.lineno == parent.lineno:
        return None  # `if x: c = clone_model(m)` on one line: no room for a statement
    text = f"{target.id}.set_weights({ctx.segment(original)}.get_weights())\n"
    title = f"Insert `{target.id}.set_weights({ctx.segment(original)}.get_weights())` after the clone"
    return FixSpec(SAFE, title, (InsertStatements(ctx.span(statement), text, after=True),))


def _plain_reference(node) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


# -- KER105: `Sequential.add` returns None -------------------------------------------------------
def add_result_fix(add, outer, adds, ctx):
    """`model.add(layer)(x)`: the functional form `layer(x)` when `x` is a tensor inside `model`
    (`model.get_layer(...).output`) or every `add` of the model is called that way; else add the
    layer, then call the model. `adds` are all `Sequential.add` calls of the file."""
    receiver = add.func.value
    if not isinstance(receiver, ast.Name):
        return None  # `Sequential().add(...)(x)`: the model has no name to call
    if len(add.args) != 1 or add.keywords or any(isinstance(a, ast.Starred) for a in (*add.args, *outer.args)):
        return None  # not the measured one-layer form
    if any(isinstance(k.value, ast.Starred) or k.arg is None for k in outer.keywords):
        return None
    same_model = [other for other in adds if _same_model(other.func.value, receiver, ctx)]
    called = [other for other in same_model if _called(other, ctx)]
    tensors = [e for a in outer.args for e in (a.elts if isinstance(a, (ast.List, ast.Tuple)) else [a])]
    creation = ctx.values.of(receiver).origin
    empty = isinstance(creation, ast.Call) and not creation.args and all(k.arg not in ("layers", None) for k in creation.keywords)
    functional = empty and len(called) == len(same_model)  # `Sequential()` only ever used as `add(layer)(x)`
    if tensors and (functional or all(_inside_model(t, receiver, ctx) for t in tensors)):
        arguments = [ctx.segment(a) for a in outer.args] + [ctx.segment(k) for k in outer.keywords]
        text = f"{ctx.segment(add.args[0])}({', '.join(arguments)})"
        return FixSpec(UNSAFE, "Call the layer on the tensor (functional API)", (Replace(ctx.span(outer), text),))
    return _add_then_call(add, outer, same_model, called, ctx)


def _add_then_call(add, outer, same_model, called, ctx):
    receiver = add.func.value
    if len(outer.args) != 1 or outer.keywords:
        return None  # not the measured one-tensor form
    bindings = ctx.values.name_bindings(receiver)
    statement = ctx.index.statement_of(outer)
    owner, all_bindings = ctx.index.lookup(receiver.id, ctx.index.scope_at(receiver))
    if len(bindings) != 1 or len(all_bindings) != 1 or owner is not ctx.index.scope_at(statement):
        return None  # the model is rebound, or built in another scope
    creation = ctx.index.statement_of(bindings[0].node)
    if ctx.index.parents.get(creation) is not ctx.index.parents.get(statement):
        return None  # built in another block: the add may not run in order
    if ctx.index.scope_at(outer) is not ctx.index.scope_at(statement):
        return None  # inside a lambda or comprehension
    if any(_after(other, add) for other in same_model) or any(other is not add for other in called):
        return None  # more layers follow, or another `add(...)(...)`: the intent is unclear
    text = f"{ctx.segment(add)}\n"
    call_model = f"{receiver.id}({ctx.segment(outer.args[0])})"
    edits = (InsertStatements(ctx.span(statement), text, after=False), Replace(ctx.span(outer), call_model))
    return FixSpec(UNSAFE, f"Add the layer, then call `{receiver.id}(...)`", edits)


def sequential_of_fix(add, ctx):
    """`head = Sequential().add(layer)`: the model with that layer, `Sequential([layer])`."""
    creation = add.func.value
    if not isinstance(creation, ast.Call) or creation.args or len(add.args) != 1 or add.keywords:
        return None  # layers already given, or not one layer
    if isinstance(add.args[0], ast.Starred) or any(k.arg is None for k in creation.keywords):
        return None
    keywords = "".join(f", {ctx.segment(k)}" for k in creation.keywords)
    text = f"{ctx.segment(creation.func)}([{ctx.segment(add.args[0])}]{keywords})"
    return FixSpec(UNSAFE, "Create the Sequential model with the layer", (Replace(ctx.span(add), text),))


def _same_model(node, receiver, ctx) -> bool:
    return isinstance(node, ast.Name) and node.id == receiver.id and ctx.values.name_bindings(node) == ctx.values.name_bindings(receiver)


def _called(add, ctx) -> bool:
    parent = ctx.index.parents.get(add)
    return isinstance(parent, ast.Call) and parent.func is add


def _after(other, add) -> bool:
    return (other.lineno, other.col_offset) > (add.lineno, add.col_offset)


def _inside_model(expr, receiver, ctx) -> bool:
    """`model.get_layer(...).output`, `model.layers[i].output`, `model.output` or `model.input`
    of the same model, directly or through a name assigned once."""
    if isinstance(expr, ast.Name):
        expr = ctx.calls.assigned_expression(expr)
    if not (isinstance(expr, ast.Attribute) and expr.attr in ("output", "input")):
        return False
    owner = expr.value
    if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Attribute) and owner.func.attr == "get_layer":
        owner = owner.func.value
    elif isinstance(owner, ast.Subscript) and isinstance(owner.value, ast.Attribute) and owner.value.attr == "layers":
        owner = owner.value.value
    return _same_model(owner, receiver, ctx)
