"""Every fixture with a check.py: its fixed.py is a verified fix (PITFALLS.md section 0).

Runs real TensorFlow/Keras, hence ``-m keras``.  There is deliberately no
importorskip: without Keras these tests fail, they do not pass by skipping.
"""

from __future__ import annotations

import pytest

import model_harness as harness

FOLDERS = harness.discover()
IDS = [folder.name for folder in FOLDERS]

pytestmark = pytest.mark.keras


def _target(folder):
    """The fixture's TARGET; None for a broken check.py (its own test reports it)."""
    try:
        return harness.load_spec(folder).target
    except Exception:
        return None


@pytest.fixture(scope="session")
def reload_problems(tmp_path_factory):
    """Problems per fixture after a safe-mode load in a fresh process.

    The save/reload runs at most once per target, on first use, for all the
    fixtures of that target (one TensorFlow import per target, not per case);
    each fixture's test then reads its own entry.
    """
    by_target: dict[str, dict[str, list[str]]] = {}

    def problems_for(folder):
        target = harness.load_spec(folder).target  # a broken spec fails here, alone
        if target not in by_target:
            folders = [f for f in FOLDERS if _target(f) == target]
            workdir = tmp_path_factory.mktemp(f"reload_{target}")
            by_target[target] = harness.verify_reload(folders, target, workdir)
        return by_target[target][folder.name]

    return problems_for


# Fixtures whose fix is proven by another test, because random initialisers make their
# intended numbers unknowable: compared with a hand-shared reference there.
PROVEN_ELSEWHERE = {
    "KER102_six_views": "test_sharing_models.py",
    "KER102_siamese_distance_tf_keras": "test_sharing_models.py",
}


def test_every_fixture_with_a_fix_is_discovered():
    """An empty discovery or a fix without its check.py fails here: the parametrized tests
    below would only be skipped ("got empty parameter set") or silently miss the fixture."""
    assert FOLDERS, f"no fixture with a check.py under {harness.FIXTURES_DIR}"
    here = harness.Path(__file__).resolve().parent
    unproven = []
    for folder in sorted(harness.FIXTURES_DIR.iterdir()):
        bad, fixed = folder / "bad.py", folder / "fixed.py"
        if not fixed.is_file() or fixed.read_bytes() == bad.read_bytes():
            continue  # report only: nothing to prove
        if folder in FOLDERS or (folder / "check_legacy.py").is_file():
            continue  # proven here, or under TF_USE_LEGACY_KERAS by test_legacy_tf_keras.py
        elsewhere = PROVEN_ELSEWHERE.get(folder.name)
        if elsewhere is None or folder.name not in (here / elsewhere).read_text():
            unproven.append(folder.name)
    assert not unproven, f"fixtures with a fix but no check.py (and no other proof): {unproven}"


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_fixed_model_computes_the_intended_numbers(folder):
    problems = harness.verify_in_process(folder)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_fixed_model_reloads_in_a_fresh_process(folder, reload_problems):
    problems = reload_problems(folder)
    assert not problems, "\n".join(problems)
