"""The libcst side: find the nodes a fix names by their exact range, apply the edits, add
imports and helper classes once, and verify that the result parses.

Imported only when a file has something to fix (libcst costs ~0.6 s to import and ~4x ast to
parse). Comments and formatting outside the edited nodes are kept as they were.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from typing import Dict, List

import libcst as cst
import libcst.helpers
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
    try:
        fixed = _apply(text, [violation])
    except FixError:
        return []
    old_lines, new_lines = text.splitlines(keepends=True), fixed.splitlines(keepends=True)
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


def _apply(text: str, violations: List[Violation]) -> str:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise FixError(f"libcst cannot parse the file: {error.message}") from None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    parents = wrapper.resolve(ParentNodeProvider)
    by_span: Dict[tuple, list] = {}
    for node, where in positions.items():
        by_span.setdefault((where.start.line, where.start.column, where.end.line, where.end.column), []).append(node)

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
    module = _add_top_level(module, position, imports, helpers)
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


def _add_top_level(module: cst.Module, position: int, imports: List[AddImport], helpers: List[AddHelper]) -> cst.Module:
    """Insert missing imports, then helper classes, at `position`, each only once."""
    if not imports and not helpers:
        return module
    body = list(module.body)
    present_imports = {module.code_for_node(s).strip() for s in body if _is_import_line(s)}
    defined = {s.name.value for s in body if isinstance(s, (cst.ClassDef, cst.FunctionDef))}
    new_imports, after_kin = [], {}
    for item in imports:
        line = item.render()
        if line not in present_imports:
            present_imports.add(line)
            kin = _last_kin_import(body[:position], item.module.split(".")[0])
            target = new_imports if kin is None else after_kin.setdefault(kin, [])
            target.extend(cst.parse_module(line + "\n").body)
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
    head = []
    for index, statement in enumerate(body[:position]):
        head.append(statement)
        head.extend(after_kin.get(index, []))
    return module.with_changes(body=head + new_imports + new_helpers + following)


def _last_kin_import(statements, root: str):
    """Index of the last top-level import of a module of package `root` (`from keras import
    backend` for `from keras import ops`): a new import goes right after its kin."""
    for index in range(len(statements) - 1, -1, -1):
        statement = statements[index]
        if not _is_import_line(statement):
            continue
        for part in statement.body:
            if isinstance(part, cst.ImportFrom):
                modules = [] if part.relative or part.module is None else [cst.helpers.get_full_name_for_node(part.module)]
            else:
                modules = [cst.helpers.get_full_name_for_node(alias.name) for alias in part.names]
            if any(module and module.split(".")[0] == root for module in modules):
                return index
    return None


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
