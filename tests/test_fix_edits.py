"""JSON output's edits: computed on an outline of the file (fixes/outline.py) they must equal
the edits of the fix applied to the whole file, for every fixture and in every surrounding."""

import sys
import textwrap
from pathlib import Path

import pytest

from keraslint.engine import check_source
from keraslint.fixes import pipeline
from keraslint.fixes.outline import Outline

FIXTURES = sorted(Path(__file__).resolve().parent.parent.glob("fixtures/*/bad.py"))

# code around the fixture: a 2-space block first (libcst takes the file's first indentation for
# the code a fix inserts), a decorated function, a multi-line statement, two statements on one
# line, and a class after the fixture
BEFORE = textwrap.dedent(
    '''\
    """A module docstring."""
    import functools

    if __debug__:
      DEBUG_LEVEL = 1
    SIZES = {
        "small": 4,
    }
    a = 1; b = 2


    @functools.lru_cache()
    def cached(value):
        return value * 2
    '''
)
AFTER = textwrap.dedent(
    '''\


    class Later:
        """Defined after the model."""

        def run(self):
            return cached(3)
    '''
)


def whole_file_edits(text, violation):
    try:
        fixed = pipeline._apply(text, [violation])
    except pipeline.FixError:
        return []
    return pipeline._line_edits(text.splitlines(keepends=True), fixed.splitlines(keepends=True))


def surroundings(source):
    yield "alone", source
    # the fixture's own imports stay above its code; ours go first
    yield "code before and after", BEFORE + source + AFTER
    yield "CRLF", (BEFORE + source + AFTER).replace("\n", "\r\n")


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.parent.name)
def test_outline_edits_equal_whole_file_edits(path):
    fixes = compared = 0
    for label, text in surroundings(path.read_text()):
        fixable = [v for v in check_source(text, str(path)) if v.fix is not None]
        expected = [whole_file_edits(text, v) for v in fixable]
        assert pipeline.edits_for_each(text, fixable) == expected, label
        fixes += len(fixable)
        compared += sum(1 for edits in expected if edits)
    assert compared or not fixes  # where there are fixes, the comparison saw real edits


def test_outline_keeps_touched_statements_and_the_first_indentation():
    text = BEFORE + "import keras\nimport numpy as np\nROW = np.ones((1, 4))\nx = keras.Input((4,))\ny = keras.layers.Multiply()([x, ROW])\n" + AFTER
    [violation] = check_source(text, "model.py")
    outline = Outline.of(text)
    skeleton = outline.skeleton(violation)
    lines = skeleton.text.splitlines()
    assert "y = keras.layers.Multiply()([x, ROW])" in lines and "import functools" in lines
    assert "DEBUG_LEVEL" not in skeleton.text and "def cached" not in skeleton.text
    assert lines[3].startswith("if True:") and lines[4].startswith('  """')  # the 2-space block
    assert outline.default_indent == "  "
    assert skeleton.restore(skeleton.text) == text
    fixed = pipeline._fixed_on_outline(outline, violation, {})  # the outline is used, no fallback
    assert fixed == pipeline._apply(text, [violation]) and "Rescaling(scale=ROW)(x)" in fixed


# -- the text fast path (fixes/text_edits.py) must give the pipeline's edits, byte for byte

@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.parent.name)
def test_text_edits_equal_whole_file_edits(path):
    from keraslint.fixes import text_edits

    for label, text in surroundings(path.read_text()):
        fixable = [v for v in check_source(text, str(path)) if v.fix is not None]
        assert text_edits.edits_for_each(text, fixable) == [whole_file_edits(text, v) for v in fixable], label


