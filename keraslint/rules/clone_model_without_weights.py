"""KER104: a `clone_model` result is used as a copy, but its weights were never copied.

## What it does
Finds `copy = clone_model(model)` whose result is then used the way a copy is used (predict,
evaluate, save it, compare its predictions with the original's, freeze it with
`copy.trainable = False` as a teacher, target network or snapshot) when nothing in the same scope gives
it weights: no `copy.set_weights(...)`, no `copy.load_weights(...)`, and no `copy.fit(...)`. A
helper that returns the clone (`return copy`) is followed to its callers: reported when a caller
uses the result as a copy and no caller gives it weights or hands it on.
Reported at the `clone_model(...)` call.

## Why is this bad?
`clone_model` copies the architecture only: every layer of the clone is initialised afresh.
Measured on Keras 3.15 and tf_keras 2.21, a clone of a trained 83-parameter model has the
same parameter count but weights that differ by up to 1.3 and outputs that differ by up to
2.2. A "backup" or "best model" kept this way silently holds an untrained network.

## Example
```python
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
backup = keras.models.clone_model(model)
backup.save("backup.keras")
```

## Use instead
```python
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
backup = keras.models.clone_model(model)
backup.set_weights(model.get_weights())
backup.save("backup.keras")
```

## Fix safety
Safe when a copy is meant, which is what predicting, evaluating or saving the clone without
training it says: the fix inserts `copy.set_weights(model.get_weights())` right after the
clone, so the clone computes what the original computes and keeps its own variables
(training it leaves the original unchanged). If a fresh initialisation is what you want
(an ensemble, a k-fold restart, a reset) and you use the clone before training it, keep it
and silence the report with `# noqa: KER104`. A clone that is trained (`fit`) is not reported.
No fix is offered when the clone is not assigned to a plain name, when the original is not a
plain name or attribute, or with `clone_function=` (the clone may have other weights). On
tf_keras the clone is not compiled: compile it before `evaluate`.

## References
- PITFALLS.md, KER104 (measurements on Keras 3.15.1 and tf_keras 2.21.0)
- keras-team/keras#16668, keras-team/tf-keras#568, keras-team/keras#9490
"""

from __future__ import annotations

import ast

from keraslint.fixes.sharing import copy_weights_fix

CODE = "KER104"
NAME = "clone-model-without-weights"
MESSAGE = ("`{clone}` is a clone of `{original}` with freshly initialised weights, used as a copy (line {line}); "
           "copy the weights with `{clone}.set_weights({original}.get_weights())`")
FIX_TITLE = "Insert `{clone}.set_weights({original}.get_weights())` after the clone"
NODE_TYPES = (ast.Call,)
TRIGGERS = ("clone_model",)
DEFAULT_ENABLED = True

# `get_weights` (a reset: `m.set_weights(clone_model(m).get_weights())`) and calling the clone
# on a tensor (a second, independent branch of the same architecture) may want fresh weights
_COPY_USES = {"freeze", "predict", "predict_on_batch", "evaluate", "test_on_batch", "save", "save_weights", "export"}
_GIVES_WEIGHTS = {"set_weights", "load_weights", "fit", "fit_generator", "train_on_batch", "build_from_config"}


def check(call: ast.Call, ctx):
    if ctx.names.path(call.func) != "keras.models.clone_model":
        return  # not Keras' clone_model
    if not call.args:
        return  # clone_model(model=...): rare, not analysed
    kept = _kept_under_name(call, ctx)
    if kept is None:
        return  # the clone is not kept under a name we can follow
    statement, target = kept
    used = _uses(target, ctx)
    if used is None:
        return  # weights set, loaded or trained: the clone is not meant as a raw copy
    copy_uses, escapes, returned = used
    if not copy_uses and returned and not escapes:
        copy_uses = _copy_uses_by_callers(call, ctx)  # `return copy`: what the callers do with it
    if not copy_uses or _escapes_first(copy_uses, escapes):
        return  # never used as a copy, or handed to other code first, which may give it weights
    original = ctx.segment(call.args[0])
    message = MESSAGE.format(clone=target.id, original=original, line=copy_uses[0].lineno)
    yield ctx.report(CODE, call, message, copy_weights_fix(call, statement, target, ctx))


def _kept_under_name(call: ast.Call, ctx):
    """(the statement, the name) of `name = call`, else None."""
    statement = ctx.index.parents.get(call)
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement, statement.targets[0]
    return None


def _uses(name: ast.Name, ctx):
    """(copy uses, escapes, returns) of the model kept under `name`; None when it gets weights."""
    uses = ctx.calls.uses_of(name)
    methods = [_method(use, ctx) for use in uses]
    if any(m in _GIVES_WEIGHTS for m in methods):
        return None
    returned = [use for use in uses if isinstance(ctx.index.parents.get(use), ast.Return)]
    copies = [use for use, m in zip(uses, methods) if m in _COPY_USES]
    escapes = [use for use, m in zip(uses, methods) if m is None and use not in returned]
    return copies, escapes, returned


def _escapes_first(copies, escapes) -> bool:
    return any(_position(use) < _position(copies[0]) for use in escapes)


def _copy_uses_by_callers(call: ast.Call, ctx) -> list:
    """The clone is returned by a helper: the first copy use by a caller, when every call site
    keeps the result under a name and none gives it weights or hands it on before using it."""
    helper = ctx.index.scope_at(call).node
    if not isinstance(helper, (ast.FunctionDef, ast.AsyncFunctionDef)) or helper.decorator_list:
        return []
    found = []
    for site in ctx.calls.calls_of(helper):
        kept = _kept_under_name(site, ctx)
        used = _uses(kept[1], ctx) if kept is not None else None
        if used is None:
            return []  # a result we cannot follow, or one a caller gives weights
        copies, escapes, _ = used
        if copies and _escapes_first(copies, escapes):
            return []  # handed to other code first, which may give it weights
        found += copies
    return sorted(found, key=_position)[:1]


def _method(use: ast.Name, ctx):
    """What is done with the clone at `use`: a method name, "__call__", "other" for a
    harmless read (compile, summary, an attribute), or None when it escapes."""
    parent = ctx.index.parents.get(use)
    if isinstance(parent, ast.Call) and parent.func is use:
        return "__call__"
    if isinstance(parent, ast.Attribute) and parent.value is use:
        grand = ctx.index.parents.get(parent)
        if isinstance(grand, ast.Call) and grand.func is parent:
            return parent.attr
        if parent.attr == "trainable" and isinstance(grand, ast.Assign) and _is_false(grand.value):
            return "freeze"  # a frozen teacher, target network or snapshot: only its weights matter
        return "other"
    return None


def _is_false(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _position(node) -> tuple:
    return (node.lineno, node.col_offset)
