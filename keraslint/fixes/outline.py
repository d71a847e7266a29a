"""An outline of a file, so one finding's fix can be computed with libcst on a small text.

JSON output shows each finding's fix as edits. libcst parses about four times slower than
`ast`, and resolving positions costs as much again, so parsing a 2,000-line file once per
finding made `--format json` many times slower than text output. A fix only touches the
top-level statements its edits name, the top-level imports (where new imports go) and the
names of top-level classes and functions (a helper class is added once). The outline keeps
those statements, and the one right before each edited statement (the footer of its block
owns comment lines above the edited one, which libcst measures when it re-wraps), verbatim and replaces every run of other top-level statements with one
string literal of the same line count (one libcst node, however long the run; shown here
with single quotes, the file gets double ones; an assignment, so that no placeholder is
taken for the module's docstring):

    _ = '''keraslint outline <token> 12             a run of simple statements, lines 12-14
    keraslint outline <token> 13
    keraslint outline <token> 14'''
    if True:  # keraslint outline <token> 30        a run with a block: its first line ...
        '''keraslint outline <token> 31             ... and the rest, indented like that block
    keraslint outline <token> 32'''

Line numbers and columns of the kept statements do not move, so the fix's spans still name
the same nodes, and a compound placeholder keeps the file's first indentation (which libcst
uses for the code a fix inserts). After the fix, `restore` puts the original lines back in
place of the placeholders; if any placeholder did not survive exactly once, in order and
contiguous with its statement, the caller falls back to the whole file.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import re
import tokenize
import warnings
from dataclasses import dataclass
from typing import Dict, List, Optional, Set

from keraslint.violations import InsertStatements, RemoveStatement, Replace, Violation

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # lines as Python counts them


@dataclass(frozen=True)
class _Statement:
    index: int  # position in the module body
    first: int  # 1-based line of its first decorator or keyword
    last: int
    block_indent: Optional[str]  # a compound statement's body indentation, else None
    kept: bool  # imports and the module docstring are always kept


@dataclass
class Skeleton:
    text: str
    token: str
    original: List[str]  # the file's lines, with their endings
    group: Dict[int, int]  # placeholder line -> first line of its statement

    def restore(self, fixed: str) -> Optional[str]:
        """`fixed` with the original lines back in place of the placeholders, or None."""
        marker = re.compile(r"keraslint outline " + self.token + r" (\d+)")
        out, seen, previous = [], [], None
        for line in _LINE.findall(fixed):
            match = marker.search(line)
            if match is None:
                out.append(line)
                previous = None
                continue
            number = int(match.group(1))
            if number not in self.group or (self.group[number] != number and previous != number - 1):
                return None  # a placeholder moved away from its statement
            seen.append(number)
            out.append(self.original[number - 1])
            previous = number
        if seen != sorted(self.group):
            return None
        return "".join(out)


class Outline:
    """The top-level statements of a text that `ast` parses."""

    def __init__(self, text: str, tree: ast.Module):
        self.lines = _LINE.findall(text)
        self.token = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        self.defined: Set[str] = {
            s.name for s in tree.body if isinstance(s, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self.tree = tree
        self.statements = [self._statement(index, node) for index, node in enumerate(tree.body)]
        self._text = text

    @functools.cached_property
    def default_indent(self) -> Optional[str]:
        """The file's first indentation (libcst's default): the first compound statement's
        block, read from its first line when it is the body's, else a tokenize of the file."""
        for statement, node in zip(self.statements, self.tree.body):
            if statement.block_indent is not None and "\f" not in statement.block_indent:
                return statement.block_indent
            if any(getattr(node, field, None) for field in ("body", "orelse", "handlers", "finalbody", "cases")):
                return _first_indent(self._text)  # an inline body with a block after it, a match, ...
        return None  # simple statements only: no indentation

    @classmethod
    def of(cls, text: str) -> Optional["Outline"]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return cls(text, ast.parse(text))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    def _statement(self, index: int, node: ast.stmt) -> _Statement:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        last = node.end_lineno or node.lineno
        kept = isinstance(node, (ast.Import, ast.ImportFrom, ast.Match)) or (
            index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        )
        body = getattr(node, "body", None)
        block_indent = None
        if isinstance(body, list) and body:
            body_line = min([body[0].lineno] + [d.lineno for d in getattr(body[0], "decorator_list", [])])
            if body_line > node.lineno:  # a block on its own lines: it has an INDENT
                text = self.lines[body_line - 1]
                block_indent = text[: len(text) - len(text.lstrip(" \t"))]
        return _Statement(index, first, last, block_indent, kept)

    def skeleton(self, violation: Violation) -> Optional[Skeleton]:
        """The outline for one violation's fix; None if its edits name no statement."""
        spans = [e.span for e in violation.fix.edits if isinstance(e, (Replace, InsertStatements, RemoveStatement))]
        if not spans:
            return None
        keep: Set[int] = set()
        for index, statement in enumerate(self.statements):
            if any(statement.first <= s.end_line and s.line <= statement.last for s in spans):
                # and the statement before it: the comment lines between them are the footer of
                # its block as far as they are indented like it, which a placeholder would change
                for kept in self.statements[max(index - 1, 0) : index + 1]:
                    keep.update(range(kept.first, kept.last + 1))
            elif statement.kept:
                keep.update(range(statement.first, statement.last + 1))
        changed = True
        while changed:  # a statement that shares a line with a kept one is kept whole
            changed = False
            for statement in self.statements:
                lines = range(statement.first, statement.last + 1)
                if any(n in keep for n in lines) and not all(n in keep for n in lines):
                    keep.update(lines)
                    changed = True
        out = list(self.lines)
        group: Dict[int, int] = {}
        for statement in self.statements:  # inside a kept class or function, only what the fix touches
            if statement.first in keep and not statement.kept:
                for first, last in _inner_runs(self.tree.body[statement.index], spans):
                    line = self.lines[first - 1]
                    indent = line[: len(line) - len(line.lstrip(" \t"))]
                    for number in range(first, last + 1):
                        ending = out[number - 1][len(out[number - 1].rstrip("\r\n")) :]
                        text = f"keraslint outline {self.token} {number}"
                        text = indent + '_ = """' + text if number == first else text
                        out[number - 1] = text + ('"""' if number == last else "") + ending
                        group[number] = first
        for run in _runs([st for st in self.statements if st.first not in keep]):
            first, last = run[0].first, run[-1].last
            indent = next((st.block_indent for st in run if st.block_indent is not None), None)
            for number in range(first, last + 1):
                line = out[number - 1]
                ending = line[len(line.rstrip("\r\n")) :]
                text = f"keraslint outline {self.token} {number}"
                if indent is not None and number == first:
                    text = f"if True:  # {text}"  # the run's first block: keeps the file's first INDENT
                else:
                    if number == first:  # an assignment: a string first in the file would be its docstring
                        text = '_ = """' + text
                    elif indent is not None and number == first + 1:
                        text = indent + '"""' + text
                    if number == last:
                        text += '"""'
                out[number - 1] = text + ending
                group[number] = first
        return Skeleton("".join(out), self.token, self.lines, group)


