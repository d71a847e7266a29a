"""Lint tests, parametrized over every fixture folder (no TensorFlow needed).

fixtures/<CODE>_<slug>/
  bad.py        the mistake; expected.txt lists `line:col CODE safe|unsafe|none` for each report
  fixed.py      exactly what `--fix --unsafe-fixes` makes of bad.py
  near_miss.py  look-alikes that must stay silent
"""

from pathlib import Path

import pytest

from keraslint.config import Settings
from keraslint.engine import check_source, fix_source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "bad.py").is_file())
ALL = Settings(select=("ALL",))


def _read(case: str, name: str) -> str:
    return (FIXTURES / case / name).read_text(encoding="utf-8")


def _describe(violations):
    return [f"{v.line}:{v.col + 1} {v.code} {v.fix.applicability if v.fix else 'none'}" for v in violations]


def test_fixtures_exist():
    assert CASES, "no fixtures found"


@pytest.mark.parametrize("case", CASES)
def test_bad_reports_expected(case):
    expected = [line for line in _read(case, "expected.txt").splitlines() if line.strip()]
    assert _describe(check_source(_read(case, "bad.py"), case, ALL)) == expected


@pytest.mark.parametrize("case", CASES)
def test_every_report_names_the_fixture_code(case):
    code = case.split("_", 1)[0]
    assert {v.code for v in check_source(_read(case, "bad.py"), case, ALL)} == {code}


@pytest.mark.parametrize("case", CASES)
def test_fix_produces_fixed(case):
    outcome = fix_source(_read(case, "bad.py"), case, ALL, unsafe=True)
    assert outcome.problems == []
    assert outcome.text == _read(case, "fixed.py")


@pytest.mark.parametrize("case", CASES)
def test_fixing_fixed_changes_nothing(case):
    fixed = _read(case, "fixed.py")
    assert fix_source(fixed, case, ALL, unsafe=True).text == fixed


@pytest.mark.parametrize("case", CASES)
def test_near_miss_is_silent(case):
    assert _describe(check_source(_read(case, "near_miss.py"), case, ALL)) == []


@pytest.mark.parametrize("case", CASES)
def test_safe_fixes_alone_change_only_safe_reports(case):
    bad = _read(case, "bad.py")
    before = check_source(bad, case, ALL)
    outcome = fix_source(bad, case, ALL, unsafe=False)
    if not any(v.fix and v.fix.applicability == "safe" for v in before):
        assert outcome.text == bad
    else:
        assert outcome.text != bad
