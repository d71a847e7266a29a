"""The libcst side: find the nodes a fix names by their exact range, apply the edits, add
imports and helper classes once, and verify that the result parses.

Imported only when a file has something to fix (libcst costs ~0.6 s to import and ~4x ast to
parse). Comments and formatting outside the edited nodes are kept as they were.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from keraslint.violations import AddHelper, AddImport, InsertStatements, Replace, Span, Violation


class FixError(Exception):
    pass


@dataclass
class FixResult:
    text: str
    applied: List[Violation] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)


def apply_fixes(text: str, violations: List[Violation]) -> FixResult:
    """Apply every violation's fix to `text` in one libcst pass (overlapping ones wait for the
    next round). If the combined result fails, fall back to one fix at a time."""
    chosen = _non_overlapping(violations)
    try:
        return FixResult(_apply(text, chosen), applied=chosen)
    except FixError:
        pass
    result = FixResult(text)
    for violation in chosen:
        try:
            result.text = _apply(result.text, [violation])
            result.applied.append(violation)
        except FixError as error:
            result.problems.append(f"{violation.filename}:{violation.line}:{violation.col + 1}: {violation.code} fix not applied: {error}")
        if result.applied:
            break  # positions of later fixes refer to the text before this one: next round
    return result


def edits_for(text: str, violation: Violation) -> List[dict]:
    """The fix of one violation as ruff-style edits (for JSON/SARIF output)."""
    return edits_for_each(text, [violation])[0]


def edits_for_each(text: str, violations: List[Violation]) -> List[List[dict]]:
    """Each violation's fix, alone, as ruff-style edits (no edits for a fix that cannot be
    applied)."""
    old_lines = text.splitlines(keepends=True)
    return [[] if fixed is None else _line_edits(old_lines, fixed.splitlines(keepends=True)) for fixed in fixed_each(text, violations)]


def fixed_each(text: str, violations: List[Violation]) -> List[Optional[str]]:
    """The whole text with each violation's fix applied alone (None where it cannot be).
    Each fix is computed on an outline of the file (fixes/outline.py: only the statements it
    touches, kept verbatim), so libcst never parses a large file once per finding; where the
    outline cannot be used, the whole file is parsed, once."""
    from keraslint.fixes.outline import Outline

    outline = Outline.of(text)
    whole: List = []  # the whole file parsed, at most once: [_Parsed] or [FixError]
    result: List[Optional[str]] = []
    parses: dict = {}  # outline text -> _Parsed (findings in the same statements share it)
    for violation in violations:
        fixed = _fixed_on_outline(outline, violation, parses) if outline is not None else None
        if fixed is None:
            if not whole:
                try:
                    whole.append(_Parsed(text))
                except FixError as error:
                    whole.append(error)
            try:
                if isinstance(whole[0], FixError):
                    raise whole[0]
                fixed = _apply_parsed(whole[0], [violation])
            except FixError:
                fixed = None
        result.append(fixed)
    return result


def _fixed_on_outline(outline, violation: Violation, parses: dict):
    """The whole fixed text, computed on the outline; None when the outline cannot tell."""
    skeleton = outline.skeleton(violation)
    if skeleton is None:
        return None
    try:
        if skeleton.text not in parses:
            parses[skeleton.text] = _Parsed(skeleton.text)
        parsed = parses[skeleton.text]
        if parsed.module.default_indent != (outline.default_indent or "    "):
            return None  # code the fix inserts would be indented differently
        return skeleton.restore(_apply_parsed(parsed, [violation], defined=outline.defined))
    except FixError:
        return None  # the whole file decides


def _line_edits(old_lines: List[str], new_lines: List[str]) -> List[dict]:
    edits = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append({
            "content": "".join(new_lines[j1:j2]),
            "location": {"row": i1 + 1, "column": 1},
            "end_location": {"row": i2 + 1, "column": 1},
        })
    return edits


def _non_overlapping(violations: List[Violation]) -> List[Violation]:
    chosen, taken = [], []
    for violation in violations:
        spans = [e.span for e in violation.fix.edits if isinstance(e, (Replace, InsertStatements))]
        if any(_overlaps(a, b) for a in spans for b in taken):
            continue
        chosen.append(violation)
        taken.extend(spans)
    return chosen


def _overlaps(a: Span, b: Span) -> bool:
    return (a.line, a.col) < (b.end_line, b.end_col) and (b.line, b.col) < (a.end_line, a.end_col)


class _Parsed:
    """One libcst parse of a text with the metadata the edits need. libcst trees are
    immutable, so every fix applied to it starts from the same, unchanged tree."""

    def __init__(self, text: str):
        try:
            self.module = cst.parse_module(text)
        except cst.ParserSyntaxError as error:
            raise FixError(f"libcst cannot parse the file: {error.message}") from None
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self.positions = wrapper.resolve(PositionProvider)
        self.parents = wrapper.resolve(ParentNodeProvider)
        self.by_span: Dict[tuple, list] = {}
        for node, where in self.positions.items():
            self.by_span.setdefault((where.start.line, where.start.column, where.end.line, where.end.column), []).append(node)


def _apply(text: str, violations: List[Violation]) -> str:
    return _apply_parsed(_Parsed(text), violations)


def _apply_parsed(parsed: _Parsed, violations: List[Violation], defined=None) -> str:
    module, positions, parents, by_span = parsed.module, parsed.positions, parsed.parents, parsed.by_span
    replacements: Dict[cst.CSTNode, cst.CSTNode] = {}
    insert_after: Dict[cst.CSTNode, list] = {}
    insert_before: Dict[cst.CSTNode, list] = {}
    imports: List[AddImport] = []
    helpers: List[AddHelper] = []
    for violation in violations:
        for edit in violation.fix.edits:
            if isinstance(edit, Replace):
                old = _find(by_span, edit.span, cst.BaseExpression)
                replacements[old] = _expression(edit.text, old)
            elif isinstance(edit, InsertStatements):
                small = _find(by_span, edit.span, (cst.BaseSmallStatement, cst.BaseCompoundStatement))
                line = small if isinstance(small, cst.BaseCompoundStatement) else parents[small]
                target = insert_after if edit.after else insert_before
                target.setdefault(line, []).extend(_statements(edit.text))
            elif isinstance(edit, AddImport):
                if edit not in imports:
                    imports.append(edit)
            elif isinstance(edit, AddHelper):
                if edit.name not in {h.name for h in helpers}:
                    helpers.append(edit)

    edited_lines = [e.span.line for v in violations for e in v.fix.edits if isinstance(e, (Replace, InsertStatements))]
    position = _insert_position(module.body, positions, min(edited_lines, default=10**9))
    module = module.visit(_Editor(replacements, insert_after, insert_before))
    module = _add_top_level(module, position, imports, helpers, defined)
    fixed = module.code
    try:
        ast.parse(fixed)
    except (SyntaxError, ValueError) as error:
        raise FixError(f"result does not parse: {error}") from None
    return fixed


def _find(by_span, span: Span, kind) -> cst.CSTNode:
    for node in by_span.get((span.line, span.col, span.end_line, span.end_col), []):
        if isinstance(node, kind):
            return node
    raise FixError(f"no {getattr(kind, '__name__', 'statement')} at {span.line}:{span.col + 1}")


def _expression(code: str, old: cst.BaseExpression) -> cst.BaseExpression:
    try:
        new = cst.parse_expression(code)
    except cst.ParserSyntaxError as error:
        raise FixError(f"generated code does not parse: {code!r}: {error.message}") from None
    if old.lpar and not new.lpar:  # keep the user's parentheses
        new = new.with_changes(lpar=old.lpar, rpar=old.rpar)
    return new


def _statements(code: str) -> list:
    try:
        return list(cst.parse_module(code).body)
    except cst.ParserSyntaxError as error:
        raise FixError(f"generated code does not parse: {code!r}: {error.message}") from None


class _Editor(cst.CSTTransformer):
    def __init__(self, replacements, insert_after, insert_before):
        super().__init__()
        self.replacements = replacements
        self.insert_after = insert_after
        self.insert_before = insert_before

    def on_leave(self, original_node, updated_node):
        if original_node in self.replacements:
            return self.replacements[original_node]
        before = self.insert_before.get(original_node)
        after = self.insert_after.get(original_node)
        if before or after:
            return cst.FlattenSentinel([*(before or []), updated_node, *(after or [])])
        return updated_node


def _insert_position(body, positions, first_edited_line: int) -> int:
    """Index in the module body after the top-level imports (and docstring) that come before
    the first statement a fix edits: new imports and helpers must precede their first use.
    Statements before that index are never edited, so the index survives the edit pass."""
    position = 0
    for index, statement in enumerate(body):
        if positions[statement].end.line >= first_edited_line:
            break
        if _is_import_line(statement) or (index == 0 and _is_docstring(statement)):
            position = index + 1
    return position


def _add_top_level(module: cst.Module, position: int, imports: List[AddImport], helpers: List[AddHelper], defined=None) -> cst.Module:
    """Insert missing imports, then helper classes, at `position`, each only once. `defined`:
    the names of top-level classes and functions, when `module` is an outline of the file."""
    if not imports and not helpers:
        return module
    body = list(module.body)
    present_imports = {module.code_for_node(s).strip() for s in body if _is_import_line(s)}
    defined = set(defined) if defined is not None else {s.name.value for s in body if isinstance(s, (cst.ClassDef, cst.FunctionDef))}
    new_imports = []
    for item in imports:
        line = item.render()
        if line not in present_imports:
            present_imports.add(line)
            new_imports.extend(cst.parse_module(line + "\n").body)
    new_helpers = []
    for helper in helpers:
        if helper.name in defined:
            continue
        defined.add(helper.name)
        for index, statement in enumerate(cst.parse_module(helper.source).body):
            if index == 0:
                statement = statement.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
            new_helpers.append(statement)
    following = body[position:]
    if new_helpers and following and hasattr(following[0], "leading_lines") and len(following[0].leading_lines) < 2:
        blank = [cst.EmptyLine()] * (2 - len(following[0].leading_lines))
        following[0] = following[0].with_changes(leading_lines=[*blank, *following[0].leading_lines])
    return module.with_changes(body=body[:position] + new_imports + new_helpers + following)


def _is_import_line(statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def unified_diff(old: str, new: str, path: str) -> str:
    before, after = (path, path) if path.startswith("/") else (f"a/{path}", f"b/{path}")
    return "".join(
        difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=before, tofile=after)
    )
