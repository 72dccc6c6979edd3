"""Annual assessment (年度考核): scoring rules, strict scheme loading, receipts over HTTP."""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.eligibility.assessments.model import AssessmentScheme, Indicator
from services.eligibility.assessments.models import AssessmentReceiptRow
from services.eligibility.assessments.schemas import AssessmentResult, AssessmentVerdict
from services.eligibility.assessments.service import (
    DATA_DIR,
    AssessmentSchemeError,
    SchemeBook,
    indicator_points,
    score,
)
from shared.contracts.assessment import AssessmentFacts, AssessmentGrade
from shared.db import utcnow
from tests.conftest import client_for
from tests.eligibility.conftest import registered_space

SHIPPED = SchemeBook.load()
YEAR = 2025


def facts_body(**overrides: Any) -> dict[str, Any]:
    """A year in which every indicator of the shipped 2025 scheme is exactly at its target."""
    body: dict[str, Any] = {
        "year": YEAR,
        "jurisdiction_code": "620102",
        "training_sessions": 24,
        "training_attendance": 600,
        "mentoring_sessions": 24,
        "teams_in_incubation": 20,
        "new_teams_admitted": 10,
        "graduated_teams_registered_enterprises": 5,
        "financing_obtained_fen": 300_000_000,
        "incidents": [],
        "listings": [],
    }
    body.update(overrides)
    return body


def shipped_score(**overrides: Any) -> AssessmentResult:
    loaded = SHIPPED.for_year(YEAR)
    return score(AssessmentFacts(**facts_body(**overrides)), loaded.scheme, loaded.content_hash)


def one_indicator_scheme(**overrides: Any) -> AssessmentScheme:
    """One indicator worth all 100 points at 10,000 sessions: the score is sessions ÷ 100."""
    data: dict[str, Any] = {
        "id": "test-scheme",
        "year": YEAR,
        "title_zh": "测试方案",
        "title_en": "Test scheme",
        "status": "adopted",
        "source": "tests",
        "indicators": [
            {
                "id": "sessions",
                "title_zh": "培训活动次数",
                "title_en": "Training activities",
                "fact": "training_sessions",
                "target": 10_000,
                "weight": 100,
                "cap": 1,
                "basis": "tests",
            }
        ],
        "grade_bands": [
            {"grade": "优秀", "min_score": 90},
            {"grade": "良好", "min_score": 75},
            {"grade": "合格", "min_score": 60},
            {"grade": "不合格", "min_score": 0},
        ],
        "overriding_conditions": [],
    }
    data.update(overrides)
    return AssessmentScheme.model_validate(data)


def score_sessions(sessions: int, scheme: AssessmentScheme, **facts: Any) -> AssessmentResult:
    return score(AssessmentFacts(year=YEAR, training_sessions=sessions, **facts), scheme, "0" * 64)


# --- grade bands, weights, caps ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sessions", "score_text", "grade"),
    [
        (9000, "90.00", "优秀"),
        (8999, "89.99", "良好"),
        (7500, "75.00", "良好"),
        (7499, "74.99", "合格"),
        (6000, "60.00", "合格"),
        (5999, "59.99", "不合格"),
        (0, "0.00", "不合格"),
        (10_000, "100.00", "优秀"),
    ],
)
def test_each_grade_band_includes_its_minimum(sessions, score_text, grade) -> None:
    result = score_sessions(sessions, one_indicator_scheme())
    assert result.verdict == "graded"
    assert str(result.score) == score_text
    assert result.grade == grade
    assert result.band_grade == grade


def test_every_indicator_at_target_earns_its_weight_and_full_marks() -> None:
    result = shipped_score()
    weights = {i.id: i.weight for i in SHIPPED.for_year(YEAR).scheme.indicators}
    assert {r.id: r.points for r in result.indicators} == weights
    assert result.score == Decimal("100.00")
    assert result.grade == "优秀"


