"""Score keraslint on the labelled real-code set (issue 11).

    python benchmarks/real_code.py                  # extract (if needed), check, print the table
    python benchmarks/real_code.py --json out.json  # also write the numbers and every report
    python benchmarks/real_code.py --mirror DIR     # where the repository snapshots are
    python benchmarks/real_code.py --force          # extract again even if up to date

`benchmarks/real_code/repos.tsv` pins each repository to a commit; the files of that commit
are taken from the local git mirror (`<mirror>/<owner>+<name>/repo[/.git]`) with
`git archive` and unpacked into `benchmarks/real_code/extracted/<owner>+<name>/` (git-ignored).
keraslint's own file checker (`keraslint.files.process_path`, which reads notebooks through
`keraslint.notebooks`) runs on every `.py` and `.ipynb` file with every rule selected (`ALL`)
and `target = auto`.

`benchmarks/real_code/labels.tsv` holds the labels: `repo path line code kind why`, where
kind is `true` (keraslint must report `code` there) or `lookalike` (it must stay silent there;
`code` is the rule the code resembles). A notebook's line is `cell N:L` (N 1-based among all
cells, L within the cell), as keraslint prints it. A report matches a label when repo, path,
line and code agree (the column is ignored).

Standard library and keraslint only. Not run by CI (it needs the mirrors).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "real_code")
REPOS_TSV = os.path.join(DATA, "repos.tsv")
LABELS_TSV = os.path.join(DATA, "labels.tsv")
EXTRACTED = os.path.join(DATA, "extracted")
SUFFIXES = (".py", ".ipynb")

sys.path.insert(0, ROOT)  # this checkout's keraslint, not an installed one


def read_tsv(path: str) -> List[Dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    return [row for row in rows if row and not next(iter(row.values()), "").startswith("#")]


def git_dir(mirror: str, repo: str) -> Optional[str]:
    base = os.path.join(mirror, repo.replace("/", "+"))
    for candidate in (os.path.join(base, "repo", ".git"), os.path.join(base, "repo"), base):
        if os.path.isdir(candidate) and subprocess.run(
            ["git", "-C", candidate, "rev-parse", "--git-dir"], capture_output=True
        ).returncode == 0:
            return candidate
    return None


def extract(repo: str, commit: str, mirror: str, force: bool) -> Tuple[Optional[str], str]:
    """(folder, problem): the repository's .py/.ipynb files at `commit`, unpacked once."""
    dest = os.path.join(EXTRACTED, repo.replace("/", "+"))
    stamp = os.path.join(dest, ".commit")
    if not force and os.path.exists(stamp):
        with open(stamp, encoding="utf-8") as handle:
            if handle.read().strip() == commit:
                return dest, ""
    source = git_dir(mirror, repo)
    if source is None:
        return None, f"no mirror of {repo} under {mirror} (fetch it first)"
    # file by file, not `git archive`: a snapshot lacks its largest blobs (4 MiB and more)
    listing = subprocess.run(["git", "-C", source, "ls-tree", "-r", "-z", commit], capture_output=True)
    if listing.returncode != 0:
        return None, f"git ls-tree {commit} failed: {listing.stderr.decode(errors='replace').strip()}"
    wanted = []
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, sha = meta.split()
        name = name.decode("utf-8", "surrogateescape")
        if kind == b"blob" and mode != b"120000" and name.endswith(SUFFIXES):
            wanted.append((sha.decode(), name))
    batch = subprocess.run(
        ["git", "-C", source, "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in wanted).encode(), capture_output=True,
    ).stdout
    if os.path.isdir(dest):
        import shutil

        shutil.rmtree(dest)
    os.makedirs(dest)
    absent, offset = [], 0
    for sha, name in wanted:
        end = batch.index(b"\n", offset)
        header = batch[offset:end].split()
        offset = end + 1
        if len(header) < 3 or header[1] == b"missing":
            absent.append(name)
            continue
        size = int(header[2])
        content = batch[offset:offset + size]
        offset += size + 1
        target = os.path.normpath(os.path.join(dest, name))
        if not target.startswith(dest + os.sep):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(content)
    if absent:
        with open(os.path.join(dest, ".absent"), "w", encoding="utf-8") as handle:
            handle.write("".join(f"{name}\n" for name in absent))
    with open(stamp, "w", encoding="utf-8") as handle:
        handle.write(commit + "\n")
    return dest, ""


def check_repo(folder: str):
    """Every report and every error of keraslint on one extracted repository."""
    from keraslint.config import Settings
    from keraslint.files import Mode
    from keraslint.processing import process_path

    settings = Settings(select=("ALL",), target="auto", root=folder)
    reports, errors = [], []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith(SUFFIXES):
                continue
            full = os.path.join(root, name)
            relative = os.path.relpath(full, folder).replace(os.sep, "/")
            report = process_path(full, settings, Mode(), display=relative)
            for violation in report.violations:
                line = str(violation.span.line)
                if violation.cell is not None:
                    line = f"cell {violation.cell}:{line}"
                reports.append((relative, line, violation.span.col + 1, violation.code, violation.message))
            errors.extend(report.errors)
    return reports, errors


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", default="/work/.mirror", help="folder of the git mirrors (default /work/.mirror)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    parser.add_argument("--force", action="store_true", help="extract every repository again")
    args = parser.parse_args(argv)

    repos = read_tsv(REPOS_TSV)
    labels = read_tsv(LABELS_TSV)
    by_key = {}
    for row in labels:
        key = (row["repo"], row["path"], row["line"].strip(), row["code"])
        if key in by_key:
            print(f"warning: duplicate label {key}", file=sys.stderr)
        by_key[key] = row

    reports, errors, missing, absent = [], [], [], 0
    for row in repos:
        folder, problem = extract(row["repo"], row["commit"], args.mirror, args.force)
        if folder is None:
            missing.append((row["repo"], problem))
            continue
        if os.path.exists(os.path.join(folder, ".absent")):  # blobs the snapshot lacks (4 MiB and more)
            with open(os.path.join(folder, ".absent"), encoding="utf-8") as handle:
                absent += sum(1 for line in handle if line.strip())
        found, failed = check_repo(folder)
        reports += [(row["repo"], *r) for r in found]
        errors += [f"{row['repo']}: {e}" for e in failed]

    reported = defaultdict(list)
    for repo, path, line, col, code, message in reports:
        reported[(repo, path, line, code)].append((col, message))
    skipped = {r for r, _ in missing}

    true_rows = [r for r in labels if r["kind"] == "true" and r["repo"] not in skipped]
    lookalikes = [r for r in labels if r["kind"] == "lookalike" and r["repo"] not in skipped]
    key = lambda r: (r["repo"], r["path"], r["line"].strip(), r["code"])  # noqa: E731
    found_true = Counter(r["code"] for r in true_rows if key(r) in reported)
    all_true = Counter(r["code"] for r in true_rows)
    look_all = Counter(r["code"] for r in lookalikes)
    look_hit = [r for r in lookalikes if key(r) in reported]
    look_hit_count = Counter(r["code"] for r in look_hit)
    missed = [r for r in true_rows if key(r) not in reported]
    unlabelled = sorted(
        (k, v) for k, vs in reported.items() if k not in by_key for v in vs
    )
    unlabelled_count = Counter(k[3] for k, _ in unlabelled)
    codes = sorted(set(all_true) | set(look_all) | set(unlabelled_count))

    print(f"repositories: {len(repos) - len(missing)} checked, {len(missing)} missing")
    for repo, problem in missing:
        print(f"  missing {repo}: {problem}")
    print(f"reports: {len(reports)}; file errors: {len(errors)}; files absent from the snapshots: {absent}")
    print()
    header = f"{'code':<8}{'true':>6}{'found':>7}{'recall':>8}{'lookalike':>11}{'reported':>10}{'unlabelled':>12}"
    print(header)
    print("-" * len(header))
    for code in codes:
        total = all_true[code]
        recall = f"{found_true[code] / total:.0%}" if total else "-"
        print(f"{code:<8}{total:>6}{found_true[code]:>7}{recall:>8}{look_all[code]:>11}{look_hit_count[code]:>10}{unlabelled_count[code]:>12}")
    print("-" * len(header))
    total_true, total_found = sum(all_true.values()), sum(found_true.values())
    overall = f"{total_found / total_true:.0%}" if total_true else "-"
    print(f"{'all':<8}{total_true:>6}{total_found:>7}{overall:>8}{len(lookalikes):>11}{len(look_hit):>10}{len(unlabelled):>12}")

    if look_hit:
        print("\nlook-alikes reported (must be 0):")
        for r in look_hit:
            print(f"  {r['repo']} {r['path']}:{r['line']} {r['code']}")
    if missed:
        print("\ntrue instances not reported:")
        for r in missed:
            print(f"  {r['repo']} {r['path']}:{r['line']} {r['code']}")
    if unlabelled:
        print("\nreports not in the labels:")
        for (repo, path, line, code), (col, message) in unlabelled:
            print(f"  {repo} {path}:{line}:{col} {code} {message}")
    if errors:
        print("\nfile errors:")
        for line in errors:
            print(f"  {line}")

    if args.json:
        result = {
            "per_code": {
                code: {
                    "true": all_true[code],
                    "found": found_true[code],
                    "recall": found_true[code] / all_true[code] if all_true[code] else None,
                    "lookalikes": look_all[code],
                    "lookalikes_reported": look_hit_count[code],
                    "unlabelled": unlabelled_count[code],
                }
                for code in codes
            },
            "overall": {
                "true": total_true,
                "found": total_found,
                "recall": total_found / total_true if total_true else None,
                "lookalikes": len(lookalikes),
                "lookalikes_reported": len(look_hit),
                "unlabelled": len(unlabelled),
            },
            "missing_repos": [{"repo": r, "problem": p} for r, p in missing],
            "lookalikes_reported": [dict(r) for r in look_hit],
            "missed": [dict(r) for r in missed],
            "unlabelled": [
                {"repo": k[0], "path": k[1], "line": k[2], "column": col, "code": k[3], "message": message}
                for k, (col, message) in unlabelled
            ],
            "errors": errors,
        }
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