# statements around `K.exp(...)` calls: at the line-length limit and one past it, a long comment
# above, parentheses of their own, `;`, one-line blocks, compound headers, a call split over
# lines, imports after the code, a helper name already defined
CONTEXTS = [
    "y = K.exp(x)",
    "y = (K.exp(x))",
    "y = ( K.exp(x) )",
    "y = f(K.exp(x))",
    "a = 1; y = K.exp(x)",
    "y = K.exp(x); a = 1",
    "if x: y = K.exp(x)",
    "for i in K.arange(3):\n    pass",
    "@register(K.exp(1.0))\ndef g():\n    pass",
    "def g(a=K.exp(1.0)):\n    return a",
    "y = K.exp(\n    x\n)",
    "y = K.exp(x,\n)  # trailing",
    "y = K.mean(x,\n       axis=-1)",
    "y = K.mean(K.square(x), axis=-1)",
    "z = [K.exp(v) for v in range(3)]",
    "y = K.exp(x)  # " + "c" * 80,
    "# " + "c" * 97 + "\ny = K.exp(x)",
    "class Layer:\n    def call(self, x):\n        # " + "c" * 90 + "\n        return K.exp(x)",
    "class Layer:\n    def call(self, x):\n        return K.sum(K.square(x), axis=-1, keepdims=True) + K.exp(x) * K.exp(x)",
    "\tif x:\n\t\ty = K.exp(x)".replace("\t", "", 1),
    "y = K.exp(x) if x else K.exp(-x)",
    "s = '''\n# not a comment'''; y = K.exp(x)",
    # statements the pipeline re-wraps when they no longer fit (fixes/text_wrap.py): the
    # arguments on one line, one per line, the outer call of a chain first, nothing to split
    "y = layers.Dense(units=8, activation='relu', name='dense_block')(K.exp(x), training=False)",
    "y = layers.Dense(units=8, activation='relu', name='dense_block_with_a_longer_name')(K.exp(x))",
    "y = make(first_argument_value, second_argument_value, third_argument, K.exp(x), last_one)",
    "class Net:\n    def call(self, x):\n        return layers.Dense(8, name='a_long_layer_name')(K.exp(x), mask=None)",
    "class Net:\n    def call(self, x):\n        out = f(g(a,\n              b), K.exp(x), c)\n        return out",
    "class Net:\n    def call(self, x):\n        out = f(g(a,\n  b), K.exp(x), c)\n        return out",
    "y = f(lambda a, b: a + b, K.exp(x), '# not a comment', [1, 2, 3], {'k': (4, 5)})",
    "y: float = f(K.exp(x), 2, 3)",
    "y += f(K.exp(x), 2, 3)",
    "f(K.exp(x), 2, 3)",
    "y = f(K.exp(x)) + g(1, 2)",
    "y = (f(K.exp(x), 2))",
    "y = [K.exp(x), 1]",
    "y = f(K.exp(x), 2);",
    "y = f(K.exp(x), *args, **kwargs)",
    "y = f(K.exp(x), t='''a\n        b''')",
    "y = f(K.exp(x),  # note\n      2)",
    "y = f(\"héllo 中文\", K.exp(x))  # 注释 ünïcode",
    "class Net:\n\tdef call(self, x):\n\t\treturn f(K.exp(x), 1, 2)",
    "class Net:\n    def call(self, x):\n        # " + "c" * 86 + "\n        return f(K.exp(x), 1)",
    "class Net:\n    def build(self):\n        self.a = 1\n\n    def call(self, x):\n        return f(K.exp(x), 1)\n\n    def other(self):\n        return 2",
    # comment lines above a statement that may no longer fit: libcst measures those it gives
    # the statement (not a block's footer, not inside a string) with it, so a long one there
    # keeps the statement as it is
    "class Net:\n    def call(self, x):\n        # " + "c" * 88 + "\n        return f(K.exp(x), 1)",
    "class Net:\n    def call(self, x):\n        # " + "c" * 88 + "\n\n        # short\n        return f(K.exp(x), 1)",
    "class Net:\n    def call(self, x):\n        y = 1\n# " + "c" * 91 + "\n        return f(K.exp(x), 1)",
    "class Net:\n    def call(self, x):\n        if x:\n            y = 1\n        # " + "c" * 95 + "\n        return f(K.exp(x), 1)",
    "class Net:\n    def call(self, x):\n        if x:\n            y = 1\n\n        # short\n        return f(K.exp(x), 1)",
    "class Net:\n    def call(self, x):\n        if x:\n            y = 1\n            # " + "c" * 95 + "\n        return f(K.exp(x), 1)",
    "class Net:\n    def call(self, x):\n        if x:\n            y = 1\n        # " + "c" * 95 + "\n            # deeper\n        return f(K.exp(x), 1)",
    "class Net:\n    def call(self, x):\n        def inner():\n            if x:\n                y = 1\n            # " + "c" * 95 + "\n        return f(K.exp(x), 1)",
    "def first():\n    if x:\n        y = 1\n    # " + "c" * 97 + "\ny = f(K.exp(x), 1)",
    "for i in range(3):\n    pass\ny = 2\n    # " + "c" * 97 + "\ny = f(K.exp(x), 1)",
    "class Net:\n    def call(self, x):\n        s = '''\n# " + "c" * 100 + "'''\n        return f(K.exp(x), 1)",
    "if x:\n    y = 1\n    # " + "c" * 100 + "\ny = f(K.exp(x), 1)",
    "if x:\n    y = 1\n# " + "c" * 100 + "\n\ny = [K.exp(x), 1]",
    # continuation lines: after a line break inside brackets libcst measures a line starting
    # with the block's indentation as it is; after a backslash or inside a string, with the
    # block's width added
    "class Net:\n    def call(self, x):\n        self.value = \\\n            K.sum(K.exp(x), axis=1) * self.scale",
    "class Net:\n    def call(self, x):\n        self.value = \\\n            f(K.exp(x), axis=1)",
    "class Net:\n    def call(self, x):\n        return g(1,\n                 K.exp(x)) * 2",
    "class Net:\n    def call(self, x):\n        return g(1,\n                 # a note\n                 K.exp(x)) * 2",
    "class Net:\n    def call(self, x):\n        return g(1,\n    K.exp(x)) * 2",
    "class Net:\n    def call(self, x):\n        return g('''a\n        b''', K.exp(x)) * 2",
    "class Net:\n    def call(self, x):\n        return g(K.exp(x), '''a\n        b''') * 2",
    # a list value the pipeline splits when the statement no longer fits: one element per
    # line with a trailing comma, or a comprehension's element and each `for` on its own line
    "class Net:\n    def call(self, x):\n        outs = [K.exp(x), K.exp(x) * 2, lambda a, b: a + b, *rest]",
    "class Net:\n    def call(self, x):\n        outs = [ K.exp(x) , 2 ,]",
    "class Net:\n    def call(self, x):\n        outs = [K.exp(v) * g(x) for v in y if v is not None for w in (v, v)]",
    "class Net:\n    def call(self, x):\n        return [ (K.exp(v) * g(x)) for v in y  if v  ]  # trailing",
    "class Net:\n    def call(self, x):\n        outs = [K.exp(v) * g(x) for v in y if v != '#']",
    "class Net:\n    def call(self, x):\n        outs = [K.exp(v) * g(x)\n                for v in y]",
    "class Net:\n    def call(self, x):\n        outs = ([K.exp(v) * g(x) for v in y])",
    "class Net:\n    def call(self, x):\n        outs: list = [K.exp(v) * g(x) for v in y]",
    "[K.exp(v) * g(x) for v in y]",
    # a replacement that brings its own parentheses (`K.image_dim_ordering()` becomes
    # `("th" if ... else "tf")`): as written where the node has none, else the pipeline's
    "ordering = K.image_dim_ordering()",
    "ordering = f(K.image_dim_ordering(), x)",
    "ordering = f(x, dim_ordering=K.image_dim_ordering())",
    "ordering = (K.image_dim_ordering())",
    "ordering = ( K.image_dim_ordering() )",
    "ordering = f(\n    K.image_dim_ordering(), x)",
    # replacements in f-strings: the rewritten statement is parsed (quotes may clash)
    "s = f'{K.exp(x)}' + F\"{K.exp(x)!r}\"",
    # a replacement that spans lines: libcst puts the block's indentation before each
    "class Net:\n    def call(self, x):\n        return K.mean(K.square(x),\n                      axis=-1)",
    "class Net:\n\tdef call(self, x):\n\t\treturn K.mean(x,\n\t\t              axis=-1)",
    "class Net:\n    def call(self, x):\n        return K.mean(x, axis=[\n            -1])  # " + "c" * 70,
    "class Net:\n    def call(self, x):\n        return K.mean(x,\n            axis='''-1\n''')",
    "class Net:\n    def call(self, x):\n        return K.mean(x,  # why\n            axis=-1)",
    "class Net:\n    def call(self, x):\n        return K.mean(\n            # the mean\n            x,\n\n            axis=-1)",
    "class Net:\n    def call(self, x):\n        return K.mean(x, \\\n            axis=-1)",
    "class Net:\n    def call(self, x):\n        return [K.mean(\n            # over the last axis\n            x, axis=-1) for x in y]",
    # a replaced comparison (`K.image_dim_ordering() == "th"` becomes a data-format test)
    "if K.image_dim_ordering() == 'th':\n    axis = 1",
    "axis = 1 if (K.image_dim_ordering() == 'th') else -1",
    "flag = not K.image_dim_ordering() == 'tf' and x",
    "class Net:\n    def build(self):\n        self.axis = 1 if K.image_dim_ordering() == 'th' else layers.Dense(units=8, activation='relu')",
]


