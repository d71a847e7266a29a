#!/usr/bin/env python3
"""Time keraslint against flake8 and ruff on the benchmark corpus.

Every command runs as a subprocess, in interleaved rounds (each round runs
every command once, in the same order), and the median wall time is reported.
A command whose tool, flag or plugin is not there yet is reported as
"unavailable"; one that exits with an unexpected code is "failed"; neither
stops the script.

Usage::

    python benchmarks/corpus.py                  # once, to build the corpus
    python benchmarks/bench.py                   # 3 rounds, everything
    python benchmarks/bench.py --quick           # 1 round, no scaling runs
    python benchmarks/bench.py --json out.json   # also write all results as JSON
"""

from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = HERE / "corpus"
SCALING_FRACTIONS = (0.25, 0.5, 1.0)
# Exits 0 if keraslint/__main__.py can be found; find_spec does not run it.
FIND_MAIN = (
    "import importlib.util, sys; sys.exit(importlib.util.find_spec('keraslint.__main__') is None)"
)

# Runs flake8 with keraslint's plugin left out, for a baseline once keraslint is
# installed (flake8 runs every installed plugin, whatever --select says).
FLAKE8_WITHOUT_KER = """\
import sys
import flake8.plugins.finder as finder
_find = finder.find_plugins
def _find_without_keraslint(*args, **kwargs):
    return [p for p in _find(*args, **kwargs) if p.package.lower() != "keraslint"]
finder.find_plugins = _find_without_keraslint
from flake8.main.cli import main
sys.argv[0] = "flake8"
sys.exit(main())
"""

# Exit codes that mean "ran fine": with --exit-zero only 0; without it a
# linter exits 1 when it reports something.
OK_ZERO = (0,)
OK_LINT = (0, 1)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    argv: list[str] = field(default_factory=list)  # empty: unavailable
    env: dict[str, str] = field(default_factory=dict)  # extra environment
    reason: str = ""  # why unavailable
    version: str = ""
    help_text: str = ""  # `keraslint check --help`
    plugins: str = ""  # `flake8 --version`
    bare_argv: list[str] = field(default_factory=list)  # flake8 without keraslint's plugin
    bare_reason: str = ""

    @property
    def available(self) -> bool:
        return bool(self.argv)


def probe(argv: list[str], env: dict[str, str] | None = None, timeout: float = 120):
    """Run a short command; return (exit code, stdout+stderr) or (None, error)."""
    try:
        proc = subprocess.run(
            argv,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return proc.returncode, (proc.stdout or "") + (proc.stderr or "")


def first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0].strip() if lines else ""


def last_lines(text: str, n: int = 3) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-n:])


def module_argv(module: str) -> list[str] | None:
    """[python, -m, module] if MODULE can be run with this Python."""
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    return [sys.executable, "-m", module] if found else None


def find_keraslint() -> Tool:
    tool = Tool("keraslint")
    exe = shutil.which("keraslint")
    if exe:
        tool.argv = [exe]
    else:
        # Not installed: try the package from this checkout.
        env = {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        }
        code, _ = probe([sys.executable, "-c", FIND_MAIN], env=env)
        if code == 0:
            tool.argv, tool.env = [sys.executable, "-m", "keraslint"], env
        else:
            tool.reason = "no `keraslint` command and no keraslint/__main__.py to run"
            return tool
    code, out = probe(tool.argv + ["check", "--help"], tool.env)
    if code != 0:
        tool.reason = f"`keraslint check --help` exited {code}: {last_lines(out)}"
        tool.argv = []
        return tool
    tool.help_text = out
    _, out = probe(tool.argv + ["--version"], tool.env)
    tool.version = first_line(out)
    return tool


