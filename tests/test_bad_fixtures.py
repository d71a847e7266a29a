"""Every fixture's bad.py really is bad, in the way its rule's documentation says.

The same harness that proves fixed.py (tests/model_harness.py) runs bad.py: build, outputs at
batch 1/3/4 against `intended`, the declared output shapes against fixed.py's, and the
parameter count. A fixture whose bad.py passes all of that (ORIGINAL_IS_CORRECT) must fail
where its rule says it does: the model saved by bad.py does not load in safe mode in a fresh
process, or (a row constant in a Merge layer) its symbolic shape is wrong. If a bad.py ever
passed, the rule's message, documentation or fix safety would be wrong.
"""

from __future__ import annotations

import pytest

import model_harness as harness

pytestmark = pytest.mark.keras

FOLDERS = harness.discover()
IDS = [folder.name for folder in FOLDERS]

# How each rule's documentation says the original fails (failure kinds of diagnose_original).
DOCUMENTED = {
    "KER101": {"crash", "symbolic shape", "output shape", "numbers"},  # wrong shape or values, or crash
    "KER102": {"params"},  # one tower per call: N times the parameters, same numbers
    "KER103": {"crash"},  # duplicate layer names: ValueError at Model()
    "KER104": {"numbers"},  # the clone has fresh weights
    "KER105": {"crash"},  # calling None
    "KER106": {"crash", "params"},  # crash, or silently untracked weights
    "KER202": {"numbers"},  # every Lambda reads the loop's last value
    "KER203": {"crash"},  # a function object is not a tensor
    "KER205": {"crash"},
    "KER301": {"crash"},  # a TensorFlow op on a Keras 3 KerasTensor raises at build
    "KER302": {"crash"},  # removed keras.backend function: AttributeError
    "KER303": {"crash"},  # removed module or name: ImportError
}
# differences that come from the fix, not the bug: ConstantOperand holds the constant as a weight
FIX_SIDE_EFFECTS = {"KER101": {"params"}}
# bad.py computes the intended numbers; these differences may remain
ORIGINAL_CORRECT_DIFFERENCES = {"symbolic shape", "dtype"}


def _kinds(failures):
    return {failure.split(":", 1)[0] for failure in failures}


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_bad_model_fails_the_way_its_rule_says(folder):
    spec = harness.load_spec(folder)
    failures = harness.diagnose_original(folder)
    kinds = _kinds(failures)
    if spec.original_is_correct:
        assert kinds <= ORIGINAL_CORRECT_DIFFERENCES, "\n".join(failures)
        return  # the reload test below proves it is bad
    code = folder.name.split("_")[0]
    assert failures, f"{folder.name}/bad.py builds, computes the intended numbers and has {spec.params} parameters"
    documented = f"{code} documents {sorted(DOCUMENTED[code])}, got:\n" + "\n".join(failures)
    assert kinds & DOCUMENTED[code], documented
    assert kinds <= DOCUMENTED[code] | FIX_SIDE_EFFECTS.get(code, set()), documented


@pytest.fixture(scope="session")
def bad_reload_problems(tmp_path_factory):
    by_target: dict[str, dict[str, list[str]]] = {}

    def problems_for(spec):
        if spec.target not in by_target:
            folders = [f for f in FOLDERS if harness.load_spec(f).original_is_correct and harness.load_spec(f).target == spec.target]
            workdir = tmp_path_factory.mktemp(f"bad_reload_{spec.target}")
            by_target[spec.target] = harness.verify_reload(folders, spec.target, workdir, filename="bad.py")
        return by_target[spec.target][spec.name]

    return problems_for


CORRECT = [f for f in FOLDERS if harness.load_spec(f).original_is_correct]


@pytest.mark.parametrize("folder", CORRECT, ids=[f.name for f in CORRECT])
def test_correct_original_does_not_survive_a_fresh_safe_load_or_has_the_wrong_shape(folder, bad_reload_problems):
    spec = harness.load_spec(folder)
    problems = bad_reload_problems(spec)
    wrong_shape = "symbolic shape" in _kinds(harness.diagnose_original(folder))
    assert problems or wrong_shape, f"{folder.name}/bad.py computes the intended numbers, has the declared shape and reloads"
