"""Finding the files to check, the per-file report, and writing a fix atomically. Every
failure becomes one line; nothing here raises. It never imports `notebooks` (which calls it)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import List, Optional

from keraslint.config import Settings
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


def attach_edits(text: str, violations: List[Violation], unsafe: bool) -> None:
    fixable = [v for v in violations if v.fix is not None]
    if not fixable:
        return
    from keraslint.fixes.text_edits import edits_for_each  # libcst only where text cannot tell

    for violation, edits in zip(fixable, edits_for_each(text, fixable)):
        violation.edits = edits


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