def find_flake8() -> Tool:
    tool = Tool("flake8")
    exe = shutil.which("flake8")
    argv = [exe] if exe else module_argv("flake8")
    if not argv:
        tool.reason = "flake8 is not installed"
        return tool
    code, out = probe(argv + ["--version"])
    if code != 0:
        tool.reason = f"`flake8 --version` exited {code}: {last_lines(out)}"
        return tool
    tool.argv, tool.version, tool.plugins = argv, " ".join(out.split()), out
    if "keraslint" not in out.lower():
        tool.bare_argv = argv
        return tool
    bare = [script_python(argv), "-c", FLAKE8_WITHOUT_KER]
    code, out = probe(bare + ["--version"])
    if code == 0 and "keraslint" not in out.lower():
        tool.bare_argv = bare
    else:
        tool.bare_reason = f"could not hide keraslint's flake8 plugin: {last_lines(out)}"
    return tool


def script_python(argv: list[str]) -> str:
    """The Python behind a console script (from its #! line), else this one."""
    if argv[0] != sys.executable:
        try:
            with open(argv[0], "rb") as fh:
                line = fh.readline().decode("utf-8", "replace")
        except OSError:
            line = ""
        if line.startswith("#!"):
            interpreter = line[2:].strip().split()[0] if line[2:].strip() else ""
            if interpreter and os.path.isfile(interpreter) and "python" in interpreter:
                return interpreter
    return sys.executable


def find_ruff(install: bool) -> Tool:
    tool = Tool("ruff")
    exe = shutil.which("ruff")
    argv = [exe] if exe else module_argv("ruff")
    if not argv and install:
        log("ruff is missing: pip install ruff")
        code, out = probe([sys.executable, "-m", "pip", "install", "--quiet", "ruff"], timeout=600)
        if code != 0:
            tool.reason = f"pip install ruff failed: {last_lines(out)}"
            return tool
        argv = module_argv("ruff")
    if not argv:
        tool.reason = "ruff is not installed" + ("" if install else " (--no-install)")
        return tool
    code, out = probe(argv + ["--version"])
    if code != 0:
        tool.reason = f"`ruff --version` exited {code}: {last_lines(out)}"
        return tool
    tool.argv, tool.version = argv, first_line(out)
    return tool


# --------------------------------------------------------------------------
# Corpus helpers
# --------------------------------------------------------------------------


def py_files(root: Path) -> list[Path]:
    """All .py files under ROOT, as sorted paths relative to ROOT."""
    return sorted(p.relative_to(root) for p in root.rglob("*.py") if p.is_file())


def total_bytes(root: Path, files: list[Path]) -> int:
    return sum((root / f).stat().st_size for f in files)


def parses(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def pick_small_file(root: Path, files: list[Path], target: int = 4000) -> Path | None:
    """A deterministic, typical small Keras file: parses, mentions keras, about 4 KB."""
    best: tuple[int, str] | None = None
    for rel in files:
        path = root / rel
        size = path.stat().st_size
        if not 2000 <= size <= 8000:
            continue
        data = path.read_bytes()
        if b"keras" not in data or not parses(data):
            continue
        key = (abs(size - target), rel.as_posix())
        if best is None or key < best:
            best = key
    return root / best[1] if best else None


def subset_order(files: list[Path]) -> list[Path]:
    """A fixed pseudo-random order (by hash of the path), spread over all packages."""
    return sorted(
        files, key=lambda p: (hashlib.sha1(p.as_posix().encode()).hexdigest(), p.as_posix())
    )


def copy_files(src: Path, files: list[Path], dest: Path) -> None:
    for rel in files:
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, out)


# --------------------------------------------------------------------------
# Running and timing
# --------------------------------------------------------------------------


