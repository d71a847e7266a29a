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

from keraslint.fixes.lines import LINE_LENGTH, _line_edits, line_length_for  # noqa: F401 (used by callers)
from keraslint.fixes.text_imports import import_place
from keraslint.violations import AddHelper, AddImport, InsertStatements, RemoveStatement, Replace, Span, Violation



class FixError(Exception):
    pass


@dataclass
class FixResult:
    text: str
    applied: List[Violation] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)


def apply_fixes(text: str, violations: List[Violation], line_length: int = 100) -> FixResult:
    """Apply every violation's fix to `text` in one libcst pass (overlapping ones wait for the
    next round). If the combined result fails, fall back to one fix at a time."""
    chosen = _non_overlapping(violations)
    try:
        return FixResult(_apply(text, chosen, line_length), applied=chosen)
    except FixError:
        pass
    result = FixResult(text)
    for violation in chosen:
        try:
            result.text = _apply(result.text, [violation], line_length)
            result.applied.append(violation)
        except FixError as error:
            result.problems.append(f"{violation.filename}:{violation.line}:{violation.col + 1}: {violation.code} fix not applied: {error}")
        if result.applied:
            break  # positions of later fixes refer to the text before this one: next round
    return result


def edits_for_each(text: str, violations: List[Violation], outline=None, parses: Optional[dict] = None) -> List[List[dict]]:
    """Each violation's fix, alone, as ruff-style edits (no edits for a fix that cannot be
    applied)."""
    old_lines = text.splitlines(keepends=True)
    fixed = fixed_each(text, violations, outline, parses)
    return [[] if one is None else _line_edits(old_lines, one.splitlines(keepends=True)) for one in fixed]


def fixed_each(text: str, violations: List[Violation], outline=None, parses: Optional[dict] = None) -> List[Optional[str]]:
    """The whole text with each violation's fix applied alone (None where it cannot be).
    Each fix is computed on an outline of the file (fixes/outline.py: only the statements it
    touches, kept verbatim), so libcst never parses a large file once per finding; where the
    outline cannot be used, the whole file is parsed, once. A caller that has the text's
    `Outline` passes it; `parses` (outline text -> _Parsed) may be shared between calls."""
    from keraslint.fixes.outline import Outline

    outline = outline or Outline.of(text)
    whole: List = []  # the whole file parsed, at most once: [_Parsed] or [FixError]
    result: List[Optional[str]] = []
    parses = {} if parses is None else parses  # findings in the same statements share a parse
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
                fixed = _apply_parsed(whole[0], [violation], line_length_for(violation.filename))
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
        fixed = _apply_parsed(parsed, [violation], line_length_for(violation.filename), defined=outline.defined)
        return skeleton.restore(fixed)
    except FixError:
        return None  # the whole file decides


def _non_overlapping(violations: List[Violation]) -> List[Violation]:
    chosen, taken = [], []
    for violation in violations:
        spans = [e.span for e in violation.fix.edits if isinstance(e, (Replace, InsertStatements, RemoveStatement))]
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
        self._wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self.positions = self._wrapper.resolve(PositionProvider)
        self._parents = None
        self.by_span: Dict[tuple, list] = {}
        for node, where in self.positions.items():
            self.by_span.setdefault((where.start.line, where.start.column, where.end.line, where.end.column), []).append(node)

    @property
    def parents(self):
        """Each node's parent: only inserted statements and import aliases need them, so
        resolved on first use (as costly as the positions)."""
        if self._parents is None:
            self._parents = self._wrapper.resolve(ParentNodeProvider)
        return self._parents


def _apply(text: str, violations: List[Violation], line_length: int = LINE_LENGTH) -> str:
    return _apply_parsed(_Parsed(text), violations, line_length)


