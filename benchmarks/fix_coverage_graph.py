"""Fix coverage of the model-graph rules (KER101-KER106): per code, how many findings carry a
fix at `--unsafe-fixes`, and how many of those `fix_source` really applies.

    python benchmarks/fix_coverage_graph.py [PATHS...]   # default: fixtures/ and benchmarks/corpus/

A finding counts as fixed when the fix loop removes it (a fix that does not apply or does not
re-parse is dropped by the pipeline and counts as not fixed). Standard library and keraslint only.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from keraslint.config import Settings
from keraslint.engine import SourceError, check_source, decode_source, fix_source

ROOT = Path(__file__).resolve().parent.parent
CODES = ("KER101", "KER102", "KER103", "KER104", "KER105", "KER106")
SETTINGS = Settings(select=CODES)


def files_under(path: Path):
    if path.is_file():
        yield path
        return
    for file in sorted(path.rglob("*.py")):
        if path.name == "fixtures" and file.name != "bad.py":
            continue  # a fixture's fixed.py and near_miss.py are not findings to fix
        yield file


def coverage(path: Path) -> tuple:
    found, with_fix, fixed = Counter(), Counter(), Counter()
    for file in files_under(path):
        try:
            text = decode_source(file.read_bytes()).text
            violations = check_source(text, str(file), SETTINGS)
        except (SourceError, RecursionError, OSError):
            continue
        if not violations:
            continue
        for violation in violations:
            found[violation.code] += 1
            with_fix[violation.code] += violation.fix is not None
        if any(v.fix is not None for v in violations):
            remaining = Counter(v.code for v in fix_source(text, str(file), SETTINGS, unsafe=True).remaining)
            for code, count in Counter(v.code for v in violations).items():
                fixed[code] += max(count - remaining[code], 0)
    return found, with_fix, fixed


def main(argv) -> int:
    paths = [Path(p) for p in argv] or [ROOT / "fixtures", ROOT / "benchmarks" / "corpus"]
    for path in paths:
        found, with_fix, fixed = coverage(path)
        print(f"{path}:")
        print(f"  {'code':7} {'findings':>8} {'with fix':>9} {'applied':>8}")
        for code in CODES:
            if found[code]:
                print(f"  {code:7} {found[code]:8} {with_fix[code]:9} {fixed[code]:8}  ({100 * fixed[code] / found[code]:.0f} %)")
        total = sum(found.values())
        if total:
            print(f"  {'all':7} {total:8} {sum(with_fix.values()):9} {sum(fixed.values()):8}  ({100 * sum(fixed.values()) / total:.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
