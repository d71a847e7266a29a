#!/usr/bin/env python3
"""Build the benchmark corpus: real-world Keras code taken from pinned PyPI packages.

Each pinned package is fetched with ``pip download --no-deps`` (whatever pip
picks: a wheel or an sdist) into a temporary directory, and only its ``.py``
files are unpacked into ``<dest>/<package>/...``.  Nothing is installed and no
code from the packages is ever run.

The result is described in ``<dest>/MANIFEST.json`` (package, version, archive,
file count, line count, bytes).  Running the script again with the same pins
does nothing; ``--force`` rebuilds.

Usage::

    python benchmarks/corpus.py              # build benchmarks/corpus/
    python benchmarks/corpus.py --dest DIR   # build elsewhere
    python benchmarks/corpus.py --force      # rebuild even if up to date
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import posixpath
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

# Exact versions, each checked to download with `pip download --no-deps`.
PINS: list[tuple[str, str]] = [
    ("tf-models-official", "2.20.0"),
    ("keras-hub", "0.32.0"),
    ("keras-cv", "0.9.0"),
    ("keras-cv-attention-models", "1.4.3"),
    ("deepctr", "0.9.4"),
    ("spektral", "1.3.1"),
    ("segmentation-models", "1.0.1"),
    ("efficientnet", "1.1.1"),
    ("keras-unet-collection", "0.1.13"),
    ("keras-retinanet", "1.0.0"),
    ("keras-ocr", "0.9.3"),
    ("keras-tcn", "3.5.7"),
    ("keras-bert", "0.89.0"),
    ("kapre", "0.4.1"),
    ("autokeras", "3.0.0"),
    ("keras-tuner", "1.4.8"),
    ("keras-rl2", "1.0.5"),
]

SCHEMA = 1
MANIFEST_NAME = "MANIFEST.json"
DEFAULT_DEST = Path(__file__).resolve().parent / "corpus"
SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")


class CorpusError(Exception):
    """A package could not be downloaded or unpacked."""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pins_as_json() -> list[list[str]]:
    return [[name, version] for name, version in PINS]


# --------------------------------------------------------------------------
# Up-to-date check
# --------------------------------------------------------------------------


def read_manifest(dest: Path) -> dict | None:
    try:
        with open(dest / MANIFEST_NAME, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def count_py_files(root: Path) -> int:
    return sum(1 for _ in root.rglob("*.py")) if root.is_dir() else -1


def is_up_to_date(dest: Path, manifest: dict | None) -> bool:
    """Same schema, same pins, nothing failed, and every package folder intact."""
    if not manifest or manifest.get("schema") != SCHEMA:
        return False
    if manifest.get("pins") != pins_as_json() or manifest.get("failed"):
        return False
    for pkg in manifest.get("packages", []):
        if count_py_files(dest / pkg["package"]) != pkg["files"]:
            return False
    return True


# --------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------


def pip_download(name: str, version: str, into: Path) -> Path:
    """Fetch exactly one archive for NAME==VERSION into the empty folder INTO."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-input",
        "--disable-pip-version-check",
        "--quiet",
        "--dest",
        str(into),
        f"{name}=={version}",
    ]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise CorpusError(f"pip download failed (exit {proc.returncode}): {tail}")
    archives = sorted(p for p in into.iterdir() if p.is_file())
    if len(archives) != 1:
        raise CorpusError(f"expected one archive, got {[p.name for p in archives]}")
    return archives[0]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------
# Unpack
# --------------------------------------------------------------------------


def safe_relpath(member: str, strip_top: bool) -> str | None:
    """Normalise an archive member name; None if it is unsafe or stripped away."""
    name = member.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    if strip_top:
        parts = parts[1:]
    if not parts:
        return None
    return posixpath.join(*parts)


def iter_py_members(archive: Path):
    """Yield (relative path, bytes) for each .py file in a wheel, zip or tarball."""
    lower = archive.name.lower()
    is_wheel = lower.endswith(".whl")
    if is_wheel or lower.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.endswith(".py"):
                    continue
                # An sdist .zip has one top folder (name-version/); a wheel has none.
                rel = safe_relpath(info.filename, strip_top=not is_wheel)
                if rel is not None:
                    yield rel, zf.read(info)
    elif lower.endswith(SDIST_SUFFIXES):
        with tarfile.open(archive) as tf:
            for info in tf:
                if not info.isfile() or not info.name.endswith(".py"):
                    continue
                rel = safe_relpath(info.name, strip_top=True)
                if rel is None:
                    continue
                fh = tf.extractfile(info)
                if fh is not None:
                    yield rel, fh.read()
    else:
        raise CorpusError(f"unknown archive type: {archive.name}")