_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _inner_runs(node: ast.stmt, spans) -> List[tuple]:
    """(first, last) lines of each run of statements in the body of class or function
    `node` (and of the classes and functions in it the spans touch) that no span touches:
    each becomes one placeholder at the body's indentation. Statements sharing a line with
    a touched one are touched; a body on the header's line is left alone."""
    body = getattr(node, "body", None) if isinstance(node, _DEFINITIONS) else None
    if not body or _first_line(body[0]) <= node.lineno:
        return []
    bounds = [(_first_line(child), child.end_lineno or child.lineno) for child in body]
    touched = [any(first <= s.end_line and s.line <= last for s in spans) for first, last in bounds]
    touched = [is_touched or (i + 1 < len(touched) and touched[i + 1]) for i, is_touched in enumerate(touched)]  # and the one before (above)
    changed = True
    while changed:
        changed = False
        for i in range(1, len(body)):
            if touched[i] != touched[i - 1] and bounds[i][0] <= bounds[i - 1][1]:
                touched[i] = touched[i - 1] = changed = True
    runs: List[tuple] = []
    run: List[tuple] = []
    for child, (first, last), is_touched in zip(body, bounds, touched):
        if not is_touched:
            run.append((first, last))
            continue
        if run:
            runs.append((run[0][0], run[-1][1]))
            run = []
        runs.extend(_inner_runs(child, spans))
    if run:
        runs.append((run[0][0], run[-1][1]))
    return runs


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _runs(statements: List[_Statement]) -> List[List[_Statement]]:
    """Consecutive statements (no kept statement between them): one placeholder each."""
    runs: List[List[_Statement]] = []
    for statement in statements:
        if runs and runs[-1][-1].index + 1 == statement.index:
            runs[-1].append(statement)
        else:
            runs.append([statement])
    return runs


def _first_indent(text: str) -> Optional[str]:
    """The first INDENT of the file (libcst's default indentation), None if it has none."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.INDENT:
                return token.string
    except (tokenize.TokenError, SyntaxError):
        return None
    return None

