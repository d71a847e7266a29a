"""The pipeline's re-wrapping of a rewritten statement (`pipeline.wrap_statement`), done on
text for JSON output's fast path (fixes/text_edits.py).

The pipeline re-wraps a simple statement, alone on its lines, that no longer fits the line
length after a fix: its value's call is split at its brackets, the arguments on one
indented line, else one per line with a trailing comma, trying the outermost call of a
chain (`Dense(8)(x)`) first; a list value has one element per line (a comprehension: its
element and each `for`); unchanged when nothing fits. It measures each line as libcst
prints the statement on its own, with the comment lines above it that libcst gives it:
without the block's indentation, then adds its width. A line that libcst took as indented
by the block (a continuation after a line break inside brackets, a comment line above) is
measured as it is; any other one (inside a multi-line string, after a backslash, less
indented) with the block's width added. Where that cannot be told from the text and it
decides the outcome (a comment inside a call to split, mixed line endings, a long comment
line a block's footer may own), `rewrapped` raises Undecided and the pipeline decides.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from typing import Callable, List

from keraslint.fixes.outline import _LINE

_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines splits here too
_VALUE_STATEMENTS = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)
_OPEN, _CLOSE = "([{", ")]}"


class Undecided(Exception):
    """The text alone cannot tell what the pipeline prints."""


def rewrapped(statement: List[str], above: List[str], limit: int, unit: Callable[[], str], newline: str, first_in_file: bool = False) -> List[str]:
    """`statement` (its lines, the first one starting with its indentation, alone on its
    lines, after the fix's replacement) as the pipeline prints it. `above`: the comment and
    blank lines between it and the code before it; `first_in_file`: no code before it;
    `unit`: gives the module's indentation step (a tokenize of the file: only asked for
    when the statement is split); `newline`: the module's line ending. Raises
    Undecided."""
    first = statement[0]
    block = first[: len(first) - len(first.lstrip(" \t"))]
    text = "".join(statement)
    if any(c in text for c in _LINE_BREAKS) or "\r" in text.replace("\r\n", ""):
        raise Undecided("a line break tokenize or str.splitlines counts differently")
    if _long_leading_line(above, block, limit, first_in_file):
        return statement  # the pipeline measures it with the statement: nothing ever fits
    try:
        fits = _fits([(line, index == 0) for index, line in enumerate(statement)], block, limit)
    except Undecided:
        fits = _fits(_as_measured(statement, block), block, limit)
    if fits:
        return statement
    code = text[len(block) :]
    node = _parse_one(code)
    value = getattr(node, "value", None) if isinstance(node, _VALUE_STATEMENTS) else None
    if not isinstance(value, (ast.Call, ast.List, ast.ListComp)):
        return statement  # nothing to split: the pipeline keeps it too long
    if any(line.rstrip("\r\n").endswith("\\") for line in statement):
        raise Undecided("a backslash continuation")
    if (value.end_lineno, value.end_col_offset) != (node.end_lineno, node.end_col_offset) or (
        isinstance(node, ast.Expr) and (value.lineno, value.col_offset) != (node.lineno, node.col_offset)
    ):
        raise Undecided("the value has parentheses of its own")
    source = _Source(code)
    if not isinstance(value, ast.Call):
        return _split_list(statement, source, value, block, limit, unit, newline)
    if any(t.type == tokenize.COMMENT and source.at(*t.start) < source.at_ast(node.end_lineno, node.end_col_offset) for t in source.tokens):
        raise Undecided("a comment inside the statement")
    call = value
    while isinstance(call, ast.Call):  # the outermost call of a chain first, as the pipeline
        func_end = source.at_ast(call.func.end_lineno, call.func.end_col_offset)
        opening = next(source.at(*t.start) for t in source.tokens if t.string == "(" and source.at(*t.start) >= func_end)
        closing = source.at_ast(call.end_lineno, call.end_col_offset) - 1
        arguments = _arguments(source, opening, closing)
        if arguments and not any("#" in a for a in arguments):  # "#" in a string: libcst skips it too
            before, after = code[: opening + 1], code[closing:]
            for per_line in (False, True):
                lines = _split_call(block, before, arguments, after, unit(), newline, per_line)
                if _fits(lines, block, limit):
                    return [line for line, _ in lines]
        call = call.func
    return statement


def _long_leading_line(above: List[str], block: str, limit: int, first_in_file: bool) -> bool:
    """Whether a comment or blank line that libcst gives the statement ("leading lines",
    printed with it) is longer than `limit` as `pipeline._fits` measures it: a line that
    starts with the block's indentation as it is (libcst strips it and adds the block's
    width back), any other with the block's width added. libcst gives the statement the
    lines after the last one indented deeper than the block (up to there, they may be the
    footer of a block that ends above), and at the file's start the module's header may
    take them: a long line there raises Undecided."""
    if any(c in line.rstrip("\r\n") for line in above for c in _LINE_BREAKS):
        raise Undecided("a line break tokenize or str.splitlines counts differently")
    owned_from = 0
    for index, line in enumerate(above):
        if len(line) - len(line.lstrip(" \t")) > len(block):
            owned_from = index + 1
    long_line = False
    for index, line in enumerate(above):
        if (_width(line) if line.startswith(block) else len(block) + _width(line)) <= limit:
            continue
        if index < owned_from or first_in_file:
            raise Undecided("a long comment above")
        long_line = True
    return long_line


def _split_list(statement: List[str], source: "_Source", value: ast.expr, block: str, limit: int, unit: Callable[[], str], newline: str) -> List[str]:
    """The statement with its list value split as `pipeline._split_list` does, if that
    fits, else as it is: a list display with one element per line and a trailing comma,
    a list comprehension with its element and each `for` on lines of their own (the
    whitespace around them replaced, an `if` stays with its `for`)."""
    code = source.code
    opening = source.at_ast(value.lineno, value.col_offset)
    closing = source.at_ast(value.end_lineno, value.end_col_offset) - 1
    if "#" in code[opening : closing + 1]:
        return statement  # libcst's `_has_comment`: a "#" anywhere in the list, in a string too
    if isinstance(value, ast.List):
        items, ending = _arguments(source, opening, closing), ","
        if not items:
            raise Undecided("an empty list")
    else:
        items, ending = _comprehension_parts(source, opening, closing), ""
    lines = _split_call(block, code[: opening + 1], items, code[closing:], unit(), newline, True, ending)
    return [line for line, _ in lines] if _fits(lines, block, limit) else statement


def _tokens_between(source: "_Source", opening: int, closing: int):
    """(token, offset) for each token between the brackets at `opening` and `closing`, but
    line breaks and comments."""
    for token in source.tokens:
        offset = source.at(*token.start)
        if offset <= opening or token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            continue
        if offset >= closing:
            break
        yield token, offset


def _comprehension_parts(source: "_Source", opening: int, closing: int) -> List[str]:
    """The element and each `for ...` (with its `if`s) of the comprehension between the
    brackets at `opening` and `closing`, without the whitespace around them."""
    parts, depth, first, last = [], 0, None, None
    for token, offset in _tokens_between(source, opening, closing):
        if token.type == tokenize.NAME and token.string in ("async", "await"):
            raise Undecided("an async comprehension")
        if depth == 0 and token.type == tokenize.NAME and token.string == "for" and first is not None:
            parts.append(source.code[first:last])
            first = None
        if token.type == tokenize.OP and token.string in _OPEN:
            depth += 1
        elif token.type == tokenize.OP and token.string in _CLOSE:
            depth -= 1
        if first is None:
            first = offset
        last = source.at(*token.end)
    if first is not None:
        parts.append(source.code[first:last])
    if len(parts) < 2:
        raise Undecided("no comprehension found")
    return parts


def _split_call(block, before, arguments, after, unit, newline, per_line, ending=","):
    """(line, measured exactly) of `before` + the arguments split + `after`: on one
    indented line, or one per line, each followed by `ending` (a comma)."""
    parts, exact_starts = [block + before], {0}

    def new_line(text: str) -> None:
        parts.append(newline)
        exact_starts.add(sum(map(len, parts)))
        parts.append(text)

    for index, argument in enumerate(arguments):
        if per_line or index == 0:
            new_line(block + unit + argument)
        else:
            parts.append(", " + argument)
        if per_line:
            parts.append(ending)
    new_line(block + after)
    lines, offset = [], 0
    for line in _LINE.findall("".join(parts)):
        lines.append((line, offset in exact_starts))
        offset += len(line)
    return lines


def _as_measured(statement: List[str], block: str) -> List[tuple]:
    """(line, measured exactly) for each line of `statement`, told by its tokens: a line
    after a line break inside brackets (libcst's ParenthesizedWhitespace, or a comment line
    among them) that starts with the block's indentation is measured as it is, with that
    indentation taken as the block's; any other continuation line (inside a multi-line
    string, after a backslash) is not: None, the block's width is added."""
    tokens = _Source("".join(statement)[len(block) :]).tokens
    if any(tokenize.tok_name[t.type].startswith("FSTRING") for t in tokens):
        raise Undecided("an f-string tokenize splits (Python 3.12+)")
    broken_inside_brackets = {t.start[0] for t in tokens if t.type == tokenize.NL}  # rows, 1-based
    return [(line, True if index == 0 or (index in broken_inside_brackets and line.startswith(block)) else None) for index, line in enumerate(statement)]


