"""No crash, no lost data, no wrong rewrite: fuzzing and real code.

- hypothesmith programs never crash the checker or the fixer; a small Keras model with three
  known findings is appended to each, so the file passes the prefilter and every rule, the
  analysis and the fixers run over the random code (the test asserts the findings are reported);
- fixtures mutated by hypothesis (lines dropped, duplicated, swapped, keras snippets inserted)
  never crash, every fix re-parses, and a second fix pass changes nothing;
- the real code of the installed keras and tf_keras packages (or the benchmark corpus, when it
  has been downloaded) is checked and fixed with every rule and all fixes.
"""

import ast
import os
import re
import shutil
import warnings
from collections import Counter
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keraslint import cli
from keraslint.config import Settings
from keraslint.engine import SourceError, check_source, fix_source

REPO = Path(__file__).resolve().parent.parent
FIXTURE_SOURCES = sorted(
    p.read_text(encoding="utf-8") for p in (REPO / "fixtures").glob("*/*.py") if p.name in ("bad.py", "fixed.py", "near_miss.py")
)
ALL = Settings(select=("ALL",))
# Appended to every hypothesmith program (after it, so its `from __future__` imports stay
# first). Names start with `_kl_`, which the random code will not rebind: its KER101, KER201
# and KER301 must be reported whenever the whole file parses.
KERAS_TAIL = """

import keras as _kl_keras
import numpy as _kl_np
import tensorflow as _kl_tf

_KL_C = _kl_np.array([0.5, 1.5, 2.0, -1.0])


def _kl_model():
    _kl_x = _kl_keras.Input((4,))
    _kl_y = _kl_keras.layers.Multiply()([_kl_x, _KL_C])
    _kl_z = _kl_keras.layers.Lambda(lambda _kl_t: _kl_t * _KL_C)(_kl_y)
    return _kl_keras.Model(_kl_x, _kl_tf.nn.relu(_kl_z))
"""
TAIL_FINDINGS = {"KER101", "KER201", "KER301"}
SNIPPETS = [
    "y = layers.Multiply()([x, np.ones(4)])",
    "y = layers.Lambda(lambda t: t * w)(x)",
    "outs = [layers.Lambda(lambda t: t * w)(x) for w in [1.0, 2.0]]",
    "y = tf.concat([x, x], -1)",
    "from keras import backend as K",
    "y = K.int_shape(x)",
    "m2 = keras.models.clone_model(m)",
    "m.add(layers.Dense(2))(x)",
    "def branch(t):\n    return layers.Dense(8)(t)",
    "a, b = branch(x), branch(x)",
    "x = keras.Input((4,))",
    "w = np.array([0.5, 1.5])",
    "del x",
    "global x",
    "class Multiply: pass",
]

# CI runs 200 generated programs (each one goes through every rule and a libcst fix, since the
# Keras tail makes it reach them) and 2,500 mutated fixtures; KERASLINT_FUZZ_SCALE=10 (the slow
# run) multiplies both.
SCALE = int(os.environ.get("KERASLINT_FUZZ_SCALE", "1"))
GENERATED = settings(max_examples=200 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
MUTATED = settings(max_examples=2500 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))


def _check_and_fix(source: str):
    """The findings (None when the source does not parse); every fix is applied or explained."""
    try:
        found = check_source(source, "fuzz.py", ALL)
    except SourceError:
        return None  # a program that does not parse gets its one line; nothing to fix
    outcome = fix_source(source, "fuzz.py", ALL, unsafe=True)
    assert not outcome.problems, outcome.problems  # no fix dropped or unsettled
    if outcome.text != source:
        if _compiles(source):  # the fix must not turn a valid module into an invalid one
            compile(outcome.text, "fuzz.py", "exec")
        again = fix_source(outcome.text, "fuzz.py", ALL, unsafe=True)
        assert again.text == outcome.text, "a second --fix changed the file again"
    return found


def _compiles(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "fuzz.py", "exec")
        return True
    except (SyntaxError, ValueError):
        return False


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@GENERATED
@given(program=hypothesmith.from_grammar())
def test_generated_programs_never_crash_and_reach_the_rules(program):
    found = _check_and_fix(program + KERAS_TAIL)
    if found is not None:  # it parsed: the rules ran over the random code and the model
        assert TAIL_FINDINGS <= {v.code for v in found}


