"""Finding the files to check, and checking/fixing one file: read bytes, decode, run the
engine, write the fix atomically. Every failure becomes one line; nothing here raises."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import List, Optional

from keraslint.config import Settings
from keraslint.engine import SourceError, check_source, decode_source, fix_source
from keraslint.violations import Violation

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")


@dataclass
class FileReport:
    path: str
    violations: List[Violation] = field(default_factory=list)  # what is left to report
    errors: List[str] = field(default_factory=list)  # one line each
    fixed: int = 0
    diff: str = ""


@dataclass(frozen=True)
class Mode:
    fix: bool = False  # write fixes
    diff: bool = False  # show fixes as a diff, write nothing
    unsafe: bool = False  # include unsafe fixes
    edits: bool = False  # attach ruff-style edits to violations (JSON / SARIF output)


def discover(paths, settings: Settings):
    """(files, errors): every Python file under `paths`, each once, in a stable order.
    Excludes apply while walking folders; a file named explicitly is always checked."""
    files, errors, seen = [], [], set()

    def add(path: str) -> None:
        path = os.path.normpath(path)  # "./pkg/model.py" is reported as "pkg/model.py"
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    for path in paths:
        if path == "-":
            add(path)
        elif os.path.isdir(path):
            for root, dirs, names in os.walk(path):  # followlinks=False: no symlink loops
                dirs[:] = sorted(d for d in dirs if not settings.is_excluded(os.path.join(root, d)))
                for name in sorted(names):
                    full = os.path.join(root, name)
                    if name.endswith(SOURCE_SUFFIXES) and not settings.is_excluded(full):
                        if os.path.isfile(full):
                            add(full)
        else:
            try:
                os.stat(path)
            except OSError as error:  # missing, dangling or looping symlink, no permission
                errors.append(f"{path}:1:1: E902 {error.strerror or error}")
                continue
            add(path)
    return files, errors


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
        from keraslint.notebooks import process_notebook

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
            from keraslint.fixing import unified_diff

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


def attach_edits(text: str, violations: List[Violation], unsafe: bool) -> None:
    fixable = [v for v in violations if v.fix is not None]
    if not fixable:
        return
    from keraslint.fixing import edits_for

    for violation in fixable:
        violation.edits = edits_for(text, violation)


def write_atomically(path: str, expected: bytes, new_data: bytes) -> Optional[str]:
    """Write through a temporary file in the same folder and rename it into place, keeping
    the mode. Refuses read-only files and files that changed since they were read."""
    try:
        # root may write anything: also honour a file whose mode has no write bit at all
        if not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222:
            return "file is read-only; fix not written"
        with open(path, "rb") as handle:
            if handle.read() != expected:
                return "file changed while it was being fixed; fix not written"
        mode = os.stat(path).st_mode
        folder = os.path.dirname(os.path.abspath(path))
        descriptor, temporary = tempfile.mkstemp(prefix=".keraslint-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(new_data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode & 0o7777)
            os.replace(temporary, os.path.realpath(path))
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
    except OSError as error:
        return f"cannot write fix: {error.strerror or error}"
    return None