def variations():
    for index, context in enumerate(CONTEXTS):
        for width in (0, 60, 62, 66, 70, 80):
            padded = context.replace("(x)", "(" + ("x" + "_" * (width - 1) if width else "x") + ")") if width else context
            yield f"{index}-{width}", "from keras import backend as K\n\n" + padded + "\n"
            yield f"{index}-{width}-late-import", "SIZE = 3\n\n" + padded + "\n\n\nfrom keras import backend as K\n"
            yield f"{index}-{width}-crlf", ("import keras\nfrom keras import backend as K, layers\n" + padded + "\n").replace("\n", "\r\n")


@pytest.mark.parametrize("label,text", list(variations()), ids=lambda v: v if len(v) < 30 else None)
def test_text_edits_equal_whole_file_edits_in_variations(label, text):
    from keraslint.fixes import text_edits

    fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
    assert fixable, label
    expected = [whole_file_edits(text, v) for v in fixable]
    assert any(expected)
    assert text_edits.edits_for_each(text, fixable) == expected


def test_text_edits_need_no_libcst_parse_for_a_plain_replacement(monkeypatch):
    from keraslint.fixes import pipeline, text_edits

    text = "from keras import ops\nfrom keras import backend as K\n\ny = K.exp(x)\nz = K.exp(y)\n"
    fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
    expected = [whole_file_edits(text, v) for v in fixable]
    monkeypatch.setattr(pipeline, "fixed_each", None)  # the pipeline is not called
    assert len(fixable) == 2 and text_edits.edits_for_each(text, fixable) == expected


