"""The engine's promises: parse only what can contain a finding, parse once, and never load
libcst (unless fixing) nor TensorFlow/Keras."""

import ast
import subprocess
import sys
import textwrap

from keraslint import engine
from keraslint.config import Settings

BAD = "import keras\nimport numpy as np\nC = np.ones(4)\nx = keras.Input((4,))\ny = keras.layers.Multiply()([x, C])\n"


def test_files_without_keras_or_tensorflow_are_not_parsed(monkeypatch):
    monkeypatch.setattr(engine, "parse", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    assert engine.check_source("import numpy as np\nnp.multiply(a, b)\n") == []


def test_files_without_a_rule_trigger_word_are_not_parsed(monkeypatch):
    monkeypatch.setattr(engine, "parse", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    assert engine.check_source("import keras\nmodel = keras.Sequential()\n", settings=Settings(select=("KER101",))) == []


def test_each_file_is_parsed_once(monkeypatch):
    calls = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert len(engine.check_source(BAD, settings=Settings(select=("ALL",)))) == 1
    assert len(calls) == 1


def test_a_given_tree_is_not_parsed_again(monkeypatch):
    tree = ast.parse(BAD)
    monkeypatch.setattr(ast, "parse", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    assert len(engine.check_source(BAD, tree=tree)) == 1


def test_checking_loads_neither_libcst_nor_tensorflow_nor_keras(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(BAD)
    script = textwrap.dedent(
        f"""
        import sys
        from keraslint import cli
        code = cli.main(["check", "--select", "ALL", "--no-cache", {str(path)!r}])
        loaded = sorted(m for m in ("libcst", "tensorflow", "keras", "tf_keras") if m in sys.modules)
        print("LOADED", loaded, code)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "LOADED [] 1" in result.stdout, result.stdout + result.stderr


def test_fixing_loads_libcst_but_not_tensorflow(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(BAD)
    script = textwrap.dedent(
        f"""
        import sys
        from keraslint import cli
        cli.main(["check", "--fix", "--unsafe-fixes", "--no-cache", {str(path)!r}])
        print("LOADED", sorted(m for m in ("libcst", "tensorflow", "keras", "tf_keras") if m in sys.modules))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "LOADED ['libcst']" in result.stdout, result.stdout + result.stderr


def test_ast_byte_columns_become_character_columns():
    source = "import keras\nimport numpy as np\nC = np.ones(4)\nx = keras.Input((4,))\n名字 = '层'; y = keras.layers.Multiply()([x, C])\n"
    (violation,) = engine.check_source(source)
    assert violation.col == source.splitlines()[4].index("keras.layers")
    fixed = engine.fix_source(source, unsafe=True).text
    assert "名字 = '层'; y = keras.layers.Rescaling(scale=C)(x)\n" in fixed


def test_fix_that_does_not_settle_is_dropped(monkeypatch):
    # a fix whose result always asks for the opposite fix again must not be written
    from keraslint.violations import FixSpec, Replace, Violation

    real = engine.check_source

    def never_settles(text, path="<string>", settings=None, tree=None):
        found = real(text, path, settings, tree)
        tree = ast.parse(text)
        (call,) = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "Input"]
        span = engine.FileContext(text, tree, path, Settings()).span(call)
        toggled = "keras.Input(shape=(4,))" if "Input((4,))" in text else "keras.Input((4,))"
        return found + [Violation("KER999", "toggle", span, FixSpec("safe", "toggle", (Replace(span, toggled),)), path, (span.line, span.line))]

    monkeypatch.setattr(engine, "check_source", never_settles)
    outcome = engine.fix_source(BAD, unsafe=True)
    assert outcome.text == BAD
    assert any(p.startswith("<string>:1:1: E902 fixes did not settle") for p in outcome.problems)
