#!/usr/bin/env python3
"""Count the TensorFlow ops and `keras.backend` functions real model code calls.

The KER301/KER302 tables (keraslint/fixes/keras3.py) must cover the names users actually
write, so this script counts them: every call whose function resolves (through the file's
imports, with keraslint's own name analysis) to `tensorflow.<name>`,
`tensorflow.{math,nn,image,linalg}.<name>` or a `keras.backend.<name>` of any Keras flavour.
Spellings are counted as written (`tf.math.reduce_sum` and `tf.reduce_sum` apart);
`benchmarks/list_op_candidates.py` merges the aliases of one TensorFlow function.

Corpora: folders of .py files (the PyPI corpus, benchmarks/corpus/) and git snapshots
(bare or normal repositories, read with `git ls-tree`/`git cat-file` without a checkout).

    python benchmarks/count_tf_ops.py --dir pypi=benchmarks/corpus --git '/work/.mirror/*/repo' \
        --out keraslint/fixes/data/tf_op_counts.tsv
"""

from __future__ import annotations

import argparse
import ast
import glob
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keraslint.analysis.names import Names  # noqa: E402
from keraslint.analysis.scopes import TreeIndex  # noqa: E402

TF_SUBMODULES = ("math", "nn", "image", "linalg")


def op_name(path: str, flavor) -> str | None:
    """"tf.reduce_sum", "tf.nn.relu", "K.sum" for a resolved call path; None for the rest."""
    if flavor is not None:
        if path.startswith("keras.backend.") and path.count(".") == 2:
            return "K." + path[len("keras.backend."):]
        return None
    if not path.startswith("tensorflow."):
        return None
    parts = path.split(".")[1:]
    if len(parts) == 1 or (len(parts) == 2 and parts[0] in TF_SUBMODULES):
        return "tf." + ".".join(parts)
    return None


def count_source(source: str, counts: Counter) -> None:
    if "tensorflow" not in source and "backend" not in source:
        return  # cannot name either
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return
    names = Names(TreeIndex(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            qualified = names.resolve(node.func)
            name = qualified and op_name(qualified.path, qualified.flavor)
            if name:
                counts[name] += 1


def folder_sources(folder: str):
    for path in sorted(Path(folder).rglob("*.py")):
        yield path.read_bytes().decode("utf-8", "replace")


def git_sources(repo: str):
    listing = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "HEAD"], capture_output=True, text=True).stdout
    blobs = [line.split()[2] for line in listing.splitlines() if line.endswith(".py") and line.split()[1] == "blob"]
    if not blobs:
        return
    batch = subprocess.run(["git", "-C", repo, "cat-file", "--batch"], input="\n".join(blobs).encode() + b"\n",
                           capture_output=True).stdout
    position = 0
    while position < len(batch):
        header_end = batch.index(b"\n", position)
        size = int(batch[position:header_end].split()[2])
        yield batch[header_end + 1:header_end + 1 + size].decode("utf-8", "replace")
        position = header_end + 1 + size + 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", action="append", default=[], help="[label=]a folder of .py files (repeatable)")
    parser.add_argument("--git", action="append", default=[], help="a glob of git repositories (repeatable)")
    parser.add_argument("--out", help="write the TSV here (default: stdout)")
    args = parser.parse_args(argv)
    columns = {}
    for spec in args.dir:
        label, _, folder = spec.rpartition("=")
        counts = columns.setdefault(label or Path(folder).name, Counter())
        for source in folder_sources(folder):
            count_source(source, counts)
    if args.git:
        counts = columns.setdefault("github", Counter())
        for pattern in args.git:
            for repo in sorted(glob.glob(pattern)):
                for source in git_sources(repo):
                    count_source(source, counts)
    total = Counter()
    for counts in columns.values():
        total.update(counts)
    lines = ["name\ttotal\t" + "\t".join(columns)]
    for name, count in sorted(total.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"{name}\t{count}\t" + "\t".join(str(c[name]) for c in columns.values()))
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