def test_points_are_the_weight_times_the_share_of_target() -> None:
    # 10 of a 20-team target earns half of the 20 points: 90.00, exactly the 优秀 minimum.
    result = shipped_score(teams_in_incubation=10)
    teams = next(r for r in result.indicators if r.id == "teams-in-incubation")
    assert teams.points == Decimal("10.00")
    assert teams.achievement_percent == Decimal("50.00")
    assert "10个，目标20个，完成50.00%，得10.00分（分值20分）" in teams.explanation_zh
    assert "10 against a target of 20, 50.00 % achieved: 10.00 points (weight 20)" in (
        teams.explanation_en
    )
    assert result.score == Decimal("90.00")
    assert result.grade == "优秀"


def test_points_round_half_up_to_the_hundredth() -> None:
    # 10 points × 299,999,999 / 300,000,000 = 9.99999997 → 10.00 after rounding: still full.
    assert shipped_score(financing_obtained_fen=299_999_999).score == Decimal("100.00")
    # 10 × 299,850,000 / 300,000,000 = 9.995 exactly: rounds half up to 10.00 ...
    assert shipped_score(financing_obtained_fen=299_850_000).score == Decimal("100.00")
    # ... and one fen less is 9.99.
    assert shipped_score(financing_obtained_fen=299_849_999).score == Decimal("99.99")


def test_a_tie_rounds_half_up_because_points_multiply_before_dividing() -> None:
    indicator = Indicator(
        id="ties",
        title_zh="测试",
        title_en="test",
        fact="training_sessions",
        target=24,
        weight=Decimal(3),
        cap=Decimal(1),
        basis="3 × 5 / 24 = 0.625 exactly; 5 / 24 first would leave 0.62499…",
    )
    assert indicator_points(indicator, 5) == Decimal("0.63")


def test_a_cap_of_one_stops_points_at_the_target() -> None:
    result = shipped_score(training_sessions=48)
    sessions = next(r for r in result.indicators if r.id == "training-sessions")
    assert sessions.points == Decimal("15.00")
    assert sessions.capped is True
    assert "完成200.00%，超过上限，按100%计" in sessions.explanation_zh


def test_a_cap_above_one_rewards_over_achievement_up_to_the_cap() -> None:
    at_cap = shipped_score(graduated_teams_registered_enterprises=6, training_sessions=12)
    above = shipped_score(graduated_teams_registered_enterprises=9, training_sessions=12)
    for result in (at_cap, above):
        graduated = next(r for r in result.indicators if r.id == "graduated-enterprises")
        assert graduated.points == Decimal("24.00")  # 20 × 1.2
    assert [
        next(r for r in x.indicators if r.id == "graduated-enterprises").capped
        for x in (at_cap, above)
    ] == [False, True]
    # The bonus makes up for half the training points (7.50 lost, 4.00 gained).
    assert at_cap.score == Decimal("96.50")


def test_the_score_never_exceeds_full_marks() -> None:
    result = shipped_score(graduated_teams_registered_enterprises=6)
    assert result.points_total == Decimal("104.00")
    assert result.score == Decimal("100.00")
    assert "各项合计104.00分，按满分100分计" in result.summary_zh


# --- overriding conditions ---------------------------------------------------------------------


def _trigger_for(condition: Any) -> dict[str, Any]:
    when = condition.when
    if when.incident is not None:
        incident = {
            "kind": when.incident.kind.value,
            "severity": when.incident.severity.value,
            "occurred_on": f"{YEAR}-06-30",
        }
        return {"incidents": [incident]}
    return {"listings": [{"list": when.listed_on.value, "listed_on": f"{YEAR}-03-01"}]}


@pytest.mark.parametrize(
    "condition",
    SHIPPED.for_year(YEAR).scheme.overriding_conditions,
    ids=lambda c: c.id,
)
def test_each_overriding_condition_bars_excellent(condition) -> None:
    result = shipped_score(**_trigger_for(condition))
    assert result.score == Decimal("100.00")
    assert result.band_grade == "优秀"
    assert result.grade == condition.grade_at_most == "良好"
    (applied,) = [o for o in result.overriding_conditions if o.applied]
    assert applied.id == condition.id
    assert "降为良好" in applied.explanation_zh
    assert f"因{condition.title_zh}，定为良好" in result.summary_zh


