"""Fixed code reads like code a careful person wrote: new imports go into the import block in
the file's order (or join their `from` import), rewritten lines are wrapped to the project's
line length the way black/ruff format would, and names stay short. No TensorFlow needed."""

from __future__ import annotations

import textwrap

from keraslint.config import Settings
from keraslint.engine import fix_source
from keraslint.fixes import pipeline
from keraslint.violations import AddImport, FixSpec, Replace, Span, Violation

ALL = Settings(select=("ALL",))


def _fixed(source: str, path: str = "<string>") -> str:
    outcome = fix_source(textwrap.dedent(source), path, ALL, unsafe=True)
    assert outcome.problems == []
    return outcome.text


def _with_import(source: str, item: AddImport, line_length: int = 100) -> str:
    """Apply one import edit, with a no-op replacement of the `1` in the last line `x = 1`."""
    source = textwrap.dedent(source)
    last = len(source.splitlines())
    span = Span(last, 4, last, 5)
    violation = Violation("KER999", "test", span, FixSpec("safe", "t", (Replace(span, "1"), item)))
    result = pipeline.apply_fixes(source, [violation], line_length)
    assert result.problems == []
    return result.text


def test_new_import_goes_to_its_sorted_place_among_plain_imports():
    source = """\
        import keras
        import tf_keras as tfk
        from keras import layers
        x = 1
    """
    fixed = _with_import(source, AddImport("numpy", None, "np"))
    assert fixed.splitlines()[:4] == ["import keras", "import numpy as np", "import tf_keras as tfk", "from keras import layers"]


def test_name_joins_an_existing_from_import_in_order():
    source = """\
        import keras
        from keras.layers import Dense, Multiply
        x = 1
    """
    fixed = _with_import(source, AddImport("keras.layers", "Rescaling"))
    assert "from keras.layers import Dense, Multiply, Rescaling\n" in fixed
    assert fixed.count("import") == 2


def test_name_does_not_join_an_import_that_would_grow_too_long():
    source = """\
        from keras.layers import Add, Concatenate, Dense, Dropout, Flatten, Input, Multiply
        x = 1
    """
    fixed = _with_import(source, AddImport("keras.layers", "Rescaling"), line_length=80)
    assert fixed.splitlines()[:2] == [
        "from keras.layers import Add, Concatenate, Dense, Dropout, Flatten, Input, Multiply",
        "from keras.layers import Rescaling",
    ]


def test_unsorted_block_puts_the_import_after_its_kin():
    source = """\
        import tensorflow as tf
        import keras
        import os
        x = 1
    """
    fixed = _with_import(source, AddImport("tensorflow.keras", "Model"))
    assert fixed.splitlines()[:4] == ["import tensorflow as tf", "from tensorflow.keras import Model", "import keras", "import os"]


def test_stdlib_import_stays_in_the_stdlib_group():
    source = """\
        import os

        import keras
        x = 1
    """
    fixed = _with_import(source, AddImport("sys"))
    assert fixed.splitlines()[:4] == ["import os", "import sys", "", "import keras"]


def test_long_rewritten_call_splits_inside_the_first_trailer_that_fits():
    fixed = _fixed(
        """\
        import keras
        from keras import layers


        def projection(x, units):
            return layers.Dense(units, kernel_initializer="ones", bias_initializer="zeros", name="projection")(x)


        def build():
            inputs = keras.Input((3,))
            return keras.Model(inputs, layers.Concatenate()([projection(inputs, 6), projection(inputs, 2)]))
        """
    )
    assert (
        "    return layers.Dense(\n"
        '        units, kernel_initializer="ones", bias_initializer="zeros", name=f"projection_{units}"\n'
        "    )(x)\n"
    ) in fixed
    assert max(len(line) for line in fixed.splitlines()) <= 100


def test_lines_that_fit_are_left_alone_and_the_limit_is_read_from_the_project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 60\n")
    (tmp_path / ".git").mkdir()
    source = tmp_path / "model.py"
    source.write_text("x = 1\n")
    assert pipeline.line_length_for(str(source)) == 60
    assert pipeline.line_length_for("<stdin>") == 100
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "setup.cfg").write_text("[flake8]\nmax-line-length = 88\n")
    assert pipeline.line_length_for(str(tmp_path / "sub" / "m.py")) == 88


def test_long_comprehension_splits_like_black():
    import libcst as cst

    statement = cst.parse_statement(
        "weighted = [layers.Rescaling(scale=np.asarray(ow, dtype='float32').tolist())(out) for ow, out in zip(ws, outs)]\n"
    )
    wrapped = pipeline.wrap_statement(statement, 4, "    ", 100)
    assert cst.Module([]).code_for_node(wrapped) == (
        "weighted = [\n"
        "    layers.Rescaling(scale=np.asarray(ow, dtype='float32').tolist())(out)\n"
        "    for ow, out in zip(ws, outs)\n"
        "]\n"
    )


def test_tower_names_are_short_and_taken_from_the_users_words():
    fixed = _fixed(
        """\
        import keras
        from keras import layers


        def create_base_network(x):
            return layers.Dense(3)(x)


        def build():
            left, right = keras.Input((4,)), keras.Input((4,))
            return keras.Model([left, right], layers.Subtract()([create_base_network(left), create_base_network(right)]))
        """
    )
    assert "    tower_input = keras.Input((4,))\n" in fixed
    assert '    tower = keras.Model(tower_input, create_base_network(tower_input), name="tower")\n' in fixed
    assert "create_base_network_tower" not in fixed


def test_a_plain_number_stays_a_plain_number_on_tf_keras():
    fixed = _fixed(
        """\
        import tf_keras as keras

        WEIGHT = 0.5


        def build():
            x = keras.Input((4,))
            return keras.Model(x, keras.layers.Multiply()([x, WEIGHT]))
        """
    )
    assert "keras.layers.Rescaling(scale=WEIGHT)(x)" in fixed
    assert "tolist" not in fixed and "numpy" not in fixed


def test_name_does_not_join_an_aliased_import():
    source = """\
        from keras import backend as K
        x = 1
    """
    fixed = _with_import(source, AddImport("keras", "ops"))
    assert fixed.splitlines()[:2] == ["from keras import backend as K", "from keras import ops"]
