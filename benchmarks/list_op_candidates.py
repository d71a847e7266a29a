#!/usr/bin/env python3
"""List the names the KER301/KER302 tables must cover, and which of them they miss.

Candidates:
- every public function of `tf_keras.backend` (the installed tf_keras, 2.21 here);
- the most called TensorFlow functions in real model code, from the committed count
  (keraslint/fixes/data/tf_op_counts.tsv, made by benchmarks/count_tf_ops.py), with the
  spellings of one TensorFlow function merged (`tf.math.reduce_sum is tf.reduce_sum`).

For each candidate it prints the count and the table's verdict (proven / report-only /
not an op / still in Keras 3 / MISSING). Imports TensorFlow; run it when the count or the
installed versions change, then add rows for what it lists as MISSING.

    python benchmarks/list_op_candidates.py --top 150
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
COUNTS = ROOT / "keraslint" / "fixes" / "data" / "tf_op_counts.tsv"


def backend_functions() -> list:
    import tf_keras.backend as backend

    return sorted(n for n in dir(backend) if not n.startswith("_") and callable(getattr(backend, n)))


def tf_object(spelling: str):
    import tensorflow as tf

    target = tf
    for part in spelling.split(".")[1:]:
        target = getattr(target, part, None)
        if target is None:
            return None
    return target


def merged_tf_counts() -> list:
    """[(canonical spelling, total count, [spellings])], most called first. The canonical
    spelling of a function is its most called one."""
    groups = {}
    with COUNTS.open() as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if not row["name"].startswith("tf."):
                continue
            target = tf_object(row["name"])
            key = id(target) if target is not None else row["name"]
            groups.setdefault(key, []).append((row["name"], int(row["total"])))
    merged = [(names[0][0], sum(c for _, c in names), [n for n, _ in names]) for names in groups.values()]
    return sorted(merged, key=lambda item: -item[1])


def backend_counts() -> dict:
    with COUNTS.open() as handle:
        return {row["name"][2:]: int(row["total"]) for row in csv.DictReader(handle, delimiter="\t") if row["name"].startswith("K.")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=150)
    args = parser.parse_args(argv)
    from keraslint.fixes import keras3

    missing = 0
    print("# tf_keras.backend")
    counts = backend_counts()
    for name in backend_functions():
        verdict = keras3.verdict("K." + name)
        missing += verdict == "MISSING"
        print(f"K.{name}\t{counts.get(name, 0)}\t{verdict}")
    print(f"# TensorFlow, top {args.top}")
    for spelling, count, spellings in merged_tf_counts()[: args.top]:
        verdicts = {keras3.verdict(s) for s in spellings}
        verdict = keras3.verdict(spelling)
        missing += verdict == "MISSING"
        aliases = ",".join(s for s in spellings if s != spelling)
        print(f"{spelling}\t{count}\t{verdict}" + (f"\t(also {aliases})" if aliases else "") + ("\tALIASES DIFFER" if len(verdicts) > 1 else ""))
    print(f"# {missing} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