def test_an_override_does_not_raise_a_lower_grade() -> None:
    accident = {"kind": "safety", "severity": "major", "occurred_on": f"{YEAR}-06-30"}
    result = shipped_score(incidents=[accident], teams_in_incubation=0, new_teams_admitted=0)
    (safety,) = [o for o in result.overriding_conditions if o.id == "major-safety-accident"]
    assert result.score == Decimal("70.00")
    assert result.grade == "合格"
    assert (safety.triggered, safety.applied) == (True, False)
    assert "按分数评定的合格不受影响" in safety.explanation_zh


@pytest.mark.parametrize(
    "incident",
    [
        {"kind": "safety", "severity": "serious", "occurred_on": f"{YEAR}-06-30"},
        {"kind": "safety", "severity": "major", "occurred_on": f"{YEAR - 1}-12-31"},
        {"kind": "safety", "severity": "major", "occurred_on": f"{YEAR + 1}-01-01"},
    ],
    ids=["less-severe", "the-year-before", "the-year-after"],
)
def test_an_incident_outside_the_condition_does_not_trigger_it(incident) -> None:
    result = shipped_score(incidents=[incident])
    assert result.grade == "优秀"
    assert not any(o.triggered for o in result.overriding_conditions)


@pytest.mark.parametrize(
    ("listed_on", "removed_on", "triggered"),
    [
        (f"{YEAR - 1}-06-01", f"{YEAR}-01-02", True),  # still listed on 1 January
        (f"{YEAR - 1}-06-01", f"{YEAR}-01-01", False),  # removed as the year began
        (f"{YEAR}-12-31", None, True),
        (f"{YEAR + 1}-01-01", None, False),
    ],
)
def test_a_listing_counts_if_in_force_on_any_day_of_the_year(
    listed_on, removed_on, triggered
) -> None:
    listing = {"list": "serious_violation", "listed_on": listed_on, "removed_on": removed_on}
    result = shipped_score(listings=[listing])
    (condition,) = [o for o in result.overriding_conditions if o.id == "serious-violation-list"]
    assert condition.triggered is triggered
    assert result.grade == ("良好" if triggered else "优秀")


def test_the_capped_grade_is_configurable() -> None:
    scheme = one_indicator_scheme(
        overriding_conditions=[
            {
                "id": "listed",
                "title_zh": "列入严重违法失信企业名单",
                "title_en": "On the serious-violation list",
                "grade_at_most": "合格",
                "when": {"listed_on": "serious_violation"},
            }
        ]
    )
    listing = {"list": "serious_violation", "listed_on": f"{YEAR}-05-01"}
    result = score_sessions(9500, scheme, listings=[listing])
    assert (result.band_grade, result.grade) == ("优秀", "合格")


# --- missing facts ------------------------------------------------------------------------------


def test_missing_facts_make_the_result_incomplete_and_are_named() -> None:
    result = shipped_score(mentoring_sessions=None, listings=None)
    assert result.verdict == "incomplete"
    assert result.missing_facts == ["mentoring_sessions", "listings"]
    assert (result.score, result.grade, result.band_grade) == (None, None, None)
    assert (
        "缺少2项：创业辅导次数（mentoring_sessions）、"
        "经营异常名录和严重违法失信企业名单记录（listings）"
    ) in result.summary_zh
    mentoring = next(r for r in result.indicators if r.fact == "mentoring_sessions")
    assert mentoring.points is None
    assert mentoring.missing_facts == ["mentoring_sessions"]


def test_only_the_facts_a_scheme_reads_are_required() -> None:
    result = score_sessions(8000, one_indicator_scheme())
    assert result.verdict == "graded"
    assert result.missing_facts == []


def test_the_example_scheme_says_so_in_every_result() -> None:
    result = shipped_score()
    assert result.scheme.status == "default_example"
    assert "示例默认方案" in result.summary_zh
    assert "EXAMPLE default" in result.summary_en


# --- strict loading ------------------------------------------------------------------------------


