"""Output formats: text, json, github, sarif. Columns are 1-based in every format."""

from __future__ import annotations

import json
from collections import Counter
from typing import List

from keraslint import __version__
from keraslint.engine import applicable
from keraslint.rules import RULES_BY_CODE
from keraslint.violations import Violation


def location(violation: Violation) -> str:
    if violation.cell is not None:
        return f"{violation.filename}:cell {violation.cell}:{violation.line}:{violation.col + 1}"
    return f"{violation.filename}:{violation.line}:{violation.col + 1}"


def text(violations: List[Violation], unsafe: bool) -> str:
    lines = []
    for violation in violations:
        marker = " [*]" if applicable(violation, unsafe) else ""
        lines.append(f"{location(violation)}: {violation.code}{marker} {violation.message}")
    return "\n".join(lines)


def summary(violations: List[Violation], fixed: int, unsafe: bool, fix_mode: bool) -> str:
    remaining = len(violations)
    if not remaining and not fixed:
        return "All checks passed!"
    parts = [f"Found {remaining + fixed} error{'s' if remaining + fixed != 1 else ''}"]
    if fixed:
        parts[0] += f" ({fixed} fixed, {remaining} remaining)"
    parts[0] += "."
    fixable_safe = sum(1 for v in violations if applicable(v, False))
    fixable_unsafe = sum(1 for v in violations if v.fix is not None) - fixable_safe
    if not fix_mode:
        if fixable_safe:
            parts.append(f"[*] {fixable_safe} fixable with the `--fix` option.")
        if fixable_unsafe:
            hint = "`--fix --unsafe-fixes`" if not unsafe else "`--fix --unsafe-fixes`"
            parts.append(f"{fixable_unsafe} more fix{'es' if fixable_unsafe != 1 else ''} available with {hint}.")
    elif fixable_unsafe and not unsafe:
        parts.append(f"{fixable_unsafe} more fix{'es' if fixable_unsafe != 1 else ''} available with `--unsafe-fixes`.")
    return "\n".join(parts)


def statistics(violations: List[Violation], unsafe: bool) -> str:
    counts = Counter(v.code for v in violations)
    fixable = {v.code for v in violations if applicable(v, unsafe)}
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = RULES_BY_CODE.get(code)
        marker = "[*]" if code in fixable else "   "
        lines.append(f"{count:5d}\t{code}\t{marker} {getattr(rule, 'NAME', '')}")
    return "\n".join(lines)


def _json_item(violation: Violation) -> dict:
    fix = None
    if violation.fix is not None:
        fix = {
            "applicability": violation.fix.applicability,
            "message": violation.fix.title,
            "edits": violation.edits or [],
        }
    item = {
        "code": violation.code,
        "message": violation.message,
        "filename": violation.filename,
        "location": {"row": violation.span.line, "column": violation.span.col + 1},
        "end_location": {"row": violation.span.end_line, "column": violation.span.end_col + 1},
        "fix": fix,
    }
    if violation.cell is not None:
        item["cell"] = violation.cell
    return item


def json_output(violations: List[Violation]) -> str:
    return json.dumps([_json_item(v) for v in violations], indent=2, ensure_ascii=False)


def _escape_github(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github(violations: List[Violation]) -> str:
    lines = []
    for v in violations:
        properties = (
            f"title=keraslint ({v.code}),file={_escape_github(v.filename).replace(',', '%2C').replace(':', '%3A')},"
            f"line={v.span.line},col={v.span.col + 1},endLine={v.span.end_line},endColumn={v.span.end_col + 1}"
        )
        lines.append(f"::error {properties}::{_escape_github(location(v) + ': ' + v.code + ' ' + v.message)}")
    return "\n".join(lines)


def sarif(violations: List[Violation]) -> str:
    codes = sorted({v.code for v in violations} | set(RULES_BY_CODE))
    rules = []
    for code in codes:
        rule = RULES_BY_CODE.get(code)
        doc = (rule.__doc__ or "").strip() if rule else ""
        rules.append({
            "id": code,
            "name": getattr(rule, "NAME", code),
            "shortDescription": {"text": doc.splitlines()[0] if doc else code},
            "fullDescription": {"text": doc},
            "help": {"text": doc, "markdown": doc},
        })
    results = []
    for v in violations:
        results.append({
            "ruleId": v.code,
            "level": "error",
            "message": {"text": v.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": v.filename},
                    "region": {
                        "startLine": v.span.line,
                        "startColumn": v.span.col + 1,
                        "endLine": v.span.end_line,
                        "endColumn": v.span.end_col + 1,
                    },
                }
            }],
        })
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "keraslint", "version": __version__, "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