def _fits(lines, block: str, limit: int) -> bool:
    """Every line within `limit`, as `pipeline._fits` measures it; Undecided when that
    depends on how libcst took a line's indentation. A line's `exact`: True, measured as it
    is; None, with the block's width added; False, either, as libcst took it."""
    undecided = False
    for line, exact in lines:
        width = _width(line)
        high = width if exact else len(block) + width
        low = width if exact or (exact is False and line.startswith(block)) else high
        if low > limit:
            return False
        undecided = undecided or high > limit
    if undecided:
        raise Undecided("a continuation line whose width libcst may count differently")
    return True


def _arguments(source: "_Source", opening: int, closing: int) -> List[str]:
    """The text of each argument between the brackets at `opening` and `closing`, without
    the whitespace and commas around it (libcst's Arg without its comma and whitespace)."""
    arguments, depth, first, last, lambda_parameters = [], 0, None, None, False
    for token, offset in _tokens_between(source, opening, closing):
        if token.type == tokenize.OP and depth == 0 and token.string == "," and not lambda_parameters:
            arguments.append(source.code[first:last])
            first = None
            continue
        if token.type == tokenize.OP and token.string in _OPEN:
            depth += 1
        elif token.type == tokenize.OP and token.string in _CLOSE:
            depth -= 1
        elif depth == 0 and token.type == tokenize.NAME and token.string == "lambda":
            lambda_parameters = True  # its parameters' commas are not argument separators
        elif depth == 0 and token.type == tokenize.OP and token.string == ":":
            lambda_parameters = False
        if first is None:
            first = offset
        last = source.at(*token.end)
    if first is not None:
        arguments.append(source.code[first:last])
    return arguments


class _Source:
    """A statement's code, its tokens, and offsets from tokenize (characters) and ast
    (UTF-8 bytes) positions."""

    def __init__(self, code: str):
        self.code = code
        self.lines = io.StringIO(code, newline="").readlines()
        self.starts = [0, 0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        try:
            self.tokens = list(tokenize.generate_tokens(io.StringIO(code, newline="").readline))
        except (tokenize.TokenError, SyntaxError):
            raise Undecided("does not tokenize") from None

    def at(self, line: int, column: int) -> int:
        return self.starts[line] + column

    def at_ast(self, line: int, byte_column: int) -> int:
        text = self.lines[line - 1].encode("utf-8", "surrogatepass")[:byte_column]
        return self.starts[line] + len(text.decode("utf-8", "surrogatepass"))


def _parse_one(code: str) -> ast.stmt:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            body = ast.parse(code).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise Undecided("does not parse alone") from None
    if len(body) != 1:
        raise Undecided("more than one statement")
    return body[0]


def _width(line: str) -> int:
    return len(line.rstrip("\r\n"))