def test_the_shipped_schemes_load_and_are_labelled_examples() -> None:
    schemes = SHIPPED.all()
    assert [s.scheme.year for s in schemes][:2] == [2025, 2026]
    for loaded in schemes:
        assert loaded.scheme.status == "default_example"
        assert "示例默认方案" in loaded.scheme.title_zh
        assert "EXAMPLE" in loaded.scheme.title_en
        assert "EXAMPLE" in loaded.scheme.notes


def _write(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")


def _shipped_text() -> str:
    return (DATA_DIR / "default-2025.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'status = "default_example"',
            'status = "default_example"\nbonus_points = 5',
            "bonus_points",
        ),
        ("weight = 15", "weight = 16", "weights must sum to 100; they sum to 101"),
        ("min_score = 90", "min_score = 70", "grade_bands are not ordered: 优秀 needs 70"),
        ('grade = "良好"', 'grade = "合格"', "each grade once, best first"),
        ('fact = "training_sessions"', 'fact = "revenue_fen"', "revenue_fen"),
        ("cap = 1.2", "cap = 0.5", "cap"),
        ('grade_at_most = "良好"', 'grade_at_most = "优秀"', "caps nothing"),
        ('status = "default_example"', 'status = "draft"', "status"),
    ],
    ids=[
        "unknown-key",
        "weights-not-100",
        "bands-unordered",
        "bands-out-of-grade-order",
        "unknown-fact",
        "cap-below-one",
        "override-caps-nothing",
        "unknown-status",
    ],
)
def test_strict_loading_refuses_a_bad_file(tmp_path, old, new, message) -> None:
    text = _shipped_text()
    assert old in text
    _write(tmp_path, "bad.toml", text.replace(old, new, 1))
    with pytest.raises(AssessmentSchemeError, match=r"bad\.toml") as refused:
        SchemeBook.load(tmp_path)
    assert message in str(refused.value)


def test_two_schemes_for_one_year_stop_the_start(tmp_path) -> None:
    text = _shipped_text()
    _write(tmp_path, "a.toml", text)
    _write(tmp_path, "b.toml", text.replace('id = "default-2025"', 'id = "bureau-2025"'))
    with pytest.raises(AssessmentSchemeError, match="two schemes for 2025"):
        SchemeBook.load(tmp_path)


def test_an_added_file_adds_a_year(tmp_path) -> None:
    for path in DATA_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path)
    adopted = (
        _shipped_text()
        .replace('id = "default-2025"', 'id = "bureau-2027"')
        .replace("year = 2025", "year = 2027")
        .replace('status = "default_example"', 'status = "adopted"')
    )
    _write(tmp_path, "bureau-2027.toml", adopted)
    book = SchemeBook.load(tmp_path)
    assert book.for_year(2027).id == "bureau-2027"
    assert book.for_year(2027).scheme.status == "adopted"


def test_an_empty_directory_stops_the_start(tmp_path) -> None:
    with pytest.raises(AssessmentSchemeError, match="no assessment scheme files"):
        SchemeBook.load(tmp_path)


# --- HTTP ---------------------------------------------------------------------------------------


@pytest.fixture
async def eligibility_app(wired):
    return wired


@pytest.fixture
async def eligibility(eligibility_app):
    async with client_for(eligibility_app) as client:
        yield client


