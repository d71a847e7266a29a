"""Jupyter notebooks (.ipynb): check and fix the code cells as one program.

A kernel runs the code cells one after another in a single namespace, so a constant defined
in cell 2 and passed to `Multiply` in cell 5 is the same name. We therefore join the code
cells, in file order, into one program with a marker comment line before each cell, run the
ordinary engine on it, and map every line back to its cell:

    pass  # keraslint notebook prelude <token>   ← what a fix inserts above this: a new cell
    # keraslint cell 2 <token>                   ← one marker per code cell (its number)
    <cell 2, magics replaced by placeholders>
    # keraslint cell 4 <token>
    <cell 4 …>

The fixer adds imports and helper classes after the program's leading imports, that is right
before the marker of the cell that follows the imports: they land at the end of the cell that
holds the imports. After fixing we split the program at the markers again; if a marker or a
magic placeholder did not survive exactly once, in order, the fix is dropped and reported.

Cells are numbered 1-based among ALL cells of the file (markdown and raw cells count), the
position a reader counts to in the notebook; lines and columns are relative to the cell.

IPython syntax is hidden from the parser without moving any line: a line magic (`%time`,
`!pip`, `files = !ls`) or a help line (`model?`) becomes `pass  # keraslint magic …` with the
same indentation, and a cell whose `%%` magic does not run Python (`%%bash`, `%%html`) is left
out. A cell that still does not parse is reported (E999) and left out; the others are checked.

The JSON is read and written with the json module, not nbformat: nbformat re-serialises every
notebook with indent 1, sorted keys and sources split into lists, so a fix would rewrite the
whole file. We detect the file's own layout (indent, separators, ensure_ascii, line endings,
final newline) and accept it only if re-serialising the unchanged notebook gives back the
exact bytes; then writing the fixed notebook changes nothing but the fixed cells' sources.
"""

from __future__ import annotations

import ast
import bisect
import codecs
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Tuple

from keraslint.config import Settings
from keraslint.engine import SourceError, check_source, fix_source, mentions_keras, parse
from keraslint.files import FileReport, Mode, attach_edits, write_atomically
from keraslint.violations import Span, Violation

# `%%` cell magics whose body is Python run by the kernel; every other cell magic (`%%bash`,
# `%%html`, `%%writefile`, ...) makes the cell something that is not Python for us.
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug"}
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# IPython syntax at the start of a line: `%magic`, `!shell`, `?help`, and `x = %magic` / `x = !ls`
_MAGIC_START = re.compile(r"\s*(?:[%!?]|[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!])")
_HELP_END = re.compile(r"[^#]*\?\s*$")  # `model?`, `keras.layers.Dense??`


class NotebookError(Exception):
    """Not a notebook we can read: one E902 line."""


class MappingError(Exception):
    """The fixed program cannot be split back into cells."""


@dataclass
class CodeCell:
    number: int  # 1-based among all cells of the file
    source: str  # exactly as in the file
    text: str  # what the engine sees: magics replaced, always ends with a line break
    magics: Dict[str, str]  # placeholder id -> the original line, without its line break


@dataclass(frozen=True)
class JsonFormat:
    head: str  # whitespace before the top-level object
    tail: str  # whitespace after it (usually the final newline)
    indent: Optional[str]
    separators: Tuple[str, str]
    ensure_ascii: bool
    newline: str

    def dumps(self, document) -> str:
        body = json.dumps(document, indent=self.indent, separators=self.separators, ensure_ascii=self.ensure_ascii)
        return self.head + body.replace("\n", self.newline) + self.tail  # json escapes newlines in strings


def _lines(text: str) -> List[str]:
    """Lines with their breaks, splitting only where Python does (not at \\f or \\u2028)."""
    return _LINE.findall(text)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


