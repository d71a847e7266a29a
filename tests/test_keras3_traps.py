"""The naive renames KER301/KER302 must never produce really are wrong on this Keras.

Each case takes a verified fixed.py, swaps one translated call back to the naive rename, and
checks that the model harness then finds a problem (wrong shape or numbers, or a build error).
If Keras ever changed a default so that a naive rename became right, the case would fail and
the translation could be simplified; if a fixer regressed to the naive form, the fixture's
fixed.py (tests/test_rules.py) and its model test (tests/test_fixed_models.py) fail.
"""

from __future__ import annotations

import shutil

import pytest

import model_harness as harness

pytestmark = pytest.mark.keras

TRAPS = [
    # (fixture, translated text in fixed.py, naive rename)
    ("KER301_shape_ops", "keras.ops.concatenate([h, y], axis=-1)", "keras.ops.concatenate([h, y])"),
    ("KER301_shape_ops", "keras.ops.squeeze(z, axis=-1)", "keras.ops.squeeze(z)"),
    ("KER301_renamed_semantics", "ops.split(x, [2], axis=-1)", "ops.split(x, [2, 4], axis=-1)"),
    ("KER301_renamed_semantics", "ops.matmul(x, ops.swapaxes(y, -2, -1))", "ops.matmul(x, y, transpose_b=True)"),
    ("KER301_renamed_semantics", "ops.take(x, [0, 0], axis=0)", "ops.take(x, [0, 0])"),
    ("KER301_renamed_semantics", "ops.cumsum(x, axis=0)", "ops.cumsum(x)"),
    ("KER302_same_semantics", "keras.ops.concatenate([x, y], axis=-1)", "keras.ops.concatenate([x, y])"),
]


@pytest.mark.parametrize("fixture, translated, naive", TRAPS, ids=[f"{f}:{n}" for f, _, n in TRAPS])
def test_naive_rename_is_caught(fixture, translated, naive, tmp_path):
    source = harness.FIXTURES_DIR / fixture
    copy = tmp_path / fixture
    shutil.copytree(source, copy)
    fixed = (copy / "fixed.py").read_text()
    assert fixed.count(translated) == 1, "the fixture no longer holds the translated call"
    (copy / "fixed.py").write_text(fixed.replace(translated, naive))
    try:
        problems = harness.verify_in_process(copy)
    except Exception as error:  # the naive form does not even build
        problems = [f"{type(error).__name__}: {error}"]
    assert problems, f"`{naive}` computes the intended numbers: the translation is not needed"
