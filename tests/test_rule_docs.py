"""Every rule follows the house format: code, message, docstring sections, parseable examples."""

import ast
import re

import pytest

from keraslint.rules import ALL_RULES, RULES_BY_CODE

SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"]
RULE_IDS = [rule.CODE for rule in ALL_RULES]


def test_codes_are_unique_and_well_formed():
    assert len(RULE_IDS) == len(set(RULE_IDS)) == len(RULES_BY_CODE)
    assert all(re.fullmatch(r"KER\d{3}", code) for code in RULE_IDS)


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_rule_attributes(rule):
    assert rule.NAME and re.fullmatch(r"[a-z0-9-]+", rule.NAME)
    assert rule.MESSAGE and "\n" not in rule.MESSAGE
    assert rule.FIX_TITLE is None or isinstance(rule.FIX_TITLE, str)
    assert rule.NODE_TYPES and all(isinstance(t, type) and issubclass(t, ast.AST) for t in rule.NODE_TYPES)
    assert rule.TRIGGERS and all(isinstance(word, str) and word for word in rule.TRIGGERS)
    assert callable(rule.check)


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_docstring_sections_in_order(rule):
    doc = rule.__doc__ or ""
    assert doc.startswith(f"{rule.CODE}: ")
    positions = [doc.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), [s for s, p in zip(SECTIONS, positions) if p < 0]
    assert positions == sorted(positions)


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_docstring_code_blocks_parse(rule):
    blocks = re.findall(r"```python\n(.*?)```", rule.__doc__, re.S)
    assert len(blocks) >= 2  # at least the example and what to use instead
    for block in blocks:
        ast.parse(block)


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_rules_never_open_files_read_config_or_print(rule):
    source = open(rule.__file__, encoding="utf-8").read()
    tree = ast.parse(source)
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not called & {"open", "print", "input"}
    assert "tomllib" not in source and "os.environ" not in source
