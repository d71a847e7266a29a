"""A cache of check results, keyed by file content, keraslint's own code and the settings.

A warm re-run reads and hashes every file (cheap) and analyses only the files that changed.
One pickle per project in `.keraslint_cache/`, written atomically; a cache that cannot be
read is ignored, never an error. Fix and diff runs do not use it (they write or show edits).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Dict, Optional

import keraslint

CACHE_DIR = ".keraslint_cache"


def code_fingerprint() -> str:
    """Changes whenever any module of keraslint changes (version, edits in a checkout)."""
    package = Path(keraslint.__file__).parent
    digest = hashlib.blake2b(keraslint.__version__.encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


class ResultCache:
    def __init__(self, root: str, settings_key: str):
        self.folder = Path(root) / CACHE_DIR
        self.path = self.folder / "results.pickle"
        self.salt = f"{code_fingerprint()}|{settings_key}".encode()
        self.entries: Dict[str, tuple] = {}
        self.dirty = False
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                salt, entries = pickle.load(handle)
        except Exception:  # missing, truncated, from another version: start empty
            return
        if salt == self.salt and isinstance(entries, dict):
            self.entries = entries

    def key(self, path: str) -> Optional[str]:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        return hashlib.blake2b(data, digest_size=20).hexdigest()

    def get(self, path: str, key: Optional[str]):
        entry = self.entries.get(path)
        if key is not None and entry is not None and entry[0] == key:
            return entry[1]
        return None

    def put(self, path: str, key: Optional[str], report) -> None:
        if key is None or report.errors:
            return  # errors are re-reported every run (the file may become readable)
        self.entries[path] = (key, report)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.folder.mkdir(exist_ok=True)
            gitignore = self.folder / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# created by keraslint\n*\n")
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump((self.salt, self.entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a read-only checkout: run without a cache