# -- reading --------------------------------------------------------------------------------------
def read(data: bytes) -> Tuple[dict, str, bool]:
    """(notebook, text, had_bom); raises NotebookError for anything but a valid nbformat 4 file."""
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotebookError(f"not a valid notebook: cannot decode as UTF-8: {error.reason}") from None
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"not a valid notebook: invalid JSON: {error}") from None
    if not isinstance(notebook, dict) or "nbformat" not in notebook:
        raise NotebookError("not a valid notebook: no `nbformat` field")
    if notebook["nbformat"] != 4:
        raise NotebookError(f"not a valid notebook: nbformat {notebook['nbformat']!r} (only nbformat 4 is supported)")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook: `cells` is not a list")
    for number, cell in enumerate(cells, 1):
        source = cell.get("source") if isinstance(cell, dict) else None
        is_text = isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str) or not is_text:
            raise NotebookError(f"not a valid notebook: cell {number} has no `cell_type` or text `source`")
    return notebook, text, bom


def is_python(notebook: dict) -> bool:
    """False for notebooks of other kernels (R has a `keras` package too)."""
    metadata = notebook.get("metadata") or {}
    for language in ((metadata.get("language_info") or {}).get("name"), (metadata.get("kernelspec") or {}).get("language")):
        if isinstance(language, str) and language.lower() != "python":
            return False
    return True


def detect_format(text: str, notebook: dict) -> Optional[JsonFormat]:
    """The json.dumps settings that reproduce `text` exactly, or None."""
    stripped = text.strip()
    head, tail = text[: text.index(stripped[0])], text[len(text.rstrip()) :]
    newline = "\r\n" if "\r\n" in text else "\n"
    layout = re.match(r"\{\r?\n([ \t]*)", stripped)
    if layout:
        options = [(layout.group(1), (",", ": ")), (layout.group(1), (", ", ": "))]
    else:
        options = [(None, (", ", ": ")), (None, (",", ":"))]
    for indent, separators in options:
        for ensure_ascii in (False, True):
            candidate = JsonFormat(head, tail, indent, separators, ensure_ascii, newline)
            if candidate.dumps(notebook) == text:
                return candidate
    return None


# -- cells -> program -----------------------------------------------------------------------------
def code_cells(notebook: dict, token: str) -> Tuple[List[CodeCell], List[str]]:
    """The Python code cells, magics replaced; and E999 lines (without path) for cells that
    do not parse, which are left out."""
    cells, errors, counter = [], [], 0
    for number, cell in enumerate(notebook["cells"], 1):
        if cell["cell_type"] != "code":
            continue
        source = _source(cell)
        lines = _lines(source)
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += "\n"  # cells usually lack a final newline; the program needs one
        magics: Dict[str, str] = {}
        hidden = set()

        def hide(index: int, indent: Optional[str] = None) -> None:
            nonlocal counter
            counter += 1
            hidden.add(index)
            key = f"{token}-{counter}"
            body = lines[index].rstrip("\r\n")
            if indent is None:
                indent = body[: len(body) - len(body.lstrip())]
            magics[key] = body
            lines[index] = f"{indent}pass  # keraslint magic {key}" + lines[index][len(body) :]

        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and lines[first].startswith("%%"):  # IPython skips blank lines first
            words = lines[first][2:].split()
            if not words or words[0] not in PYTHON_CELL_MAGICS:
                continue  # `%%bash`, `%%html`, ...: not Python
            hide(first)
        # Hide the line a SyntaxError points at while it looks like IPython syntax: only lines
        # that really break the parse are touched (not `% b` continuing an expression, not
        # `!` inside a string), and line numbers never move.
        for _ in range(len(lines)):
            index = _error_line("".join(lines))
            if index is None or index >= len(lines) or index in hidden:
                break
            body = lines[index].rstrip("\r\n")
            if not (_MAGIC_START.match(body) or _HELP_END.match(body)):
                break
            indent = body[: len(body) - len(body.lstrip())]
            hide(index)
            while body.endswith("\\") and index + 1 < len(lines):  # `!pip install a \` goes on
                index += 1
                body = lines[index].rstrip("\r\n")
                hide(index, indent)  # the magic's indent: a continuation line may have any
        text = "".join(lines)
        try:
            parse(text)
        except SourceError as error:
            errors.append(f"cell {number}:{error.line}:{error.col + 1}: {error.code} {error.message}")
            continue
        cells.append(CodeCell(number, source, text, magics))
    return cells, errors