def _apply_parsed(parsed: _Parsed, violations: List[Violation], line_length: int = LINE_LENGTH, defined=None) -> str:
    module, positions, by_span = parsed.module, parsed.positions, parsed.by_span
    replacements: Dict[cst.CSTNode, cst.CSTNode] = {}
    insert_after: Dict[cst.CSTNode, list] = {}
    insert_before: Dict[cst.CSTNode, list] = {}
    imports: List[AddImport] = []
    helpers: List[AddHelper] = []
    removed: set = set()
    for violation in violations:
        for edit in violation.fix.edits:
            if isinstance(edit, Replace):
                old = _find(by_span, edit.span, cst.BaseExpression)
                alias = parsed.parents.get(old) if " as " in edit.text else None  # parents only when needed
                if isinstance(alias, cst.ImportAlias) and alias.name is old:
                    # an imported name that gains an alias: `Deconv2D` → `Conv2DTranspose as Deconv2D`
                    replacements[alias] = _import_alias(edit.text, alias)
                else:
                    replacements[old] = _expression(edit.text, old)
            elif isinstance(edit, InsertStatements):
                small = _find(by_span, edit.span, (cst.BaseSmallStatement, cst.BaseCompoundStatement))
                line = small if isinstance(small, cst.BaseCompoundStatement) else parsed.parents[small]
                target = insert_after if edit.after else insert_before
                target.setdefault(line, []).extend(_statements(edit.text))
            elif isinstance(edit, RemoveStatement):
                small = _find(by_span, edit.span, cst.BaseSmallStatement)
                # a top-level line holding that statement alone (found without the costly parents)
                line = next((s for s in module.body if isinstance(s, cst.SimpleStatementLine) and list(s.body) == [small]), None)
                if line is None:
                    raise FixError(f"no top-level statement alone on its line at {edit.span.line}:{edit.span.col + 1}")
                removed.add(line)
            elif isinstance(edit, AddImport):
                if edit not in imports:
                    imports.append(edit)
            elif isinstance(edit, AddHelper):
                if edit.name not in {h.name for h in helpers}:
                    helpers.append(edit)

    edited_lines = [e.span.line for v in violations for e in v.fix.edits if isinstance(e, (Replace, InsertStatements))]
    position = _insert_position(module.body, positions, min(edited_lines, default=10**9))
    module = _edited(module, positions, _Editor(replacements, insert_after, insert_before, module.default_indent, line_length))
    if removed:  # the removed imports' places no longer count
        position -= sum(1 for statement in module.body[:position] if statement in removed)
        module = module.with_changes(body=_without(module.body, removed))
    module = _add_top_level(module, position, imports, helpers, line_length, defined)
    fixed = module.code
    try:
        ast.parse(fixed)
    except (SyntaxError, ValueError) as error:
        raise FixError(f"result does not parse: {error}") from None
    return fixed


def _edited(module: cst.Module, positions, editor: "_Editor") -> cst.Module:
    """`module.visit(editor)`, visiting only the top-level statements that hold a node the
    editor replaces or inserts at (the others would come back unchanged: no cost for them)."""
    lines = [positions[node].start.line for node in (*editor.replacements, *editor.insert_after, *editor.insert_before)]
    body, after = [], 0  # a statement holds the lines after the one before it (decorators have no position of their own)
    for statement in module.body:
        end = positions[statement].end.line
        holds = any(after < line <= end for line in lines)
        after = end
        if not holds:
            body.append(statement)
            continue
        visited = statement.visit(editor)
        body.extend(visited.nodes if isinstance(visited, cst.FlattenSentinel) else [visited])
    return module.with_changes(body=body)


def _without(body, removed: set) -> list:
    """The module body without the removed statements; a comment above one stays, above
    the statement that follows."""
    kept, comments = [], []
    for statement in body:
        if statement in removed:
            comments.extend(line for line in statement.leading_lines if line.comment is not None)
            continue
        if comments:
            statement = statement.with_changes(leading_lines=[*comments, *statement.leading_lines])
            comments = []
        kept.append(statement)
    return kept


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


def _import_alias(code: str, old: cst.ImportAlias) -> cst.ImportAlias:
    """The imported name rewritten as `name` or `name as alias` (KER303's renamed names)."""
    try:
        new = cst.parse_statement(f"from m import {code}\n").body[0].names[0]
    except (cst.ParserSyntaxError, AttributeError, IndexError) as error:
        raise FixError(f"generated import name does not parse: {code!r}") from error
    return old.with_changes(name=new.name, asname=new.asname or old.asname)


def _statements(code: str) -> list:
    try:
        return list(cst.parse_module(code).body)
    except cst.ParserSyntaxError as error:
        raise FixError(f"generated code does not parse: {code!r}: {error.message}") from None


