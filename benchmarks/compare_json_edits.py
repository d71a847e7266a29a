"""Check by hand that JSON output's fast edits equal the libcst pipeline's, over many files,
and count which fixes still go to the pipeline and why. Not run by CI.

    python benchmarks/compare_json_edits.py benchmarks/real_code/extracted
    python benchmarks/compare_json_edits.py --whole DIR   # against the fix applied to the whole file (slow)

For every `.py` file (notebooks go through the same code on their cells' program; they are
left out here), the fixable findings are computed as `keraslint check` does, then
`fixes.text_edits.edits_for_each` (what JSON output uses) is compared with
`fixes.pipeline.edits_for_each` (each fix by libcst on an outline of the file) or, with
`--whole`, with each fix applied by libcst to the whole file. Exit code 1 on any difference.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from keraslint.config import load_settings  # noqa: E402
from keraslint.engine import SourceError, check_source, decode_source  # noqa: E402
from keraslint.files import discover  # noqa: E402
from keraslint.fixes import pipeline, text_edits  # noqa: E402
from keraslint.fixes.text_wrap import Undecided  # noqa: E402
from keraslint.violations import AddHelper, AddImport, Replace  # noqa: E402


def whole_file_edits(text, violation):
    try:
        fixed = pipeline._apply(text, [violation], pipeline.line_length_for(violation.filename))
    except pipeline.FixError:
        return []
    return pipeline._line_edits(text.splitlines(keepends=True), fixed.splitlines(keepends=True))


def fallback_reason(outline, violation):
    """Why `text_edits` leaves this fix to the pipeline (None: it does not)."""
    replaces = [e for e in violation.fix.edits if isinstance(e, Replace)]
    additions = [e for e in violation.fix.edits if isinstance(e, (AddImport, AddHelper))]
    if len(replaces) != 1 or len(additions) + 1 != len(violation.fix.edits):
        return "edits other than one replacement and additions"
    edit = replaces[0]
    statement = text_edits._top_level_at(outline, edit.span.line)
    if statement is None:
        return "not inside a top-level statement"
    innermost = text_edits._innermost_statement(statement.node, edit)
    if not text_edits._replaceable(outline, innermost, edit):
        return "replacement is not one expression node as written"
    code = text_edits._printed_code(outline, innermost, edit.text)
    if code is None:
        return "replacement spans lines with strings, comments or blank lines across them"
    replaced = text_edits._replace(outline.lines, text_edits.replace(edit, text=code))
    if replaced is None:
        return "span past the end"
    reason = []
    original = text_edits.rewrapped

    def recording(*args):
        try:
            return original(*args)
        except Undecided as error:
            reason.append(f"re-wrapping undecided: {error}")
            raise

    text_edits.rewrapped = recording
    try:
        printed = text_edits._printed(outline, statement, innermost, replaced, violation.filename)
    finally:
        text_edits.rewrapped = original
    if printed is None:
        return reason[0] if reason else "does not parse, or `;` after it"
    return None


def fast_edits(text, fixable, counts):
    """`text_edits.edits_for_each`, counting the findings it leaves to the pipeline and its
    pipeline runs for the additions (imports, helpers) of a fix."""
    left, runs = [], []
    real_edits, real_fixed = pipeline.edits_for_each, pipeline.fixed_each

    def edits_for_each(text, missing, *args):
        left.extend(missing)
        pipeline.fixed_each = real_fixed  # its own runs are not counted twice
        return real_edits(text, missing, *args)

    def fixed_each(*args):
        runs.append(1)
        return real_fixed(*args)

    pipeline.edits_for_each, pipeline.fixed_each = edits_for_each, fixed_each
    try:
        return text_edits.edits_for_each(text, fixable), left
    finally:
        pipeline.edits_for_each, pipeline.fixed_each = real_edits, real_fixed
        counts["findings left to the pipeline"] += len(left)
        counts["pipeline runs for a fix's additions"] += len(runs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--whole", action="store_true", help="compare with each fix applied to the whole file")
    args = parser.parse_args(argv)
    settings = load_settings(None)
    files, _ = discover(args.paths, settings)
    counts = collections.Counter({"files": 0, "fixable findings": 0, "different": 0})
    reasons = collections.Counter()
    for path in files:
        if not path.endswith((".py", ".pyi")):
            continue
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            text = decode_source(data).text
            fixable = [v for v in check_source(text, path, settings) if v.fix is not None]
        except (SourceError, RecursionError):
            continue
        if not fixable:
            continue
        counts["files"] += 1
        counts["fixable findings"] += len(fixable)
        fast, left = fast_edits(text, fixable, counts)
        if args.whole:
            try:
                pipeline._Parsed(text)
            except pipeline.FixError:  # e.g. tabs libcst's tokenizer rejects: the outline may still parse
                counts["findings in files libcst cannot parse whole (not compared)"] += len(fixable)
                continue
            expected = [whole_file_edits(text, v) for v in fixable]
        else:
            expected = pipeline.edits_for_each(text, fixable)
        for violation, got, want in zip(fixable, fast, expected):
            if got != want:
                counts["different"] += 1
                if counts["different"] <= 10:
                    print(f"DIFFERENT {path}:{violation.line}:{violation.col + 1} {violation.code}")
        outline = text_edits.Outline.of(text)
        if outline is None:
            reasons["the file's outline cannot be made"] += len(fixable)
            continue
        boundaries = {}  # (additions, last import before) -> the first statement's line
        for violation in fixable:
            reason = fallback_reason(outline, violation)
            additions = tuple(e for e in violation.fix.edits if isinstance(e, (AddImport, AddHelper)))
            if reason is None and additions:
                [edit] = [e for e in violation.fix.edits if isinstance(e, Replace)]
                statement = text_edits._top_level_at(outline, edit.span.line)
                key = (additions, text_edits._last_import_before(outline, statement))
                if key not in boundaries:
                    boundaries[key] = statement.first
                elif statement.first < boundaries[key]:
                    reason = "additions learnt from a later statement"
            if any(violation is v for v in left):
                reasons[reason or "another (several replacements, ...)"] += 1
    for name, value in counts.items():
        print(f"{name}: {value}")
    print("findings left to the pipeline, by reason:")
    for reason, value in reasons.most_common():
        print(f"  {value:6d}  {reason}")
    return 1 if counts["different"] else 0


if __name__ == "__main__":
    sys.exit(main())
