"""The facts read model: a space's facts as of a date, exactly, and the engine judging them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from services.eligibility.clients.registry import RegistryClient
from services.eligibility.engine.evaluate import evaluate
from services.eligibility.engine.outcome import OverallVerdict, Verdict
from services.eligibility.rulesets.service import RulesetBook
from services.registry.operators.models import OperatorVersion
from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.contracts.facts import (
    ComplianceFacts,
    Incident,
    IncidentKind,
    IncubationFacts,
    Listing,
    ListKind,
    OperatorFacts,
    OperatorKind,
    PremisesFacts,
    ServiceFacts,
    Severity,
    SpaceFacts,
    SpecialisationFacts,
    StaffFacts,
    StartupService,
    Tenure,
)
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile
from shared.errors import NotFound
from shared.timezone import CHINA_TZ, today_in_china
from tests.conftest import space_body
from tests.registry.factories import make_uscc

OWN, OTHER = "620102", "620103"
OPENED = date(2024, 3, 1)
AS_OF = date(2025, 6, 30)


def _china(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return datetime(year, month, day, hour, minute, second, tzinfo=CHINA_TZ)


async def _post(registry, auth, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await registry.post(path, json=body, headers=auth("district_officer", OWN))
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def _operator(registry, auth) -> dict[str, Any]:
    body = {
        "uscc": make_uscc(),
        "name": f"兰州事实科技有限公司-{uuid.uuid4().hex[:6]}",
        "kind": "enterprise",
        "founded_on": "2018-05-01",
        "registered_address": "甘肃省兰州市城关区天水南路222号",
        "registered_in_lanzhou": True,
        "jurisdiction_code": OWN,
    }
    return await _post(registry, auth, "/v1/operators", body)


async def _backdate_versions(app: FastAPI, operator: dict[str, Any], *versions: dict) -> None:
    """Append versions valid from past instants: the API only records them from now on."""
    rows = [
        {
            "operator_id": uuid.UUID(operator["id"]),
            "recorded_by": "test-backdated",
            "uscc": operator["uscc"],
            "name": operator["name"],
            "registered_address": operator["registered_address"],
            "jurisdiction_code": OWN,
            "uscc_override": False,
            "override_reason": None,
            "override_by": None,
            **version,
        }
        for version in versions
    ]
    async with app.state.database.engine.begin() as connection:
        await connection.execute(sa.insert(OperatorVersion), rows)


async def _space(registry, auth, *, operator_id: str | None = None, jurisdiction=OWN) -> str:
    body = space_body(jurisdiction_code=jurisdiction, opened_on=OPENED.isoformat())
    if operator_id is not None:
        body["operator_id"] = operator_id
    response = await registry.post(
        "/v1/spaces", json=body, headers=auth("district_officer", jurisdiction)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _team(registry, auth, space: str, field: str, joined: str, **end: str) -> None:
    team = await _post(
        registry,
        auth,
        f"/v1/spaces/{space}/teams",
        {"name": f"团队-{uuid.uuid4().hex[:6]}", "field": field, "joined_on": joined},
    )
    base = f"/v1/spaces/{space}/teams/{team['id']}"
    if "graduated_on" in end:
        body = {"graduated_on": end["graduated_on"], "registered_enterprise_name": "毕业有限公司"}
        await _post(registry, auth, f"{base}/graduation", body)
    if "exited_on" in end:
        await _post(registry, auth, f"{base}/exit", {"exited_on": end["exited_on"]})


async def _staff(
    registry, auth, space: str, started: str, qualifications: str | None, ended: str | None = None
) -> None:
    body = {"name": "张三", "role": "运营经理", "started_on": started}
    if qualifications is not None:
        body["qualifications"] = qualifications
    member = await _post(registry, auth, f"/v1/spaces/{space}/staff", body)
    if ended is not None:
        path = f"/v1/spaces/{space}/staff/{member['id']}/departure"
        await _post(registry, auth, path, {"ended_on": ended})


async def _activity(registry, auth, space: str, kind: str, held_on: str) -> None:
    body = {"kind": kind, "title": f"{kind}-{held_on}", "held_on": held_on, "attendance": 20}
    await _post(registry, auth, f"/v1/spaces/{space}/activities", body)


async def _incident(registry, auth, space: str, kind: str, severity: str, on: str) -> None:
    body = {"kind": kind, "severity": severity, "occurred_on": on, "description": "记录"}
    await _post(registry, auth, f"/v1/spaces/{space}/incidents", body)


async def _listing(
    registry, auth, space: str, list_kind: str, listed: str, removed: str | None = None
) -> None:
    body = {"list_kind": list_kind, "listed_on": listed, "reason": "未按期年报"}
    listing = await _post(registry, auth, f"/v1/spaces/{space}/listings", body)
    if removed is not None:
        path = f"/v1/spaces/{space}/listings/{listing['id']}/removal"
        await _post(registry, auth, path, {"removed_on": removed})


async def _populated(registry_app: FastAPI, registry, auth) -> tuple[str, str]:
    """A space with records on both sides of every boundary around AS_OF (2025-06-30)."""
    operator = await _operator(registry, auth)  # version 1 is valid from now: after AS_OF
    await _backdate_versions(
        registry_app,
        operator,
        {
            "version": 2,
            "valid_from": _china(2025, 1, 1),
            "kind": OperatorKind.ENTERPRISE,
            "founded_on": date(2018, 5, 1),
            "registered_in_lanzhou": True,
        },
        {  # the last instant of AS_OF in China time: in force at its end
            "version": 3,
            "valid_from": _china(2025, 6, 30, 23, 59, 59),
            "kind": OperatorKind.RESEARCH_INSTITUTE,
            "founded_on": date(2018, 5, 2),
            "registered_in_lanzhou": True,
        },
        {  # the next day 00:00 China time (16:00 UTC on AS_OF): not yet in force
            "version": 4,
            "valid_from": datetime(2025, 6, 30, 16, 0, tzinfo=UTC),
            "kind": OperatorKind.UNIVERSITY,
            "founded_on": date(2018, 5, 3),
            "registered_in_lanzhou": False,
        },
    )
    space = await _space(registry, auth, operator_id=operator["id"])
    # Teams: in incubation on AS_OF are the first five.
    await _team(registry, auth, space, "high_tech", "2024-05-01")
    await _team(registry, auth, space, "modern_service", "2024-06-01")
    await _team(registry, auth, space, "other", "2024-04-01")
    await _team(registry, auth, space, "high_tech", "2024-05-01", exited_on="2025-07-01")
    await _team(registry, auth, space, "high_tech", "2025-06-30")  # joined on AS_OF
    await _team(registry, auth, space, "high_tech", "2024-05-01", graduated_on="2025-06-30")
    await _team(registry, auth, space, "modern_service", "2024-05-01", graduated_on="2025-01-01")
    await _team(registry, auth, space, "high_tech", "2024-05-01", exited_on="2025-03-01")
    await _team(registry, auth, space, "high_tech", "2025-07-01")  # joined after AS_OF
    # Staff: serving on AS_OF are the first three, two of them with qualifications.
    await _staff(registry, auth, space, "2024-01-15", "中级经济师")
    await _staff(registry, auth, space, "2024-03-01", None)
    await _staff(registry, auth, space, "2024-03-01", "孵化器从业人员培训", ended="2025-06-30")
    await _staff(registry, auth, space, "2024-03-01", "中级经济师", ended="2025-06-29")
    await _staff(registry, auth, space, "2025-07-01", "中级经济师")
    # Activities: the window is 2024-07-01..2025-06-30; three training-type ones fall in it.
    await _activity(registry, auth, space, "salon", "2024-06-30")  # AS_OF - 12 months: out
    await _activity(registry, auth, space, "training", "2024-07-01")  # first day: in
    await _activity(registry, auth, space, "camp", "2025-03-01")
    await _activity(registry, auth, space, "lecture", "2025-06-30")  # AS_OF: in
    await _activity(registry, auth, space, "camp", "2025-07-01")  # after AS_OF: out
    await _activity(registry, auth, space, "roadshow", "2025-01-15")  # not training
    await _activity(registry, auth, space, "mentoring", "2025-02-01")  # not training
    # Compliance.
    await _incident(registry, auth, space, "environmental", "serious", "2025-07-01")
    await _incident(registry, auth, space, "quality", "ordinary", "2025-06-30")
    await _incident(registry, auth, space, "safety", "major", "2024-07-01")
    await _listing(registry, auth, space, "abnormal_operation", "2024-08-01", "2025-01-01")
    await _listing(registry, auth, space, "serious_violation", "2024-09-01", "2025-07-01")
    await _listing(registry, auth, space, "abnormal_operation", "2025-06-30")
    await _listing(registry, auth, space, "abnormal_operation", "2025-07-01")
    return space, operator["id"]


async def _facts(registry, auth, space: str, as_of: str, *headers_for: Any) -> httpx.Response:
    headers = auth(*headers_for) if headers_for else auth("service", sub="service:eligibility")
    return await registry.get(f"/v1/spaces/{space}/facts", params={"as_of": as_of}, headers=headers)


async def test_facts_as_of_a_date_are_exact(registry_app, registry, auth) -> None:
    space, _ = await _populated(registry_app, registry, auth)
    response = await _facts(registry, auth, space, AS_OF.isoformat())
    assert response.status_code == 200, response.text
    facts = SpaceFacts.model_validate(response.json())

    assert facts.schema_version == "1"
    assert facts.space_id == uuid.UUID(space)
    assert facts.as_of == AS_OF
    assert facts.form is SpaceForm.COMPREHENSIVE
    assert facts.profile is SpaceProfile.TECH_STARTUP
    assert facts.jurisdiction_code is JurisdictionCode(OWN)
    assert facts.operating_since == OPENED
    # Version 3 (valid from 23:59:59 on AS_OF) is in force; version 4 (next day 00:00) is not.
    assert facts.operator == OperatorFacts(
        kind=OperatorKind.RESEARCH_INSTITUTE,
        registered_in_lanzhou=True,
        established_on=date(2018, 5, 2),
    )
    # Graduated or exited on AS_OF: no longer in incubation; joined on AS_OF: counted.
    assert facts.incubation == IncubationFacts(teams_in_incubation=5, teams_in_supported_fields=4)
    # Ended on AS_OF (the last day served): still serving; ended the day before: not.
    assert facts.staff == StaffFacts(management_staff=3, management_staff_qualified=2)
    assert facts.services == ServiceFacts(training_activities_past_year=3)
    assert facts.compliance == ComplianceFacts(
        incidents=(
            Incident(
                kind=IncidentKind.SAFETY, severity=Severity.MAJOR, occurred_on=date(2024, 7, 1)
            ),
            Incident(kind=IncidentKind.QUALITY, severity=Severity.ORDINARY, occurred_on=AS_OF),
        ),
        listings=(
            Listing(
                list=ListKind.ABNORMAL_OPERATION,
                listed_on=date(2024, 8, 1),
                removed_on=date(2025, 1, 1),
            ),
            # Removed after AS_OF: on AS_OF it was still listed.
            Listing(list=ListKind.SERIOUS_VIOLATION, listed_on=date(2024, 9, 1)),
            Listing(list=ListKind.ABNORMAL_OPERATION, listed_on=AS_OF),
        ),
    )
    # What the registry does not record stays unknown.
    for unrecorded in (
        "premises",
        "online_platform",
        "facilities",
        "management_rules",
        "financing",
        "specialisation",
    ):
        section = getattr(facts, unrecorded)
        assert section == type(section)(), unrecorded
    assert facts.operator.independent_legal_person is None
    assert facts.operator.innovative_enterprise is None
    assert facts.operator.stable_revenue_evidence is None
    assert facts.services.basic_services is None
    assert facts.services.online_and_offline is None
    # The whole answer, as the contract serialises it.
    assert response.json() == facts.model_dump(mode="json")


async def test_a_day_earlier_every_window_moves(registry_app, registry, auth) -> None:
    space, _ = await _populated(registry_app, registry, auth)
    response = await _facts(registry, auth, space, "2025-06-29", "city_admin")
    assert response.status_code == 200, response.text
    facts = SpaceFacts.model_validate(response.json())
    assert facts.operator.kind is OperatorKind.ENTERPRISE  # version 2
    assert facts.incubation == IncubationFacts(teams_in_incubation=5, teams_in_supported_fields=4)
    # The member whose last day was 2025-06-29 still served that day.
    assert facts.staff == StaffFacts(management_staff=4, management_staff_qualified=3)
    # 2024-06-30 (salon) is now inside the window: salon, training, camp.
    assert facts.services.training_activities_past_year == 3
    assert facts.compliance.incidents == (
        Incident(kind=IncidentKind.SAFETY, severity=Severity.MAJOR, occurred_on=date(2024, 7, 1)),
    )
    assert [entry.listed_on for entry in facts.compliance.listings or ()] == [
        date(2024, 8, 1),
        date(2024, 9, 1),
    ]


async def test_no_operator_version_yet_leaves_operator_facts_unknown(
    registry_app, registry, auth
) -> None:
    space, _ = await _populated(registry_app, registry, auth)
    # Version 2 is valid from 2025-01-01 00:00 China time: not in force at the end of 12-31.
    response = await _facts(registry, auth, space, "2024-12-31")
    assert response.status_code == 200, response.text
    assert SpaceFacts.model_validate(response.json()).operator == OperatorFacts()

    unlinked = await _space(registry, auth)
    response = await _facts(registry, auth, unlinked, OPENED.isoformat())
    assert response.status_code == 200, response.text
    facts = SpaceFacts.model_validate(response.json())
    assert facts.operator == OperatorFacts()
    assert facts.incubation == IncubationFacts(teams_in_incubation=0, teams_in_supported_fields=0)
    assert facts.staff == StaffFacts(management_staff=0, management_staff_qualified=0)
    assert facts.services == ServiceFacts(training_activities_past_year=0)
    assert facts.compliance == ComplianceFacts(incidents=(), listings=())


async def test_as_of_before_opening_or_in_the_future_is_refused(registry, auth) -> None:
    space = await _space(registry, auth)
    early = await _facts(registry, auth, space, "2024-02-29")
    assert early.status_code == 422, early.text
    problem = early.json()
    assert [e["field"] for e in problem["errors"]] == ["query.as_of"]
    assert "the space had not opened on 2024-02-29" in problem["errors"][0]["message"]

    tomorrow = (today_in_china() + timedelta(days=1)).isoformat()
    future = await _facts(registry, auth, space, tomorrow)
    assert future.status_code == 422, future.text
    assert [e["field"] for e in future.json()["errors"]] == ["query.as_of"]
    assert "future" in future.json()["errors"][0]["message"]

    today = await _facts(registry, auth, space, today_in_china().isoformat())
    assert today.status_code == 200, today.text

    for bad in ("2025-02-30", "yesterday"):
        response = await _facts(registry, auth, space, bad)
        assert response.status_code == 422, response.text
        assert "query.as_of" in [e["field"] for e in response.json()["errors"]]


async def test_every_as_of_read_answers_for_today_without_one(registry, auth) -> None:
    """One rule for each registry read that takes ``as_of``: omitted, it is today in China
    time, and the answer says which day it used (statistics did; the facts were a 422)."""
    space = await _space(registry, auth)
    today = today_in_china().isoformat()
    headers = auth("city_admin")
    for path in (f"/v1/spaces/{space}/facts", f"/v1/spaces/{space}/standing", "/v1/statistics"):
        omitted = await registry.get(path, headers=headers)
        assert omitted.status_code == 200, (path, omitted.text)
        assert omitted.json()["as_of"] == today, path
        explicit = await registry.get(path, params={"as_of": today}, headers=headers)
        assert omitted.json() == explicit.json(), path


async def test_scope_and_roles_are_those_of_space_reads(registry, auth) -> None:
    space = await _space(registry, auth)
    on = OPENED.isoformat()
    other = await _facts(registry, auth, space, on, "district_officer", OTHER)
    nowhere = await _facts(registry, auth, str(uuid.uuid4()), on, "district_officer", OTHER)
    assert other.status_code == nowhere.status_code == 404
    assert other.json()["type"] == nowhere.json()["type"]
    for role, jurisdiction in (
        ("city_admin", None),
        ("district_officer", OWN),
        ("auditor", None),
        ("finance_officer", None),
        ("service", None),
    ):
        response = await _facts(registry, auth, space, on, role, jurisdiction)
        assert response.status_code == 200, (role, response.text)
    # An expert reads a space's facts only while reviewing it: otherwise as for an unknown space.
    expert = await _facts(registry, auth, space, on, "expert")
    assert expert.status_code == 404
    anonymous = await registry.get(f"/v1/spaces/{space}/facts", params={"as_of": on})
    assert anonymous.status_code == 401


# --- end to end ------------------------------------------------------------------------------


async def test_the_engine_judges_c3_and_c5_from_the_registry_and_names_what_is_missing(
    registry_app, registry, auth
) -> None:
    operator = await _operator(registry, auth)
    await _backdate_versions(
        registry_app,
        operator,
        {
            "version": 2,
            "valid_from": _china(2024, 1, 1),
            "kind": OperatorKind.ENTERPRISE,
            "founded_on": date(2018, 5, 1),
            "registered_in_lanzhou": True,
        },
    )
    space = await _space(registry, auth, operator_id=operator["id"])
    for _ in range(10):
        await _team(registry, auth, space, "high_tech", "2024-05-01")
    await _team(registry, auth, space, "other", "2024-05-01")
    for _ in range(3):
        await _staff(registry, auth, space, "2024-03-01", "中级经济师")
    await _activity(registry, auth, space, "salon", "2025-05-01")

    response = await _facts(registry, auth, space, AS_OF.isoformat())
    assert response.status_code == 200, response.text
    facts = SpaceFacts.model_validate(response.json())
    loaded = RulesetBook.load().in_force_on(AS_OF)
    decision = evaluate(facts, AS_OF, loaded.rules, loaded.content_hash)

    assert decision.verdict is OverallVerdict.INCOMPLETE
    assert {
        "premises.service_area_m2",
        "premises.independent_workstations",
        "premises.tenure",
        "operator.independent_legal_person",
    } <= set(decision.missing_facts)
    assert not any(path.startswith(("incubation.", "staff.")) for path in decision.missing_facts)
    conditions = {c.id: c for c in decision.conditions}
    assert conditions["C2"].verdict is Verdict.MISSING_FACTS
    for condition_id, code, value in (
        ("C3", "min_teams", 10),
        ("C5", "min_staff", 3),
    ):
        result = conditions[condition_id]
        assert result.verdict is Verdict.NEEDS_REVIEW, (condition_id, result)
        assert result.missing_facts == []
        finding = next(f for f in result.findings if f.code == code)
        assert finding.verdict is Verdict.MET
        assert value in finding.facts.values()
    assert conditions["C9"].verdict is Verdict.MET


async def test_registry_client_reads_facts_through_the_registry_app(
    registry_app, registry, auth
) -> None:
    space = await _space(registry, auth)
    await _team(registry, auth, space, "modern_service", "2024-05-01")
    settings = registry_app.state.settings

    def service_token() -> str:
        return issue_token(settings, role=Role.SERVICE, subject="service:eligibility")

    client = RegistryClient(
        "registry",
        "http://registry",
        service_token,
        transport=httpx.ASGITransport(app=registry_app),
        backoff_seconds=0,
    )
    try:
        facts = await client.get_facts(uuid.UUID(space), AS_OF)
        with pytest.raises(NotFound) as missing:
            await client.get_facts(uuid.uuid4(), AS_OF)
    finally:
        await client.aclose()
    assert isinstance(facts, SpaceFacts)
    assert facts.space_id == uuid.UUID(space)
    assert facts.as_of == AS_OF
    assert facts.incubation == IncubationFacts(teams_in_incubation=1, teams_in_supported_fields=1)
    direct = await _facts(registry, auth, space, AS_OF.isoformat())
    assert facts == SpaceFacts.model_validate(direct.json())
    assert "registry" in missing.value.detail


# --- conditions recorded as dated versions ---------------------------------------------------


async def test_each_condition_is_the_version_in_force_at_the_end_of_as_of(registry, auth) -> None:
    from tests.registry.test_conditions import premises, record_all

    space = await _space(registry, auth)
    before = SpaceFacts.model_validate((await _facts(registry, auth, space, "2025-06-30")).json())
    assert before.premises == PremisesFacts()
    assert before.services.basic_services is None
    await record_all(registry, auth, space)
    headers = auth("district_officer", OWN)
    for version, (effective_on, area) in enumerate(
        (("2025-06-30", "700"), ("2025-07-01", "900")), start=2
    ):
        response = await registry.put(
            f"/v1/spaces/{space}/premises",
            json=premises(effective_on=effective_on, service_area_m2=area),
            headers={**headers, "If-Match": f'"{version - 1}"'},
        )
        assert response.status_code == 200, response.text

    async def facts_on(day: str) -> SpaceFacts:
        response = await _facts(registry, auth, space, day)
        assert response.status_code == 200, response.text
        return SpaceFacts.model_validate(response.json())

    assert (await facts_on("2025-06-29")).premises.service_area_m2 == Decimal("600.50")
    on = await facts_on("2025-06-30")
    assert on.premises == PremisesFacts(
        total_area_m2=Decimal("1000"),
        service_area_m2=Decimal("700"),
        office_and_public_service_area_m2=Decimal("800"),
        independent_workstations=40,
        tenure=Tenure.LEASED,
        lease_start=date(2024, 1, 16),
        lease_end=date(2027, 1, 15),
    )
    assert (await facts_on("2025-07-01")).premises.service_area_m2 == Decimal("900")
    assert on.facilities.ready_to_move_in is True
    assert on.management_rules.exit_mechanism is True
    assert on.services.startup_services == frozenset(StartupService)
    assert on.financing.invested_amount_fen == 5_000_000_00
    assert on.online_platform.operates_online_platform is True
    assert on.specialisation == SpecialisationFacts()  # a comprehensive space records none
    # Before the conditions took effect (the day before opening is refused, so: none yet
    # recorded from a later date leaves an earlier date without them).
    late = await _space(registry, auth)
    body = premises(effective_on="2025-07-01")
    await registry.put(f"/v1/spaces/{late}/premises", json=body, headers=headers)
    assert (await _facts(registry, auth, late, "2025-06-30")).json()["premises"][
        "service_area_m2"
    ] is None


@pytest.mark.parametrize("form", ["comprehensive", "specialised", "virtual"])
async def test_a_fully_recorded_space_misses_no_fact(registry_app, registry, auth, form) -> None:
    from tests.registry.test_conditions import premises, record_all

    operator = await _operator(registry, auth)
    await _backdate_versions(
        registry_app,
        operator,
        {
            "version": 2,
            "valid_from": _china(2024, 1, 1),
            "kind": OperatorKind.UNIVERSITY,
            "founded_on": date(2018, 5, 1),
            "registered_in_lanzhou": True,
            "independent_legal_person": True,
            "innovative_enterprise": True,
            "stable_revenue_evidence": True,
        },
    )
    body = space_body(jurisdiction_code=OWN, opened_on=OPENED.isoformat(), form=form)
    body["operator_id"] = operator["id"]
    response = await registry.post("/v1/spaces", json=body, headers=auth("district_officer", OWN))
    assert response.status_code == 201, response.text
    space = response.json()["id"]
    # Enough for every form: a specialised space needs 1000 m² of service area.
    large = premises(
        total_area_m2="1250", service_area_m2="1000", office_and_public_service_area_m2="1000"
    )
    await record_all(registry, auth, space, premises=large)
    for _ in range(10):
        await _team(registry, auth, space, "high_tech", "2024-05-01")
    for _ in range(3):
        await _staff(registry, auth, space, "2024-03-01", "中级经济师")
    await _activity(registry, auth, space, "salon", "2025-05-01")

    response = await _facts(registry, auth, space, AS_OF.isoformat())
    facts = SpaceFacts.model_validate(response.json())
    loaded = RulesetBook.load().in_force_on(AS_OF)
    decision = evaluate(facts, AS_OF, loaded.rules, loaded.content_hash)

    assert decision.missing_facts == []
    assert decision.verdict is OverallVerdict.NEEDS_REVIEW
    conditions = {c.id: c for c in decision.conditions}
    assert conditions["C2"].verdict in (Verdict.MET, Verdict.NEEDS_REVIEW)
    for condition_id in ("C4", "C8", "C9"):
        assert conditions[condition_id].verdict is Verdict.MET, conditions[condition_id]
