"""`[tool.keraslint]` in pyproject.toml and command-line selections → frozen Settings."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional, Tuple

TARGETS = ("auto", "keras3", "tf_keras", "keras2")
KNOWN_KEYS = {"select", "ignore", "extend-select", "exclude", "extend-exclude", "target", "per-file-ignores"}
_SELECTOR = re.compile(r"^(ALL|KER\d{0,3})$")
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__", "build", "dist",
    "node_modules", ".ipynb_checkpoints", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".keraslint_cache", "site-packages",
)


class ConfigError(Exception):
    """A configuration value that cannot be used; the message names the key and why."""


@dataclass(frozen=True)
class Settings:
    select: Optional[Tuple[str, ...]] = None  # None: the default rule set
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: Tuple[str, ...] = ()
    target: str = "auto"
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    root: str = field(default=".", compare=False)  # folder the config was found in

    def enabled_codes(self, all_codes, default_codes) -> frozenset:
        selected = set(default_codes) if self.select is None else _matching(all_codes, self.select)
        selected |= _matching(all_codes, self.extend_select)
        selected -= _matching(all_codes, self.ignore)
        return frozenset(selected)

    def explicitly_selected(self, code: str) -> bool:
        """Named by its full code in select/extend-select (not just via a prefix or ALL)."""
        return code in (self.select or ()) or code in self.extend_select

    def ignored_for(self, path: str) -> Tuple[str, ...]:
        relative = _relative(path, self.root)
        codes = []
        for pattern, ignored in self.per_file_ignores:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
                codes.extend(ignored)
        return tuple(codes)

    def is_excluded(self, path: str) -> bool:
        """Whether walking a folder skips `path`: its name matches an exclude pattern, or, for
        patterns with a `/`, its path relative to the project root does. Folders are tested as
        the walk enters them, so a file inside an excluded folder is never reached."""
        by_name, by_path = _exclude_matchers(self.exclude + self.extend_exclude)
        if by_name is not None and by_name.match(os.path.basename(path)):
            return True
        return by_path is not None and bool(by_path.match(_relative(path, self.root)))

    def cache_key(self) -> str:
        return repr((self.select, self.ignore, self.extend_select, self.target, self.per_file_ignores))


@functools.lru_cache(maxsize=16)
def _exclude_matchers(patterns: Tuple[str, ...]):
    """One compiled regex for name patterns and one for path patterns (None when empty)."""
    names = [fnmatch.translate(p) for p in patterns if "/" not in p]
    paths = [fnmatch.translate(p.strip("/")) for p in patterns if "/" in p]
    return (re.compile("|".join(names)) if names else None, re.compile("|".join(paths)) if paths else None)


def _matching(all_codes, selectors) -> set:
    matched = set()
    for selector in selectors:
        if selector == "ALL":
            matched |= set(all_codes)
        else:
            matched |= {code for code in all_codes if code.startswith(selector)}
    return matched


def _relative(path: str, root: str) -> str:
    try:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:
        return path


def parse_selectors(value, key: str) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of rule codes or prefixes, got {value!r}")
    for selector in value:
        if not _SELECTOR.match(selector):
            raise ConfigError(f"`{key}`: {selector!r} is not a rule code or prefix (expected ALL, KER, KER1, KER101, ...)")
    return tuple(value)


def find_config(start_paths) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.keraslint] table, walking up from the paths."""
    seen = set()
    for start in start_paths or ["."]:
        if start == "-":
            start = "."
        folder = Path(os.path.realpath(start))  # never raises, even on a symlink loop
        if not folder.is_dir():
            folder = folder.parent
        for candidate in [folder, *folder.parents]:
            if candidate in seen:
                break
            seen.add(candidate)
            pyproject = candidate / "pyproject.toml"
            if pyproject.is_file() and _has_keraslint_table(pyproject):
                return pyproject
    return None


def _has_keraslint_table(path: Path) -> bool:
    try:
        return "[tool.keraslint" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def load_settings(pyproject: Optional[Path]) -> Settings:
    if pyproject is None:
        return Settings()
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib  # type: ignore
    try:
        with open(pyproject, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{pyproject}: cannot read: {error}") from None
    table = data.get("tool", {}).get("keraslint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.keraslint] must be a table")
    try:
        return settings_from_table(table, root=str(pyproject.parent))
    except ConfigError as error:
        raise ConfigError(f"{pyproject}: [tool.keraslint] {error}") from None


def settings_from_table(table: dict, root: str = ".") -> Settings:
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"unknown key `{unknown[0]}` (known keys: {', '.join(sorted(KNOWN_KEYS))})")
    settings = Settings(root=root)
    if "select" in table:
        settings = replace(settings, select=parse_selectors(table["select"], "select"))
    if "ignore" in table:
        settings = replace(settings, ignore=parse_selectors(table["ignore"], "ignore"))
    if "extend-select" in table:
        settings = replace(settings, extend_select=parse_selectors(table["extend-select"], "extend-select"))
    for key, attribute in (("exclude", "exclude"), ("extend-exclude", "extend_exclude")):
        if key in table:
            value = table[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"`{key}` must be a list of glob patterns, got {value!r}")
            settings = replace(settings, **{attribute: tuple(value)})
    if "target" in table:
        if table["target"] not in TARGETS:
            raise ConfigError(f"`target` must be one of {', '.join(TARGETS)}, got {table['target']!r}")
        settings = replace(settings, target=table["target"])
    if "per-file-ignores" in table:
        value = table["per-file-ignores"]
        if not isinstance(value, dict):
            raise ConfigError("`per-file-ignores` must be a table of glob = [codes]")
        pairs = tuple((pattern, parse_selectors(codes, f"per-file-ignores.{pattern}")) for pattern, codes in value.items())
        settings = replace(settings, per_file_ignores=pairs)
    return settings
