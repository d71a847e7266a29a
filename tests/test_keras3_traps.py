"""The naive renames KER301/KER302 must never produce really are wrong on this Keras.

Each case takes a verified fixed.py, swaps one translated call back to the naive rename, and
checks that the model harness then finds the specific problem (the wrong shape) or the specific
build error the naive form causes; any other exception fails the case.
If Keras ever changed a default so that a naive rename became right, the case would fail and
the translation could be simplified; if a fixer regressed to the naive form, the fixture's
fixed.py (tests/test_rules.py) and its model test (tests/test_fixed_models.py) fail.
"""

from __future__ import annotations

import re
import shutil

import pytest

import model_harness as harness

pytestmark = pytest.mark.keras

TRAPS = [
    # (fixture, translated text in fixed.py, naive rename, how the naive form fails: a
    # harness problem it must report, or the exception type and message it must raise)
    ("KER301_shape_ops", "keras.ops.concatenate([h, y], axis=-1)", "keras.ops.concatenate([h, y])",
     "B=1 vs intended, output 0: shape (2, 4, 6), expected (1, 4, 12)"),  # joined on the batch axis
    ("KER301_shape_ops", "keras.ops.squeeze(z, axis=-1)", "keras.ops.squeeze(z)",
     "B=1 vs intended, output 7: shape (4,), expected (1, 4)"),  # drops the batch axis of size 1 too
    ("KER301_renamed_semantics", "ops.split(x, [2], axis=-1)", "ops.split(x, [2, 4], axis=-1)",
     (ValueError, "too many values to unpack")),  # ops.split takes cut points, not sizes: 3 parts
    ("KER301_renamed_semantics", "ops.matmul(x, ops.swapaxes(y, -2, -1))", "ops.matmul(x, y, transpose_b=True)",
     (TypeError, "unexpected keyword argument 'transpose_b'")),
    ("KER301_renamed_semantics", "ops.take(x, [0, 0], axis=0)", "ops.take(x, [0, 0])",
     "B=1 vs intended, output 12: shape (2,), expected (2, 4, 6)"),  # no axis: takes from the flat tensor
    ("KER301_renamed_semantics", "ops.cumsum(x, axis=0)", "ops.cumsum(x)",
     "B=1 vs intended, output 13: shape (24,), expected (1, 4, 6)"),  # no axis: flattens
    ("KER302_same_semantics", "keras.ops.concatenate([x, y], axis=-1)", "keras.ops.concatenate([x, y])",
     "B=1 vs intended, output 0: shape (2, 4, 6), expected (1, 4, 12)"),
]


@pytest.mark.parametrize("fixture, translated, naive, failure", TRAPS, ids=[f"{t[0]}:{t[2]}" for t in TRAPS])
def test_naive_rename_is_caught(fixture, translated, naive, failure, tmp_path):
    source = harness.FIXTURES_DIR / fixture
    copy = tmp_path / fixture
    shutil.copytree(source, copy)
    fixed = (copy / "fixed.py").read_text()
    assert fixed.count(translated) == 1, "the fixture no longer holds the translated call"
    (copy / "fixed.py").write_text(fixed.replace(translated, naive))
    if isinstance(failure, tuple):  # the naive form does not even build, for this reason
        error_type, message = failure
        with pytest.raises(error_type, match=re.escape(message)):
            harness.verify_in_process(copy)
    else:
        problems = harness.verify_in_process(copy)
        assert failure in problems, f"`{naive}` does not fail as expected: {problems}"