@dataclass
class Bench:
    name: str
    label: str  # shown in the table, with CORPUS / FILE placeholders
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ok_codes: tuple[int, ...] = OK_ZERO
    megabytes: float = 0.0
    status: str = "ok"  # ok | unavailable | failed | timeout
    reason: str = ""
    times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)  # user+sys of the command and its workers
    output_lines: int | None = None
    warmup: bool = False

    def result(self) -> dict:
        med = statistics.median(self.times) if self.times else None
        return {
            "name": self.name,
            "command": self.label,
            "argv": self.argv,
            "status": self.status,
            "reason": self.reason,
            "times": [round(t, 4) for t in self.times],
            "median": round(med, 4) if med is not None else None,
            "cpu_times": [round(t, 4) for t in self.cpu_times],
            "cpu_median": round(statistics.median(self.cpu_times), 4) if self.cpu_times else None,
            "min": round(min(self.times), 4) if self.times else None,
            "max": round(max(self.times), 4) if self.times else None,
            "megabytes": round(self.megabytes, 3),
            "seconds_per_mb": round(med / self.megabytes, 4) if med and self.megabytes else None,
            "output_lines": self.output_lines,
        }

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.status == "ok" and self.times else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu_times) if self.status == "ok" and self.cpu_times else None


def unavailable(name: str, label: str, reason: str) -> Bench:
    return Bench(name, label, [], status="unavailable", reason=reason)


def run_timed(argv, cwd: Path, env: dict[str, str], timeout: float):
    """Run once; return (seconds, exit code or None on timeout, stdout lines, stderr tail, CPU
    seconds). CPU time (user+sys of the child and the workers it waited for) is less skewed
    than wall time when other work shares the machine."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                argv,
                check=False,
                cwd=cwd,
                env={**os.environ, **env},
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
            )
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code = None
        except OSError as exc:
            return 0.0, -1, 0, f"{type(exc).__name__}: {exc}", 0.0
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        out.seek(0)
        lines = sum(1 for _ in out)
        err.seek(0)
        tail = last_lines(err.read().decode("utf-8", "replace"))
    return elapsed, code, lines, tail, cpu


def run_once(bench: Bench, cwd: Path, timeout: float, record: bool = True) -> None:
    if bench.status != "ok":
        return
    elapsed, code, lines, tail, cpu = run_timed(bench.argv, cwd, bench.env, timeout)
    if code is None:
        bench.status, bench.reason = "timeout", f"still running after {timeout:.0f} s"
    elif code not in bench.ok_codes:
        bench.status, bench.reason = "failed", f"exit {code}: {tail}"
    elif record:
        bench.times.append(elapsed)
        bench.cpu_times.append(cpu)
        bench.output_lines = lines
    log(f"  {bench.name:<22} {elapsed:8.2f} s  cpu {cpu:8.2f} s  {bench.status}{'' if record else ' (warm-up)'}")


def run_rounds(benches: list[Bench], rounds: int, cwd: Path, timeout: float) -> None:
    for bench in benches:
        if bench.warmup and bench.status == "ok":
            log(f"warm-up: {bench.name}")
            run_once(bench, cwd, timeout, record=False)
    for r in range(rounds):
        log(f"round {r + 1}/{rounds}")
        for bench in benches:
            run_once(bench, cwd, timeout)


# --------------------------------------------------------------------------
# Benchmark definitions
# --------------------------------------------------------------------------


def keraslint_bench(
    kl: Tool, name: str, args: list[str], target: Path, label_target: str, ok_codes=OK_ZERO
) -> Bench:
    label = " ".join(["keraslint", *args, label_target])
    if not kl.available:
        return unavailable(name, label, kl.reason)
    missing = [
        a
        for a in args
        if a.startswith("--") and not re.search(re.escape(a) + r"(?![\w-])", kl.help_text)
    ]
    if missing:
        return unavailable(
            name, label, f"`keraslint check --help` does not list {', '.join(missing)}"
        )
    return Bench(name, label, kl.argv + args + [str(target)], env=kl.env, ok_codes=ok_codes)


def tool_bench(
    tool: Tool, name: str, args: list[str], target: Path, label_target: str, ok_codes=OK_ZERO
) -> Bench:
    label = " ".join([tool.name, *args, label_target])
    if not tool.available:
        return unavailable(name, label, tool.reason)
    return Bench(name, label, tool.argv + args + [str(target)], env=tool.env, ok_codes=ok_codes)


def flake8_bare_bench(
    flake8: Tool, name: str, args: list[str], target: Path, label_target: str, ok_codes=OK_ZERO
) -> Bench:
    """flake8 with its default plugins only, even when keraslint's plugin is installed."""
    label = " ".join(["flake8", *args, label_target])
    if not flake8.available:
        return unavailable(name, label, flake8.reason)
    if not flake8.bare_argv:
        return unavailable(name, label, flake8.bare_reason)
    if flake8.bare_argv != flake8.argv:
        label += "  (keraslint plugin hidden)"
    return Bench(name, label, flake8.bare_argv + args + [str(target)], ok_codes=ok_codes)