@st.composite
def mutated_fixture(draw):
    lines = draw(st.sampled_from(FIXTURE_SOURCES)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["drop", "duplicate", "swap", "insert", "rename"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        if operation == "drop":
            del lines[i]
        elif operation == "duplicate":
            lines.insert(i, lines[i])
        elif operation == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif operation == "insert":
            indent = re.match(r"\s*", lines[i]).group(0)
            snippet = draw(st.sampled_from(SNIPPETS))
            lines[i:i] = [indent + part for part in snippet.splitlines()]
        else:
            names = re.findall(r"\b[A-Za-z_]\w*\b", lines[i])
            if names:
                old = draw(st.sampled_from(names))
                new = draw(st.sampled_from(["x", "w", "c", "layers", "keras", "np", "Multiply", "Lambda"]))
                lines[i] = re.sub(rf"\b{re.escape(old)}\b", new, lines[i])
    return "\n".join(lines) + "\n"


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@MUTATED
@given(source=mutated_fixture())
def test_mutated_fixtures_never_crash_and_fixes_reparse(source):
    _check_and_fix(source)


def _corpus_folders():
    corpus = REPO / "benchmarks" / "corpus"
    if (corpus / "MANIFEST.json").is_file():
        return [corpus]
    import importlib.util

    folders = []
    for name in ("keras", "tf_keras"):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, f"{name} must be installed for the corpus test"
        folders.append(Path(spec.origin).parent)
    return folders


@pytest.mark.corpus
def test_real_code_check_and_fix(tmp_path, capsys):
    copies = []
    for folder in _corpus_folders():
        target = tmp_path / folder.name
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc", "*.h5", "*.keras"))
        copies.append(str(target))
    files = [p for c in copies for p in Path(c).rglob("*.py")]
    assert len(files) > 500
    before = {p: p.read_bytes() for p in files}

    # check: every rule, every file; a crash would surface as a traceback or an error line
    code = cli.main(["check", "--select", "ALL", "--no-cache", "--format", "json", *copies])
    out, err = capsys.readouterr()
    import json

    reports = json.loads(out)
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.strip()]
    assert not [e for e in errors if "E999" not in e], errors  # real code: only genuine syntax errors
    counts = Counter(r["code"] for r in reports)
    for report in reports:  # every range names real code
        path = Path(report["filename"])
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        start, end = report["location"], report["end_location"]
        first = lines[start["row"] - 1][start["column"] - 1 :]
        assert first.strip(), report
        if start["row"] == end["row"]:
            segment = lines[start["row"] - 1][start["column"] - 1 : end["column"] - 1]
            assert segment.startswith(("def ", "async def ")) or _parses_as_expression(segment), (report, segment)

    # fix: everything that changed still parses, and a second pass changes nothing
    cli.main(["check", "--select", "ALL", "--fix", "--unsafe-fixes", "--no-cache", "--exit-zero", *copies])
    fix_out, fix_err = capsys.readouterr()
    assert "Traceback" not in fix_err
    # no fix dropped or unsettled (the engine's outcome.problems become error lines)
    assert not [e for e in fix_err.splitlines() if e.strip() and "E999" not in e], fix_err[-3000:]
    changed = [p for p in files if p.read_bytes() != before[p]]
    for path in changed:
        ast.parse(path.read_bytes())
    snapshot = {p: p.read_bytes() for p in changed}
    cli.main(["check", "--select", "ALL", "--fix", "--unsafe-fixes", "--no-cache", "--exit-zero", *copies])
    capsys.readouterr()
    assert [p for p in changed if p.read_bytes() != snapshot[p]] == []
    with capsys.disabled():
        print(f"\ncorpus: {len(files)} files, {len(reports)} reports {dict(sorted(counts.items()))}, "
              f"{len(changed)} files fixed, {len(errors)} error lines, exit {code}")


def _parses_as_expression(text: str) -> bool:
    try:
        ast.parse(text, mode="eval")
        return True
    except SyntaxError:
        return False
