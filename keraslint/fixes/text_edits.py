"""Each finding's fix as edits (JSON output) without libcst where the pipeline's result is
known in advance: byte-identical to `pipeline.edits_for_each`, much cheaper.

Most fixes replace one expression (`K.exp(x)` -> `ops.exp(x)`) and add an import that is
the same for every finding of the file. The pipeline (fixes/pipeline.py) replaces the
expression's node by the parsed new code, keeps the old parentheses, and re-wraps the
statement only when it no longer fits the line length. So the replacement is done here as
text when:
- the span is an `ast` Call, Name, Attribute or Compare, the module of `from module import ...`
  or an imported name (libcst has a node with exactly that span),
- the new code starts with `(` only where the node has no parentheses (libcst would drop them),
- the statement is re-wrapped as the pipeline would (fixes/text_wrap.py), or left alone where
  the pipeline leaves it (one-line blocks, statements sharing a line),
- the rewritten statement parses (the pipeline's check), or the new code is an atom with
  trailers in place of an expression that is read (it parses wherever it stands).
The imports and helpers a fix adds go before the statement it edits, at a place that only
depends on the last top-level import before it: placed on text as the pipeline places them
(fixes/text_imports.py) or taken from one pipeline run on a stand-in for the statement, and
reused for every finding with the same additions after the same import. Anything else goes
to the pipeline.
"""

from __future__ import annotations

import ast
import copy
import functools
import io
import re
import tokenize
import warnings
from dataclasses import replace
from typing import Dict, List, Optional

from keraslint.fixes.lines import LineDiff, line_length_for
from keraslint.fixes.outline import _LINE, Outline
from keraslint.fixes.text_imports import head_with_additions
from keraslint.fixes.text_wrap import Undecided, rewrapped
from keraslint.violations import AddHelper, AddImport, Replace, Span, Violation

_FROM = re.compile(r"from[ \t]+\Z")
_ALIASED = re.compile(r"[A-Za-z_]\w* as [A-Za-z_]\w*")
# the line length for a file's path: looking for config files up the folders costs stats,
# once per path rather than once per finding (the config files are cached already)
_line_length = functools.lru_cache(maxsize=256)(line_length_for)
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def edits_for_each(text: str, violations: List[Violation]) -> List[List[dict]]:
    """Each violation's fix, alone, as ruff-style edits: `pipeline.edits_for_each`."""
    from keraslint.engine import last_tree

    tree = last_tree(text)  # the check just parsed it: no second parse
    outline = Outline(text, tree) if tree is not None else Outline.of(text)
    if outline is None:
        from keraslint.fixes import pipeline

        return pipeline.edits_for_each(text, violations)
    old_lines = LineDiff(text.splitlines(keepends=True))
    heads: Dict[tuple, tuple] = {}  # (additions, last import before) -> (line, the lines before it, added to)
    parses: dict = {}  # the pipeline's libcst parses of this file's outlines, shared
    result = []
    for violation in violations:
        fixed = _fixed_as_text(outline, violation, heads, parses)
        result.append(None if fixed is None else _diff(old_lines, *fixed))
    missing = [v for v, edits in zip(violations, result) if edits is None]
    if missing:
        from keraslint.fixes import pipeline

        slow = iter(pipeline.edits_for_each(text, missing, outline, parses))
        result = [next(slow) if edits is None else edits for edits in result]
    return result


def _diff(old_lines: LineDiff, fixed: str, anchor: Optional[tuple]) -> List[dict]:
    return old_lines.edits(fixed.splitlines(keepends=True), anchor)


def _fixed_as_text(outline: Outline, violation: Violation, heads: Dict[tuple, tuple], parses: dict) -> Optional[tuple]:
    """(the whole text with the fix applied, a pair of old and new line indexes the fix keeps
    aligned or None: a hint for the diff), or None when only the pipeline can tell."""
    replaces = [e for e in violation.fix.edits if isinstance(e, Replace)]
    additions = tuple(e for e in violation.fix.edits if isinstance(e, (AddImport, AddHelper)))
    if not replaces or len(additions) + len(replaces) != len(violation.fix.edits):
        return None
    # Several replacements (KER303: an import and the names it binds) are done a statement
    # at a time from the bottom up, right to left, so what lies before each is unchanged.
    groups: Dict[int, list] = {}  # id of the innermost statement -> [its top-level statement, edits]
    for edit in replaces:
        statement = _top_level_at(outline, edit.span.line)
        if statement is None:
            return None
        groups.setdefault(id(_innermost_statement(statement.node, edit)), [statement]).append(edit)
    replaced = outline.lines
    done = set()  # top-level statements already edited below
    for statement, *edits in sorted(groups.values(), key=lambda group: group[1].span.line, reverse=True):
        if statement.first in done and len(replaced) != len(outline.lines):
            return None  # an edit below in the same statement changed its length: the pipeline's
        replaced = _statement_as_text(outline, statement, edits, replaced, violation.filename)
        if replaced is None:
            return None
        done.add(statement.first)
    statement = min((group[0] for group in groups.values()), key=lambda top: top.first)  # additions go above it
    if not additions:
        return "".join(replaced), None
    if isinstance(statement.node, (ast.Import, ast.ImportFrom)):
        return None  # the additions go after the edited import, maybe into it: the pipeline's
    key = (additions, _last_import_before(outline, statement))
    if key not in heads:
        return _learn_head(outline, violation, statement, replaced, key, heads, parses)
    boundary, head = heads[key]
    if statement.first < boundary:
        return None  # the additions were learnt from a later statement
    return "".join(head + replaced[boundary - 1 :]), (boundary - 1, len(head))