class _Editor(cst.CSTTransformer):
    def __init__(self, replacements, insert_after, insert_before, default_indent="    ", line_length=100):
        super().__init__()
        self.replacements = replacements
        self.insert_after = insert_after
        self.insert_before = insert_before
        self.default_indent = default_indent
        self.line_length = line_length
        self.indents: List[str] = []
        self.replaced = 0
        self.replaced_before: List[int] = []

    def on_visit(self, node):
        if isinstance(node, cst.IndentedBlock):
            self.indents.append(node.indent if node.indent is not None else self.default_indent)
        if isinstance(node, cst.SimpleStatementLine):
            self.replaced_before.append(self.replaced)
        return True

    def on_leave(self, original_node, updated_node):
        if isinstance(original_node, cst.IndentedBlock):
            self.indents.pop()
        if original_node in self.replacements:
            self.replaced += 1
            return self.replacements[original_node]
        if isinstance(original_node, cst.SimpleStatementLine) and self.replaced_before.pop() != self.replaced:
            updated_node = wrap_statement(updated_node, len("".join(self.indents)), self.default_indent, self.line_length)
        before = self.insert_before.get(original_node)
        after = self.insert_after.get(original_node)
        if before or after:
            width = len("".join(self.indents))
            before = [wrap_statement(s, width, self.default_indent, self.line_length) for s in before or []]
            after = [wrap_statement(s, width, self.default_indent, self.line_length) for s in after or []]
            return cst.FlattenSentinel([*before, updated_node, *after])
        return updated_node


# -- wrapping, as black would: a rewritten line longer than the limit splits at a call's brackets
_EMPTY = cst.Module([])