def test_wrapped_statements_need_no_libcst(monkeypatch):
    """A long rewritten statement in a method is re-wrapped on text, as the pipeline would."""
    from keraslint.fixes import pipeline, text_edits

    text = (
        "from keras import ops\nfrom keras import backend as K\n\n\nclass Net:\n    def call(self, x):\n"
        "        return keras.layers.Dense(units=8, activation='relu', name='projection')(K.exp(x), training=False)\n"
    )
    fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
    expected = [whole_file_edits(text, v) for v in fixable]
    assert len(fixable) == 1 and expected[0][0]["content"].count("\n") == 3  # the pipeline wrapped it
    monkeypatch.setattr(pipeline, "fixed_each", None)  # the pipeline is not called
    assert text_edits.edits_for_each(text, fixable) == expected


def test_outline_keeps_only_the_touched_method():
    methods = "".join(f"    def helper_{i}(self, x):\n        return x + {i}\n\n" for i in range(5))
    text = "import keras\nfrom keras import backend as K\n\n\nclass Net:\n    scale = 2\n\n" + methods + "    def call(self, x):\n        return K.exp(x)\n"
    [violation] = [v for v in check_source(text, "model.py") if v.fix is not None]
    outline = Outline.of(text)
    skeleton = outline.skeleton(violation)
    # the method right above keeps its header (its block's footer takes the comments below it)
    assert "helper_3" not in skeleton.text and "scale" not in skeleton.text
    assert "def helper_4" in skeleton.text and "x + 4" not in skeleton.text
    assert "class Net:" in skeleton.text and "return K.exp(x)" in skeleton.text
    assert skeleton.restore(skeleton.text) == text
    fixed = pipeline._fixed_on_outline(outline, violation, {})  # the outline is used, no fallback
    assert fixed is not None and fixed == pipeline._apply(text, [violation])


