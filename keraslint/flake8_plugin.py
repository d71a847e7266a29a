"""flake8 glue: flake8 hands us the parsed tree; we return (line, col, "KER101 message", type).

flake8 does the selection, `# noqa` handling (so `--disable-noqa` works) and formatting. The plugin never raises:
on anything it cannot analyse it reports nothing (flake8 reports E999 for files it cannot
parse, and never calls plugins on them).
"""

from __future__ import annotations

import ast
from typing import Iterator, List, Tuple

from keraslint import __version__
from keraslint.config import Settings
from keraslint.engine import FileContext, candidate_rules, enabled_rules, mentions_keras, run_rules


class KeraslintChecker:
    name = "keraslint"
    version = __version__
    target = "auto"

    def __init__(self, tree: ast.AST, filename: str = "", lines: List[str] = ()):
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser) -> None:
        parser.add_option(
            "--keraslint-target",
            default="auto",
            choices=["auto", "keras3", "tf_keras", "keras2"],
            parse_from_config=True,
            help="Keras the checked code runs on (keraslint): auto, keras3, tf_keras or keras2 (Keras 3 rules off)",
        )

    @classmethod
    def parse_options(cls, options) -> None:
        cls.target = getattr(options, "keraslint_target", "auto") or "auto"

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        text = "".join(self.lines)
        if not mentions_keras(text):
            return
        # flake8 filters codes itself: every rule runs here (opinionated KER9xx ones are dropped below)
        settings = Settings(select=("ALL",), target=self.target)
        rules = candidate_rules(enabled_rules(settings), text)
        if not rules:
            return
        try:
            context = FileContext(text, self.tree, self.filename, settings)
            # opinionated KER9xx rules stay off in flake8 (it cannot tell us they were selected)
            violations = [v for v in run_rules(context, rules, apply_noqa=False) if not v.code.startswith("KER9")]
        except Exception:  # never break a user's flake8 run; the CLI reports the same code paths
            return
        for violation in violations:
            yield violation.line, violation.col, f"{violation.code} {violation.message}", type(self)
