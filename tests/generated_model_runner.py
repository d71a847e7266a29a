"""Runs generated model programs with real Keras, many per process (TensorFlow imports once).

    python generated_model_runner.py compare JOBS.json   # in-process: safe fixes keep numbers;
                                                        # unsafe fixes build, run and are saved
    python generated_model_runner.py reload JOBS.json    # a fresh process: safe-mode load

JOBS.json: {"jobs": [...], "results": path}.  A "safe" job has `original` and `fixed` (the
program after the safe fixes only): if the original builds and runs at batch 1/3/4, the fixed
model, given the original's weights, must give identical outputs (shape, dtype, every value)
and the same parameter counts.  An "unsafe" job has `fixed` (after every fix) and `saved`: the
fixed model must build and run; it is saved with its outputs for the reload stage, which
imports the fixed module first (it registers the classes a fix inserted), loads the model in
safe mode and compares the outputs.  Results: one JSON object per job name.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import model_harness as harness  # noqa: E402

SEED = 1234


def _keras(flavor):
    if flavor == "tf_keras":
        import tf_keras as keras
    else:
        import keras
    return keras


def _inputs(module, batch):
    import numpy as np

    rng = np.random.default_rng(batch)
    return [rng.normal(size=(batch, *shape)).astype("float32") for shape in module.INPUT_SHAPES]


def _build_and_run(path, flavor):
    """(module, model, outputs per batch); raises what building or running raises."""
    _keras(flavor).utils.set_random_seed(SEED)
    module = harness.import_path(Path(path))
    model = module.build_model()
    outputs = {batch: harness.run_model(model, _inputs(module, batch)) for batch in harness.BATCH_SIZES}
    return module, model, outputs


def _error(error):
    return f"{type(error).__name__}: {harness._first_line(error)}"


def _safe(job):
    try:
        _, original, before = _build_and_run(job["original"], job["flavor"])
    except Exception as error:
        return {"status": "original fails", "error": _error(error)}
    try:
        _keras(job["flavor"]).utils.set_random_seed(SEED)
        module = harness.import_path(Path(job["fixed"]))
        fixed = module.build_model()
        fixed.set_weights(original.get_weights())  # a safe fix keeps the weights, in order
        problems = []
        for batch in harness.BATCH_SIZES:
            got = harness.run_model(fixed, _inputs(module, batch))
            problems += harness.compare(got, before[batch], 0.0, f"B={batch}")
    except Exception:
        return {"status": "differs", "problems": [traceback.format_exc()[-2000:]]}
    if harness.count_params(fixed) != harness.count_params(original):
        problems.append(f"params {harness.count_params(fixed)}, original {harness.count_params(original)}")
    return {"status": "differs" if problems else "preserved", "problems": problems}


def _unsafe(job):
    import numpy as np

    try:
        module, model, outputs = _build_and_run(job["fixed"], job["flavor"])
    except Exception:
        return {"status": "fixed fails", "error": traceback.format_exc()[-2000:]}
    if not job.get("reload"):
        return {"status": "runs"}
    try:
        model.save(job["saved"])
    except Exception:
        return {"status": "save fails", "error": traceback.format_exc()[-2000:]}
    arrays = {f"b{batch}_{i}": y for batch, ys in outputs.items() for i, y in enumerate(ys)}
    np.savez(job["saved"] + ".npz", **arrays)
    return {"status": "saved"}


def _reload(job):
    import numpy as np

    try:
        module = harness.import_path(Path(job["fixed"]))  # registers the classes a fix inserted
        model = _keras(job["flavor"]).models.load_model(job["saved"])  # safe_mode=True
        saved = np.load(job["saved"] + ".npz")
        problems = []
        for batch in harness.BATCH_SIZES:
            got = harness.run_model(model, _inputs(module, batch))
            want = [saved[f"b{batch}_{i}"] for i in range(len(got))]
            problems += harness.compare(got, want, 0.0, f"reloaded B={batch}")
    except Exception:
        return {"status": "reload fails", "error": traceback.format_exc()[-2000:]}
    return {"status": "differs" if problems else "reloaded", "problems": problems}


def main(stage, manifest_path):
    manifest = json.loads(Path(manifest_path).read_text())
    results = {}
    for job in manifest["jobs"]:
        _keras(job["flavor"]).backend.clear_session()  # thousands of models: keep memory flat
        if stage == "reload":
            results[job["name"]] = _reload(job)
        elif job["kind"] == "safe":
            results[job["name"]] = _safe(job)
        else:
            results[job["name"]] = _unsafe(job)
        Path(manifest["results"]).write_text(json.dumps(results))  # partial results survive a crash
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