def test_line_diff_equals_difflib_on_repetitive_texts():
    """LineDiff's shortcut (difflib's first pick shown from the runs the new text keeps)
    gives difflib's edits, also where lines repeat a lot (few distinct lines) and the
    shortcut must step aside; with one or two changes, a right, a wrong or no anchor."""
    import random

    from keraslint.fixes.lines import LineDiff, _line_edits

    rng = random.Random(15)
    for _ in range(3000):
        distinct = rng.choice([2, 3, 5, 30, 200, 1000])
        line = lambda: f"{rng.randrange(distinct)}\n"  # noqa: E731
        old = [line() for _ in range(rng.randrange(0, 300))]
        first = rng.randrange(0, len(old) + 1)
        second = rng.randrange(first, len(old) + 1)
        cut1 = rng.randrange(first, min(len(old), first + 2) + 1)
        cut2 = rng.randrange(second, min(len(old), second + 4) + 1)
        if cut1 > second:
            cut1 = second
        head = old[:first] + [line() for _ in range(rng.randrange(0, 3))] + old[cut1:second]
        new = head + [line() for _ in range(rng.randrange(0, 5))] + old[cut2:]
        anchor = rng.choice([(second, len(head)), (rng.randrange(len(old) + 1), rng.randrange(len(new) + 1)), None])
        assert LineDiff(old).edits(new, anchor) == _line_edits(old, new), (old, new, anchor)


# import blocks above a `K.exp(x)` fix (it adds `from keras import ops`): the text path
# (fixes/text_imports.py) must place the import where the pipeline does
IMPORT_BLOCKS = [
    "from keras import backend as K\n",
    "from keras import backend as K\nfrom keras import layers, models\n",
    "from keras import backend as K\nfrom keras import models, layers\n",
    "from keras import backend as K\nfrom keras import layers  # the layers\n",
    "# a comment\nfrom keras import backend as K\nfrom keras import Model, layers\n",
    "from keras import backend as K\nfrom keras import " + ", ".join(f"name_{i}" for i in range(14)) + "\n",
    "from keras import backend as K\nfrom keras import (layers,\n    models)\n",
    "import os\nimport sys\n\nimport numpy as np\nfrom keras import backend as K\n",
    "import os\nimport sys\n\nimport numpy as np\nimport tensorflow as tf\n\nfrom keras import backend as K\n",
    "from __future__ import annotations\n\nimport keras.backend as K\nimport zlib\n",
    "import zlib, os\nimport keras.backend as K\n",
    "from tensorflow import keras\nimport numpy as np\nfrom keras import backend as K\nimport abc\n",
    "\"\"\"The model.\"\"\"\nfrom keras import backend as K\n",
    "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nfrom keras import backend as K\n",
    "from keras import backend as K\nSIZE = 3\n\n# numpy next\nimport numpy as np\n\n\n",
    "from keras import backend as K\nif SIZE:\n    import numpy as np\n# after the block\nimport zlib\n",
    "from keras import backend as K\nif SIZE:\n    import numpy as np\n    # the block's footer\n\n# after the block\nimport zlib\n",
    "from . import helpers\nfrom keras import backend as K\nfrom .layers import Block\n",
    "from keras import backend as K\nfrom keras import ops\n",
    "from keras import backend as K\nfrom keras import ops  # already\n",
    "from keras import backend as K\nimport keras.layers; import zlib\n",
]


@pytest.mark.parametrize("block", IMPORT_BLOCKS, ids=range(len(IMPORT_BLOCKS)))
def test_text_imports_equal_the_pipelines(block, monkeypatch):
    from keraslint.fixes import text_edits

    for newline in ("\n", "\r\n"):
        text = (block + "\n\ny = K.exp(x)\nz = K.exp(y)\n").replace("\n", newline)
        fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
        expected = [whole_file_edits(text, v) for v in fixable]
        assert len(fixable) == 2 and all(expected)
        assert text_edits.edits_for_each(text, fixable) == expected


