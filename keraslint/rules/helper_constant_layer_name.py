"""KER103: a helper gives a layer a constant `name=` and runs more than once into one model.

## What it does
Finds a function that creates a Keras layer with a constant string `name=` when one scope
runs it at least twice and the results end up in one graph: combined (a Merge layer, a
list passed on), chained (`x = block(x); x = block(x)`), or collected in a loop. Reported
at the helper's `def`.

## Why is this bad?
Layer names must be unique in a model. The second call creates a second layer with the same
name, and building the model fails: `ValueError: The name "flat" is used 2 times in the
model. All operation names should be unique.` on Keras 3 (`All layer names should be
unique.` on tf_keras).

## Example
```python
import keras
from keras import layers


def branch(inp):
    return layers.Dense(8, name="proj")(layers.Flatten(name="flat")(inp))


left, right = keras.Input((8, 8, 1)), keras.Input((8, 8, 1))
merged = layers.Concatenate()([branch(left), branch(right)])
model = keras.Model([left, right], merged)
```

## Use instead
If the branches should share their weights (a siamese network), build the helper once:
```python
import keras
from keras import layers


def branch(inp):
    return layers.Dense(8, name="proj")(layers.Flatten(name="flat")(inp))


left, right = keras.Input((8, 8, 1)), keras.Input((8, 8, 1))
tower_input = keras.Input((8, 8, 1))
tower = keras.Model(tower_input, branch(tower_input), name="tower")
merged = layers.Concatenate()([tower(left), tower(right)])
model = keras.Model([left, right], merged)
```
If they should be independent, derive the names from a parameter
(`def branch(inp, prefix): ... name=f"{prefix}_proj"`).

## Fix safety
Unsafe. When the calls are KER102's sharing case (distinct `Input`s of one shape, the same
other arguments, combined results) the fix builds one shared sub-model, which turns a model
that cannot be built into one with shared towers; whether sharing is what you meant is your
call. Calls that cannot share (different arguments, chained blocks, a loop) get names of their
own instead: derived from a parameter that has a different int or string literal in every
call (`name=f"proj_{units}"`), else the constant `name=` is dropped and Keras numbers the
layers. No fix when a dropped name is looked up elsewhere in the file (`get_layer("proj")`). A helper called once, or
whose calls build separate models, is not reported.

## References
- PITFALLS.md, KER103 (measurements on Keras 3.15.1 and tf_keras 2.21.0)
- yhenon/keras-frcnn#159; keras-team/keras#5540
"""

from __future__ import annotations

import ast

from keraslint.fixes.sharing import tower_fix, unique_names_fix
from keraslint.rules.helper_recreates_layers import header_end, site_lines

CODE = "KER103"
NAME = "helper-constant-layer-name"
MESSAGE = ("`{helper}` creates a layer named \"{name}\" and runs {runs} times into one model ({lines}): "
           "`Model()` raises `ValueError: The name \"{name}\" is used {runs} times`; share one sub-model or derive the names from a parameter")
FIX_TITLE = "Build `{helper}` once as a sub-model and call it at each site"
NODE_TYPES = (ast.FunctionDef,)
TRIGGERS = ('name="', "name='", 'name = "', "name = '")  # a constant string name
REQUIRES = (("def ",),)
DEFAULT_ENABLED = True


def check(helper: ast.FunctionDef, ctx):
    if helper.decorator_list:
        return  # decorated: the call may not run the body as written
    profile = ctx.calls.profile(helper)
    if not profile.constant_names:
        return  # no layer with a constant name
    groups: dict = {}
    for site in ctx.calls.sites(helper):
        groups.setdefault(site.home, []).append(site)
    if profile.builds_model:
        return  # each call builds its own model: names are unique per model
    repeated = [sites for sites in groups.values() if _one_model_runs(sites, ctx) >= 2]
    if not repeated:
        return  # never runs twice into one graph
    sites = repeated[0]
    runs = _one_model_runs(sites, ctx)
    fix = None
    shared = [g for g in ctx.calls.sharing(helper) if any({id(s.call) for s in g.sites} & {id(s.call) for s in r} for r in repeated)]
    if shared:  # the runs are KER102's sharing case: one sub-model, if it can be built
        if len(repeated) == 1 and len(shared) == 1 and not profile.calls_parameter:
            if {id(s.call) for s in shared[0].sites} == {id(s.call) for s in sites}:
                fix = tower_fix(helper, shared[0], ctx)
    else:  # the runs cannot share (different arguments, chained): names of their own
        fix = unique_names_fix(helper, [s for group in repeated for s in group], profile.constant_names, ctx)
    lines = site_lines(sorted({s.call.lineno for group in repeated for s in group}))
    message = MESSAGE.format(helper=helper.name, name=profile.constant_names[0][1], runs=runs, lines=lines)
    yield ctx.report(CODE, helper, message, fix, end_node=header_end(helper))


def _one_model_runs(sites, ctx) -> int:
    """How often the helper runs into one graph in this scope (0 when the runs stay apart)."""
    if len(sites) == 1:
        site = sites[0]
        if site.comprehension is not None and site.runs is not None and ctx.calls.combined(sites):
            return len(site.runs)  # [helper(t) for t in (a, b)] passed on
        if site.loop_runs and ctx.calls.loop_feeds_itself(site):
            return site.loop_runs  # for _ in range(3): x = helper(x)
        return 0
    if any(site.comprehension is not None or site.loop is not None for site in sites):
        return 0  # mixed forms: not analysed
    if ctx.calls.combined(sites) or ctx.calls.chained(sites):
        return len(sites)
    return 0
