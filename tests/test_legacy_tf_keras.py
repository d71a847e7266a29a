"""Fixes whose target is legacy `tf.keras` (TF_USE_LEGACY_KERAS=1, so `tf.keras` is tf_keras):
the variable must be set before TensorFlow loads, which the pytest process has long done with
Keras 3. Each such fixture keeps its spec in `check_legacy.py`; this test copies the folder,
names the spec `check.py` and runs the model harness (numbers at batch 1/3/4, parameter count,
save, fresh-process safe-mode load) in a new process started with the variable set."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import model_harness as harness

pytestmark = pytest.mark.keras

FOLDERS = sorted(p.parent for p in harness.FIXTURES_DIR.glob("*/check_legacy.py"))

_RUNNER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    sys.path.insert(0, sys.argv[1])
    import model_harness as harness

    folder, workdir = Path(sys.argv[2]), Path(sys.argv[3])
    problems = harness.verify_in_process(folder)
    problems += harness.verify_reload([folder], "tf_keras", workdir)[folder.name]
    import tensorflow as tf, tf_keras
    if tf.keras.layers.Dense is not tf_keras.layers.Dense:
        problems.append("tf.keras is not tf_keras in this process")
    print("\\n".join(problems))
    sys.exit(1 if problems else 0)
    """
)


def test_there_is_a_legacy_fixture():
    assert FOLDERS


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_fixed_legacy_model_is_verified_under_tf_use_legacy_keras(folder, tmp_path):
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    (copy / "check_legacy.py").rename(copy / "check.py")
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    tests = str(Path(__file__).resolve().parent)
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, tests, str(copy), str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