def ker_plugin_reason(flake8: Tool) -> str:
    if not flake8.available:
        return flake8.reason
    if "keraslint" not in flake8.plugins.lower():
        return "`flake8 --version` lists no keraslint plugin (is keraslint pip-installed?)"
    return ""


def main_benches(
    kl: Tool, flake8: Tool, ruff: Tool, corpus: Path, small: Path | None, megabytes: float, unparseable: int = 0
) -> list[Bench]:
    c, cl = corpus, "CORPUS"
    # keraslint exits 2 even with --exit-zero when a file does not parse (E999): expected there
    ok = OK_ZERO + (2,) if unparseable else OK_ZERO
    benches = [
        keraslint_bench(kl, "keraslint_cold", ["check", "--exit-zero", "--no-cache"], c, cl, ok),
        # the formats code-scanning tools read, next to text output (same rounds, interleaved)
        keraslint_bench(kl, "keraslint_json", ["check", "--exit-zero", "--no-cache", "--format", "json"], c, cl, ok),
        keraslint_bench(kl, "keraslint_sarif", ["check", "--exit-zero", "--no-cache", "--format", "sarif"], c, cl, ok),
        keraslint_bench(kl, "keraslint_warm", ["check", "--exit-zero"], c, cl, ok),
        keraslint_bench(
            kl, "keraslint_jobs1", ["check", "--exit-zero", "--no-cache", "--jobs", "1"], c, cl, ok
        ),
        flake8_bare_bench(flake8, "flake8", ["--exit-zero"], c, cl),
        tool_bench(flake8, "flake8_all", ["--exit-zero"], c, cl),
        tool_bench(flake8, "flake8_ker", ["--select", "KER", "--exit-zero"], c, cl),
        tool_bench(ruff, "ruff", ["check", "--select", "ALL", "--no-cache", "--exit-zero"], c, cl),
        # ruff's default output shows source context for every diagnostic, which
        # costs more than the checking: this row shows the price of the checks alone.
        tool_bench(
            ruff,
            "ruff_concise",
            ["check", "--select", "ALL", "--no-cache", "--exit-zero", "--output-format", "concise"],
            c,
            cl,
        ),
    ]
    by_name = {b.name: b for b in benches}
    reason = ker_plugin_reason(flake8)
    for name in ("flake8_all", "flake8_ker"):
        b = by_name[name]
        if b.status == "ok" and reason:
            b.status, b.reason, b.argv = "unavailable", reason, []
    by_name["flake8_all"].label += "  (keraslint plugin on)"
    by_name["keraslint_warm"].warmup = True
    for b in benches:
        b.megabytes = megabytes
    if small is None:
        benches += [
            unavailable(
                "keraslint_small", "keraslint check FILE", "no small file found in the corpus"
            ),
            unavailable("flake8_small", "flake8 FILE", "no small file found in the corpus"),
        ]
    else:
        mb = small.stat().st_size / 1e6
        for b in (
            keraslint_bench(kl, "keraslint_small", ["check"], small, "FILE", ok_codes=OK_LINT),
            flake8_bare_bench(flake8, "flake8_small", [], small, "FILE", ok_codes=OK_LINT),
        ):
            b.megabytes = mb
            benches.append(b)
    return benches


def ratio(results: dict[str, Bench], num: str, den: str, cpu: bool = False) -> float | None:
    if cpu:
        a, b = results[num].cpu_median, results[den].cpu_median
    else:
        a, b = results[num].median, results[den].median
    return round(a / b, 3) if a is not None and b else None


