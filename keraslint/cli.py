"""Command line: argument parsing, file discovery, output and exit codes. No rule logic.

Exit codes are bits: 1 = violations remain, 2 = a file or the configuration could not be
processed (every other file is still checked). 0 means nothing is left to report.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import List, Optional

from keraslint import __version__, output
from keraslint.config import TARGETS, ConfigError, find_config, load_settings, parse_selectors
from keraslint.files import FileReport, Mode, discover
from keraslint.processing import process_path
from keraslint.rules import ALL_RULES, DEFAULT_CODES, RULES_BY_CODE

EXIT_VIOLATIONS = 1
EXIT_ERROR = 2
FORMATS = ("text", "json", "github", "sarif")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="keraslint", description="Find and fix Keras model-building mistakes.")
    parser.add_argument("--version", action="version", version=f"keraslint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check files (and fix them)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATHS", help="files or folders; '-' reads stdin")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply (or offer) unsafe fixes")
    check.add_argument("--diff", action="store_true", help="show the fixes as a diff; write nothing")
    check.add_argument("--select", help="rule codes or prefixes to check (ALL, KER, KER1, KER101), comma-separated")
    check.add_argument("--ignore", help="rule codes or prefixes to skip")
    check.add_argument("--extend-select", help="codes or prefixes to add to the selection")
    check.add_argument("--target", choices=TARGETS, help="Keras the code runs on (default: from the config, else auto: from each file's imports; Keras 2-era files count as keras3). keras2: standalone Keras 2 pinned, the Keras 3 rules are off")
    check.add_argument("--format", choices=FORMATS, default="text", dest="output_format")
    check.add_argument("--statistics", action="store_true", help="count violations per rule")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when violations remain")
    check.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: all cores)")
    check.add_argument("--no-cache", action="store_true", help="do not read or write .keraslint_cache")
    check.add_argument("--stdin-filename", help="the name to report for '-' (and to match config patterns)")
    check.add_argument("--config", help="pyproject.toml to read instead of searching for one")

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code")
    commands.add_parser("rules", help="list every rule")
    commands.add_parser("server", help="Language Server Protocol over stdio (needs keraslint[server])")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "server":
        return serve()
    if args.command not in ("check", "rule", "rules"):
        parser.print_help()
        return EXIT_ERROR
    try:
        if args.command == "rule":
            return show_rule(args.code)
        if args.command == "rules":
            return list_rules()
        return check(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `keraslint check | head`, `keraslint rule KER101 | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_VIOLATIONS if args.command == "check" else 0


def show_rule(code: str) -> int:
    documentation = rule_documentation(code)
    if documentation is None:
        print(f"keraslint: error: unknown rule `{code}` (see `keraslint rules`)", file=sys.stderr)
        return EXIT_ERROR
    print(documentation)
    return 0


def rule_documentation(code: str) -> Optional[str]:
    """What `keraslint rule CODE` prints (the LSP server shows it on hover); None if unknown."""
    rule = RULES_BY_CODE.get(code.upper())
    if rule is None:
        return None
    fix = "none" if rule.FIX_TITLE is None else "available"
    default = "on by default" if rule.CODE in DEFAULT_CODES else "off by default"
    return f"# {rule.CODE} ({rule.NAME})\n\nFix: {fix}. {default}.\n\n" + (rule.__doc__ or "").strip()


def serve() -> int:
    try:
        from keraslint.server import start
    except ImportError as error:
        if (error.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        print('keraslint: error: `keraslint server` needs pygls: pip install "keraslint[server]"', file=sys.stderr)
        return EXIT_ERROR
    return start()


def list_rules() -> int:
    print(f"{'code':<8}{'name':<34}{'fix':<6}{'default':<9}summary")
    for rule in ALL_RULES:
        summary = (rule.__doc__ or "").strip().splitlines()[0].split(": ", 1)[-1]
        fix = "yes" if rule.FIX_TITLE else "no"
        default = "on" if rule.CODE in DEFAULT_CODES else "off"
        print(f"{rule.CODE:<8}{rule.NAME:<34}{fix:<6}{default:<9}{summary}")
    return 0


def _settings(args):
    from pathlib import Path

    config_path = Path(args.config) if args.config else find_config(args.paths)
    settings = load_settings(config_path)
    if args.select:
        settings = replace(settings, select=parse_selectors(args.select, "--select"))
    if args.ignore:
        settings = replace(settings, ignore=settings.ignore + parse_selectors(args.ignore, "--ignore"))
    if args.extend_select:
        settings = replace(settings, extend_select=settings.extend_select + parse_selectors(args.extend_select, "--extend-select"))
    if args.target:
        settings = replace(settings, target=args.target)
    return settings


def check(args) -> int:
    try:
        settings = _settings(args)
    except ConfigError as error:
        print(f"keraslint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    mode = Mode(
        fix=args.fix and not args.diff,
        diff=args.diff,
        unsafe=args.unsafe_fixes,
        edits=args.output_format == "json",  # SARIF output carries no edits: do not compute them
    )
    files, errors = discover(args.paths, settings)
    reports = _run(files, settings, mode, args)
    violations = sorted((v for r in reports for v in r.violations), key=lambda v: v.sort_key())
    errors += [line for r in reports for line in r.errors]
    fixed = sum(r.fixed for r in reports)

    if mode.diff:
        for report in reports:
            if report.diff:
                sys.stdout.write(report.diff)
    elif "-" in args.paths and mode.fix:
        for report in reports:
            if report.diff:  # stdin under --fix: the fixed source goes to stdout
                sys.stdout.write(report.diff)
    _print_results(violations, fixed, args, mode)
    for line in errors:
        print(line, file=sys.stderr)

    code = EXIT_ERROR if errors else 0
    if violations and not args.exit_zero:
        code |= EXIT_VIOLATIONS
    if mode.diff and any(r.diff for r in reports) and not args.exit_zero:
        code |= EXIT_VIOLATIONS
    return code


def _print_results(violations, fixed, args, mode) -> None:
    stdin_fix = "-" in args.paths and mode.fix
    stream = sys.stderr if (mode.diff or stdin_fix) else sys.stdout
    if args.output_format == "json":
        print(output.json_output(violations), file=stream)
    elif args.output_format == "sarif":
        print(output.sarif(violations), file=stream)
    elif args.output_format == "github":
        if violations:
            print(output.github(violations), file=stream)
    else:
        if violations:
            print(output.text(violations, mode.unsafe), file=stream)
        if args.statistics and violations:
            print(output.statistics(violations, mode.unsafe), file=stream)
        print(output.summary(violations, fixed, mode.unsafe, mode.fix), file=stream)


def _run(files, settings, mode, args) -> List[FileReport]:
    stdin_reports = []
    if "-" in files:
        files = [f for f in files if f != "-"]
        data = sys.stdin.buffer.read()
        display = args.stdin_filename or "-"
        stdin_reports.append(process_path("-", settings, mode, stdin_data=data, display=display))
    cache = None
    if not (args.no_cache or mode.fix or mode.diff):
        from keraslint.cache import ResultCache

        cache = ResultCache(settings.root, settings.cache_key() + repr(mode))
    cached, todo, keys = {}, [], {}
    for path in files:
        keys[path] = cache.key(path) if cache else None
        hit = cache.get(path, keys[path]) if cache else None
        if hit is not None:
            cached[path] = hit
        else:
            todo.append(path)
    jobs = args.jobs if args.jobs and args.jobs > 0 else (os.cpu_count() or 1)
    if jobs == 1 or len(todo) < 8:
        fresh = [process_path(path, settings, mode) for path in todo]
    else:
        fresh = _run_parallel(todo, settings, mode, jobs)
    if cache:
        for path, report in zip(todo, fresh):
            cache.put(path, keys[path], report)
        cache.save()
    by_path = {**cached, **dict(zip(todo, fresh))}
    return stdin_reports + [by_path[path] for path in files]


def _run_parallel(files, settings, mode, jobs) -> List[FileReport]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    if mode.edits and context is not None:
        # JSON's edits need libcst for some fixes: imported once here, the forked workers
        # share it instead of importing it each (0.2 s of CPU per worker)
        import keraslint.fixes.pipeline  # noqa: F401
    chunk = max(1, min(64, len(files) // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(_process_one, [(path, settings, mode) for path in files], chunksize=chunk))


def _process_one(job) -> FileReport:
    path, settings, mode = job
    return process_path(path, settings, mode)


if __name__ == "__main__":
    sys.exit(main())