def test_text_imports_place_most_imports_without_libcst(monkeypatch):
    from keraslint.fixes import pipeline, text_edits

    runs = []
    real = pipeline.fixed_each
    monkeypatch.setattr(pipeline, "fixed_each", lambda *args: runs.append(1) or real(*args))
    for block in IMPORT_BLOCKS:
        text = block + "\n\ny = K.exp(x)\n"
        text_edits.edits_for_each(text, [v for v in check_source(text, "model.py") if v.fix is not None])
    assert len(runs) <= 1  # only a block's footer above the insertion point (block 16) needs libcst


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_an_import_and_the_names_it_binds_are_renamed_on_text(newline, monkeypatch):
    """KER303's fix edits the import and every use of the module name it binds: each
    statement is edited on text, bottom up, with the pipeline's result and no libcst."""
    from keraslint.fixes import pipeline, text_edits

    text = newline.join([
        "import numpy as np",
        "from keras.utils import np_utils",
        "",
        "",
        "def encode(labels):",
        "    if labels is not None:",
        "        y = np_utils.to_categorical(labels, 10)",
        "        return y, np_utils.to_categorical(labels[:1], 10)",
        "    return None",
        "",
    ])
    fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
    assert [v.code for v in fixable] == ["KER303"] and len(fixable[0].fix.edits) > 2
    expected = [whole_file_edits(text, v) for v in fixable]
    monkeypatch.setattr(pipeline, "fixed_each", None)  # the pipeline is not called
    assert text_edits.edits_for_each(text, fixable) == expected


@pytest.mark.parametrize("comment_width", [85, 93, 100, 101, 120])
def test_comment_lines_above_are_measured_as_libcst_does_without_libcst(comment_width, monkeypatch):
    """A comment at the block's indentation counts with its own width (no second block
    width): a long one keeps the statement as it is, a shorter one lets it be re-wrapped;
    either way on text, as the pipeline does."""
    from keraslint.fixes import pipeline, text_edits

    text = (
        "from keras import ops\nfrom keras import backend as K\n\n\nclass Net:\n    def call(self, x):\n        y = 1\n"
        "        # " + "c" * (comment_width - 10) + "\n\n"
        "        return keras.layers.Dense(units=8, activation='relu', name='projection')(K.exp(x), training=False)\n"
    )
    fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
    expected = [whole_file_edits(text, v) for v in fixable]
    wrapped = expected[0][0]["content"].count("\n") > 1
    assert wrapped == (comment_width <= 100)
    monkeypatch.setattr(pipeline, "fixed_each", None)  # the pipeline is not called
    assert text_edits.edits_for_each(text, fixable) == expected


def test_a_long_comment_first_in_the_file_goes_to_the_pipeline():
    """The module's header may take the comment lines above the first statement: undecided."""
    from keraslint.fixes import text_edits

    for comment in ("# " + "c" * 100 + "\n", "# short\n\n# " + "c" * 100 + "\n"):
        text = comment + "y = f(K.exp(x_" + "_" * 80 + "), 1)\n\nfrom keras import backend as K\n"
        fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
        assert fixable
        assert text_edits.edits_for_each(text, fixable) == [whole_file_edits(text, v) for v in fixable]


@pytest.mark.parametrize("imports", [
    "from keras.constraints import maxnorm",
    "from keras.constraints import maxnorm, unit_norm",
    "from keras.constraints import (unit_norm,\n    maxnorm)",
    "from keras.layers import Input, Deconv2D, Dense",
    "from keras.layers import Deconv2D as Up, Dense",
])
def test_an_imported_name_that_gains_an_alias_is_renamed_on_text(imports, monkeypatch):
    """KER303 renames a removed name and keeps the old one as an alias
    (`maxnorm` -> `MaxNorm as maxnorm`): the import is rewritten as written."""
    from keraslint.fixes import pipeline, text_edits

    text = imports + "\n\n\nc = maxnorm(2) if Deconv2D else Up\n"
    fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
    expected = [whole_file_edits(text, v) for v in fixable]
    assert fixable and all(expected)
    calls = []
    real = pipeline.edits_for_each
    monkeypatch.setattr(pipeline, "edits_for_each", lambda *args: calls.append(args) or real(*args))
    assert text_edits.edits_for_each(text, fixable) == expected
    if " as Up" not in imports:
        assert calls == [] and any(" as " in e["content"] for edits in expected for e in edits)


