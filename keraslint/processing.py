"""One file, checked or fixed: reads it, sends a notebook to `notebooks` and a Python file
through the engine, writes the fix atomically (`files`), and returns its `FileReport`.
The CLI and the LSP server both call `process_path`; it holds no rule logic."""

from __future__ import annotations

from typing import Optional

from keraslint.config import Settings
from keraslint.engine import SourceError, check_source, decode_source, fix_source
from keraslint.files import FileReport, Mode, attach_edits, write_atomically
from keraslint.notebooks import process_notebook


def process_path(path: str, settings: Settings, mode: Mode, stdin_data: Optional[bytes] = None, display: Optional[str] = None) -> FileReport:
    display = display or path
    report = FileReport(display)
    data = stdin_data
    if data is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            report.errors.append(f"{display}:1:1: E902 {error.strerror or error}")
            return report
    if display.endswith(".ipynb"):  # Jupyter notebooks: cell by cell (notebooks.py)
        return process_notebook(path, settings, mode, data=data, display=display)
    try:
        decoded = decode_source(data)
        if not mode.fix and not mode.diff:
            report.violations = check_source(decoded.text, display, settings)
            if mode.edits:
                attach_edits(decoded.text, report.violations, mode.unsafe)
            return report
        outcome = fix_source(decoded.text, display, settings, unsafe=mode.unsafe)
    except SourceError as error:
        report.errors.append(error.render(display))
        return report
    except RecursionError:
        report.errors.append(f"{display}:1:1: E999 SyntaxError: code too deeply nested to analyse")
        return report
    report.errors.extend(outcome.problems)
    report.violations = outcome.remaining
    if outcome.text != decoded.text:
        new_data = outcome.text.encode(decoded.encoding)
        if mode.diff:
            from keraslint.fixes.pipeline import unified_diff  # libcst only when diffing

            report.diff = unified_diff(decoded.text, outcome.text, display)
            report.violations = check_source(decoded.text, display, settings)
        elif stdin_data is not None:
            report.diff = outcome.text  # the CLI prints the fixed source for stdin
            report.fixed = len(outcome.fixed)
        else:
            problem = write_atomically(path, data, new_data)
            if problem:
                report.errors.append(f"{display}:1:1: E902 {problem}")
                report.violations = check_source(decoded.text, display, settings)
            else:
                report.fixed = len(outcome.fixed)
    if mode.edits:
        attach_edits(outcome.text if not mode.diff else decoded.text, report.violations, mode.unsafe)
    return report
