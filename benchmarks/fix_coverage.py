#!/usr/bin/env python3
"""Fix coverage per code: how many findings come with a fix (`--fix --unsafe-fixes` semantics).

For every file, keraslint's engine checks the source with the default settings; a finding
counts as covered when it carries a fix of any applicability. With `--apply`, the script also
runs the fix loop (`fix_source(unsafe=True)`, which drops results that do not re-parse or do
not settle) and counts the findings that are gone afterwards.

Corpora: `--fixtures DIR` (the bad.py of every fixture folder), `--dir LABEL=DIR` (a folder of
.py files, e.g. the PyPI corpus) and `--git LABEL=GLOB` (git snapshots, read without a
checkout, as benchmarks/count_tf_ops.py does).

    python benchmarks/fix_coverage.py --fixtures fixtures --dir pypi=benchmarks/corpus \
        --git 'github=/work/.mirror/*/repo' --codes KER301,KER302
"""

from __future__ import annotations

import argparse
import glob
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.count_tf_ops import git_sources  # noqa: E402
from keraslint.engine import SourceError, check_source, fix_source  # noqa: E402


def measure(sources, codes, apply: bool, unfixed: Counter):
    found, with_fix, gone = Counter(), Counter(), Counter()
    for path, text in sources:
        try:
            violations = check_source(text, path)
        except (SourceError, RecursionError, MemoryError):
            continue
        violations = [v for v in violations if not codes or v.code in codes]
        for violation in violations:
            found[violation.code] += 1
            with_fix[violation.code] += violation.fix is not None
            if violation.fix is None:
                unfixed[f"{violation.code} {violation.message.split('`')[1]}"] += 1
        if apply and any(v.fix is not None for v in violations):
            outcome = fix_source(text, path, unsafe=True)
            for problem in outcome.problems:  # a fix dropped: does not parse or does not settle
                print(f"problem: {problem}", file=sys.stderr)
            if outcome.text != text and fix_source(outcome.text, path, unsafe=True).text != outcome.text:
                print(f"problem: {path}: a second --fix changes the result again", file=sys.stderr)
            remaining = Counter(v.code for v in outcome.remaining)
            for code, count in Counter(v.code for v in violations).items():
                gone[code] += max(0, count - remaining[code])
    return found, with_fix, gone


def table(label, found, with_fix, gone, apply: bool) -> list:
    rows = []
    for code in sorted(found) + ["all"]:
        total = sum(found.values()) if code == "all" else found[code]
        fixed = sum(with_fix.values()) if code == "all" else with_fix[code]
        applied = sum(gone.values()) if code == "all" else gone[code]
        share = f"{100 * fixed / total:.0f} %" if total else "-"
        row = f"| {label} | {code} | {total} | {fixed} | {share} |"
        if apply:
            row += f" {applied} |"
        rows.append(row)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", help="fixtures folder: checks every <fixture>/bad.py")
    parser.add_argument("--dir", action="append", default=[], help="LABEL=folder of .py files")
    parser.add_argument("--git", action="append", default=[], help="LABEL=glob of git repositories")
    parser.add_argument("--codes", default="", help="comma-separated codes to count (default: all)")
    parser.add_argument("--apply", action="store_true", help="also run the fix loop and count what it removed")
    parser.add_argument("--unfixed", type=int, default=0, help="list the N most frequent names without a fix")
    args = parser.parse_args(argv)
    codes = {c for c in args.codes.split(",") if c}
    corpora = []
    if args.fixtures:
        corpora.append(("fixtures", [(str(p), p.read_text()) for p in sorted(Path(args.fixtures).glob("*/bad.py"))]))
    for spec in args.dir:
        label, _, folder = spec.partition("=")
        corpora.append((label, ((str(p), p.read_bytes().decode("utf-8", "replace")) for p in sorted(Path(folder).rglob("*.py")))))
    for spec in args.git:
        label, _, pattern = spec.partition("=")
        corpora.append((label, ((repo, text) for repo in sorted(glob.glob(pattern)) for text in git_sources(repo))))
    header = "| corpus | code | findings | with a fix | coverage |" + (" removed by --fix |" if args.apply else "")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    unfixed = Counter()
    for label, sources in corpora:
        found, with_fix, gone = measure(sources, codes, args.apply, unfixed)
        print("\n".join(table(label, found, with_fix, gone, args.apply)), flush=True)
    for name, count in unfixed.most_common(args.unfixed):
        print(f"{count}\t{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