# import blocks and what follows them, for fixes that add helpers (`K.batch_dot`, `K.switch`:
# a function after the imports) and two imports (`K.zeros`: `keras` and `keras.ops`)
HELPER_HEADS = [
    "from keras import backend as K\n\n\n",
    "from keras import backend as K\n",
    "from keras import backend as K\n\n",
    "from keras import backend as K\n# a comment\n",
    "from keras import backend as K\n\n\n\n# a comment\n\n",
    '"""Docstring."""\nimport numpy as np\nfrom keras import backend as K\nfrom keras import ops\n\nSIZE = 3\n\n',
    "import keras\nfrom keras import backend as K\n\n\ndef helper():\n    return 1\n\n\n",
    "import keras\nfrom keras import backend as K\nif SIZE:\n    import numpy as np\n    # indented\n",
    "from keras import backend as K\n\n\ndef helper():\n  return 1\n\n\n",  # two-space indentation
    "# only a comment\n",
]


@pytest.mark.parametrize("head", HELPER_HEADS, ids=range(len(HELPER_HEADS)))
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_helpers_and_several_imports_are_added_as_the_pipeline_adds_them(head, newline):
    from keraslint.fixes import text_edits

    body = "y = K.batch_dot(a, b, axes=1)\nz = K.zeros((2, 3))\nw = K.switch(c, a, b)\n"
    if "backend as K" not in head:
        body += "\n\nfrom keras import backend as K\n"
    text = (head + body).replace("\n", newline)
    fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
    expected = [whole_file_edits(text, v) for v in fixable]
    assert len(fixable) == 3 and all(expected)
    assert text_edits.edits_for_each(text, fixable) == expected


def test_helpers_need_no_libcst_after_an_import_block(monkeypatch):
    from keraslint.fixes import pipeline, text_edits

    text = "import keras\nfrom keras import backend as K\n\n# the model\ny = K.batch_dot(a, b, axes=1)\nz = K.zeros((2, 3))\n"
    fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
    expected = [whole_file_edits(text, v) for v in fixable]
    assert "def batch_dot(" in expected[0][0]["content"]
    monkeypatch.setattr(pipeline, "fixed_each", None)  # the pipeline is not called
    assert text_edits.edits_for_each(text, fixable) == expected


def test_a_rewritten_statement_that_does_not_parse_gets_no_edits():
    """Python 3.11 cannot nest the same quotes in an f-string: the pipeline's result does not
    parse and the fix has no edits; the text path parses the statement and agrees."""
    from keraslint.fixes import text_edits

    text = 'from keras import backend as K\n\ns = f"{K.image_dim_ordering()}"\n'
    fixable = [v for v in check_source(text, "model.py") if v.fix is not None]
    expected = [whole_file_edits(text, v) for v in fixable]
    assert len(fixable) == 1
    if sys.version_info < (3, 12):
        assert expected == [[]]
    assert text_edits.edits_for_each(text, fixable) == expected


@pytest.mark.parametrize("source", [
    "x = 1\n",
    "def f():\n  return 1\n",
    "@deco\nclass A:\n\t@property\n\tdef f(self):\n\t\treturn 1\n",
    "if x: pass\nelse:\n   y = 1\ndef f():\n    return 1\n",
    "try: pass\nexcept E:\n      pass\n",
    "match x:\n  case 1:\n        pass\n",
    "if x:\n\n    # a comment\n\n      y = 1\n",
    "x = (\n        1)\nwhile x:\n  x -= 1\n",
])
def test_outline_first_indentation_is_the_first_indent_token(source):
    from keraslint.fixes.outline import _first_indent

    assert Outline.of(source).default_indent == _first_indent(source)
