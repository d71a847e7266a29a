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


class LineDiff:
    """`_line_edits(old_lines, new_lines)` for many new texts of one old text, faster where
    the result is known to be the same. difflib aligns the longest matching run of lines
    first. When the new text keeps a common prefix P and suffix S of the old one around one
    changed middle (old M, new X lines), any other matching run is at most 2*D + X long, D
    being the longest run of lines the old text repeats at two places (a run in the new
    text's copy of P or S that is not on P's or S's own alignment repeats old lines). So
    when P and S are each empty or longer than 2*D + M + X, difflib aligns P and S first,
    and compares M with X on its own: the edits are those of the middle, shifted."""

    def __init__(self, old_lines: List[str]):
        self.old = old_lines
        self.repeats: dict = {}  # run length -> whether the old text repeats a run that long

    def edits(self, new_lines: List[str]) -> List[dict]:
        old, new = self.old, new_lines
        limit = min(len(old), len(new))
        prefix = 0
        while prefix < limit and old[prefix] == new[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
            suffix += 1
        before_old, before_new = len(old) - 1 - suffix, len(new) - 1 - suffix
        if suffix and before_old >= 0 and before_new >= 0 and old[before_old] == new[before_new]:
            return _line_edits(old, new)  # S's alignment runs on into P: difflib may take that run
        changed = len(old) + len(new) - 2 * (prefix + suffix)
        shortest = min(n for n in (prefix, suffix) if n) if prefix or suffix else 0
        if not shortest or (shortest - changed) < 2 or self._repeats((shortest - changed + 1) // 2):
            return _line_edits(old, new)
        middle = _line_edits(old[prefix : len(old) - suffix], new[prefix : len(new) - suffix])
        for edit in middle:
            edit["location"]["row"] += prefix
            edit["end_location"]["row"] += prefix
        return middle

    def _repeats(self, length: int) -> bool:
        """Whether some run of `length` old lines occurs at two places (overlapping or not)."""
        if length not in self.repeats:
            seen = set()
            found = False
            for start in range(len(self.old) - length + 1):
                window = tuple(self.old[start : start + length])
                if window in seen:
                    found = True
                    break
                seen.add(window)
            self.repeats[length] = found
        return self.repeats[length]