def _statement_as_text(outline: Outline, statement, edits: List[Replace], lines: List[str], path: str) -> Optional[List[str]]:
    """`lines` (the outline's, or edited only below) with `edits`, all in one statement inside
    the top-level `statement`, done as the pipeline prints them; None when only the pipeline
    can tell."""
    view = outline
    if lines is not outline.lines:
        view = copy.copy(outline)
        view.lines = lines
    innermost = _innermost_statement(statement.node, edits[0])
    replaced = lines
    previous = None
    parses_anywhere = True  # each new code parses wherever its node stood: no parse needed
    for edit in sorted(edits, key=lambda e: (e.span.line, e.span.col), reverse=True):
        if previous is not None and (edit.span.end_line, edit.span.end_col) > (previous.span.line, previous.span.col):
            return None  # overlapping edits
        found = _replaceable(view, innermost, edit)
        if found is None:
            return None
        parses_anywhere = parses_anywhere and _parses_anywhere(*found)
        code = _printed_code(view, innermost, edit.text)
        if code is None or (len(edits) > 1 and "\n" in code):
            return None
        replaced = _replace(replaced, replace(edit, text=code))
        if replaced is None:
            return None
        previous = edit
    return _printed(view, statement, innermost, replaced, path, parses_anywhere)


def _learn_head(outline, violation, statement, replaced, key, heads, parses) -> Optional[tuple]:
    """The pipeline's fix of `violation`; its lines before `statement` are kept for the
    next finding with the same additions when the rest is the replacement alone."""
    from keraslint.fixes.pipeline import fixed_each

    additions = key[0]
    if all(isinstance(e, AddImport) or e.name not in outline.defined for e in additions):  # the usual case: on text
        index = next(i for i, node in enumerate(outline.tree.body) if node is statement.node)
        newline = _ending(outline.lines[0]) or "\n"
        head = head_with_additions(
            outline.lines, outline.tree, index, additions, _line_length(violation.filename), newline, lambda: outline.default_indent or "    "
        )
        if head is not None:
            heads[key] = (statement.first, head)
            return "".join(head + replaced[statement.first - 1 :]), (statement.first - 1, len(head))
    if all(isinstance(e, AddImport) or e.name not in outline.defined for e in additions):
        # new imports and helpers depend only on the text before the statement (a helper also
        # on whether the file defines its name: not so here): fix a stand-in for the statement
        line = statement.first
        stand_in = replace(violation, fix=replace(violation.fix, edits=(Replace(Span(line, 4, line, 5), "0"), *additions)))
        [fixed] = fixed_each("".join(outline.lines[: line - 1]) + "_ = 0\n", [stand_in])
        lines = _LINE.findall(fixed or "")
        if fixed is None or lines[-1] != "_ = 0\n":
            return None
        heads[key] = (line, lines[:-1])
        return "".join(lines[:-1] + replaced[line - 1 :]), (line - 1, len(lines) - 1)
    [fixed] = fixed_each("".join(outline.lines), [violation], outline, parses)
    if fixed is None:
        return None
    lines = _LINE.findall(fixed)
    rest = replaced[statement.first - 1 :]
    if len(lines) >= len(rest) and lines[len(lines) - len(rest) :] == rest:
        heads[key] = (statement.first, lines[: len(lines) - len(rest)])
    return fixed, None


def _top_level_at(outline: Outline, line: int):
    for node in outline.tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if first <= line <= (node.end_lineno or node.lineno):
            return _Top(node, first)
    return None


class _Top:
    def __init__(self, node: ast.stmt, first: int):
        self.node, self.first, self.last = node, first, node.end_lineno or node.lineno


def _last_import_before(outline: Outline, statement: _Top) -> int:
    """Index of the last top-level import (or docstring) before `statement`; -1 if none."""
    last = -1
    for index, node in enumerate(outline.tree.body):
        if node is statement.node:
            break
        if isinstance(node, (ast.Import, ast.ImportFrom)) or (index == 0 and isinstance(node, ast.Expr)):
            last = index
    return last