def ratios(benches: list[Bench]) -> list[dict]:
    by = {b.name: b for b in benches}
    spec = [
        ("keraslint cold / ruff", "keraslint_cold", "ruff"),
        ("keraslint cold / ruff (concise output)", "keraslint_cold", "ruff_concise"),
        ("(flake8 + KER) / flake8", "flake8_all", "flake8"),
        ("flake8 --select KER / flake8", "flake8_ker", "flake8"),
        ("small file: keraslint / flake8", "keraslint_small", "flake8_small"),
        ("keraslint warm / cold", "keraslint_warm", "keraslint_cold"),
        ("keraslint --jobs 1 / default", "keraslint_jobs1", "keraslint_cold"),
    ]
    rows = [
        {"ratio": label, "numerator": n, "denominator": d, "value": ratio(by, n, d)}
        for label, n, d in spec
    ]
    for fmt_name in ("json", "sarif"):  # target: at most 1.5 x text output
        n, d = f"keraslint_{fmt_name}", "keraslint_cold"
        rows.append({"ratio": f"keraslint --format {fmt_name} / text (wall)", "numerator": n, "denominator": d, "value": ratio(by, n, d)})
        rows.append({"ratio": f"keraslint --format {fmt_name} / text (CPU)", "numerator": n, "denominator": d, "value": ratio(by, n, d, cpu=True)})
    return rows


# --------------------------------------------------------------------------
# Scaling and fixing
# --------------------------------------------------------------------------


def scaling_runs(
    tools: dict[str, Tool],
    which: list[str],
    corpus: Path,
    files: list[Path],
    rounds: int,
    cwd: Path,
    timeout: float,
    tmp: Path,
) -> list[dict]:
    ordered = subset_order(files)
    benches: list[tuple[float, int, Bench]] = []
    for fraction in SCALING_FRACTIONS:
        chosen = sorted(ordered[: max(1, round(len(ordered) * fraction))])
        dest = tmp / f"scale-{fraction:g}"
        copy_files(corpus, chosen, dest)
        mb = total_bytes(dest, chosen) / 1e6
        label_target = f"CORPUS×{fraction:g}"
        for name in which:
            tool = tools[name]
            if name == "keraslint":
                b = keraslint_bench(
                    tool,
                    f"keraslint@{fraction:g}",
                    ["check", "--exit-zero", "--no-cache"],
                    dest,
                    label_target,
                )
            elif name == "ruff":
                b = tool_bench(
                    tool,
                    f"ruff@{fraction:g}",
                    ["check", "--select", "ALL", "--no-cache", "--exit-zero"],
                    dest,
                    label_target,
                )
            else:
                b = tool_bench(tool, f"flake8@{fraction:g}", ["--exit-zero"], dest, label_target)
            b.megabytes = mb
            benches.append((fraction, len(chosen), b))
    run_rounds([b for _, _, b in benches], rounds, cwd, timeout)
    out = []
    for fraction, nfiles, b in benches:
        res = b.result()
        res.update({"tool": b.name.split("@")[0], "fraction": fraction, "files": nfiles})
        out.append(res)
    return out