def count_lines(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def parses(data: bytes) -> bool:
    """Whether this Python (the one running the script) can parse the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def unpack(archive: Path, target: Path) -> dict:
    files = lines = size = largest = unparsable = 0
    for rel, data in iter_py_members(archive):
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        files += 1
        lines += count_lines(data)
        size += len(data)
        largest = max(largest, len(data))
        if not parses(data):
            unparsable += 1
    if files == 0:
        raise CorpusError(f"no .py files in {archive.name}")
    return {
        "files": files,
        "lines": lines,
        "bytes": size,
        "largest_file_bytes": largest,
        "unparsable_files": unparsable,
    }


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def remove_old(dest: Path, manifest: dict | None) -> None:
    """Delete only what this script made: package folders and the manifest."""
    names = {name for name, _ in PINS}
    if manifest:
        names.update(p.get("package", "") for p in manifest.get("packages", []))
        names.update(f.get("package", "") for f in manifest.get("failed", []))
    for name in sorted(n for n in names if n and "/" not in n and n not in (".", "..")):
        path = dest / name
        if path.is_dir():
            shutil.rmtree(path)
    (dest / MANIFEST_NAME).unlink(missing_ok=True)


def print_summary(manifest: dict) -> None:
    rows = manifest["packages"]
    width = max([len(r["package"]) for r in rows] + [len("TOTAL")])
    print(f"{'package':<{width}}  {'version':>9}  {'files':>6}  {'lines':>9}  {'MB':>7}")
    for r in rows:
        print(
            f"{r['package']:<{width}}  {r['version']:>9}  {r['files']:>6}  "
            f"{r['lines']:>9}  {r['bytes'] / 1e6:>7.2f}"
        )
    t = manifest["totals"]
    print(
        f"{'TOTAL':<{width}}  {t['packages']:>9}  {t['files']:>6}  "
        f"{t['lines']:>9}  {t['bytes'] / 1e6:>7.2f}"
    )
    print(
        f"{t['files']} files, {t['lines']} lines, {t['bytes'] / 1e6:.2f} MB "
        f"({t['unparsable_files']} files that Python {manifest['python']} cannot parse)"
    )
    for f in manifest.get("failed", []):
        print(f"FAILED: {f['package']}=={f['version']}: {f['error']}")


def build(dest: Path, force: bool) -> int:
    dest.mkdir(parents=True, exist_ok=True)
    old = read_manifest(dest)
    if not force and is_up_to_date(dest, old):
        log(f"corpus in {dest} is up to date; nothing to do (--force rebuilds)")
        print_summary(old)
        return 0

    remove_old(dest, old)
    started = time.time()
    packages, failed = [], []
    with tempfile.TemporaryDirectory(prefix="keraslint-corpus-") as tmp:
        for i, (name, version) in enumerate(PINS):
            log(f"[{i + 1}/{len(PINS)}] {name}=={version}")
            into = Path(tmp) / name
            into.mkdir()
            target = dest / name
            try:
                archive = pip_download(name, version, into)
                stats = unpack(archive, target)
            except (CorpusError, OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
                log(f"  failed: {exc}")
                failed.append({"package": name, "version": version, "error": str(exc)})
                if target.is_dir():
                    shutil.rmtree(target)
                continue
            packages.append(
                {
                    "package": name,
                    "version": version,
                    "archive": archive.name,
                    "sha256": sha256_of(archive),
                    **stats,
                }
            )
            log(f"  {archive.name}: {stats['files']} files, {stats['lines']} lines")

    totals = {
        "packages": len(packages),
        **{
            key: sum(p[key] for p in packages)
            for key in ("files", "lines", "bytes", "unparsable_files")
        },
        "largest_file_bytes": max((p["largest_file_bytes"] for p in packages), default=0),
    }
    manifest = {
        "schema": SCHEMA,
        "pins": pins_as_json(),
        "python": ".".join(map(str, sys.version_info[:3])),
        "built_seconds": round(time.time() - started, 1),
        "packages": packages,
        "failed": failed,
        "totals": totals,
    }
    tmp_manifest = dest / (MANIFEST_NAME + ".tmp")
    tmp_manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp_manifest, dest / MANIFEST_NAME)
    print_summary(manifest)
    if not packages:
        log("no package could be fetched")
        return 1
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dest",
        type=Path,
        default=DEFAULT_DEST,
        help=f"where to put the corpus (default: {DEFAULT_DEST})",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--list", action="store_true", help="print the pins and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, version in PINS:
            print(f"{name}=={version}")
        return 0
    return build(args.dest.resolve(), args.force)


if __name__ == "__main__":
    sys.exit(main())
