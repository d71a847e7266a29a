"""prefilter → ast.parse → shared analysis → every rule in one pass → violations; and the fix loop.

Nothing here imports libcst, TensorFlow or Keras: libcst is loaded by `fix_source` only when a
file has something to fix.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import List, Optional

from keraslint.analysis.names import Names, detect_target
from keraslint.analysis.scopes import TreeIndex
from keraslint.analysis.values import Values
from keraslint.config import Settings
from keraslint.rules import ALL_RULES, DEFAULT_CODES, RULES_BY_CODE
from keraslint.violations import SAFE, Span, Violation

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
MAX_FIX_ROUNDS = 6


class SourceError(Exception):
    """A file that cannot be decoded or parsed: one line for the user, the run goes on."""

    def __init__(self, code: str, message: str, line: int = 1, col: int = 0):
        super().__init__(message)
        self.code, self.message, self.line, self.col = code, message, line, col

    def render(self, path: str) -> str:
        return f"{path}:{self.line}:{self.col + 1}: {self.code} {self.message}"


@dataclass
class Decoded:
    text: str
    encoding: str  # "utf-8-sig" when the file had a BOM, so writing re-adds it


def decode_source(data: bytes) -> Decoded:
    """Bytes → text, honouring the BOM and the `# -*- coding: … -*-` cookie (PEP 263)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceError("E902", f"cannot decode: {error}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        line = data[: getattr(error, "start", 0)].count(b"\n") + 1
        raise SourceError("E902", f"cannot decode as {encoding}: {_reason(error)}", line) from None
    if text.startswith("\ufeff"):  # a BOM with an explicit utf-8 cookie
        text, encoding = text[1:], "utf-8-sig"
    return Decoded(text, encoding)


def _reason(error: Exception) -> str:
    return getattr(error, "reason", None) or str(error)


def parse(text: str, path: str = "<string>") -> ast.Module:
    try:
        with warnings.catch_warnings():  # SyntaxWarnings are the user's compiler's business
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=path)
    except SyntaxError as error:
        line = error.lineno or 1
        col = max((error.offset or 1) - 1, 0)
        raise SourceError("E999", f"SyntaxError: {error.msg}", line, col) from None
    except (ValueError, TypeError) as error:  # e.g. "source code string cannot contain null bytes"
        raise SourceError("E999", f"SyntaxError: {error}") from None
    except (RecursionError, MemoryError):
        raise SourceError("E999", "SyntaxError: expression too deeply nested to analyse") from None


# Saving or serialising a model: `model.save(`, `save_model(`, `.to_json(`, a checkpoint
# callback, `.export(`, or `<name>.get_config()` called on an object other than `self`
# (a layer's own `def get_config(self)` / `super().get_config()` serialises nothing).
# A project's own `def save_model(self, ...)`, called as `self.save_model(` or
# `super().save_model(`, is not Keras's: it often only calls `save_weights` (no Lambda saved).
_SAVES = re.compile(r"\.save\(|(?<!def )(?<!self\.)(?<!\)\.)\bsave_model\(|\.to_json\(|ModelCheckpoint|\.export\(|\b(?!self\b)[A-Za-z_]\w*\.get_config\(\)")


def saves_model(text: str) -> bool:
    return bool(_SAVES.search(text))


