"""Real-Keras proof of the sharing fixes (KER102, KER103) and of what KER104/KER105 find.

Random initialisers make `intended` numbers unknowable for the KER102 seed, so these tests
check what a sharing fix must do instead (PITFALLS.md section 0, item 3): the fixed model has
the parameter count of a hand-shared reference and accepts its weights, after which it
computes exactly what the reference computes; its towers give identical outputs on identical
data (the original's do not); and it saves and loads in safe mode in a fresh process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import model_harness as harness

pytestmark = pytest.mark.keras

FIXTURES = harness.FIXTURES_DIR
SIX_VIEWS = FIXTURES / "KER102_six_views"
SIAMESE = FIXTURES / "KER102_siamese_distance_tf_keras"


def _keras(target):
    if target == "tf_keras":
        import tf_keras as keras
    else:
        import keras
    return keras


def _six_views_reference():
    """PITFALLS (a): the hand-shared six-view model, one Sequential tower."""
    import keras
    from keras.layers import Concatenate, Conv2D, Dense, Flatten, Input

    tower = keras.Sequential([Input((8, 8, 1)), Conv2D(4, 3, activation="relu"), Flatten(), Dense(8)])
    ins = [Input((8, 8, 1)) for _ in range(6)]
    return keras.Model(ins, Concatenate()([tower(i) for i in ins]))


def _siamese_reference():
    import tf_keras as keras
    from tf_keras import layers

    tower = keras.Sequential([keras.Input((6,)), layers.Dense(5, activation="tanh"), layers.Dense(3)])
    left, right = keras.Input((6,)), keras.Input((6,))
    out = layers.Activation("relu")(layers.Subtract()([tower(left), tower(right)]))
    return keras.Model([left, right], out)


CASES = {
    # folder, reference builder, per-view shape, number of views, (bad, shared) params, tower width
    "keras3": (SIX_VIEWS, _six_views_reference, (8, 8, 1), 6, (7200, 1200), 8),
    "tf_keras": (SIAMESE, _siamese_reference, (6,), 2, (106, 53), 3),
}


def _batches(shape, views, same):
    import numpy as np

    rng = np.random.default_rng(7)
    batches = []
    for batch in harness.BATCH_SIZES:
        one = rng.normal(size=(batch, *shape)).astype("float32")
        batches.append([one if same else rng.normal(size=one.shape).astype("float32") for _ in range(views)])
    return batches


@pytest.mark.parametrize("target", sorted(CASES))
def test_fix_shares_one_tower_like_a_hand_shared_reference(target):
    folder, make_reference, shape, views, (bad_params, shared_params), width = CASES[target]
    bad, fixed, reference = harness.build(folder, "bad.py"), harness.build(folder), make_reference()
    for model in (bad, fixed, reference):
        harness.run_model(model, _batches(shape, views, same=False)[0])  # build lazily-built parts
    assert harness.count_params(bad) == (bad_params, bad_params, 0)
    assert harness.count_params(reference) == (shared_params, shared_params, 0)
    assert harness.count_params(fixed) == harness.count_params(reference)
    assert len(fixed.trainable_weights) == len(reference.trainable_weights) < len(bad.trainable_weights)

    fixed.set_weights(reference.get_weights())  # accepted: the same weights, in the same order
    for xs in _batches(shape, views, same=False):
        assert harness.compare(harness.run_model(fixed, xs), harness.run_model(reference, xs), 0.0, "vs reference") == []


def _tower_spread(model, shape, views, width, target):
    """Largest difference between the towers' outputs when every view gets the same data."""
    import numpy as np

    spread = 0.0
    for xs in _batches(shape, views, same=True):
        out = harness.run_model(model, xs)[0]
        if target == "tf_keras":  # relu(left - right): identical towers give exactly 0
            spread = max(spread, float(np.abs(out).max()))
        else:
            towers = [out[:, k * width:(k + 1) * width] for k in range(views)]
            spread = max(spread, max(float(np.abs(t - towers[0]).max()) for t in towers))
    return spread