def _printed_code(outline: Outline, innermost: ast.stmt, code: str) -> Optional[str]:
    """`code` as libcst prints it in place of an expression of `innermost`: it parsed the
    code alone, so a line after a line break inside brackets (code, a comment or a blank
    line) gets the block's indentation in front and the file's line ending; a line inside
    a string or after a backslash stays as written. None where that is not all (mixed line
    endings, one that differs from the file's where it stays as written)."""
    breaks = set(re.findall(r"\r\n|\r|\n", code))
    if not breaks:
        return code
    if len(breaks) > 1:
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code, newline="").readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    if any(tokenize.tok_name[t.type].startswith("FSTRING") for t in tokens):
        return None  # Python 3.12+ splits f-strings into tokens of their own
    inside_brackets = {t.start[0] for t in tokens if t.type == tokenize.NL}  # rows ending in a bracket's line break
    first = outline.lines[innermost.lineno - 1]
    block = first[: len(first) - len(first.lstrip(" \t"))]
    newline = _ending(outline.lines[0]) or "\n"
    lines = [line.rstrip("\r\n") for line in _LINE.findall(code)]
    if breaks != {newline} and len(inside_brackets) < len(lines) - 1:
        return None  # a line break libcst keeps as written, unlike the file's
    return newline.join([lines[0]] + [block + line if row in inside_brackets else line for row, line in enumerate(lines[1:], 1)])


def _replaceable(outline: Outline, innermost: ast.stmt, edit: Replace) -> Optional[tuple]:
    """(the node at `edit.span`, the new code parsed or None) when libcst has an expression
    node at exactly that span, and the new code parses alone and is printed as written: it
    brings parentheses of its own only where the node has none (libcst would drop the
    node's); else None."""
    code, span, lines = edit.text, edit.span, outline.lines
    if not code or code != code.strip():
        return None
    if _ALIASED.fullmatch(code):
        # an imported name that gains an alias (`maxnorm` -> `MaxNorm as maxnorm`): the
        # pipeline rewrites the ImportAlias of a `from` import, printed as written
        for node in innermost.names if isinstance(innermost, ast.ImportFrom) else []:
            if node.asname is None and node.lineno == span.line == node.end_lineno == span.end_line:
                if (_chars(lines[span.line - 1], node.col_offset), _chars(lines[span.line - 1], node.end_col_offset)) == (span.col, span.end_col):
                    return node, None
        return None
    if code.startswith("("):
        before = lines[span.line - 1][: span.col].rstrip()
        if not before or before.endswith("("):
            return None  # the node may have parentheses of its own, which libcst would drop
    try:
        expression = ast.parse(code, mode="eval").body
    except (SyntaxError, ValueError):
        return None
    for node in _walk_header(innermost):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.lineno == span.line == span.end_line:
            line = lines[span.line - 1]
            start = _chars(line, node.col_offset)
            if line[span.col : span.end_col] == node.module and _FROM.match(line[start : span.col]):
                return node, expression
        elif isinstance(node, ast.alias) and node.asname is None and node.lineno == span.line == node.end_lineno == span.end_line:
            # an imported name without `as` (`np_utils` in `from keras.utils import np_utils`)
            if (_chars(lines[span.line - 1], node.col_offset), _chars(lines[span.line - 1], node.end_col_offset)) == (span.col, span.end_col):
                return node, expression
        elif isinstance(node, (ast.Call, ast.Name, ast.Attribute, ast.Compare)) and (node.lineno, node.end_lineno) == (span.line, span.end_line):
            if (_chars(lines[span.line - 1], node.col_offset), _chars(lines[span.end_line - 1], node.end_col_offset)) == (span.col, span.end_col):
                return node, expression
    return None


# new code that binds as tightly as anything (an atom and its trailers): it parses in place of
# any expression that is read (not assigned to), outside f-strings
_PRIMARIES = (ast.Call, ast.Name, ast.Attribute, ast.Subscript, ast.List, ast.ListComp, ast.Dict, ast.DictComp, ast.Set, ast.SetComp)
_F_STRING = re.compile(r"[fF][rR]?['\"]|[rR][fF]['\"]")


def _parses_anywhere(node: ast.AST, expression: Optional[ast.expr]) -> bool:
    return (
        isinstance(node, (ast.Call, ast.Name, ast.Attribute, ast.Compare))
        and isinstance(getattr(node, "ctx", None) or ast.Load(), ast.Load)
        and isinstance(expression, _PRIMARIES)
    )


def _walk_header(statement: ast.stmt):
    """The nodes of a simple statement, or of a compound statement's header."""
    for name, value in ast.iter_fields(statement):
        if name in _BLOCKS:
            continue
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, ast.AST):
                yield from ast.walk(child)
    yield statement


