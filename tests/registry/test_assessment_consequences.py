"""What an annual assessment result does (动态管理): a 不合格 year puts a recognised space under
rectification (限期整改) with a deadline; the second consecutive one revokes the recognition
(取消认定, failed_assessments), naming both results; a manual revocation for that reason needs
the records to show it; corrections; and the worklist of overdue rectifications."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.assessments.models import SpaceAssessment
from services.registry.assessments.service import add_months
from services.registry.clients.eligibility import EligibilityClient
from services.registry.status import service as status
from services.registry.status.schemas import RevocationCreate
from shared.auth import Principal, Role
from shared.auth.tokens import issue_token
from shared.contracts.assessment import AssessmentGrade
from shared.contracts.events import RevocationReason
from shared.db import utcnow
from shared.timezone import today_in_china
from tests.conftest import client_for
from tests.registry.test_status import (
    OTHER,
    OWN,
    _act,
    _history,
    _space,
    _standing,
    assessment,
    recognition,
    rectification,
    revocation,
)

FAILED = "不合格"


def failed(year: int, assessed_on: str, **overrides: Any) -> dict[str, Any]:
    return assessment(
        year=year,
        grade=FAILED,
        assessed_on=assessed_on,
        document_no=f"兰科发〔{year + 1}〕{year % 100}号",
        **overrides,
    )


async def _recognised(registry, auth, jurisdiction: str = OWN) -> str:
    space = await _space(registry, auth, jurisdiction)
    await _act(registry, auth, space, "recognition", recognition())
    return space


async def _events(registry, auth, space: str) -> list[dict]:
    feed = (await registry.get("/v1/events", headers=auth("service"))).json()["items"]
    return [item["event"] for item in feed if item["event"]["space_id"] == space]


# --- one failed year ------------------------------------------------------------------------


async def test_a_failed_year_puts_a_recognised_space_under_rectification(registry, auth) -> None:
    space = await _recognised(registry, auth)
    result = await _act(registry, auth, space, "assessments", failed(2024, "2025-02-10"))
    consequence = result["consequence"]
    # The default period: 12 calendar months from the day rectification takes effect.
    assert (consequence["act"], consequence["effective_on"], consequence["deadline"]) == (
        "rectification",
        "2025-02-10",
        "2026-02-10",
    )
    assert consequence["document_no"] == "兰科发〔2025〕24号"
    assert (await _standing(registry, auth, space))["status"] == "under_rectification"
    record = (await _history(registry, auth, space))[-1]
    assert (record["act"], record["deadline"], record["id"]) == (
        "rectification",
        "2026-02-10",
        consequence["status_change_id"],
    )
    assert "2024年度考核不合格" in record["remarks"]
    types = [e["type"] for e in await _events(registry, auth, space)]
    assert types == ["space.recognised", "space.assessed", "space.rectification_ordered"]
    ordered = (await _events(registry, auth, space))[-1]
    assert (ordered["deadline"], ordered["assessment_year"], ordered["occurred_on"]) == (
        "2026-02-10",
        2024,
        "2025-02-10",
    )
    listed = (
        await registry.get(f"/v1/spaces/{space}/assessments", headers=auth("auditor"))
    ).json()["items"]
    assert listed[0]["consequence"] == consequence


@pytest.mark.parametrize("grade", ["优秀", "良好", "合格"])
async def test_a_passed_year_changes_nothing(registry, auth, grade) -> None:
    space = await _recognised(registry, auth)
    result = await _act(registry, auth, space, "assessments", assessment(grade=grade))
    assert result["consequence"] is None
    assert (await _standing(registry, auth, space))["status"] == "recognised"


async def test_the_deadline_given_with_the_result_and_its_edges(registry, auth) -> None:
    space = await _recognised(registry, auth)
    before = failed(2024, "2025-02-10", rectification_deadline="2025-02-09")
    refused = await _act(registry, auth, space, "assessments", before, 422)
    assert [e["field"] for e in refused["errors"]] == ["body.rectification_deadline"]
    with_pass = assessment(grade="合格", rectification_deadline="2025-08-31")
    refused = await _act(registry, auth, space, "assessments", with_pass, 422)
    assert "only to a 不合格 result" in refused["errors"][0]["message"]
    # Refused requests changed nothing.
    assert (await _standing(registry, auth, space))["status"] == "recognised"
    assert len(await _history(registry, auth, space)) == 2
    # The deadline may be the result's own date (the edge).
    same_day = failed(2024, "2025-02-10", rectification_deadline="2025-02-10")
    result = await _act(registry, auth, space, "assessments", same_day)
    assert result["consequence"]["deadline"] == "2025-02-10"


async def test_the_default_period_is_a_registry_setting(make_app, auth) -> None:
    app: FastAPI = await make_app("registry", rectification_default_months=6)
    async with client_for(app) as registry:
        space = await _recognised(registry, auth)
        result = await _act(registry, auth, space, "assessments", failed(2024, "2024-08-31"))
    # Six months from 31 August: the last day of February.
    assert result["consequence"]["deadline"] == "2025-02-28"


def test_adding_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2025, 2, 10), 12) == date(2026, 2, 10)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)


async def test_a_space_already_under_rectification_keeps_the_rectification_it_has(
    registry, auth
) -> None:
    space = await _recognised(registry, auth)
    await _act(registry, auth, space, "rectification", rectification())
    result = await _act(registry, auth, space, "assessments", failed(2024, "2025-04-10"))
    assert result["consequence"] is None
    history = await _history(registry, auth, space)
    assert [r["act"] for r in history] == ["registered", "recognition", "rectification"]
    assert history[-1]["deadline"] == "2025-12-31"


async def test_ending_a_rectification_emits_its_event(registry, auth) -> None:
    space = await _recognised(registry, auth)
    await _act(registry, auth, space, "assessments", failed(2024, "2025-02-10"))
    ended = {"effective_on": "2025-09-01", "document_no": "兰科发〔2025〕40号"}
    await _act(registry, auth, space, "rectification-end", ended)
    last = (await _events(registry, auth, space))[-1]
    assert (last["type"], last["occurred_on"], last["document_no"]) == (
        "space.rectification_ended",
        "2025-09-01",
        "兰科发〔2025〕40号",
    )


# --- two consecutive failed years --------------------------------------------------------------


async def test_the_second_consecutive_failed_year_revokes(registry, auth) -> None:
    space = await _recognised(registry, auth)
    first = await _act(registry, auth, space, "assessments", failed(2024, "2025-02-10"))
    second = await _act(registry, auth, space, "assessments", failed(2025, "2026-02-10"))
    consequence = second["consequence"]
    assert (consequence["act"], consequence["reason"], consequence["effective_on"]) == (
        "revocation",
        "failed_assessments",
        "2026-02-10",
    )
    assert (consequence["prior_assessment_id"], consequence["prior_year"]) == (first["id"], 2024)
    standing = await _standing(registry, auth, space)
    assert (standing["status"], standing["levels"]) == ("revoked", [])
    record = (await _history(registry, auth, space))[-1]
    assert (record["act"], record["reason"]) == ("revocation", "failed_assessments")
    assert "连续两年考核不合格" in record["legal_basis"]
    assert "2024年度" in record["remarks"]
    assert "2025年度" in record["remarks"]
    revoked = (await _events(registry, auth, space))[-1]
    assert (revoked["type"], revoked["reason"], revoked["document_no"]) == (
        "space.revoked",
        "failed_assessments",
        "兰科发〔2026〕25号",
    )


async def test_failures_recorded_out_of_order_still_count_as_consecutive(registry, auth) -> None:
    space = await _recognised(registry, auth)
    await _act(registry, auth, space, "assessments", failed(2025, "2026-01-20"))
    result = await _act(registry, auth, space, "assessments", failed(2024, "2026-02-01"))
    assert (result["consequence"]["act"], result["consequence"]["prior_year"]) == (
        "revocation",
        2025,
    )


async def test_failed_years_with_a_pass_between_do_not_revoke(registry, auth) -> None:
    space = await _recognised(registry, auth)
    await _act(registry, auth, space, "assessments", failed(2023, "2024-06-01"))
    ended = {"effective_on": "2024-12-01", "document_no": "兰科发〔2024〕50号"}
    await _act(registry, auth, space, "rectification-end", ended)
    await _act(registry, auth, space, "assessments", assessment(year=2024, grade="合格"))
    result = await _act(registry, auth, space, "assessments", failed(2025, "2026-02-10"))
    assert result["consequence"]["act"] == "rectification"
    assert (await _standing(registry, auth, space))["status"] == "under_rectification"


async def test_a_rectification_ended_then_a_second_failed_year_still_revokes(
    registry, auth
) -> None:
    space = await _recognised(registry, auth)
    await _act(registry, auth, space, "assessments", failed(2024, "2025-02-10"))
    ended = {"effective_on": "2025-09-01", "document_no": "兰科发〔2025〕40号"}
    await _act(registry, auth, space, "rectification-end", ended)
    result = await _act(registry, auth, space, "assessments", failed(2025, "2026-02-10"))
    assert result["consequence"]["act"] == "revocation"


# --- manual revocation for failed assessments -----------------------------------------------


async def test_a_manual_revocation_for_failed_assessments_needs_two_failed_years(
    registry, auth
) -> None:
    space = await _recognised(registry, auth)
    body = revocation(reason="failed_assessments", effective_on="2025-06-01")
    refused = await _act(registry, auth, space, "revocation", body, 409)
    assert refused["type"] == "urn:lzms:problem:revocation-grounds-missing"
    assert refused["failed_years"] == []
    await _act(registry, auth, space, "assessments", failed(2024, "2025-02-10"))
    refused = await _act(registry, auth, space, "revocation", body, 409)
    assert refused["failed_years"] == [2024]
    assert "2024" in refused["detail"]
    # Refused: nothing recorded, the space is still under the rectification it had.
    history = await _history(registry, auth, space)
    assert history[-1]["act"] == "rectification"
    # Another reason is not held to it.
    await _act(registry, auth, space, "revocation", revocation(effective_on="2025-06-01"))


async def test_a_manual_revocation_on_two_failed_years_names_both(registry_app, auth) -> None:
    """Results recorded before their consequences acted (e.g. carried over from paper records):
    the bureau revokes by hand, and the record names the two results."""
    async with client_for(registry_app) as registry:
        space = await _recognised(registry, auth)
    bureau = Principal(subject="bureau-wang", role=Role.CITY_ADMIN)
    database = registry_app.state.database
    async with database.session() as session, session.begin():
        results = []
        for year in (2024, 2025):
            row = SpaceAssessment(
                space_id=uuid.UUID(space),
                year=year,
                revision=1,
                grade=AssessmentGrade.UNQUALIFIED,
                document_no=f"兰科发〔{year + 1}〕{year % 100}号",
                assessed_on=date(year + 1, 2, 10),
                recorded_at=utcnow(),
                recorded_by="paper-records",
            )
            session.add(row)
            results.append(row)
        await session.flush()
        _, change = await status.revoke(
            session,
            bureau,
            results[0].space_id,
            RevocationCreate(
                effective_on=today_in_china() - timedelta(days=1),
                document_no="兰科发〔2026〕70号",
                reason=RevocationReason.FAILED_ASSESSMENTS,
                legal_basis="《兰州市众创空间认定管理办法》",
            ),
        )
        found = await status.consequences_of(session, [results[1].id])
    change_found, ground, prior = found[results[1].id]
    assert change_found.id == change.id
    assert ground.prior_assessment_id == results[0].id
    assert prior is not None
    assert prior.year == 2024


# --- corrections ------------------------------------------------------------------------------


async def test_a_correction_to_a_pass_undoes_nothing(registry, auth) -> None:
    space = await _recognised(registry, auth)
    await _act(registry, auth, space, "assessments", failed(2024, "2025-02-10"))
    corrected = await _act(
        registry,
        auth,
        space,
        "assessments/2024/corrections",
        {
            "grade": "合格",
            "document_no": "兰科发〔2025〕8号",
            "assessed_on": "2025-03-01",
            "reason": "复核改为合格",
        },
    )
    assert corrected["consequence"] is None
    # The rectification runs on until the bureau ends it.
    assert (await _standing(registry, auth, space))["status"] == "under_rectification"
    # A 2025 failure is not consecutive with a year now passed.
    result = await _act(registry, auth, space, "assessments", failed(2025, "2026-02-10"))
    assert result["consequence"] is None
    assert (await _standing(registry, auth, space))["status"] == "under_rectification"


async def test_a_correction_to_a_failure_acts_and_a_failure_corrected_again_does_not(
    registry, auth
) -> None:
    space = await _recognised(registry, auth)
    await _act(registry, auth, space, "assessments", assessment(year=2024, grade="合格"))
    path = "assessments/2024/corrections"
    body = {
        "grade": FAILED,
        "document_no": "兰科发〔2025〕8号",
        "assessed_on": "2025-03-01",
        "reason": "复核",
    }
    corrected = await _act(registry, auth, space, path, body)
    assert corrected["consequence"]["act"] == "rectification"
    again = await _act(registry, auth, space, path, {**body, "document_no": "兰科发〔2025〕9号"})
    assert again["consequence"] is None
    acts = [r["act"] for r in await _history(registry, auth, space)]
    assert acts == ["registered", "recognition", "rectification"]


async def test_a_revocation_is_final_whatever_a_correction_says(registry, auth) -> None:
    space = await _recognised(registry, auth)
    await _act(registry, auth, space, "assessments", failed(2024, "2025-02-10"))
    await _act(registry, auth, space, "assessments", failed(2025, "2026-02-10"))
    await _act(
        registry,
        auth,
        space,
        "assessments/2025/corrections",
        {
            "grade": "合格",
            "document_no": "兰科发〔2026〕30号",
            "assessed_on": "2026-03-01",
            "reason": "复核",
        },
    )
    assert (await _standing(registry, auth, space))["status"] == "revoked"


# --- the worklist of overdue rectifications -----------------------------------------------------


async def _rectified(registry, auth, jurisdiction: str, deadline: str) -> str:
    space = await _recognised(registry, auth, jurisdiction)
    body = failed(2024, "2025-02-10", rectification_deadline=deadline)
    await _act(registry, auth, space, "assessments", body)
    return space


async def _worklist(registry, headers, query: str = "?overdue=true") -> list[dict]:
    response = await registry.get(f"/v1/rectifications{query}", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_the_worklist_of_overdue_rectifications(registry, auth) -> None:
    today = today_in_china()
    yesterday = (today - timedelta(days=1)).isoformat()
    late = await _rectified(registry, auth, OWN, "2025-08-31")
    edge = await _rectified(registry, auth, OWN, yesterday)
    due_today = await _rectified(registry, auth, OWN, today.isoformat())
    other = await _rectified(registry, auth, OTHER, "2025-08-31")
    ended = await _rectified(registry, auth, OWN, "2025-03-31")
    await _act(
        registry,
        auth,
        ended,
        "rectification-end",
        {"effective_on": "2025-03-20", "document_no": "兰科发〔2025〕41号"},
    )

    everyone = await _worklist(registry, auth("city_admin"))
    assert [i["space_id"] for i in everyone][:2] in ([late, other], [other, late])
    assert {i["space_id"] for i in everyone} == {late, other, edge}
    first = next(i for i in everyone if i["space_id"] == late)
    assert first["days_overdue"] == (today - today.replace(2025, 8, 31)).days
    assert (first["overdue"], first["assessment_year"], first["deadline"]) == (
        True,
        2024,
        "2025-08-31",
    )
    assert next(i for i in everyone if i["space_id"] == edge)["days_overdue"] == 1

    own = await _worklist(registry, auth("district_officer", OWN))
    assert {i["space_id"] for i in own} == {late, edge}
    assert {i["space_id"] for i in await _worklist(registry, auth("auditor"))} == {
        late,
        other,
        edge,
    }
    # Without the filter: everything under rectification now, due today included.
    current = await _worklist(registry, auth("district_officer", OWN), "")
    assert {i["space_id"] for i in current} == {late, edge, due_today}
    assert next(i for i in current if i["space_id"] == due_today)["overdue"] is False


async def test_the_worklist_pages_and_refuses_what_it_cannot_read(registry, auth) -> None:
    for deadline in ("2025-06-30", "2025-07-31", "2025-08-31"):
        await _rectified(registry, auth, OWN, deadline)
    page = await registry.get("/v1/rectifications?overdue=true&limit=2", headers=auth("auditor"))
    body = page.json()
    assert [i["deadline"] for i in body["items"]] == ["2025-06-30", "2025-07-31"]
    rest = await registry.get(
        f"/v1/rectifications?overdue=true&limit=2&cursor={body['next_cursor']}",
        headers=auth("auditor"),
    )
    assert [i["deadline"] for i in rest.json()["items"]] == ["2025-08-31"]
    bad = await registry.get("/v1/rectifications?overdue=maybe", headers=auth("auditor"))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.overdue"
    assert (await registry.get("/v1/rectifications", headers=auth("expert"))).status_code == 403
    assert (await registry.get("/v1/rectifications")).status_code == 401


# --- a year's indicators from the registry's records ------------------------------------------


async def _post(registry, auth, path: str, body: dict) -> dict:
    response = await registry.post(path, json=body, headers=auth("district_officer", OWN))
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def test_a_years_indicators_come_from_the_registrys_records(registry, auth) -> None:
    space = await _recognised(registry, auth)
    base = f"/v1/spaces/{space}"
    team = {"field": "high_tech"}
    # Teams: one from 2024 graduating in 2025 with an enterprise, one admitted on the year's
    # first day, one admitted on its last, one exiting on 31 December (no longer in incubation
    # that day), one admitted in 2026.
    old = await _post(
        registry, auth, f"{base}/teams", {**team, "name": "甲", "joined_on": "2024-05-01"}
    )
    await _post(
        registry,
        auth,
        f"{base}/teams/{old['id']}/graduation",
        {"graduated_on": "2025-06-30", "registered_enterprise_name": "甲科技有限公司"},
    )
    await _post(registry, auth, f"{base}/teams", {**team, "name": "乙", "joined_on": "2025-01-01"})
    await _post(registry, auth, f"{base}/teams", {**team, "name": "丙", "joined_on": "2025-12-31"})
    leaving = await _post(
        registry, auth, f"{base}/teams", {**team, "name": "丁", "joined_on": "2025-03-01"}
    )
    await _post(registry, auth, f"{base}/teams/{leaving['id']}/exit", {"exited_on": "2025-12-31"})
    await _post(registry, auth, f"{base}/teams", {**team, "name": "戊", "joined_on": "2026-01-01"})
    for kind, held_on, attendance in (
        ("training", "2025-01-01", 30),
        ("salon", "2025-06-01", 20),
        ("camp", "2025-12-31", 15),
        ("roadshow", "2025-07-01", 99),  # neither training nor mentoring
        ("mentoring", "2025-08-01", 5),
        ("mentoring", "2025-09-01", 6),
        ("training", "2024-12-31", 40),  # the year before
        ("lecture", "2026-01-01", 50),  # the year after
    ):
        await _post(
            registry,
            auth,
            f"{base}/activities",
            {
                "kind": kind,
                "title": f"{kind}-{held_on}",
                "held_on": held_on,
                "attendance": attendance,
            },
        )
    await _post(
        registry,
        auth,
        f"{base}/incidents",
        {
            "kind": "safety",
            "severity": "ordinary",
            "occurred_on": "2025-04-01",
            "description": "消防通道堵塞，已整改",
        },
    )

    response = await registry.get(f"{base}/assessments/2025/indicators", headers=auth("auditor"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["year"], body["through"], body["complete"]) == (2025, "2025-12-31", True)
    facts = body["facts"]
    assert {
        key: facts[key]
        for key in (
            "training_sessions",
            "training_attendance",
            "mentoring_sessions",
            "teams_in_incubation",
            "new_teams_admitted",
            "graduated_teams_registered_enterprises",
            "financing_obtained_fen",
        )
    } == {
        "training_sessions": 3,
        "training_attendance": 65,
        "mentoring_sessions": 2,
        "teams_in_incubation": 2,  # 乙 and 丙; 甲 graduated, 丁 left that day
        "new_teams_admitted": 3,  # 乙, 丙, 丁
        "graduated_teams_registered_enterprises": 1,
        "financing_obtained_fen": None,
    }
    assert (facts["year"], facts["space_id"], facts["jurisdiction_code"]) == (2025, space, OWN)
    assert [i["occurred_on"] for i in facts["incidents"]] == ["2025-04-01"]

    # The current year counts through today and says it is not final.
    today = today_in_china()
    current = await registry.get(
        f"{base}/assessments/{today.year}/indicators", headers=auth("district_officer", OWN)
    )
    assert (current.json()["through"], current.json()["complete"]) == (today.isoformat(), False)
    assert current.json()["facts"]["teams_in_incubation"] == 3  # 乙, 丙, 戊
    future = await registry.get(
        f"{base}/assessments/{today.year + 1}/indicators", headers=auth("auditor")
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "path.year"
    other = await registry.get(
        f"{base}/assessments/2025/indicators", headers=auth("district_officer", OTHER)
    )
    unknown = await registry.get(
        f"/v1/spaces/{uuid.uuid4()}/assessments/2025/indicators",
        headers=auth("district_officer", OTHER),
    )
    assert other.status_code == unknown.status_code == 404
    assert other.json()["type"] == unknown.json()["type"]


# --- scoring with the eligibility service -----------------------------------------------------


@pytest.fixture
async def scored_registry(make_app, registry_app) -> Any:
    """The registry app whose eligibility client calls a real eligibility app in process."""
    eligibility_app = await make_app("eligibility")
    token = issue_token(
        eligibility_app.state.settings, role=Role.SERVICE, subject="service:registry"
    )
    await registry_app.state.eligibility_client.aclose()
    registry_app.state.eligibility_client = EligibilityClient(
        "eligibility",
        "http://eligibility",
        lambda: token,
        transport=httpx.ASGITransport(app=eligibility_app),
    )
    yield eligibility_app, token
    await registry_app.state.eligibility_client.aclose()


async def test_scoring_records_the_grade_with_its_receipt(
    registry, registry_app, auth, scored_registry
) -> None:
    eligibility_app, token = scored_registry
    space = await _recognised(registry, auth)
    base = f"/v1/spaces/{space}/assessments"
    body = {"document_no": "兰科发〔2026〕21号", "assessed_on": "2026-02-10"}

    incomplete = await registry.post(f"{base}/2025/scoring", json=body, headers=auth("city_admin"))
    assert incomplete.status_code == 422, incomplete.text
    problem = incomplete.json()
    assert problem["type"] == "urn:lzms:problem:assessment-score-incomplete"
    assert problem["missing_facts"] == ["financing_obtained_fen"]
    listed = await registry.get(base, headers=auth("auditor"))
    assert listed.json()["items"] == []

    # Nothing done in 2025 and no financing: the example scheme scores 0, 不合格.
    scored = await registry.post(
        f"{base}/2025/scoring",
        json={**body, "financing_obtained_fen": 0},
        headers=auth("city_admin"),
    )
    assert scored.status_code == 201, scored.text
    result = scored.json()
    assert (result["year"], result["grade"], result["revision"]) == (2025, FAILED, 1)
    assert result["score_receipt_id"] is not None
    assert result["consequence"]["act"] == "rectification"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=eligibility_app), base_url="http://eligibility"
    ) as eligibility:
        receipt = await eligibility.get(
            f"/v1/assessments/{result['score_receipt_id']}",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert receipt.status_code == 200, receipt.text
    assert receipt.json()["result"]["grade"] == FAILED
    assert receipt.json()["result"]["scheme"]["id"] == "default-2025"
    assert receipt.json()["facts"]["space_id"] == space
    listed = (await registry.get(base, headers=auth("auditor"))).json()["items"]
    assert listed[0]["score_receipt_id"] == result["score_receipt_id"]

    again = await registry.post(
        f"{base}/2025/scoring",
        json={**body, "financing_obtained_fen": 0},
        headers=auth("city_admin"),
    )
    assert again.status_code == 409
    district = await registry.post(
        f"{base}/2024/scoring", json=body, headers=auth("district_officer", OWN)
    )
    assert district.status_code == 403


async def test_scoring_refuses_before_asking_and_when_unreachable(
    registry, registry_app, auth
) -> None:
    space = await _recognised(registry, auth)
    base = f"/v1/spaces/{space}/assessments"
    body = {"document_no": "兰科发〔2026〕21号", "assessed_on": "2024-12-31"}
    early = await registry.post(f"{base}/2025/scoring", json=body, headers=auth("city_admin"))
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "body.assessed_on"
    # The eligibility service is not running in this test: 503, nothing recorded.
    await registry_app.state.eligibility_client.aclose()
    registry_app.state.eligibility_client = EligibilityClient(
        "eligibility", "http://127.0.0.1:9", lambda: "token", retries=0, timeout_seconds=1
    )
    down = await registry.post(
        f"{base}/2025/scoring",
        json={**body, "assessed_on": "2026-02-10", "financing_obtained_fen": 0},
        headers=auth("city_admin"),
    )
    assert down.status_code == 503, down.text
    assert (await registry.get(base, headers=auth("auditor"))).json()["items"] == []