class FileContext:
    """One file as the rules see it: source, tree, and the shared analysis (computed lazily)."""

    def __init__(self, text: str, tree: ast.Module, path: str, settings: Settings, index: Optional[TreeIndex] = None):
        self.text = text
        self.tree = tree
        self.path = path
        self.settings = settings
        self.index = index if index is not None else TreeIndex(tree)
        self._memo: dict = {}

    def memo(self, key: str, compute):
        """A per-file value computed once (`compute(self)`) and shared by every rule."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]

    @cached_property
    def lines(self) -> List[str]:
        """The source lines (split only when a finding needs them: most files have none)."""
        return _LINE_BREAK.split(self.text)

    @cached_property
    def names(self) -> Names:
        return Names(self.index)

    @cached_property
    def values(self) -> Values:
        return Values(self.index, self.names)

    @cached_property
    def calls(self):
        from keraslint.analysis.calls import Calls

        return Calls(self.index, self.names, self.values)

    @cached_property
    def target(self) -> str:
        """"keras3", "tf_keras" or "keras2": the setting, else the file's imports decide."""
        if self.settings.target != "auto":
            return self.settings.target
        return detect_target(self.names, self.text)

    @cached_property
    def saves_model(self) -> bool:
        """The file saves or serialises a model (KER204 reports by default only then)."""
        return saves_model(self.text)

    # -- positions --------------------------------------------------------------------------
    def char_col(self, line: int, byte_col: int) -> int:
        """ast columns are UTF-8 byte offsets; editors, libcst and our output use characters."""
        if not 0 < line <= len(self.lines):
            return byte_col
        text = self.lines[line - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def span(self, node: ast.AST, end_node: Optional[ast.AST] = None) -> Span:
        end = end_node or node
        end_line = getattr(end, "end_lineno", None) or node.lineno
        end_col = getattr(end, "end_col_offset", None)
        if end_col is None:
            end_col = node.col_offset
        return Span(
            node.lineno,
            self.char_col(node.lineno, node.col_offset),
            end_line,
            self.char_col(end_line, end_col),
        )

    def segment(self, node: ast.AST) -> str:
        """The exact source text of `node`."""
        return self.text_at(self.span(node))

    def text_at(self, span: Span) -> str:
        if span.line == span.end_line:
            return self.lines[span.line - 1][span.col : span.end_col]
        first = self.lines[span.line - 1][span.col :]
        middle = self.lines[span.line : span.end_line - 1]
        last = self.lines[span.end_line - 1][: span.end_col]
        return "\n".join([first, *middle, last])

    def report(self, code: str, node: ast.AST, message: str, fix=None, end_node=None) -> Violation:
        return Violation(code, message, self.span(node, end_node), fix, self.path, self._noqa_lines(node))

    def _noqa_lines(self, node: ast.AST) -> tuple:
        # a `# noqa` anywhere on the reported statement's lines counts (flake8 maps a
        # multi-line logical line the same way); for a compound statement, its header only
        statement = self.index.statement_of(node) or node
        first = getattr(statement, "lineno", node.lineno)
        last = getattr(statement, "end_lineno", first) or first
        body = getattr(statement, "body", None)
        if isinstance(body, list) and body:
            last = max(first, body[0].lineno - 1)
        return (min(first, node.lineno), max(last, node.lineno))


# -- checking ---------------------------------------------------------------------------------
def enabled_rules(settings: Settings, path: str = ""):
    codes = settings.enabled_codes(RULES_BY_CODE, DEFAULT_CODES)
    ignored = settings.ignored_for(path) if path and settings.per_file_ignores else ()
    return [rule for rule in ALL_RULES if rule.CODE in codes and not rule.CODE.startswith(ignored or ("\0",))]


def _rule_groups(rule) -> tuple:
    """The rule's trigger words (any of them), then its REQUIRES groups: one word of each
    group, or a function of the text that returns True (for a test words cannot express)."""
    groups = getattr(rule, "REQUIRES", ())
    return (tuple(rule.TRIGGERS),) + tuple(g if callable(g) else tuple(g) for g in groups)


def candidate_rules(rules, text: str) -> list:
    """The rules whose trigger conditions the text meets: only these run, and a file none of
    them can apply to is never parsed. A rule with a TRIGGER_SCOPE (a function of the text)
    looks for its words only in what that function returns (KER303: the import lines that
    name Keras). Words are plain substring tests (`in`), each looked up once per file: rules
    share words ("Lambda", "def "), and `in` is several times faster than a regex."""
    scoped: dict = {}
    seen: dict = {}
    chosen = []
    for rule in rules:
        scope = getattr(rule, "TRIGGER_SCOPE", None)
        if scope is None:
            where, memo = text, seen
        else:
            if scope not in scoped:
                scoped[scope] = (scope(text), {})
            where, memo = scoped[scope]
        if all(_contains_any(group, where, memo) for group in _rule_groups(rule)):
            chosen.append(rule)
    return chosen


def _contains_any(words, text: str, memo: dict) -> bool:
    if callable(words):  # a REQUIRES group that is a test of its own
        return words(text)
    for word in words:
        found = memo.get(word)
        if found is None:
            found = memo[word] = word in text
        if found:
            return True
    return False


def mentions_keras(text: str) -> bool:
    """The prefilter: a file that never says "keras" or "tensorflow" is not even parsed."""
    return "keras" in text or "tensorflow" in text


def check_source(text: str, path: str = "<string>", settings: Optional[Settings] = None, tree=None) -> List[Violation]:
    """All violations in `text`, noqa applied. Raises SourceError if it does not parse."""
    settings = settings or Settings()
    rules = enabled_rules(settings, path)
    if not rules or not mentions_keras(text):
        return []
    rules = candidate_rules(rules, text)
    if not rules:
        return []
    if tree is None:
        tree = parse(text, path)
    global _last_parsed
    _last_parsed = (text, tree)
    context = FileContext(text, tree, path, settings)
    return run_rules(context, rules)


_last_parsed: tuple = (None, None)  # (text, tree) of the last check: JSON edits reuse the tree


def last_tree(text: str) -> Optional[ast.Module]:
    """The tree `check_source` parsed for this very `text` object, if it was the last one."""
    last = _last_parsed
    return last[1] if last[0] is text else None


def run_rules(context: FileContext, rules, apply_noqa: bool = True) -> List[Violation]:
    by_type: dict = {}
    for rule in rules:
        for node_type in rule.NODE_TYPES:
            by_type.setdefault(node_type, []).append(rule)
    found: List[Violation] = []
    for node_type, interested in by_type.items():
        for node in context.index.nodes(node_type):
            for rule in interested:
                try:
                    found.extend(rule.check(node, context))
                except RecursionError:
                    continue  # an expression too deep to analyse is unknown: stay silent
    found = _dedupe(found)
    if apply_noqa:
        found = [v for v in found if not _suppressed(v, context.lines)]
    found.sort(key=Violation.sort_key)
    return found


def _dedupe(violations: List[Violation]) -> List[Violation]:
    seen, unique = set(), []
    for violation in violations:
        key = (violation.code, violation.span)
        if key not in seen:
            seen.add(key)
            unique.append(violation)
    return unique


def _suppressed(violation: Violation, lines: List[str]) -> bool:
    first, last = violation.noqa_lines or (violation.line, violation.line)
    for number in range(first, last + 1):
        if number > len(lines) or "noqa" not in lines[number - 1].lower():
            continue
        for match in _NOQA.finditer(lines[number - 1]):
            codes = match.group("codes")
            if not codes:
                return True
            if any(violation.code.startswith(code.upper()) for code in re.split(r"[,\s]+", codes) if code):
                return True
    return False


# -- fixing -----------------------------------------------------------------------------------
@dataclass
class FixOutcome:
    text: str  # the fixed source (equal to the input when nothing was fixed)
    fixed: List[Violation] = field(default_factory=list)
    remaining: List[Violation] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)  # fixes dropped, with the reason


