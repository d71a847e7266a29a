"""What a rule reports and how its fix is described.

Everything here is plain, picklable data: violations travel between worker processes and a
fix is a list of edits the libcst side (fixes/pipeline.py) applies. Positions are 1-based lines and
0-based *character* columns (ast's byte offsets are converted once, in the engine).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

SAFE = "safe"
UNSAFE = "unsafe"


@dataclass(frozen=True)
class Span:
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Replace:
    """Replace the expression at `span` with `text` (an expression)."""

    span: Span
    text: str


@dataclass(frozen=True)
class InsertStatements:
    """Insert `text` (one or more statements) after (or before) the statement at `span`."""

    span: Span
    text: str
    after: bool = True


@dataclass(frozen=True)
class RemoveStatement:
    """Remove the top-level statement at `span` (an import a fix replaces by a helper)."""

    span: Span


@dataclass(frozen=True)
class AddImport:
    """`import module [as alias]` or `from module import name [as alias]`, added once."""

    module: str
    name: Optional[str] = None
    alias: Optional[str] = None

    def render(self) -> str:
        if self.name is None:
            return f"import {self.module}" + (f" as {self.alias}" if self.alias else "")
        return f"from {self.module} import {self.name}" + (f" as {self.alias}" if self.alias else "")


@dataclass(frozen=True)
class AddHelper:
    """A top-level definition (a registered layer class) inserted once after the imports."""

    name: str
    source: str


@dataclass(frozen=True)
class FixSpec:
    applicability: str  # SAFE or UNSAFE
    title: str
    edits: Tuple = ()


@dataclass
class Violation:
    code: str
    message: str
    span: Span
    fix: Optional[FixSpec] = None
    filename: str = ""
    noqa_lines: Tuple[int, int] = (0, 0)  # physical lines whose `# noqa` covers this report
    cell: Optional[int] = field(default=None)  # notebook cell (1-based), when checking .ipynb
    edits: Optional[list] = field(default=None)  # ruff-style edits, filled for JSON/SARIF only

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def col(self) -> int:
        return self.span.col

    def sort_key(self):
        return (self.filename, self.cell or 0, self.span.line, self.span.col, self.code)