def _error_line(text: str) -> Optional[int]:
    """0-based line of the first SyntaxError, None if `text` parses (or fails otherwise)."""
    try:
        ast.parse(text)
    except SyntaxError as error:
        return (error.lineno or 1) - 1
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _prelude(token: str) -> str:
    # a statement, not a comment: libcst keeps leading comments in the module header, where
    # an insertion at the top would land below them, i.e. inside the first cell
    return f"pass  # keraslint notebook prelude {token}"


def _marker(number: int, token: str) -> str:
    return f"# keraslint cell {number} {token}"


def build_program(cells: List[CodeCell], token: str) -> str:
    parts = [_prelude(token) + "\n"]
    for cell in cells:
        parts += [_marker(cell.number, token) + "\n", cell.text]
    return "".join(parts)


def split_program(program: str, cells: List[CodeCell], token: str) -> Tuple[str, Dict[int, str], List[Tuple[int, int]]]:
    """(text for a new first cell, {cell number: text}, [(first program line, cell number)]);
    number 0 in the line map stands for the new cell. Raises MappingError unless the prelude
    and every marker are found once each, in order."""
    expected = [_prelude(token)] + [_marker(cell.number, token) for cell in cells]
    found, segments, starts = [], {}, [(1, 0)]
    current: Optional[int] = 0  # 0: above the prelude and before the first marker: a new cell
    pieces: Dict[int, List[str]] = {0: []}
    for number, line in enumerate(_lines(program), 1):
        if token not in line:
            pieces[current].append(line)
            continue
        body = line.rstrip("\r\n")
        if body in expected:
            if len(found) == len(expected) or body != expected[len(found)]:
                raise MappingError("the cell markers were moved or repeated")
            found.append(body)
            if body != expected[0]:
                current = cells[len(found) - 2].number
                pieces[current] = []
                starts.append((number + 1, current))
        elif "keraslint magic" in body:
            pieces[current].append(line)
        else:
            raise MappingError(f"a cell marker was changed: {body.strip()!r}")
    if found != expected:
        raise MappingError("a cell marker was lost")
    for number, lines in pieces.items():
        segments[number] = "".join(lines)
    new_cell = segments.pop(0)
    return new_cell, segments, starts


# -- mapping back ---------------------------------------------------------------------------------
def _locate(starts: List[Tuple[int, int]], line: int) -> Tuple[int, int]:
    """(cell number, line within the cell) of a program line."""
    index = max(bisect.bisect_right([start for start, _ in starts], line) - 1, 0)
    start, number = starts[index]
    return number, line - start + 1


def to_cells(violations: List[Violation], starts: List[Tuple[int, int]], renumber=lambda n: n) -> List[Violation]:
    mapped = []
    for violation in violations:
        number, line = _locate(starts, violation.span.line)
        _, end_line = _locate(starts, violation.span.end_line)
        span = Span(line, violation.span.col, end_line, violation.span.end_col)
        low, high = violation.noqa_lines
        noqa = (line, line + max(high - low, 0))
        edits = violation.edits
        if edits:
            edits = [_edit_to_cell(edit, starts, renumber) for edit in edits]
        mapped.append(replace(violation, span=span, cell=renumber(number), noqa_lines=noqa, edits=edits))
    return mapped


def _edit_to_cell(edit: dict, starts, renumber) -> dict:
    number, row = _locate(starts, edit["location"]["row"])
    _, end_row = _locate(starts, edit["end_location"]["row"])
    return {
        **edit,
        "cell": renumber(number),
        "location": {**edit["location"], "row": row},
        "end_location": {**edit["end_location"], "row": end_row},
    }