def fix_run(kl: Tool, corpus: Path, files: list[Path], timeout: float, tmp: Path) -> dict:
    args = ["check", "--fix", "--unsafe-fixes", "--exit-zero"]
    work = tmp / "fix-corpus"
    b = keraslint_bench(kl, "keraslint_fix", args, work, "COPY_OF_CORPUS")
    result: dict = {"command": b.label}
    if b.status != "ok":
        result.update({"status": b.status, "reason": b.reason})
        return result
    copy_files(corpus, files, work)
    fix_cwd = tmp / "fix-cwd"  # fresh: no cache from the timed runs
    fix_cwd.mkdir()
    log("fix run")
    run_once(b, fix_cwd, timeout)
    result.update({"status": b.status, "reason": b.reason})
    if b.status != "ok":
        return result
    changed, broken, broken_parsed_before = [], [], []
    for rel in files:
        before = (corpus / rel).read_bytes()
        path = work / rel
        after = path.read_bytes() if path.exists() else None
        if after == before:
            continue
        changed.append(rel.as_posix())
        if after is None or not parses(after):
            broken.append(rel.as_posix())
            if parses(before):
                broken_parsed_before.append(rel.as_posix())
    extra = sorted({p.as_posix() for p in py_files(work)} - {f.as_posix() for f in files})
    mb = total_bytes(corpus, files) / 1e6
    result.update(
        {
            "seconds": round(b.times[0], 4),
            "megabytes": round(mb, 3),
            "seconds_per_mb": round(b.times[0] / mb, 4) if mb else None,
            "files": len(files),
            "files_changed": len(changed),
            "changed_files_not_parsing": len(broken),
            "of_which_parsed_before": len(broken_parsed_before),
            "not_parsing_examples": broken[:20],
            "new_py_files": extra[:20],
            "output_lines": b.output_lines,
        }
    )
    return result


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def fmt_count(value: int | None) -> str:
    return "—" if value is None else str(value)


