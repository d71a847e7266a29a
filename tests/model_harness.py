"""Proves that a fixture's ``fixed.py`` is a verified fix (PITFALLS.md section 0).

A fixture folder ``fixtures/<CODE>_<slug>/`` of a fixable rule holds a
``check.py`` spec next to ``fixed.py``::

    TARGET = "keras3"            # or "tf_keras" (fixed.py imports tf_keras itself)
    INPUTS = [(4,)]              # per-sample input shapes, one per model input
    PARAMS = (4, 0, 4)           # (total, trainable, non_trainable) of the fixed model
    TOLERANCE = 0.0              # optional; at most 2.4e-7 (float32 matmul rounding)
    def intended(*xs): ...       # numpy reference for one batch: ndarray or list of them
    ORIGINAL_IS_CORRECT = False  # optional: bad.py already computes the intended numbers

Two checks:

* ``verify_in_process(folder)``: build the model, compare ``model(x,
  training=False)`` with ``intended`` at batch sizes 1, 3 and 4 (B=1 exposes
  (N,N) broadcasting, B=3 raises, B=4=N is silently wrong), and the parameter
  counts; with ORIGINAL_IS_CORRECT, bad.py must give identical outputs.
* ``verify_reload(folders, target, workdir)``: save every fixed model, then
  ONE fresh process per target (importing TensorFlow costs ~6 s) imports each
  fixture's fixed.py (which registers its custom classes), calls
  ``load_model`` in safe mode and runs the saved inputs.  In-process reload is
  not enough: tf_keras reloads things in-process that fail in a new process.

Both return a list of problems per fixture (empty = verified).  This module is
also the script the fresh process runs (``python model_harness.py --reload
manifest.json``).  It imports numpy, Keras and TensorFlow only inside
functions, so collecting tests stays fast and works without them.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import os
import subprocess
import sys
import traceback
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
TARGETS = ("keras3", "tf_keras")
BATCH_SIZES = (1, 3, 4)
MAX_TOLERANCE = 2.4e-7  # float32 matmul/Dense rounding; anything looser hides bugs

# Set before TensorFlow is first imported, here and in the fresh process.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

_module_counter = itertools.count()


@dataclass(frozen=True)
class Spec:
    name: str
    folder: Path
    target: str
    inputs: tuple[tuple[int, ...], ...]
    params: tuple[int, int, int]
    tolerance: float
    intended: Callable[..., Any]
    original_is_correct: bool


# --------------------------------------------------------------------------- loading


def discover(fixtures_dir: Path = FIXTURES_DIR) -> list[Path]:
    """Fixture folders that have a check.py; cheap enough for collection time."""
    return sorted(p.parent for p in Path(fixtures_dir).glob("*/check.py"))


def import_path(path: Path) -> Any:
    """Import a file under a fresh module name, so same-named files never clash."""
    path = Path(path)
    name = f"_kl_fixture_{path.parent.name}_{path.stem}_{next(_module_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # some libraries look classes up by module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load_spec(folder: Path) -> Spec:
    """Read and validate check.py; a bad spec raises ValueError."""
    folder = Path(folder)
    check = import_path(folder / "check.py")
    where = f"{folder.name}/check.py"
    target = getattr(check, "TARGET", None)
    if target not in TARGETS:
        raise ValueError(f"{where}: TARGET must be one of {TARGETS}, got {target!r}")
    inputs = tuple(tuple(int(d) for d in shape) for shape in check.INPUTS)
    if not inputs:
        raise ValueError(f"{where}: INPUTS is empty")
    params = tuple(int(p) for p in check.PARAMS)
    if len(params) != 3 or params[0] != params[1] + params[2]:
        raise ValueError(f"{where}: PARAMS must be (total, trainable, non_trainable)")
    tolerance = float(getattr(check, "TOLERANCE", 0.0))
    if not 0.0 <= tolerance <= MAX_TOLERANCE:
        raise ValueError(f"{where}: TOLERANCE {tolerance} outside [0, {MAX_TOLERANCE}]")
    return Spec(
        name=folder.name,
        folder=folder,
        target=target,
        inputs=inputs,
        params=params,
        tolerance=tolerance,
        intended=check.intended,
        original_is_correct=bool(getattr(check, "ORIGINAL_IS_CORRECT", False)),
    )


def build(folder: Path, filename: str = "fixed.py") -> Any:
    """Import fixed.py (or bad.py) and call its build_model()."""
    return import_path(Path(folder) / filename).build_model()


# --------------------------------------------------------------------------- numbers


def make_inputs(spec: Spec, batch: int) -> list[Any]:
    """Seeded, non-uniform float32 inputs; the seed depends only on name and batch."""
    import numpy as np

    rng = np.random.default_rng(zlib.crc32(f"{spec.name}:{batch}".encode()))
    return [rng.normal(size=(batch, *shape)).astype("float32") for shape in spec.inputs]


def as_arrays(outputs: Any) -> list[Any]:
    """A tensor, list/tuple or dict of outputs as a list of numpy arrays."""
    import numpy as np

    if isinstance(outputs, dict):
        outputs = [outputs[k] for k in sorted(outputs)]
    elif not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return [np.asarray(o) for o in outputs]


def run_model(model: Any, xs: list[Any]) -> list[Any]:
    return as_arrays(model(xs[0] if len(xs) == 1 else list(xs), training=False))


def intended_outputs(spec: Spec, xs: list[Any]) -> list[Any]:
    """The reference, rounded to float32 once (numpy promotes `x32 * c64` to
    float64; a single float32 op equals the correctly rounded float64 result)."""
    import numpy as np

    wanted = as_arrays(spec.intended(*[x.copy() for x in xs]))
    return [w.astype("float32") if w.dtype == np.float64 else w for w in wanted]


def compare(
    got: list[Any], want: list[Any], tolerance: float, label: str, dtypes: bool = True
) -> list[str]:
    """Problems between two output lists: count, exact shape, dtype (unless
    `dtypes=False`), max abs difference."""
    import numpy as np

    if len(got) != len(want):
        return [f"{label}: {len(got)} outputs, expected {len(want)}"]
    problems = []
    for i, (g, w) in enumerate(zip(got, want)):
        where = f"{label}, output {i}" if len(got) > 1 else label
        if g.shape != w.shape:
            problems.append(f"{where}: shape {g.shape}, expected {w.shape}")
            continue
        if dtypes and g.dtype != w.dtype:
            problems.append(f"{where}: dtype {g.dtype}, expected {w.dtype}")
            continue
        diff = float(np.max(np.abs(g.astype("float64") - w.astype("float64")), initial=0.0))
        if not diff <= tolerance:  # `not <=` also catches NaN
            problems.append(f"{where}: max abs difference {diff:.3g} > tolerance {tolerance:g}")
    return problems


def count_params(model: Any) -> tuple[int, int, int]:
    """(total, trainable, non_trainable); the split is summed over the weights,
    because tf_keras and Keras 3 do not share a helper method for it."""

    def size(weights: list[Any]) -> int:
        return sum(math.prod(int(d) for d in w.shape) for w in weights)

    return model.count_params(), size(model.trainable_weights), size(model.non_trainable_weights)


def verify_in_process(folder: Path) -> list[str]:
    """Numbers at B=1/3/4, parameter counts, and bad.py == fixed.py when the
    original was already right.  Build errors propagate (their traceback is
    the most useful report)."""
    spec = load_spec(folder)
    model = build(spec.folder)
    original = build(spec.folder, "bad.py") if spec.original_is_correct else None
    problems = []
    for batch in BATCH_SIZES:
        xs = make_inputs(spec, batch)
        got = run_model(model, xs)
        want = intended_outputs(spec, xs)
        problems += compare(got, want, spec.tolerance, f"B={batch} vs intended")
        if original is not None:
            # numbers only: an original may compute in float64 (a captured float64
            # array); the fix's dtype is checked against the intended one above
            problems += compare(got, run_model(original, xs), 0.0, f"B={batch} vs bad.py", dtypes=False)
    params = count_params(model)  # after the calls: a Sequential builds lazily
    if params != spec.params:
        problems.append(
            f"params (total, trainable, non_trainable) = {params}, expected {spec.params}"
        )
    return problems


def symbolic_shapes(model: Any) -> list[tuple]:
    """The declared output shapes of a functional model (None for the batch)."""
    return [tuple(None if d is None else int(d) for d in o.shape) for o in model.outputs]


def diagnose_original(folder: Path, filename: str = "bad.py") -> list[str]:
    """How `bad.py` fails the in-process checks its fixed.py passes, one line per
    failure, each starting with its kind: "crash", "symbolic shape", "output
    shape", "numbers", "dtype" or "params".  Empty: it computes the intended
    numbers with the intended parameter count (only reloading can then fail)."""
    spec = load_spec(folder)
    try:
        model = build(spec.folder, filename)
    except Exception as error:
        return [f"crash: building raises {type(error).__name__}: {_first_line(error)}"]
    failures = []
    fixed = build(spec.folder)
    if symbolic_shapes(model) != symbolic_shapes(fixed):
        failures.append(f"symbolic shape: {symbolic_shapes(model)}, fixed.py declares {symbolic_shapes(fixed)}")
    for batch in BATCH_SIZES:
        xs = make_inputs(spec, batch)
        try:
            got = run_model(model, xs)
        except Exception as error:
            failures.append(f"crash: B={batch} raises {type(error).__name__}: {_first_line(error)}")
            continue
        for problem in compare(got, intended_outputs(spec, xs), spec.tolerance, f"B={batch}"):
            kind = "numbers"
            if ": shape " in problem:
                kind = "output shape"
            elif ": dtype " in problem:
                kind = "dtype"
            failures.append(f"{kind}: {problem}")
    params = count_params(model)
    if params != spec.params:
        failures.append(f"params: {params}, intended {spec.params}")
    return failures


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else ""


# --------------------------------------------------------------------------- reload


def _save_fixture(spec: Spec, workdir: Path, filename: str = "fixed.py") -> dict[str, str]:
    """Build, run and save one fixed model (or bad.py's); return its manifest entry."""
    import numpy as np

    model = build(spec.folder, filename)
    inputs, outputs = {}, {}
    for batch in BATCH_SIZES:
        xs = make_inputs(spec, batch)
        inputs.update({f"b{batch}_{i}": x for i, x in enumerate(xs)})
        outputs.update({f"b{batch}_{i}": y for i, y in enumerate(run_model(model, xs))})
    entry = {
        "name": spec.name,
        "fixed": str((spec.folder / filename).resolve()),
        "model": str(workdir / f"{spec.name}.keras"),
        "inputs": str(workdir / f"{spec.name}.inputs.npz"),
        "in_process": str(workdir / f"{spec.name}.in_process.npz"),
        "reloaded": str(workdir / f"{spec.name}.reloaded.npz"),
    }
    model.save(entry["model"])
    np.savez(entry["inputs"], **inputs)
    np.savez(entry["in_process"], **outputs)
    return entry


def _batch_arrays(npz: Any, batch: int) -> list[Any]:
    """The arrays saved as b{batch}_0, b{batch}_1, … in input/output order."""
    keys = [k for k in npz.files if k.startswith(f"b{batch}_")]
    return [npz[k] for k in sorted(keys, key=lambda k: int(k.split("_")[1]))]


def _compare_reloaded(spec: Spec, entry: dict[str, str]) -> list[str]:
    """Reloaded outputs must equal the intended ones and the in-process ones."""
    import numpy as np

    inputs, before, after = (np.load(entry[k]) for k in ("inputs", "in_process", "reloaded"))
    problems = []
    for batch in BATCH_SIZES:
        got = _batch_arrays(after, batch)
        want = intended_outputs(spec, _batch_arrays(inputs, batch))
        problems += compare(got, want, spec.tolerance, f"reloaded B={batch} vs intended")
        same = _batch_arrays(before, batch)
        problems += compare(got, same, spec.tolerance, f"reloaded B={batch} vs in-process")
    return problems


def _run_fresh_process(
    target: str, entries: list[dict[str, str]], workdir: Path
) -> tuple[dict, str]:
    """Run this file as a script on the manifest; return (results, failure text)."""
    manifest = workdir / f"manifest_{target}.json"
    results_path = workdir / f"results_{target}.json"
    results_path.unlink(missing_ok=True)  # never read a previous run's results
    manifest.write_text(
        json.dumps({"target": target, "fixtures": entries, "results": str(results_path)})
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    timeout = 120 + 15 * len(entries)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--reload", str(manifest)]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        stderr = _tail(exc.stderr)
        return {}, f"fresh {target} process timed out after {timeout}s; stderr:\n{stderr}"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    failure = ""
    if proc.returncode != 0:
        stderr = _tail(proc.stderr)
        failure = f"fresh {target} process exited {proc.returncode}; stderr:\n{stderr}"
    return results, failure


def _tail(text: str | bytes | None, limit: int = 4000) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return (text or "")[-limit:]


def verify_reload(
    folders: list[Path], target: str, workdir: Path, filename: str = "fixed.py"
) -> dict[str, list[str]]:
    """Save every fixture of `target`, reload them all in one fresh process in
    safe mode, and return the problems per fixture name.  `filename="bad.py"`
    runs the same check on the originals (the fresh process imports bad.py)."""
    workdir = Path(workdir).resolve()  # the fresh process gets absolute paths
    problems: dict[str, list[str]] = {}
    saved: list[tuple[Spec, dict[str, str]]] = []
    for folder in folders:
        name = Path(folder).name
        try:
            spec = load_spec(folder)
            if spec.target != target:
                raise ValueError(f"TARGET is {spec.target!r}, not {target!r}")
            saved.append((spec, _save_fixture(spec, workdir, filename)))
        except Exception:  # one broken fixture must not hide the others
            problems[name] = [f"could not build and save in-process:\n{traceback.format_exc()}"]
    if not saved:
        return problems
    results, failure = _run_fresh_process(target, [entry for _, entry in saved], workdir)
    for spec, entry in saved:
        if spec.name not in results:
            problems[spec.name] = [failure or f"fresh {target} process gave no result"]
        elif results[spec.name] is not None:
            error = results[spec.name]
            problems[spec.name] = [f"fresh {target} process, safe-mode load failed:\n{error}"]
        else:
            problems[spec.name] = _compare_reloaded(spec, entry)
    return problems


# --------------------------------------------------------------------------- fresh process side


def _reload_all(manifest_path: str) -> int:
    """In the fresh process: for each fixture, import fixed.py (registers its
    classes), load_model in safe mode, run the saved inputs, save the outputs."""
    import numpy as np

    manifest = json.loads(Path(manifest_path).read_text())
    if manifest["target"] == "keras3":
        import keras

        load_model = keras.models.load_model
    else:
        import tf_keras

        load_model = tf_keras.models.load_model
    results: dict[str, str | None] = {}
    for entry in manifest["fixtures"]:
        try:
            import_path(Path(entry["fixed"]))
            model = load_model(entry["model"])  # default safe_mode=True, on purpose
            inputs = np.load(entry["inputs"])
            outputs = {}
            for batch in BATCH_SIZES:
                ys = run_model(model, _batch_arrays(inputs, batch))
                outputs.update({f"b{batch}_{i}": y for i, y in enumerate(ys)})
            np.savez(entry["reloaded"], **outputs)
            results[entry["name"]] = None
        except Exception:
            results[entry["name"]] = traceback.format_exc()
    Path(manifest["results"]).write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--reload":
        sys.exit("usage: model_harness.py --reload MANIFEST.json")
    sys.exit(_reload_all(sys.argv[2]))
