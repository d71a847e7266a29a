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
    the result is known to be the same. difflib takes the longest matching run of lines in
    a range, then does the same left and right of it. In a range, take the runs the new
    text keeps from the old one: the common prefix, the common suffix, and the run through
    `anchor` (each as long as it goes on its alignment); c lines differ between them. Any
    other matching run is at most m*D + c long (m runs kept, D the longest run of lines the
    old text repeats at two places): its part inside a kept run's copy is off that run's
    alignment, so it repeats old lines. So when the longest kept run is longer than that,
    it is difflib's pick, and the two sides are diffed the same way; small ranges, or where
    that cannot be shown, go to difflib itself."""

    SMALL = 40  # lines (old and new) below which a range goes straight to difflib

    def __init__(self, old_lines: List[str]):
        self.old = old_lines
        self.ids: Optional[List[int]] = None  # each line's number among the distinct lines
        self.longest_repeat = 0  # runs this long or shorter repeat (0: none known)
        self.shortest_unique = len(old_lines) + 1  # runs this long or longer do not repeat

    def edits(self, new_lines: List[str], anchor: Optional[tuple] = None) -> List[dict]:
        """The edits; `anchor` (old index, new index): where a kept run may be."""
        edits: List[dict] = []
        self._diff(new_lines, 0, len(self.old), 0, len(new_lines), anchor, edits)
        return edits

    def _diff(self, new, a0, a1, b0, b1, anchor, edits) -> None:
        pick = self._first_pick(new, a0, a1, b0, b1, anchor) if (a1 - a0) + (b1 - b0) > self.SMALL else None
        if pick is None and (a0 == a1 or b0 == b1 or set(self.old[a0:a1]).isdisjoint(new[b0:b1])):
            if a0 < a1 or b0 < b1:  # no line in common: difflib's one replace, insert or delete
                edits.append({
                    "content": "".join(new[b0:b1]),
                    "location": {"row": a0 + 1, "column": 1},
                    "end_location": {"row": a1 + 1, "column": 1},
                })
            return
        if pick is None:
            for edit in _line_edits(self.old[a0:a1], new[b0:b1]):
                edit["location"]["row"] += a0
                edit["end_location"]["row"] += a0
                edits.append(edit)
            return
        a, b, n = pick
        self._diff(new, a0, a, b0, b, anchor, edits)
        self._diff(new, a + n, a1, b + n, b1, anchor, edits)

    def _first_pick(self, new, a0, a1, b0, b1, anchor) -> Optional[tuple]:
        """The run difflib aligns first in the range, when it can be shown; else None."""
        old = self.old
        prefix = _common_start(old, a0, new, b0, min(a1 - a0, b1 - b0))
        suffix = _common_end(old, a1, new, b1, min(a1 - a0, b1 - b0) - prefix)
        if suffix and a1 - suffix > a0 and b1 - suffix > b0 and old[a1 - suffix - 1] == new[b1 - suffix - 1]:
            return None  # the suffix's alignment runs on into the prefix
        runs = [(a0, b0, prefix)] if prefix else []
        if anchor is not None and a0 <= anchor[0] <= a1 and b0 <= anchor[1] <= b1:
            a, b = anchor
            back = _common_end(old, a, new, b, min(a - a0, b - b0))
            on = _common_start(old, a, new, b, min(a1 - a, b1 - b))
            middle = (a - back, b - back, back + on)
            if back + on and a0 + prefix <= middle[0] and b0 + prefix <= middle[1] and middle[0] + middle[2] <= a1 - suffix and middle[1] + middle[2] <= b1 - suffix:
                runs.append(middle)
        if suffix:
            runs.append((a1 - suffix, b1 - suffix, suffix))
        if not runs:
            return None
        kept = sum(n for _, _, n in runs)
        changed = (a1 - a0) + (b1 - b0) - 2 * kept
        longest = max(runs, key=lambda run: run[2])
        room = longest[2] - changed
        if room < 1 or self._repeats(-(-room // len(runs))):
            return None
        return longest

    def _repeats(self, length: int) -> bool:
        """Whether some run of `length` old lines may occur at two places (overlapping or
        not). A rolling hash over line numbers: a collision only says "maybe", which sends
        the range to difflib. Known answers bound the others (a repeat of n lines holds
        repeats of fewer)."""
        if length <= self.longest_repeat:
            return True
        if length >= self.shortest_unique:
            return False
        if self.ids is None:
            numbers: dict = {}
            self.ids = [numbers.setdefault(line, len(numbers)) for line in self.old]
        ids, modulus, base = self.ids, (1 << 61) - 1, 1_000_003
        top = pow(base, length - 1, modulus)
        value, seen, found = 0, set(), False
        for index, number in enumerate(ids):
            if index >= length:
                value = (value - ids[index - length] * top) % modulus
            value = (value * base + number) % modulus
            if index >= length - 1:
                if value in seen:
                    found = True
                    break
                seen.add(value)
        if found:
            self.longest_repeat = max(self.longest_repeat, length)
        else:
            self.shortest_unique = min(self.shortest_unique, length)
        return found


# How far two lists of lines agree from a start or back from an end, at most `limit` lines:
# compared a slice at a time (in C; lines the new text took from the old one are the same
# objects), halving the unknown part, rather than a line at a time in Python.
def _common_start(old: List[str], a: int, new: List[str], b: int, limit: int) -> int:
    if limit <= 0 or old[a : a + limit] == new[b : b + limit]:
        return max(limit, 0)
    same, differs = 0, limit  # old[a:a+same] == new[b:b+same]; not so up to `differs`
    while differs - same > 1:
        middle = (same + differs) // 2
        if old[a + same : a + middle] == new[b + same : b + middle]:
            same = middle
        else:
            differs = middle
    return same


def _common_end(old: List[str], a: int, new: List[str], b: int, limit: int) -> int:
    if limit <= 0 or old[a - limit : a] == new[b - limit : b]:
        return max(limit, 0)
    same, differs = 0, limit
    while differs - same > 1:
        middle = (same + differs) // 2
        if old[a - middle : a - same] == new[b - middle : b - same]:
            same = middle
        else:
            differs = middle
    return same
