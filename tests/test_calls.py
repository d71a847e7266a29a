"""keraslint.analysis.calls: who calls a helper, how often, on what, and where results go."""

import ast
import textwrap

from keraslint.analysis.calls import PROVEN, SAME_TEXT
from keraslint.config import Settings
from keraslint.engine import FileContext

HEAD = """
import keras
from keras import layers


def branch(inp, units=8):
    return layers.Dense(units)(layers.Flatten()(inp))
"""


def _context(body: str) -> FileContext:
    text = HEAD + textwrap.dedent(body)
    return FileContext(text, ast.parse(text), "t.py", Settings())


def _helper(ctx, name="branch"):
    return next(n for n in ctx.tree.body if isinstance(n, ast.FunctionDef) and n.name == name)


def _sharing(body):
    ctx = _context(body)
    return ctx.calls.sharing(_helper(ctx))


def test_a_comprehension_runs_once_per_element_of_a_known_list():
    ctx = _context("""
        ins = [keras.Input((8, 8, 1)) for _ in range(6)]
        out = layers.Concatenate()([branch(i) for i in ins])
    """)
    (site,) = ctx.calls.sites(_helper(ctx))
    assert site.comprehension is not None and len(site.runs) == 6
    (group,) = ctx.calls.sharing(_helper(ctx))
    assert group.runs == 6 and group.proof == PROVEN and group.tensor_key == ("pos", 0)


def test_direct_calls_on_inputs_of_one_variable_shape_are_proven():
    (group,) = _sharing("""
        def build(shape):
            a = keras.Input(shape=shape)
            b = keras.Input(shape=shape, name="b")
            return keras.Model([a, b], layers.Subtract()([branch(a, 4), branch(b, 4)]))
    """)
    assert group.runs == 2 and group.proof == PROVEN and group.lines == [12]


def test_same_shape_text_through_a_call_is_not_proven():
    (group,) = _sharing("""
        a = keras.Input(shape=get_shape())
        b = keras.Input(shape=get_shape())
        out = layers.Add()([branch(a), branch(b)])
    """)
    assert group.proof == SAME_TEXT


def test_no_sharing_for_different_shapes_arguments_tensors_or_results_kept_apart():
    assert _sharing("""
        a, b = keras.Input((4,)), keras.Input((5,))
        out = layers.Add()([branch(a), branch(b)])
    """) == []
    assert _sharing("""
        a, b = keras.Input((4,)), keras.Input((4,))
        out = layers.Add()([branch(a, 4), branch(b, 8)])
    """) == []
    assert _sharing("""
        x = keras.Input((4,))
        out = layers.Average()([branch(x) for _ in range(3)])
    """) == []
    assert _sharing("""
        a, b = keras.Input((4,)), keras.Input((4,))
        first, second = keras.Model(a, branch(a)), keras.Model(b, branch(b))
    """) == []
    assert _sharing("""
        def build(shape):
            a = keras.Input(shape)
            shape = (3,)
            b = keras.Input(shape)
            return layers.Add()([branch(a), branch(b)])
    """) == []
    assert _sharing("""
        views = [keras.Input((8, c)) for c in (1, 3)]
        out = layers.Concatenate()([branch(v) for v in views])
    """) == []


def test_flow_follows_names_and_appends_and_stops_at_methods_and_models():
    ctx = _context("""
        a = keras.Input((4,))
        x = branch(a)
        outs = []
        outs.append(x)
        merged = layers.Concatenate()(outs)
        m = keras.Model(a, merged)
        m.predict(data)
    """)
    call = next(c for c in ctx.index.nodes(ast.Call) if isinstance(c.func, ast.Name) and c.func.id == "branch")
    flow = ctx.calls.flow(call)
    texts = {ctx.segment(n) for n in flow}
    assert "layers.Concatenate()(outs)" in texts
    assert not any(t.startswith(("keras.Model", "m.predict")) for t in texts)


def test_chained_and_looped_runs():
    ctx = _context("""
        x = keras.Input((8,))
        x = branch(x)
        x = branch(x)
        for _ in range(3):
            x = branch(x)
    """)
    sites = ctx.calls.sites(_helper(ctx))
    assert ctx.calls.chained(sites[:2])
    assert sites[2].loop_runs == 3 and ctx.calls.loop_feeds_itself(sites[2])


def test_profile_of_a_helper():
    ctx = _context("""
        def named(inp, prefix):
            x = layers.Flatten(name="flat")(inp)
            return layers.Dense(8, name=prefix + "_proj")(x)

        def takes_layer(inp, dense):
            return dense(inp)
    """)
    named = ctx.calls.profile(_helper(ctx, "named"))
    assert [name for _, name in named.constant_names] == ["flat"] and named.other_names
    assert ctx.calls.profile(_helper(ctx, "takes_layer")).calls_parameter


def test_visible_before_a_statement():
    ctx = _context("""
        def build():
            a = keras.Input(SHAPE)
            SHAPE2 = (3,)
            b = keras.Input(SHAPE2)
            return a, b
        SHAPE = (4,)
    """)
    build = _helper(ctx, "build")
    first, _, third, _ = build.body
    shape = first.value.args[0]
    shape2 = third.value.args[0]
    assert ctx.calls.visible_before(shape, first)  # a module global, seen from anywhere in build
    assert not ctx.calls.visible_before(shape2, first)  # bound only after `first`
    assert ctx.calls.visible_before(shape2, third)


def test_a_list_changed_after_its_literal_has_unknown_elements():
    assert _sharing("""
        ins = [keras.Input((4,)), keras.Input((4,))]
        ins.append(keras.Input((5,)))
        out = layers.Concatenate()([branch(i) for i in ins])
    """) == []
    assert _sharing("""
        ins = [keras.Input((4,)) for _ in range(2)]
        ins[0] = keras.Input((5,))
        out = layers.Concatenate()([branch(i) for i in ins])
    """) == []