def applicable(violation: Violation, unsafe: bool) -> bool:
    return violation.fix is not None and (unsafe or violation.fix.applicability == SAFE)


def fix_source(text: str, path: str = "<string>", settings: Optional[Settings] = None, unsafe: bool = False) -> FixOutcome:
    """Apply fixes until nothing fixable is left; keep only results that re-parse and settle."""
    settings = settings or Settings()
    violations = check_source(text, path, settings)
    outcome = FixOutcome(text, remaining=violations)
    if not any(applicable(v, unsafe) for v in violations):
        return outcome
    from keraslint.fixes import pipeline as fixing  # libcst is loaded only here

    current = text
    for _ in range(MAX_FIX_ROUNDS):
        todo = [v for v in violations if applicable(v, unsafe)]
        if not todo:
            break
        result = fixing.apply_fixes(current, todo, fixing.line_length_for(path))
        outcome.problems.extend(result.problems)
        if result.text == current:
            break
        try:
            violations = check_source(result.text, path, settings)
        except SourceError as error:  # apply_fixes verifies this too; never write such a result
            outcome.problems.append(f"{path}:{error.line}:{error.col + 1}: E999 fix result does not parse ({error.message}); not applied")
            break
        outcome.fixed.extend(result.applied)
        current = result.text
    else:
        if any(applicable(v, unsafe) for v in violations):
            outcome.problems.append(f"{path}:1:1: E902 fixes did not settle after {MAX_FIX_ROUNDS} rounds; nothing written")
            return FixOutcome(text, remaining=check_source(text, path, settings), problems=outcome.problems)
    outcome.text = current
    outcome.remaining = violations
    return outcome