def _chars(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8", "surrogatepass")[:byte_offset].decode("utf-8", "surrogatepass"))


def _replace(lines: List[str], edit: Replace) -> Optional[List[str]]:
    span = edit.span
    if span.end_line > len(lines):
        return None
    middle = lines[span.line - 1][: span.col] + edit.text + lines[span.end_line - 1][span.end_col :]
    return lines[: span.line - 1] + _LINE.findall(middle) + lines[span.end_line :]


def _printed(outline: Outline, statement: _Top, innermost: ast.stmt, replaced: List[str], path: str, parses_anywhere: bool = False) -> Optional[List[str]]:
    """`replaced` with the edited statement as the pipeline prints it (re-wrapped where it
    no longer fits, fixes/text_wrap.py), if the result parses (known when the new code
    `parses_anywhere` and no f-string is around); None when only the pipeline can tell."""
    shift = len(replaced) - len(outline.lines)
    simple = None if hasattr(innermost, "body") else innermost
    if simple is not None and _alone(outline.lines, simple):
        first, end = simple.lineno - 1, simple.end_lineno + shift
        above = first
        while above >= 1 and (outline.lines[above - 1].strip() == "" or outline.lines[above - 1].lstrip().startswith("#")):
            above -= 1
        limit, block = _line_length(path), simple.col_offset  # the block's width: ASCII indentation
        first_in_file = False
        if any(block + len(line.rstrip("\r\n")) > limit for line in outline.lines[above:first]):
            # a long line above may be libcst's "leading line" of the statement: only if it is
            # not inside a string (the code ends before it) nor in the module's header
            code_before = _code_before(outline, statement, simple)
            above, first_in_file = max(above, code_before), code_before == 0
        newline = _ending(outline.lines[0]) or "\n"  # libcst's: the file's first line ending
        try:
            lines = rewrapped(replaced[first:end], outline.lines[above:first], limit, lambda: outline.default_indent or "    ", newline, first_in_file)
        except Undecided:
            return None
        replaced = replaced[:first] + lines + replaced[end:]
        start = _chars(outline.lines[first], simple.col_offset)
        # it parses where it is if it parses alone
        code = replaced[first][start:] + "".join(replaced[first + 1 : first + len(lines)])
        return replaced if (parses_anywhere and not _F_STRING.search(code)) or _parses(code) else None
    if simple is not None and _ends_with_semicolon(outline.lines, simple):
        return None  # one statement and a `;`: the pipeline may re-wrap it
    # a one-line block (`if x: y = ...`) or statements sharing a line: the pipeline keeps them
    first, last = statement.first, statement.last
    for other in outline.statements:  # statements sharing a line with it parse with it
        if other.first <= last and first <= other.last:
            first, last = min(first, other.first), max(last, other.last)
    code = "".join(replaced[first - 1 : last + shift])
    return replaced if (parses_anywhere and not _F_STRING.search(code)) or _parses(code) else None


def _code_before(outline: Outline, statement: _Top, simple: ast.stmt) -> int:
    """The last line of the code before `simple` (a statement, or a part of the header
    around it), 0 if none."""
    last = 0
    for node in outline.tree.body:
        if node is statement.node:
            break
        last = node.end_lineno or node.lineno
    for node in ast.walk(statement.node):
        end = getattr(node, "end_lineno", None)
        if end is not None and last < end < simple.lineno:
            last = end
    return last


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _parses(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _ends_with_semicolon(lines: List[str], statement: ast.stmt) -> bool:
    """Alone on its line but for a `;` after it (still one statement for libcst)."""
    first, last = lines[statement.lineno - 1], lines[statement.end_lineno - 1]
    rest = last[_chars(last, statement.end_col_offset) :].strip()
    return first[: _chars(first, statement.col_offset)].strip() == "" and rest.startswith(";") and rest[1:].strip()[:1] in ("", "#")


def _alone(lines: List[str], statement: ast.stmt) -> bool:
    """Nothing but indentation before the statement and a comment after it."""
    first, last = lines[statement.lineno - 1], lines[statement.end_lineno - 1]
    rest = last[_chars(last, statement.end_col_offset) :].strip()
    return first[: _chars(first, statement.col_offset)].strip() == "" and (rest == "" or rest.startswith("#"))


def _innermost_statement(node: ast.stmt, edit: Replace) -> ast.stmt:
    """The innermost statement holding the span: a simple statement, or a compound one when
    the span is in its header (no statement line around it for the pipeline to re-wrap)."""
    span = edit.span
    while True:
        inner = None
        for field in _BLOCKS:
            for child in getattr(node, field, None) or []:
                for statement in child.body if isinstance(child, ast.match_case) else [child]:
                    if statement.lineno <= span.line and span.end_line <= (statement.end_lineno or statement.lineno):
                        inner = statement
        if inner is None:
            return node
        node = inner
