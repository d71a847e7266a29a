"""What needs no libcst in fixing: the line length a file's formatter uses, and a fixed text
as ruff-style line edits (JSON output's fast path, fixes/text_edits.py, imports only this)."""

from __future__ import annotations

import configparser
import difflib
import functools
import os
from typing import List, Optional

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib  # type: ignore

LINE_LENGTH = 100  # when the project's formatter config does not say
_LENGTH_FILES = ("pyproject.toml", "ruff.toml", ".ruff.toml", "setup.cfg", "tox.ini", ".flake8")


@functools.lru_cache(maxsize=256)
def _folder_line_length(folder: str) -> Optional[int]:
    """The line length the formatter configured in `folder` uses, or None when it sets none."""
    for name in _LENGTH_FILES:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        try:
            if name.endswith(".toml"):
                with open(path, "rb") as handle:
                    data = tomllib.load(handle)
                tool = data.get("tool", {}) if name == "pyproject.toml" else {"ruff": data}
                for section in ("ruff", "black"):
                    value = tool.get(section, {}).get("line-length")
                    if isinstance(value, int) and value > 0:
                        return value
            else:
                parser = configparser.ConfigParser()
                parser.read(path, encoding="utf-8")
                value = parser.get("flake8", "max-line-length", fallback=None)
                if value is not None and value.strip().isdigit():
                    return int(value)
        except (OSError, ValueError, UnicodeDecodeError, configparser.Error, tomllib.TOMLDecodeError):
            continue
    return None


def line_length_for(path: str) -> int:
    """The nearest `line-length` ([tool.ruff], [tool.black], ruff.toml) or flake8
    `max-line-length` above `path`, else 100. Read only when a file is being fixed."""
    folder = os.path.dirname(os.path.abspath(path)) if path and not path.startswith("<") else None
    while folder:
        found = _folder_line_length(folder)
        if found is not None:
            return found
        parent = os.path.dirname(folder)
        if parent == folder or os.path.exists(os.path.join(folder, ".git")):
            break
        folder = parent
    return LINE_LENGTH


def _line_edits(old_lines: List[str], new_lines: List[str]) -> List[dict]:
    edits = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append({
            "content": "".join(new_lines[j1:j2]),
            "location": {"row": i1 + 1, "column": 1},
            "end_location": {"row": i2 + 1, "column": 1},
        })
    return edits