def status_cell(res: dict) -> str:
    if res["status"] == "ok":
        return "ok"
    return f"{res['status']}: {res['reason']}".replace("|", "\\|")


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def markdown(report: dict) -> str:
    out = []
    c = report["corpus"]
    out.append(
        f"Corpus: {c['files']} files, {c['megabytes']:.2f} MB, {c['lines']} lines; "
        f"small file: {c['small_file'] or '—'} ({c['small_file_bytes']} bytes). "
        f"Rounds: {report['rounds']}, median wall time, {report['machine']['cpus']} CPUs."
    )
    m = report["machine"]
    if m.get("load_average_before") is not None:
        out.append("")
        out.append(
            f"Load average (1/5/15 min) before: {'/'.join(map(str, m['load_average_before']))}, "
            f"after: {'/'.join(map(str, m.get('load_average_after') or []))}. "
            "Anything else running on the machine skews the numbers."
        )
    out.append("")
    out.append("| command | median s | min s | max s | median CPU s | s/MB | output lines | status |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in report["benchmarks"]:
        out.append(
            f"| `{r['command']}` | {fmt(r['median'])} | {fmt(r['min'])} | {fmt(r['max'])} | {fmt(r.get('cpu_median'))} | "
            f"{fmt(r['seconds_per_mb'], 3)} | {fmt_count(r['output_lines'])} | "
            f"{status_cell(r)} |"
        )
    out.append("")
    out.append("| ratio | value |")
    out.append("| --- | ---: |")
    for r in report["ratios"]:
        out.append(f"| {r['ratio']} | {fmt(r['value'])} |")
    if report.get("scaling"):
        out.append("")
        out.append("| scaling | fraction | files | MB | median s | s/MB | status |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        for r in report["scaling"]:
            out.append(
                f"| {r['tool']} | {r['fraction']:g} | {r['files']} | {r['megabytes']:.2f} | "
                f"{fmt(r['median'])} | {fmt(r['seconds_per_mb'], 3)} | {status_cell(r)} |"
            )
    fix = report.get("fix")
    if fix:
        out.append("")
        if fix["status"] == "ok":
            out.append(
                f"Fix run (`{fix['command']}`): {fix['seconds']:.2f} s "
                f"({fmt(fix['seconds_per_mb'], 3)} s/MB), "
                f"{fix['files_changed']} of {fix['files']} files changed, "
                f"{fix['changed_files_not_parsing']} changed files no longer parse "
                f"({fix['of_which_parsed_before']} of them parsed before)."
            )
        else:
            out.append(f"Fix run (`{fix['command']}`): {status_cell(fix)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"folder of .py files (default: {DEFAULT_CORPUS}; build it with corpus.py)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default: 3)")
    parser.add_argument("--json", type=Path, help="write all results to this JSON file")
    parser.add_argument("--quick", action="store_true", help="1 round, no scaling runs")
    parser.add_argument("--no-scaling", action="store_true", help="skip the 1/4, 1/2, all runs")
    parser.add_argument("--no-fix", action="store_true", help="skip the --fix run")
    parser.add_argument(
        "--scaling-tools",
        default="keraslint",
        help="comma-separated tools for the scaling runs: keraslint,ruff,flake8 "
        "(default: keraslint)",
    )
    parser.add_argument(
        "--small-file",
        type=Path,
        help="file for the small-file run (default: picked from the corpus)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds allowed per command run (default: 1800)",
    )
    parser.add_argument(
        "--no-install", action="store_true", help="do not pip install ruff if it is missing"
    )
    args = parser.parse_args(argv)

    rounds = 1 if args.quick else max(1, args.rounds)
    corpus = args.corpus.resolve()
    files = py_files(corpus) if corpus.is_dir() else []
    if not files:
        log(f"no .py files under {corpus}: run `python {HERE / 'corpus.py'}` first")
        return 2
    scaling_tools = [t.strip() for t in args.scaling_tools.split(",") if t.strip()]
    bad = [t for t in scaling_tools if t not in ("keraslint", "ruff", "flake8")]
    if bad:
        parser.error(f"unknown --scaling-tools: {', '.join(bad)}")

    size = 0
    lines = 0
    unparseable = 0
    for rel in files:  # also warms the OS file cache before the first timed run
        data = (corpus / rel).read_bytes()
        size += len(data)
        lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        unparseable += not parses(data)
    megabytes = size / 1e6
    small = args.small_file.resolve() if args.small_file else pick_small_file(corpus, files)
    load = load_average()
    if load and os.cpu_count() and load[0] > 0.5 * os.cpu_count():
        log(
            f"warning: load average {load[0]} on {os.cpu_count()} CPUs: "
            "other work will skew the timings"
        )
    log(
        f"corpus {corpus}: {len(files)} files ({unparseable} that do not parse), {megabytes:.2f} MB, "
        f"{lines} lines; small file {small}"
    )

    kl, flake8, ruff = find_keraslint(), find_flake8(), find_ruff(not args.no_install)
    tools = {"keraslint": kl, "flake8": flake8, "ruff": ruff}
    for t in tools.values():
        log(
            f"{t.name}: {' '.join(t.argv)} ({t.version})"
            if t.available
            else f"{t.name}: unavailable: {t.reason}"
        )

    report: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "rounds": rounds,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before": load_average(),
        },
        "tools": {
            name: {
                "available": t.available,
                "argv": t.argv,
                "version": t.version,
                "reason": t.reason,
            }
            for name, t in tools.items()
        },
        "corpus": {
            "path": str(corpus),
            "files": len(files),
            "bytes": size,
            "megabytes": round(megabytes, 3),
            "lines": lines,
            "small_file": str(small.relative_to(corpus))
            if small and small.is_relative_to(corpus)
            else (str(small) if small else None),
            "small_file_bytes": small.stat().st_size if small else 0,
        },
    }
    manifest = corpus / "MANIFEST.json"
    if manifest.is_file():
        try:
            report["corpus"]["manifest_totals"] = json.loads(manifest.read_text()).get("totals")
        except ValueError:
            pass

    with tempfile.TemporaryDirectory(prefix="keraslint-bench-") as tmpname:
        tmp = Path(tmpname)
        cwd = tmp / "cwd"  # empty: no config file or cache from wherever the script was started
        cwd.mkdir()

        benches = main_benches(kl, flake8, ruff, corpus, small, megabytes, unparseable)
        run_rounds(benches, rounds, cwd, args.timeout)
        report["benchmarks"] = [b.result() for b in benches]
        report["ratios"] = ratios(benches)

        if not (args.quick or args.no_scaling):
            log("scaling runs")
            report["scaling"] = scaling_runs(
                tools, scaling_tools, corpus, files, rounds, cwd, args.timeout, tmp
            )
        if not args.no_fix:
            report["fix"] = fix_run(kl, corpus, files, args.timeout, tmp)

    report["machine"]["load_average_after"] = load_average()
    text = markdown(report)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