def _map_problem(problem: str, display: str, starts) -> str:
    """Engine problems name program lines (`path:LINE:COL: …`): name the cell instead."""
    match = re.match(re.escape(display) + r":(\d+):(\d+): (.*)", problem, re.DOTALL)
    if not match:
        return problem if problem.startswith(display) else f"{display}:1:1: {problem}"
    number, line = _locate(starts, int(match.group(1)))
    return f"{display}:cell {number}:{line}:{match.group(2)}: {match.group(3)}"


def restore_magics(text: str, cell: CodeCell) -> str:
    """Put the original magic lines back in place of their placeholders (each exactly once)."""
    lines, seen = _lines(text), set()
    for index, line in enumerate(lines):
        match = re.match(r"[ \t]*pass  # keraslint magic (\S+)[ \t]*$", line.rstrip("\r\n"))
        if match:
            key = match.group(1)
            if key not in cell.magics or key in seen:
                raise MappingError(f"a magic line of cell {cell.number} was moved")
            seen.add(key)
            lines[index] = cell.magics[key] + line[len(line.rstrip("\r\n")) :]
    if seen != set(cell.magics):
        raise MappingError(f"a magic line of cell {cell.number} was lost")
    return "".join(lines)


def _with_original_ending(new: str, original: str) -> str:
    """The fixer may leave blank lines at a cell's end (before the next marker): keep the
    cell's own ending instead (usually none)."""
    ending = original[len(original.rstrip("\r\n")) :]
    return new.rstrip("\r\n") + ending


def _set_source(cell: dict, text: str) -> None:
    # keep the file's representation: a list of lines (what Jupyter writes) or one string
    cell["source"] = _lines(text) if isinstance(cell.get("source"), list) else text


def _new_code_cell(notebook: dict, text: str) -> dict:
    """A code cell shaped like the notebook's other code cells (same keys, same order)."""
    cell = {"cell_type": "code", "execution_count": None, "id": None, "metadata": {}, "outputs": [], "source": []}
    if notebook.get("nbformat_minor", 0) >= 5:  # nbformat 4.5+ needs a unique id per cell
        taken = {c.get("id") for c in notebook["cells"]}
        while cell["id"] is None or cell["id"] in taken:
            cell["id"] = uuid.uuid4().hex[:8]
    else:
        del cell["id"]
    template = next((c for c in notebook["cells"] if c["cell_type"] == "code"), {})
    order = [key for key in template if key in cell] + [key for key in cell if key not in template]
    cell = {key: cell[key] for key in order}
    _set_source(cell, text.strip("\r\n"))
    return cell


def _diff(old: str, new: str, label: str) -> str:
    from keraslint.fixes.pipeline import unified_diff

    # end both with a newline so the last line of a cell diffs as a line
    return unified_diff(old.rstrip("\r\n") + "\n" if old else "", new.rstrip("\r\n") + "\n", label)


