"""KER102: a helper that creates layers is called on several same-shaped inputs: nothing is shared.

## What it does
Finds a function that creates Keras layers and calls them on its argument, when one scope
runs it at least twice on distinct `Input` tensors of the same declared shape (or on the
outputs of one shared stem layer called on such inputs: `project(stem(first))`,
`project(stem(second))`), with the same other arguments, and then combines the results (a
Merge layer, a distance, a list passed on). A helper that takes several tensors
(`encode_pair(text, image)`) is reported when every tensor argument comes from its own
`Input` of one shape per position (no fix: the tower would need one `Input` per tensor).
The runs are separate calls, a list comprehension over a known list of inputs, or a `for`
loop over one that collects the results. Reported at the helper's `def`, once, naming the
lines of the calls.

## Why is this bad?
Every call creates new layers, so the "towers" of a siamese or multi-view network do not
share weights. Nothing fails: measured on Keras 3.15 and tf_keras 2.21, six views through
`Conv2D(4, 3) → Flatten → Dense(8)` give 7200 parameters instead of 1200, and two towers fed
identical data return different outputs.

## Example
```python
import keras
from keras import layers


def branch(inp):
    x = layers.Conv2D(4, 3, activation="relu")(inp)
    return layers.Dense(8)(layers.Flatten()(x))


views = [keras.Input((8, 8, 1)) for _ in range(6)]
merged = layers.Concatenate()([branch(v) for v in views])
```

## Use instead
```python
import keras
from keras import layers


def branch(inp):
    x = layers.Conv2D(4, 3, activation="relu")(inp)
    return layers.Dense(8)(layers.Flatten()(x))


views = [keras.Input((8, 8, 1)) for _ in range(6)]
tower_input = keras.Input((8, 8, 1))
tower = keras.Model(tower_input, branch(tower_input), name="tower")
merged = layers.Concatenate()([tower(v) for v in views])
```
The helper stays as it is; it is built once, from a fresh `Input` of the shared shape, into a
sub-model that every call site then calls. The model saves and loads in safe mode.

## Fix safety
Unsafe: sharing divides the parameter count by the number of calls, which is the point, but
only you know whether the towers were meant to share (a pseudo-siamese network has separate
weights on purpose). Silence a deliberate one with `# noqa: KER102` on the `def`. The
tower's `Input` copies the declared one when the source proves every input has that shape
(the same shape expression of literals or of names bound once); when the shape expressions
only read the same (`Input(input_shape())`), it takes the first tensor's shape
(`keras.Input(shape=query.shape[1:])`; always so after a shared stem), and a later input of another shape fails when the
model is built (tf_keras) or run (Keras 3). No fix is offered unless the other arguments are
provably the same values, or when the calls are in different blocks. Nothing is reported for a helper called once, on inputs of different shapes, with
different per-call arguments, one that derives layer names from an argument, one that takes
layers or builds a `Model` itself, or calls on the same tensor.

## References
- PITFALLS.md, KER102 (measurements on Keras 3.15.1 and tf_keras 2.21.0)
- keras-team/keras#9753; liziniu/RL-PPO-Keras#2
"""

from __future__ import annotations

import ast

from keraslint.fixes.sharing import tower_fix
from keraslint.violations import UNSAFE, FixSpec

CODE = "KER102"
NAME = "helper-recreates-layers"
MESSAGE = ("`{helper}` creates new layers on every call and runs {runs} on same-shaped inputs whose results are combined "
           "({lines}): the towers do not share weights{extra}")
FIX_TITLE = "Build `{helper}` once as a sub-model and call it at each site"
NODE_TYPES = (ast.FunctionDef,)
TRIGGERS = ("Input(", "Input as")  # the helper must run on two `Input(...)` tensors (or an alias)
REQUIRES = (("def ",),)
DEFAULT_ENABLED = True


def check(helper: ast.FunctionDef, ctx):
    if helper.decorator_list:
        return  # decorated: the call may not run the body as written
    profile = ctx.calls.profile(helper)
    if not profile.layers:
        return  # creates no layers
    if profile.constant_names:
        return  # a constant layer name crashes first: KER103 reports it
    if profile.other_names or profile.calls_parameter or profile.builds_model:
        return  # names per call, layers passed in, or its own Model: separate towers are deliberate
    groups = ctx.calls.sharing(helper)
    if not groups:
        return  # not called twice on same-shaped inputs with combined results
    fixes = [tower_fix(helper, group, ctx) for group in groups]
    fix = _merge([f for f in fixes if f is not None])
    extra = ""
    if any(group.other_tensors for group in groups):
        extra = "; no fix for a helper that takes several tensors (build it once as a sub-model with one `Input` per tensor)"
    elif not all(fixes):
        extra = "; no fix where the source does not prove the other arguments equal or the calls are apart"
    runs = f"{groups[0].runs} times" if len(groups) == 1 else f"at least twice in each of {len(groups)} scopes"
    lines = site_lines(sorted({n for group in groups for n in group.lines}))
    message = MESSAGE.format(helper=helper.name, runs=runs, lines=lines, extra=extra)
    yield ctx.report(CODE, helper, message, fix, end_node=header_end(helper))


def _merge(fixes):
    if len(fixes) <= 1:
        return fixes[0] if fixes else None
    return FixSpec(UNSAFE, fixes[0].title, tuple(edit for fix in fixes for edit in fix.edits))


def site_lines(numbers) -> str:
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(str(n) for n in numbers)


def header_end(helper):
    """The report covers the `def` line (a whole function would overlap every fix inside)."""
    arguments = [*helper.args.posonlyargs, *helper.args.args, *helper.args.kwonlyargs]
    return arguments[-1] if arguments else None