@pytest.mark.parametrize("target", sorted(CASES))
def test_fixed_towers_agree_on_identical_data_and_the_original_ones_do_not(target):
    folder, _, shape, views, _, width = CASES[target]
    assert _tower_spread(harness.build(folder), shape, views, width, target) == 0.0
    assert _tower_spread(harness.build(folder, "bad.py"), shape, views, width, target) > 1e-3


_RELOAD = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    sys.path.insert(0, {tests!r})
    import model_harness as harness
    job = json.loads(sys.argv[1])
    harness.import_path(job["fixed"])  # the fixed module first, as a user's process would
    if job["target"] == "tf_keras":
        import tf_keras as keras
    else:
        import keras
    model = keras.models.load_model(job["model"])  # safe_mode=True by default
    data = np.load(job["data"])
    worst = 0.0
    for b in {batches!r}:
        xs = [data[f"x{{b}}_{{i}}"] for i in range(job["views"])]
        got = harness.run_model(model, xs)[0]
        worst = max(worst, float(np.abs(got - data[f"y{{b}}"]).max()))
    print(json.dumps({{"worst": worst}}))
    """
)


@pytest.mark.parametrize("target", sorted(CASES))
def test_fixed_model_loads_in_safe_mode_in_a_fresh_process(target, tmp_path):
    import numpy as np

    """The reloaded model computes what the hand-shared reference computes with the same
    weights (not only what the fixed model computed before saving)."""
    folder, make_reference, shape, views, _, _ = CASES[target]
    model, reference = harness.build(folder), make_reference()
    batches = _batches(shape, views, same=False)
    for built in (model, reference):
        harness.run_model(built, batches[0])  # build lazily-built parts
    model.set_weights(reference.get_weights())
    arrays = {}
    for batch, xs in zip(harness.BATCH_SIZES, batches):
        arrays.update({f"x{batch}_{i}": x for i, x in enumerate(xs)})
        arrays[f"y{batch}"] = harness.run_model(reference, xs)[0]
    model.save(tmp_path / "model.keras")
    np.savez(tmp_path / "data.npz", **arrays)
    job = {"target": target, "fixed": str(folder / "fixed.py"), "model": str(tmp_path / "model.keras"),
           "data": str(tmp_path / "data.npz"), "views": views}
    script = _RELOAD.format(tests=str(harness.Path(harness.__file__).parent), batches=list(harness.BATCH_SIZES))
    proc = subprocess.run([sys.executable, "-c", script, json.dumps(job)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"worst": 0.0}


def test_constant_layer_names_crash_before_the_fix_and_build_after():
    folder = FIXTURES / "KER103_siamese_named"
    with pytest.raises(ValueError, match="used 2 times"):
        harness.build(folder, "bad.py")
    assert harness.count_params(harness.build(folder)) == (15, 15, 0)


@pytest.mark.parametrize("name", ["KER104_backup_predict", "KER104_best_model_tf_keras"])
def test_unfixed_clone_has_fresh_weights(name):
    """The harness would catch the original: its clone computes other numbers."""
    spec = harness.load_spec(FIXTURES / name)
    xs = harness.make_inputs(spec, 4)
    got = harness.run_model(harness.build(spec.folder, "bad.py"), xs)
    assert harness.compare(got, harness.intended_outputs(spec, xs), 1e-3, "bad") != []


@pytest.mark.parametrize("name", ["KER105_add_then_call", "KER105_add_then_call_tf_keras"])
def test_calling_the_result_of_add_raises(name):
    with pytest.raises(TypeError, match="NoneType"):
        harness.build(FIXTURES / name, "bad.py")


@pytest.mark.parametrize("name, runs", [("KER102_constant_towers", 3), ("KER102_loop_views_tf_keras", 2)])
def test_harness_fixtures_original_has_one_tower_per_run(name, runs):
    """These fixtures' check.py PARAMS is the shared count; the original has `runs` times it."""
    spec = harness.load_spec(FIXTURES / name)
    bad = harness.build(spec.folder, "bad.py")
    xs = harness.make_inputs(spec, 3)
    assert harness.compare(harness.run_model(bad, xs), harness.intended_outputs(spec, xs), spec.tolerance, "bad") == []
    assert harness.count_params(bad) == tuple(runs * p for p in spec.params)