# -- the entry point ------------------------------------------------------------------------------
def process_notebook(path: str, settings: Settings, mode: Mode, data: bytes, display: Optional[str] = None) -> FileReport:
    """Check (and fix) one notebook whose bytes processing.process_path has read; like it, every
    failure is one line."""
    display = display or path
    report = FileReport(display)
    try:
        notebook, text, bom = read(data)
    except NotebookError as error:
        report.errors.append(f"{display}:1:1: E902 {error}")
        return report
    if not is_python(notebook):
        return report
    # a token the notebook cannot already contain: markers are recognised by it
    token = hashlib.sha1(data).hexdigest()[:16]
    if not mentions_keras(text):
        return report
    cells, errors = code_cells(notebook, token)
    report.errors += [f"{display}:{error}" for error in errors]
    if not cells:
        return report
    program = build_program(cells, token)
    _, _, starts = split_program(program, cells, token)
    try:
        if not mode.fix and not mode.diff:
            report.violations = check_source(program, display, settings)
            if mode.edits:
                attach_edits(program, report.violations, mode.unsafe)
            report.violations = to_cells(report.violations, starts)
            return report
        outcome = fix_source(program, display, settings, unsafe=mode.unsafe)
    except SourceError as error:  # each cell parsed alone, so this is the engine's own limit
        report.errors.append(f"{display}:1:1: {error.code} {error.message}")
        return report
    except RecursionError:
        report.errors.append(f"{display}:1:1: E999 SyntaxError: code too deeply nested to analyse")
        return report
    report.errors += [_map_problem(problem, display, starts) for problem in outcome.problems]

    def original_violations() -> List[Violation]:
        found = check_source(program, display, settings)
        if mode.edits:
            attach_edits(program, found, mode.unsafe)
        return to_cells(found, starts)

    if outcome.text == program:
        if mode.edits:
            attach_edits(program, outcome.remaining, mode.unsafe)
        report.violations = to_cells(outcome.remaining, starts)
        return report
    try:
        fixed, diff, renumber, fixed_starts = _apply(notebook, cells, outcome.text, token, display)
    except MappingError as error:
        report.errors.append(f"{display}:1:1: E902 fix not written: cannot map the fixed program back to the cells ({error})")
        report.violations = original_violations()
        return report
    layout = detect_format(text, notebook)
    if layout is None:
        report.errors.append(f"{display}:1:1: E902 fix not written: cannot reproduce this notebook's JSON formatting exactly")
        report.violations = original_violations()
        return report
    new_data = (codecs.BOM_UTF8 if bom else b"") + layout.dumps(fixed).encode("utf-8")
    if mode.diff:
        report.diff = diff
        report.violations = original_violations()
        return report
    if path == "-":
        report.diff = new_data.decode("utf-8-sig")  # the CLI prints the fixed notebook for stdin
    else:
        problem = write_atomically(path, data, new_data)
        if problem:
            report.errors.append(f"{display}:1:1: E902 {problem}")
            report.violations = original_violations()
            return report
    report.fixed = len(outcome.fixed)
    if mode.edits:
        attach_edits(outcome.text, outcome.remaining, mode.unsafe)
    report.violations = to_cells(outcome.remaining, fixed_starts, renumber)
    return report


def _apply(notebook: dict, cells: List[CodeCell], program: str, token: str, display: str):
    """The fixed notebook (a new object), the per-cell diff, the renumbering of cells
    (when a new first code cell is inserted) and the fixed program's line map."""
    new_cell, texts, starts = split_program(program, cells, token)
    fixed = json.loads(json.dumps(notebook))  # a deep copy that keeps key order
    diffs = []
    for cell in cells:
        new_text = texts[cell.number]
        if new_text == cell.text:
            continue
        source = _with_original_ending(restore_magics(new_text, cell), cell.source)
        if not _parses(new_text):
            raise MappingError(f"cell {cell.number} does not parse on its own after the fix")
        _set_source(fixed["cells"][cell.number - 1], source)
        diffs.append(_diff(cell.source, source, f"{display}:cell {cell.number}"))
    renumber = lambda number: number  # noqa: E731
    if new_cell.strip():  # what the fixer put above the first cell (no imports to follow)
        if not _parses(new_cell):
            raise MappingError("the inserted cell does not parse on its own")
        # before the first code cell, so a markdown title stays on top
        position = cells[0].number - 1
        fixed["cells"].insert(position, _new_code_cell(fixed, new_cell))
        diffs.insert(0, _diff("", new_cell.strip("\r\n"), f"{display}:new cell {position + 1}"))
        # later cells move down by one; 0 (the new cell's text in the line map) becomes it
        renumber = lambda number: number + 1 if number > position else position + 1  # noqa: E731
    return fixed, "".join(diffs), renumber, starts
