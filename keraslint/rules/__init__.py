"""The rule registry: one module per rule, listed here once.

A rule module defines CODE, NAME, MESSAGE, FIX_TITLE (or None), NODE_TYPES (the ast node
classes it looks at), TRIGGERS (words one of which the file must contain for the rule to have
anything to find), DEFAULT_ENABLED, a ruff-style docstring and `check(node, ctx)` yielding
Violations. Rules never open files, read configuration or print.
"""

from keraslint.rules import merge_raw_operand

ALL_RULES = [
    merge_raw_operand,
]

RULES_BY_CODE = {rule.CODE: rule for rule in ALL_RULES}
DEFAULT_CODES = frozenset(rule.CODE for rule in ALL_RULES if getattr(rule, "DEFAULT_ENABLED", True))