async def _assess(client, headers, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/v1/assessments", json={"facts": facts_body(**overrides)}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_receipt_is_stored_and_explains_itself(eligibility, registry, auth) -> None:
    accident = {"kind": "safety", "severity": "major", "occurred_on": f"{YEAR}-08-08"}
    space = await registered_space(registry, auth)
    created = await eligibility.post(
        "/v1/assessments",
        json={"facts": facts_body(space_id=space, training_attendance=450, incidents=[accident])},
        headers=auth("expert"),
    )
    assert created.status_code == 201, created.text
    receipt = created.json()
    assert created.headers["location"] == f"/v1/assessments/{receipt['id']}"
    result = receipt["result"]
    assert result["verdict"] == "graded"
    assert result["scheme"]["id"] == "default-2025"
    assert result["scheme"]["content_hash"] == SHIPPED.get("default-2025").content_hash
    assert (result["score"], result["band_grade"], result["grade"]) == ("96.25", "优秀", "良好")
    attendance = next(i for i in result["indicators"] if i["id"] == "training-attendance")
    assert attendance["facts"] == {"training_attendance": 450}
    assert attendance["points"] == "11.25"
    assert "450人次，目标600人次，完成75.00%，得11.25分（分值15分）" in attendance["explanation_zh"]
    assert "96.25分，良好" in result["summary_zh"]
    assert receipt["space_id"] == space
    assert receipt["requested_by"] == "test-expert-all"

    fetched = await eligibility.get(f"/v1/assessments/{receipt['id']}", headers=auth("auditor"))
    assert fetched.json() == receipt
    log = (await eligibility.get("/v1/audit-log", headers=auth("auditor"))).json()["items"]
    assert [(r["action"], r["object_type"], r["object_id"]) for r in log] == [
        ("create_assessment", "assessment_receipt", receipt["id"])
    ]
    assert json.loads(log[0]["details"])["grade"] == "良好"


async def test_an_incomplete_assessment_is_stored_without_grade(eligibility, auth) -> None:
    receipt = await _assess(eligibility, auth("city_admin"), new_teams_admitted=None)
    result = receipt["result"]
    assert result["verdict"] == "incomplete"
    assert result["missing_facts"] == ["new_teams_admitted"]
    assert (result["score"], result["grade"]) == (None, None)
    listed = (await eligibility.get("/v1/assessments", headers=auth("auditor"))).json()
    assert [(i["verdict"], i["grade"], i["score"]) for i in listed["items"]] == [
        ("incomplete", None, None)
    ]


async def test_replay_reproduces_the_receipt(eligibility, auth) -> None:
    receipt = await _assess(eligibility, auth("city_admin"), mentoring_sessions=7)
    replay = await eligibility.get(
        f"/v1/assessments/{receipt['id']}/replay", headers=auth("auditor")
    )
    assert replay.status_code == 200
    assert replay.json() == {
        "receipt_id": receipt["id"],
        "scheme_id": "default-2025",
        "scheme_hash": receipt["result"]["scheme"]["content_hash"],
        "identical": True,
        "same_outcome": True,
        "differences": [],
    }


async def test_replay_names_what_differs(eligibility_app, eligibility, auth, monkeypatch) -> None:
    receipt = await _assess(eligibility, auth("city_admin"))
    book: SchemeBook = eligibility_app.state.assessment_schemes
    loaded = book.get("default-2025")
    url = f"/v1/assessments/{receipt['id']}/replay"

    monkeypatch.setattr(
        "services.eligibility.assessments.service.ENGINE_VERSION", "9.9.9", raising=True
    )
    changed_code = (await eligibility.get(url, headers=auth("auditor"))).json()
    assert changed_code["identical"] is False
    assert changed_code["same_outcome"] is True  # a later engine, the same result
    assert changed_code["differences"] == ["engine_version"]

    monkeypatch.setitem(book._by_id, "default-2025", replace(loaded, content_hash="0" * 64))
    changed_scheme = (await eligibility.get(url, headers=auth("auditor"))).json()
    assert changed_scheme["identical"] is False
    assert changed_scheme["same_outcome"] is False
    assert changed_scheme["differences"] == ["scheme.content_hash"]


async def test_a_year_without_a_scheme_is_a_clear_422(eligibility, auth) -> None:
    response = await eligibility.post(
        "/v1/assessments", json={"facts": facts_body(year=2031)}, headers=auth("city_admin")
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:lzms:problem:no-assessment-scheme"
    assert "year 2031" in problem["detail"]
    assert problem["year"] == 2031
    listed = (await eligibility.get("/v1/assessments", headers=auth("auditor"))).json()
    assert listed["items"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"training_sessions": -1}, "body.facts.training_sessions"),
        ({"financing_obtained_fen": -100}, "body.facts.financing_obtained_fen"),
        ({"teams_in_incubation": 10_000_001}, "body.facts.teams_in_incubation"),
        ({"year": 2014}, "body.facts.year"),
        (
            {"incidents": [{"kind": "fire", "severity": "major", "occurred_on": "2025-01-01"}]},
            "body.facts.incidents.0.kind",
        ),
        (
            {"listings": [{"list": "blacklist", "listed_on": "2025-01-01"}]},
            "body.facts.listings.0.list",
        ),
        ({"jurisdiction_code": "620199"}, "body.facts.jurisdiction_code"),
        ({"revenue_fen": 1}, "body.facts.revenue_fen"),
    ],
)
async def test_bad_facts_are_422_naming_the_field(eligibility, auth, change, field) -> None:
    response = await eligibility.post(
        "/v1/assessments", json={"facts": facts_body(**change)}, headers=auth("city_admin")
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_district_scores_and_reads_only_its_own(eligibility, auth) -> None:
    district = auth("district_officer", "620102")
    own = await _assess(eligibility, district)
    other = await _assess(eligibility, auth("city_admin"), jurisdiction_code="620104")

    for jurisdiction in ("620104", None):
        refused = await eligibility.post(
            "/v1/assessments",
            json={"facts": facts_body(jurisdiction_code=jurisdiction)},
            headers=district,
        )
        assert refused.status_code == 403
        assert "620102" in refused.json()["detail"]

    assert (
        await eligibility.get(f"/v1/assessments/{own['id']}", headers=district)
    ).status_code == 200
    hidden = await eligibility.get(f"/v1/assessments/{other['id']}", headers=district)
    missing = await eligibility.get(f"/v1/assessments/{uuid.uuid4()}", headers=district)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["type"] == missing.json()["type"]
    replay = await eligibility.get(f"/v1/assessments/{other['id']}/replay", headers=district)
    assert replay.status_code == 404
    listed = (await eligibility.get("/v1/assessments", headers=district)).json()
    assert [i["id"] for i in listed["items"]] == [own["id"]]


async def test_a_district_scores_only_its_own_spaces(eligibility, registry, auth) -> None:
    """Another district's space, claimed under one's own jurisdiction, is the same 404 as a
    space the registry lacks; one's own is stored, the bureau's is stored, and facts naming
    no space are kept under the district but under no space."""
    theirs = await registered_space(registry, auth, "620102")
    ours = await registered_space(registry, auth, "620103")
    officer = auth("district_officer", "620103")

    async def assess(headers: dict[str, str], **facts: Any) -> Any:
        return await eligibility.post(
            "/v1/assessments", json={"facts": facts_body(**facts)}, headers=headers
        )

    foreign = await assess(officer, space_id=theirs, jurisdiction_code="620103")
    unknown_id = str(uuid.uuid4())
    unknown = await assess(officer, space_id=unknown_id, jurisdiction_code="620103")
    assert foreign.status_code == unknown.status_code == 404, foreign.text
    assert foreign.json()["type"] == "urn:lzms:problem:space-not-found"
    a, b = foreign.json(), unknown.json()
    a.pop("request_id"), b.pop("request_id")
    assert a == json.loads(json.dumps(b).replace(unknown_id, theirs))
    assert (await eligibility.get("/v1/assessments", headers=auth("auditor"))).json()["items"] == []

    own = await assess(officer, space_id=ours, jurisdiction_code="620103")
    assert own.status_code == 201, own.text
    bureau = await assess(auth("city_admin"), space_id=theirs)
    assert bureau.status_code == 201, bureau.text
    assert (bureau.json()["space_id"], bureau.json()["jurisdiction_code"]) == (theirs, "620102")
    unfiled = await assess(officer, jurisdiction_code="620103")
    assert unfiled.status_code == 201, unfiled.text
    assert unfiled.json()["space_id"] is None
    by_space = (
        await eligibility.get(f"/v1/assessments?space_id={theirs}", headers=auth("auditor"))
    ).json()["items"]
    assert [i["id"] for i in by_space] == [bureau.json()["id"]]


async def test_finance_officers_do_not_score(eligibility, auth) -> None:
    response = await eligibility.post(
        "/v1/assessments", json={"facts": facts_body()}, headers=auth("finance_officer")
    )
    assert response.status_code == 403


async def test_the_list_filters_and_pages(eligibility, registry, auth) -> None:
    admin = auth("city_admin")
    space = await registered_space(registry, auth)
    first = await _assess(eligibility, admin, space_id=space)
    second = await _assess(eligibility, admin, space_id=space, year=2026, teams_in_incubation=0)
    await _assess(eligibility, admin)

    by_space = (await eligibility.get(f"/v1/assessments?space_id={space}", headers=admin)).json()
    assert [i["id"] for i in by_space["items"]] == [first["id"], second["id"]]
    by_year = (await eligibility.get("/v1/assessments?year=2026", headers=admin)).json()
    assert [(i["id"], i["scheme_id"], i["score"]) for i in by_year["items"]] == [
        (second["id"], "default-2026", "80.00")
    ]
    by_grade = (
        await eligibility.get("/v1/assessments", params={"grade": "良好"}, headers=admin)
    ).json()
    assert [i["id"] for i in by_grade["items"]] == [second["id"]]

    page_one = (await eligibility.get("/v1/assessments?limit=2", headers=admin)).json()
    page_two = (
        await eligibility.get(
            "/v1/assessments", params={"limit": 2, "cursor": page_one["next_cursor"]}, headers=admin
        )
    ).json()
    assert len(page_one["items"]) == 2
    assert len(page_two["items"]) == 1
    assert page_two["next_cursor"] is None


async def test_schemes_are_published_with_their_hash(eligibility, auth) -> None:
    listed = (await eligibility.get("/v1/assessment-schemes", headers=auth("auditor"))).json()
    assert [(s["id"], s["year"], s["status"]) for s in listed][:2] == [
        ("default-2025", 2025, "default_example"),
        ("default-2026", 2026, "default_example"),
    ]
    detail = (
        await eligibility.get("/v1/assessment-schemes/default-2025", headers=auth("auditor"))
    ).json()
    assert detail["content_hash"] == listed[0]["content_hash"]
    assert sum(Decimal(i["weight"]) for i in detail["indicators"]) == 100
    assert [b["grade"] for b in detail["grade_bands"]] == ["优秀", "良好", "合格", "不合格"]
    unknown = await eligibility.get("/v1/assessment-schemes/nope", headers=auth("auditor"))
    assert unknown.status_code == 404
    schema = (await eligibility.get("/v1/assessment-facts-schema", headers=auth("auditor"))).json()
    assert schema["properties"]["training_sessions"]["anyOf"][0]["minimum"] == 0


@pytest.mark.parametrize(
    "statement",
    ["UPDATE assessment_receipts SET grade = '优秀'", "DELETE FROM assessment_receipts"],
)
async def test_the_database_refuses_to_change_a_receipt(
    eligibility_app, eligibility, auth, statement
) -> None:
    receipt = await _assess(eligibility, auth("city_admin"), teams_in_incubation=0)
    with pytest.raises(DBAPIError, match="append-only"):
        async with eligibility_app.state.database.engine.begin() as connection:
            await connection.execute(sa.text(statement))
    fetched = await eligibility.get(f"/v1/assessments/{receipt['id']}", headers=auth("auditor"))
    assert fetched.json()["result"]["grade"] == "良好"


async def test_the_database_refuses_a_grade_without_a_score(eligibility_app) -> None:
    row = {
        "id": uuid.uuid4(),
        "created_at": utcnow(),
        "requested_by": "someone",
        "requested_role": "city_admin",
        "year": YEAR,
        "scheme_id": "default-2025",
        "scheme_hash": "0" * 64,
        "engine_version": "1.0.0",
        "input_hash": "0" * 64,
        "verdict": AssessmentVerdict.GRADED,
        "grade": AssessmentGrade.EXCELLENT,
        "score_hundredths": None,
        "facts": "{}",
        "result": "{}",
    }
    with pytest.raises(IntegrityError):
        async with eligibility_app.state.database.engine.begin() as connection:
            await connection.execute(sa.insert(AssessmentReceiptRow.__table__).values(**row))