def wrap_statement(statement, indent_width: int, indent: str, limit: int = LINE_LENGTH):
    """`statement` with its outermost call split over lines when it is longer than `limit`:
    the arguments on one indented line, else one per line with a trailing comma. The call
    whose opening line fits is chosen from the last trailer backwards (`Dense(...)(x)` splits
    inside `Dense(`), as black's right-hand split does. Unchanged when nothing fits."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return statement
    if _fits(statement, indent_width, limit):
        return statement
    small = statement.body[0]
    value = getattr(small, "value", None)
    if isinstance(value, (cst.ListComp, cst.List)) and not _has_comment(value):
        wrapped = statement.with_changes(body=[small.with_changes(value=_split_list(value, indent))])
        return wrapped if _fits(wrapped, indent_width, limit) else statement
    if not isinstance(value, cst.Call):
        return statement
    trailers = []
    node = value
    while isinstance(node, cst.Call):
        trailers.append(node)
        node = node.func
    for call in trailers:
        if not call.args or any(_has_comment(a) for a in call.args):
            continue
        for variant in (_one_line_body, _one_per_line):
            wrapped = statement.with_changes(body=[small.with_changes(value=_swap(value, call, variant(call, indent)))])
            if _fits(wrapped, indent_width, limit):
                return wrapped
    return statement


def _split_list(value, indent: str):
    """`[elt for a in b]` as black splits it: the element and each `for` on lines of their own;
    a list display with one element per line and a trailing comma."""
    opening = value.lbracket.with_changes(whitespace_after=_newline(indent))
    closing = value.rbracket.with_changes(whitespace_before=_newline(""))
    if isinstance(value, cst.List):
        elements = [e.with_changes(comma=cst.Comma(whitespace_after=_newline(indent) if i < len(value.elements) - 1 else cst.SimpleWhitespace("")))
                    for i, e in enumerate(value.elements)]
        return value.with_changes(lbracket=opening, rbracket=closing, elements=elements)
    comp, loops = value.for_in, []
    while comp is not None:
        loops.append(comp)
        comp = comp.inner_for_in
    rebuilt = None
    for comp in reversed(loops):
        rebuilt = comp.with_changes(whitespace_before=_newline(indent), inner_for_in=rebuilt)
    return value.with_changes(lbracket=opening, rbracket=closing, for_in=rebuilt)


def _fits(statement, indent_width: int, limit: int) -> bool:
    return all(indent_width + len(line) <= limit for line in _EMPTY.code_for_node(statement).splitlines())


def _has_comment(arg) -> bool:
    return "#" in _EMPTY.code_for_node(arg)


def _swap(value, old, new):
    if value is old:
        return new
    return value.with_changes(func=_swap(value.func, old, new))


def _newline(extra: str) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(indent=True, last_line=cst.SimpleWhitespace(extra))


def _one_line_body(call, indent: str):
    args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT if i == len(call.args) - 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
                           whitespace_after_arg=_newline("") if i == len(call.args) - 1 else cst.SimpleWhitespace(""))
            for i, a in enumerate(call.args)]
    return call.with_changes(whitespace_before_args=_newline(indent), args=args)


def _one_per_line(call, indent: str):
    args = [a.with_changes(comma=cst.Comma(whitespace_after=_newline(indent) if i < len(call.args) - 1 else cst.SimpleWhitespace("")),
                           whitespace_after_arg=_newline("") if i == len(call.args) - 1 else cst.SimpleWhitespace(""))
            for i, a in enumerate(call.args)]
    return call.with_changes(whitespace_before_args=_newline(indent), args=args)


def _insert_position(body, positions, first_edited_line: int) -> int:
    """Index in the module body after the top-level imports (and docstring) that come before
    the first statement a fix edits: new imports and helpers must precede their first use.
    Statements before that index are never edited, so the index survives the edit pass."""
    position = 0
    for index, statement in enumerate(body):
        if _is_import_line(statement) or (index == 0 and _is_docstring(statement)):
            position = index + 1  # an edited import (KER303) needs nothing above it
        elif positions[statement].end.line >= first_edited_line:
            break
    return position


def _add_top_level(module: cst.Module, position: int, imports: List[AddImport], helpers: List[AddHelper], line_length: int = LINE_LENGTH, defined=None) -> cst.Module:
    """Insert missing imports into the import block (next to their kin, in the file's order),
    then helper classes at `position`, each only once. `defined`: the names of top-level
    classes and functions, when `module` is an outline of the file (fixes/outline.py)."""
    if not imports and not helpers:
        return module
    body = list(module.body)
    present_imports = {module.code_for_node(s).strip() for s in body if _is_import_line(s)}
    defined = set(defined) if defined is not None else {s.name.value for s in body if isinstance(s, (cst.ClassDef, cst.FunctionDef))}
    for item in imports:
        line = item.render()
        if line in present_imports:
            continue
        present_imports.add(line)
        if _merge_import(body, position, item, line_length):
            continue
        index, before_kin = _import_index(body[:position], item)
        statement = cst.parse_module(line + "\n").body[0]
        if before_kin and body[index].leading_lines and all(line.comment is None for line in body[index].leading_lines):
            # the new line opens the group: it takes the group's blank line
            statement = statement.with_changes(leading_lines=body[index].leading_lines)
            body[index] = body[index].with_changes(leading_lines=[])
        body.insert(index, statement)
        position += 1
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
    return module.with_changes(body=body[:position] + new_helpers + following)


def _import_module(statement) -> tuple:
    """(is a `from` import, module name) of a one-import line; ("", "") when unknown."""
    node = statement.body[0]
    if isinstance(node, cst.ImportFrom):
        if node.relative or node.module is None:
            return (1, "~")  # relative imports sort last (first party)
        return (1, _EMPTY.code_for_node(node.module))
    return (0, _EMPTY.code_for_node(node.names[0].name))


def _import_index(block: list, item: AddImport) -> tuple:
    """(index, whether that index holds an import of the same group) for `item` among the
    top-level imports before the insertion position (text_imports.import_place)."""
    lines = [(i, _import_module(st)) for i, st in enumerate(block) if _is_import_line(st)]
    return import_place(lines, len(block), item)


def _merge_import(body: list, position: int, item: AddImport, line_length: int = LINE_LENGTH) -> bool:
    """Add `name` to an existing one-line `from module import a, b` without aliases (kept in
    its order when it is sorted) if the line stays within the limit."""
    if item.name is None:
        return False
    for index, statement in enumerate(body[:position]):
        if not _is_import_line(statement) or len(statement.body) != 1:
            continue
        node = statement.body[0]
        if not isinstance(node, cst.ImportFrom) or node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            continue
        if _EMPTY.code_for_node(node.module) != item.module or node.lpar:
            continue
        names = list(node.names)
        if item.alias or any(a.asname is not None for a in names):
            continue  # isort keeps `as` imports on lines of their own
        alias = cst.ImportAlias(name=cst.Name(item.name), asname=cst.AsName(name=cst.Name(item.alias)) if item.alias else None)
        keys = [_name_key(_EMPTY.code_for_node(a.name)) for a in names]
        at = len(names)
        if keys == sorted(keys):
            at = next((i for i, key in enumerate(keys) if _name_key(item.name) < key), len(names))
        names.insert(at, alias)
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        names = [a.with_changes(comma=comma if i < len(names) - 1 else cst.MaybeSentinel.DEFAULT) for i, a in enumerate(names)]
        merged = statement.with_changes(body=[node.with_changes(names=names)])
        if not _fits(merged, 0, line_length):
            return False
        body[index] = merged
        return True
    return False


def _name_key(name: str) -> tuple:
    """isort's order within a `from` import: CONSTANTS, Classes, functions."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return (kind, name.lower())


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
