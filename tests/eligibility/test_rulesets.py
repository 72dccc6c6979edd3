"""Rulesets load strictly, cite the source verbatim, and are chosen by date."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from services.eligibility.engine.checks import CHECKS
from services.eligibility.rulesets.service import (
    DATA_DIR,
    NoRulesetInForce,
    RulesetBook,
    RulesetError,
)
from shared.settings import REPO_ROOT

SOURCE_ARTICLE = DATA_DIR / "source-article.zh.txt"
THE_2018 = (DATA_DIR / "lz-measures-2018.toml").read_text(encoding="utf-8")


def _book_of(tmp_path: Path, *texts: str) -> RulesetBook:
    for index, text in enumerate(texts):
        (tmp_path / f"r{index}.toml").write_text(text, encoding="utf-8")
    return RulesetBook.load(tmp_path)


def test_every_clause_is_verbatim_from_the_source() -> None:
    article = SOURCE_ARTICLE.read_text(encoding="utf-8")
    for loaded in RulesetBook.load().all():
        for rule in loaded.rules.conditions:
            assert rule.clause_text in article, (loaded.id, rule.id)
        assert loaded.rules.priority.clause_text in article


def test_every_threshold_lives_in_the_ruleset() -> None:
    """No check body holds a number of the law: each number it uses is a declared parameter."""
    source = (REPO_ROOT / "services/eligibility/engine/checks.py").read_text(encoding="utf-8")
    for number in ("500", "1000", "20", "80", "10", "12"):
        assert not re.search(rf"(?<![\w.]){number}(?![\w.])", source), number
    assert {spec.name for spec in CHECKS.values()} >= {
        rule.check for rule in RulesetBook.load().in_force_on(date(2026, 1, 1)).rules.conditions
    }


def test_chosen_by_date() -> None:
    book = RulesetBook.load()
    assert book.in_force_on(date(2018, 12, 1)).id == "lz-measures-2018"
    assert book.in_force_on(date(2030, 1, 1)).id == "lz-measures-2018"  # the draft never is
    with pytest.raises(NoRulesetInForce, match="2018-11-30"):
        book.in_force_on(date(2018, 11, 30))


def test_content_hash_ignores_layout_but_not_content(tmp_path: Path) -> None:
    for name in "abc":
        (tmp_path / name).mkdir()
    original = _book_of(tmp_path / "a", THE_2018).get("lz-measures-2018")
    relaid = THE_2018.replace("\n\n[[conditions]]", "\n\n# a comment\n[[conditions]]")
    assert (
        _book_of(tmp_path / "b", relaid).get("lz-measures-2018").content_hash
        == original.content_hash
    )
    changed = THE_2018.replace('value = 10, unit = "teams"', 'value = 11, unit = "teams"')
    assert (
        _book_of(tmp_path / "c", changed).get("lz-measures-2018").content_hash
        != original.content_hash
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('status = "in_force"', 'status = "in_force"\nfavourite = true'), "favourite"),
        (('clause = "认定条件第3项"\n', ""), "clause"),
        (('clause_text = "良好的配套设施。', 'clause_text = "" #'), "clause_text"),
        (('value = 500, unit = "m2", ', 'unit = "m2", '), "value"),
        (('value = 20, unit = "workstations"', 'value = 20, unit = "m2"'), "workstations"),
        (
            ('parameters.min_teams = { value = 10, unit = "teams", basis = "不少于10个" }', ""),
            "min_teams",
        ),
        (('check = "management_rules"', 'check = "gut_feeling"'), "gut_feeling"),
        (('id = "C9"', 'id = "C10"'), "exactly C1"),
        (
            ("valid_from = 2018-12-01", "valid_from = 2018-12-01\nvalid_to = 2018-01-01"),
            "valid_to is before",
        ),
        (('title_zh = "独立的法人主体"', 'title_zh = "独立的法人主体'), "r0.toml"),
    ],
)
def test_malformed_ruleset_is_refused(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in THE_2018
    with pytest.raises(RulesetError, match=message):
        _book_of(tmp_path, THE_2018.replace(old, new, 1))


def test_overlapping_rulesets_in_force_are_refused(tmp_path: Path) -> None:
    later = THE_2018.replace('id = "lz-measures-2018"', 'id = "lz-measures-2030"').replace(
        "valid_from = 2018-12-01", "valid_from = 2030-01-01"
    )
    with pytest.raises(RulesetError, match="both in force on 2030-01-01"):
        _book_of(tmp_path, THE_2018, later)


def test_a_closed_ruleset_hands_over_to_the_next(tmp_path: Path) -> None:
    closed = THE_2018.replace(
        "valid_from = 2018-12-01", "valid_from = 2018-12-01\nvalid_to = 2029-12-31"
    )
    later = THE_2018.replace('id = "lz-measures-2018"', 'id = "lz-measures-2030"').replace(
        "valid_from = 2018-12-01", "valid_from = 2030-01-01"
    )
    book = _book_of(tmp_path, closed, later)
    assert book.in_force_on(date(2029, 12, 31)).id == "lz-measures-2018"
    assert book.in_force_on(date(2030, 1, 1)).id == "lz-measures-2030"


def test_the_service_refuses_to_start_with_a_bad_ruleset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from services.eligibility import app as eligibility_app
    from services.eligibility.rulesets import service

    (tmp_path / "bad.toml").write_text(
        THE_2018.replace('value = 3, unit = "staff", ', 'unit = "staff", '), encoding="utf-8"
    )
    monkeypatch.setattr(service, "DATA_DIR", tmp_path)
    with pytest.raises(RulesetError, match="min_staff"):
        eligibility_app.create_app()
