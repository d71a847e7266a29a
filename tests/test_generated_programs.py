"""Generated Keras model programs (tests/keras_programs.py) through check and fix, end to end.

Lint side (fast): every program is checked and fixed with every rule and every fix: no
exception, no dropped fix, the result compiles, and a second fix changes nothing. The reach
test measures how many programs reach each rule and get a fix, and fails if the generator
stops reaching one.

Keras side (`-m keras`): for programs whose original builds and runs, the safe fixes alone
keep every output (batch 1/3/4, shape, dtype, value) and the parameter counts; the unsafe
fixes give a model that builds and runs, and (when no user-written Lambda is left, which
safe mode refuses whatever keraslint does) reloads in safe mode in a fresh process.
Programs run in batches, two subprocesses in all (TensorFlow is imported twice, not per model).

CI runs 150 hypothesis examples, 300 seeded programs for the reach and 160 for the models;
KERASLINT_GEN_SCALE=10 (the slow run) multiplies all three.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import keras_programs
from keraslint.config import Settings
from keraslint.engine import check_source, fix_source
from keraslint.rules import ALL_RULES

SCALE = int(os.environ.get("KERASLINT_GEN_SCALE", "1"))
ALL = Settings(select=("ALL",))
RUNNER = Path(__file__).resolve().parent / "generated_model_runner.py"
# Problems a fix may legitimately report instead of applying (none is expected today): a
# regular expression each, with the reason. An unexplained problem fails the test.
REPORT_ONLY_REASONS: tuple = ()
# The rules the generator writes mistakes for (not yet: KER205 and later rules), and the share
# of programs each must reach.
GENERATED_RULES = {"KER101", "KER102", "KER103", "KER104", "KER105", "KER106",
                   "KER201", "KER202", "KER203", "KER204", "KER301", "KER302"}
MIN_REACH = 0.01
MIN_FIXED_SHARE = 0.5


def _fixed(source, unsafe):
    outcome = fix_source(source, "generated.py", ALL, unsafe=unsafe)
    unexplained = [p for p in outcome.problems if not any(re.search(reason, p) for reason in REPORT_ONLY_REASONS)]
    assert not unexplained, unexplained
    compile(outcome.text, "generated.py", "exec")  # the result is a valid module, not only an ast
    again = fix_source(outcome.text, "generated.py", ALL, unsafe=unsafe)
    assert again.text == outcome.text, "a second fix changed the file again"
    assert not again.problems, again.problems
    return outcome


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=keras_programs.keras_programs())
def test_generated_programs_check_and_fix_cleanly(program):
    check_source(program.source, "generated.py", ALL)
    _fixed(program.source, unsafe=False)
    _fixed(program.source, unsafe=True)


def test_generated_programs_reach_every_rule(capsys):
    programs = [keras_programs.seeded_program(seed) for seed in range(300 * SCALE)]
    reached, fixed, safe_fixed = Counter(), Counter(), Counter()
    with_fix = 0
    for program in programs:
        reached.update({v.code for v in check_source(program.source, "generated.py", ALL)})
        outcome = _fixed(program.source, unsafe=True)
        fixed.update({v.code for v in outcome.fixed})
        safe_fixed.update({v.code for v in _fixed(program.source, unsafe=False).fixed})
        with_fix += bool(outcome.fixed)
    total = len(programs)
    rows = [f"{code}: reached {reached[code] / total:6.1%}  fixed {fixed[code] / total:6.1%}  safe-fixed {safe_fixed[code] / total:6.1%}"
            for code in sorted(rule.CODE for rule in ALL_RULES)]
    with capsys.disabled():
        print(f"\ngenerated programs: {total}, with a fix: {with_fix / total:.1%}\n" + "\n".join(rows))
    missing = sorted(code for code in GENERATED_RULES if reached[code] / total < MIN_REACH)
    assert not missing, f"the generator no longer reaches {missing}"
    assert with_fix / total >= MIN_FIXED_SHARE



def _run(stage, jobs, workdir):
    manifest = workdir / f"{stage}.json"
    results = workdir / f"{stage}.results.json"
    manifest.write_text(json.dumps({"jobs": jobs, "results": str(results)}))
    proc = subprocess.run([sys.executable, str(RUNNER), stage, str(manifest)], capture_output=True, text=True,
                          timeout=120 + 5 * len(jobs), env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(results.read_text())


@pytest.mark.keras
def test_generated_models_safe_fixes_keep_numbers_and_unsafe_fixes_build_run_and_reload(tmp_path, capsys):
    jobs, fixed_by = [], {}
    for seed in range(160 * SCALE):
        program = keras_programs.seeded_program(seed)
        safe = fix_source(program.source, "generated.py", ALL, unsafe=False)
        full = fix_source(program.source, "generated.py", ALL, unsafe=True)
        name = f"gen{seed}"
        paths = {kind: tmp_path / f"{name}_{kind}.py" for kind in ("original", "safe", "unsafe")}
        paths["original"].write_text(program.source)
        if safe.text != program.source:
            paths["safe"].write_text(safe.text)
            jobs.append({"name": name + "_safe", "kind": "safe", "flavor": program.flavor,
                         "original": str(paths["original"]), "fixed": str(paths["safe"])})
            fixed_by[name + "_safe"] = sorted(v.code for v in safe.fixed)  # one entry per fix
        if full.text != safe.text and not full.remaining:  # every finding fixed: the model must work
            paths["unsafe"].write_text(full.text)
            jobs.append({"name": name + "_unsafe", "kind": "unsafe", "flavor": program.flavor,
                         "fixed": str(paths["unsafe"]), "saved": str(tmp_path / f"{name}.keras"),
                         "reload": "Lambda(" not in full.text})
            fixed_by[name + "_unsafe"] = sorted(v.code for v in full.fixed)
    results = _run("compare", jobs, tmp_path)
    saved = [job for job in jobs if results.get(job["name"], {}).get("status") == "saved"]
    reloaded = _run("reload", saved, tmp_path) if saved else {}

    safe_jobs = [j["name"] for j in jobs if j["kind"] == "safe"]
    unsafe_jobs = [j["name"] for j in jobs if j["kind"] == "unsafe"]
    preserved = [n for n in safe_jobs if results[n]["status"] == "preserved"]
    preserved_codes = Counter(code for n in preserved for code in fixed_by[n])
    with capsys.disabled():
        print(f"\nsafe-fixed programs: {len(safe_jobs)}, original runs and the numbers are preserved: {len(preserved)} "
              f"({sum(preserved_codes.values())} safe fixes: {dict(sorted(preserved_codes.items()))}); original fails: "
              f"{sum(results[n]['status'] == 'original fails' for n in safe_jobs)}")
        print(f"unsafe-fixed programs with nothing left to report: {len(unsafe_jobs)}, run: "
              f"{sum(results[n]['status'] in ('runs', 'saved') for n in unsafe_jobs)}, reloaded in safe mode: "
              f"{sum(r['status'] == 'reloaded' for r in reloaded.values())} of {len(saved)} saved")
    differs = {n: (fixed_by[n], results[n]) for n in safe_jobs if results[n]["status"] == "differs"}
    assert not differs, f"safe fixes changed the numbers: {differs}"
    broken = {n: (fixed_by[n], results[n]) for n in unsafe_jobs if results[n]["status"] not in ("runs", "saved")}
    assert not broken, f"fixed models that do not build, run or save: {broken}"
    not_reloaded = {n: (fixed_by[n], r) for n, r in reloaded.items() if r["status"] != "reloaded"}
    assert not not_reloaded, f"fixed models that do not reload in safe mode: {not_reloaded}"
    # the proof must have something to prove: safe fixes on models that run, reloads
    assert len(preserved) >= 10 * SCALE and len(reloaded) >= 10 * SCALE
