"""Bilingual words for the assessment's facts and grades; sentences are built from numbers."""

from __future__ import annotations

from decimal import Decimal

from services.eligibility.assessments.model import IndicatorFact
from services.eligibility.engine.explain import (
    INCIDENT_WORDS,
    LABELS,
    LIST_WORDS,
    SEVERITY_WORDS,
    yuan,
)
from shared.contracts.assessment import AssessmentGrade
from shared.contracts.facts import Incident, Listing

# fact -> (中文, English, unit 中文, unit English); money is shown in yuan, stored in fen.
FACT_WORDS: dict[IndicatorFact, tuple[str, str, str, str]] = {
    IndicatorFact.TRAINING_SESSIONS: ("培训活动次数", "training activities", "次", "sessions"),
    IndicatorFact.TRAINING_ATTENDANCE: ("培训人次", "training attendance", "人次", "attendances"),
    IndicatorFact.MENTORING_SESSIONS: ("创业辅导次数", "mentoring sessions", "次", "sessions"),
    IndicatorFact.TEAMS_IN_INCUBATION: (
        "年末在孵企业和团队数",
        "enterprises and teams in incubation at year end",
        "个",
        "",
    ),
    IndicatorFact.NEW_TEAMS_ADMITTED: (
        "新入孵企业和团队数",
        "enterprises and teams admitted",
        "个",
        "",
    ),
    IndicatorFact.GRADUATED_TEAMS_REGISTERED_ENTERPRISES: (
        "毕业团队注册企业数",
        "graduated teams that registered enterprises",
        "家",
        "",
    ),
    IndicatorFact.FINANCING_OBTAINED_FEN: ("获得融资额", "financing obtained", "元", "yuan"),
}

GRADE_EN: dict[AssessmentGrade, str] = {
    AssessmentGrade.EXCELLENT: "excellent",
    AssessmentGrade.GOOD: "good",
    AssessmentGrade.QUALIFIED: "pass",
    AssessmentGrade.UNQUALIFIED: "fail",
}


def missing_zh(path: str) -> str:
    """A missing fact as a Chinese sentence names it: its label, the field cited after it
    (``培训活动次数（training_sessions）``)."""
    if path in _INDICATOR_FACTS:
        label = FACT_WORDS[IndicatorFact(path)][0]
    else:  # the records an overriding condition reads: incidents, listings
        label = LABELS.get(f"compliance.{path}", (path, path))[0]
    return f"{label}（{path}）"


_INDICATOR_FACTS = frozenset(fact.value for fact in IndicatorFact)


def amount(fact: IndicatorFact, value: int) -> tuple[str, str]:
    """A fact's value with its unit, in Chinese and English."""
    _, _, unit_zh, unit_en = FACT_WORDS[fact]
    shown = yuan(value) if fact is IndicatorFact.FINANCING_OBTAINED_FEN else str(value)
    return f"{shown}{unit_zh}", f"{shown} {unit_en}".rstrip()


def number(value: Decimal) -> str:
    """A weight, cap or score as written in the scheme: 15, 1.2, 87.50 (no exponent)."""
    return format(value, "f")


def percent(ratio: Decimal) -> str:
    """A ratio as a percentage for people to read: 0.755 -> '75.5'."""
    return number((ratio * 100).normalize())


def incident_words(incident: Incident) -> tuple[str, str]:
    kind_zh, kind_en = INCIDENT_WORDS[incident.kind]
    severity_zh, severity_en = SEVERITY_WORDS[incident.severity]
    day = incident.occurred_on.isoformat()
    return f"{day}{severity_zh}{kind_zh}", f"{severity_en} {kind_en} on {day}"


def listing_words(listing: Listing) -> tuple[str, str]:
    list_zh, list_en = LIST_WORDS[listing.list]
    since = listing.listed_on.isoformat()
    if listing.removed_on is None:
        return f"{since}起列入{list_zh}", f"on {list_en} since {since}"
    until = listing.removed_on.isoformat()
    return (
        f"{since}至{until}列入{list_zh}",
        f"on {list_en} from {since} until {until}",
    )
