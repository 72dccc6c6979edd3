"""The facts read's two paths: one statement on PostgreSQL, a query per fact elsewhere.

Both must answer exactly alike for every space and date, so on PostgreSQL each day around every
boundary is read both ways and compared byte for byte; the edges both backends must get right
(29 February, a correction on the same date, refusals after the scope check) run on both.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry.facts import repository, service
from services.registry.staff.models import StaffMember
from shared.auth import Principal, Role
from shared.contracts.facts import FinancingMode, SpaceFacts, Tenure
from shared.timezone import today_in_china
from tests.conftest import space_body
from tests.registry.test_conditions import premises, record_all
from tests.registry.test_facts import (
    OPENED,
    OWN,
    _activity,
    _backdate_versions,
    _china,
    _facts,
    _incident,
    _operator,
    _populated,
    _space,
    _staff,
    _team,
)
from tests.registry.test_facts import OTHER as OTHER_DISTRICT

CITY = Principal(subject="test-city", role=Role.CITY_ADMIN)
DISTRICT = Principal(subject="test-district", role=Role.DISTRICT_OFFICER, jurisdiction=OWN)
ELSEWHERE = Principal(
    subject="test-elsewhere", role=Role.DISTRICT_OFFICER, jurisdiction=OTHER_DISTRICT
)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def _put(registry, auth, space: str, segment: str, body: dict[str, Any], etag: int) -> None:
    headers = {**auth("district_officer", OWN), "If-Match": f'"{etag}"'}
    response = await registry.put(f"/v1/spaces/{space}/{segment}", json=body, headers=headers)
    assert response.status_code == 200, response.text


async def _fully_recorded_with_history(registry_app: FastAPI, registry, auth) -> str:
    """A specialised space with every condition, several versions of some (one a correction on
    the same date), an operator with a history, teams, staff, activities and incidents."""
    operator = await _operator(registry, auth)
    await _backdate_versions(
        registry_app,
        operator,
        {
            "version": 2,
            "valid_from": _china(2024, 1, 1),
            "kind": "university",
            "founded_on": date(2018, 5, 1),
            "registered_in_lanzhou": True,
            "independent_legal_person": True,
            "innovative_enterprise": False,
            "stable_revenue_evidence": True,
        },
        {
            "version": 3,
            "valid_from": _china(2024, 9, 1, 12),
            "kind": "enterprise",
            "founded_on": date(2018, 5, 1),
            "registered_in_lanzhou": False,
            "independent_legal_person": None,
            "innovative_enterprise": True,
            "stable_revenue_evidence": None,
        },
    )
    body = space_body(jurisdiction_code=OWN, opened_on=OPENED.isoformat(), form="specialised")
    body["operator_id"] = operator["id"]
    response = await registry.post("/v1/spaces", json=body, headers=auth("district_officer", OWN))
    assert response.status_code == 201, response.text
    space = str(response.json()["id"])
    large = premises(
        total_area_m2="1250", service_area_m2="1000", office_and_public_service_area_m2="1000"
    )
    await record_all(registry, auth, space, premises=large)
    # A correction of what held from the same date: the higher version is in force.
    corrected = premises(
        total_area_m2="1250.05", service_area_m2="1000.1", office_and_public_service_area_m2="0"
    )
    await _put(registry, auth, space, "premises", corrected, 1)
    owned = premises(effective_on="2025-03-01", tenure="owned", lease_start=None, lease_end=None)
    await _put(registry, auth, space, "premises", owned, 2)
    services = {
        "effective_on": "2024-10-01",
        "basic_services": ["broadband", "shared_office"],
        "startup_services": [],
        "coordinated_services": ["rd_design"],
        "online_and_offline": False,
    }
    await _put(registry, auth, space, "services", services, 1)
    financing = {
        "effective_on": "2025-02-01",
        "seed_fund": False,
        "financing_modes": [],
        "invested_amount_fen": 0,
    }
    await _put(registry, auth, space, "financing", financing, 1)
    for joined, end in (
        ("2024-03-01", {}),
        ("2024-04-01", {"exited_on": "2024-10-01"}),
        ("2024-05-01", {"graduated_on": "2025-01-31"}),
    ):
        await _team(registry, auth, space, "high_tech", joined, **end)
    await _team(registry, auth, space, "other", "2024-06-15")
    await _staff(registry, auth, space, "2024-03-01", "中级经济师", ended="2024-12-31")
    await _staff(registry, auth, space, "2024-06-01", None)
    await _activity(registry, auth, space, "training", "2024-03-01")
    await _activity(registry, auth, space, "roadshow", "2024-04-01")
    # Two incidents on one day: both, in the same order on both paths.
    await _incident(registry, auth, space, "safety", "ordinary", "2024-08-08")
    await _incident(registry, auth, space, "quality", "serious", "2024-08-08")
    return space


@pytest.mark.backends("postgresql")
async def test_one_statement_answers_as_a_query_per_fact_on_every_day(
    registry_app: FastAPI, registry, auth
) -> None:
    populated, _ = await _populated(registry_app, registry, auth)
    recorded = await _fully_recorded_with_history(registry_app, registry, auth)
    unlinked = await _space(registry, auth)
    days = [*_days(OPENED, date(2025, 7, 3)), today_in_china()]
    database = registry_app.state.database
    compared = 0
    async with database.session() as session:
        for space in (populated, recorded, unlinked):
            for day in days:
                space_id = uuid.UUID(space)
                one = await service.facts_in_one_statement(session, DISTRICT, space_id, day)
                queries = await service.facts_by_queries(session, DISTRICT, space_id, day)
                assert one.model_dump_json() == queries.model_dump_json(), (space, day)
                assert one == queries
                compared += 1
    assert compared == 3 * len(days)

    # The history really moves along those days (the comparison is not of empty answers).
    async with database.session() as session:
        facts_on = {
            day: await service.facts_in_one_statement(session, CITY, uuid.UUID(recorded), day)
            for day in (date(2024, 3, 1), date(2024, 10, 1), date(2025, 3, 1))
        }
    early, autumn, spring = facts_on.values()
    assert early.premises.total_area_m2 == Decimal("1250.05")
    assert str(early.premises.office_and_public_service_area_m2) == "0.00"
    assert early.premises.tenure is Tenure.LEASED
    assert spring.premises.tenure is Tenure.OWNED
    assert spring.premises.lease_end is None
    assert early.operator.kind == "university"
    assert autumn.operator.kind == "enterprise"
    assert autumn.operator.independent_legal_person is None
    assert len(early.services.basic_services or ()) == 5
    assert autumn.services.startup_services == frozenset()
    assert early.financing.financing_modes == frozenset(FinancingMode)
    assert spring.financing.financing_modes == frozenset()
    assert spring.specialisation.rd_and_industrialisation_evidence is True
    assert {i.kind for i in autumn.compliance.incidents or ()} == {"safety", "quality"}


@pytest.mark.backends("postgresql")
async def test_the_statement_reads_alike_in_a_transaction_and_without_one(
    registry_app: FastAPI, registry, auth
) -> None:
    populated, _ = await _populated(registry_app, registry, auth)
    space_id, day = uuid.UUID(populated), date(2025, 6, 30)
    database = registry_app.state.database
    async with database.session() as session:
        await session.execute(sa.text("SELECT 1"))  # the transaction has begun
        in_transaction = await service.get_facts(session, CITY, space_id, day)
        await session.commit()
    autocommit = async_sessionmaker(
        database.engine.execution_options(isolation_level="AUTOCOMMIT"), class_=AsyncSession
    )
    async with autocommit() as session:
        without = await service.get_facts(session, CITY, space_id, day)
    assert in_transaction.model_dump_json() == without.model_dump_json()
    assert in_transaction.incubation.teams_in_incubation == 5


@pytest.mark.backends("postgresql")
async def test_a_failed_statement_is_a_500_and_the_next_read_works(
    registry_app: FastAPI, registry, auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statement runs on the read pool: a failure there is the request's 500, and the
    connection it ran on (or a new one) serves the next read."""
    space = await _space(registry, auth)
    failing = "SELECT CAST($1 AS uuid), CAST($2 AS varchar), CAST($3 AS date), 1 / 0 AS x"
    monkeypatch.setattr(repository, "FACTS_SQL_POSTGRESQL", failing)
    response = await _facts(registry, auth, space, OPENED.isoformat())
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    monkeypatch.undo()
    read_pool = registry_app.state.database.read_pool
    assert read_pool is not None
    assert read_pool.get_size() >= 1
    for _ in range(3):
        response = await _facts(registry, auth, space, OPENED.isoformat())
        assert response.status_code == 200, response.text


def test_the_statement_and_its_parameters_are_exposed_for_the_benchmark() -> None:
    sql = repository.FACTS_SQL_POSTGRESQL
    assert sql.startswith("SELECT")
    assert ";" not in sql
    assert all(placeholder in sql for placeholder in ("$1", "$2", "$3"))
    space_id = uuid.uuid4()
    assert repository.facts_parameters(space_id, date(2025, 6, 30)) == (
        space_id,
        None,
        date(2025, 6, 30),
    )
    assert repository.facts_parameters(space_id, date(2025, 6, 30), OWN)[1] == OWN


# --- edges both backends must get right -----------------------------------------------------


async def test_the_training_window_around_29_february(registry, auth) -> None:
    body = space_body(jurisdiction_code=OWN, opened_on="2023-01-01")
    response = await registry.post("/v1/spaces", json=body, headers=auth("district_officer", OWN))
    assert response.status_code == 201, response.text
    space = str(response.json()["id"])
    for held_on in ("2023-02-28", "2023-03-01", "2024-02-28", "2024-02-29", "2024-03-01"):
        await _activity(registry, auth, space, "salon", held_on)
    expected = {
        # 12 months before 2024-02-29 is 2023-02-28 (excluded): 03-01, 2024-02-28, 02-29.
        "2024-02-29": 3,
        "2024-02-28": 2,  # 2023-03-01, 2024-02-28
        # 12 months before 2025-02-28 is 2024-02-28 (excluded): 2024-02-29 and 03-01.
        "2025-02-28": 2,
        "2025-03-01": 0,  # the window begins after 2024-03-01
    }
    for as_of, count in expected.items():
        response = await _facts(registry, auth, space, as_of)
        assert response.status_code == 200, response.text
        assert response.json()["services"]["training_activities_past_year"] == count, as_of


async def test_a_correction_from_the_same_date_and_incidents_on_one_day(registry, auth) -> None:
    space = await _space(registry, auth)
    await record_all(registry, auth, space)
    await _put(registry, auth, space, "premises", premises(service_area_m2="650.5"), 1)
    await _incident(registry, auth, space, "safety", "ordinary", "2024-08-08")
    await _incident(registry, auth, space, "quality", "serious", "2024-08-08")
    response = await _facts(registry, auth, space, "2024-08-08")
    assert response.status_code == 200, response.text
    facts = response.json()
    assert facts["premises"]["service_area_m2"] == "650.50"
    assert facts["premises"]["total_area_m2"] == "1000.00"
    assert sorted(i["kind"] for i in facts["compliance"]["incidents"]) == ["quality", "safety"]
    # The order within the day is the incidents' id order, the same on every read.
    again = (await _facts(registry, auth, space, "2024-08-08", "city_admin")).json()
    assert again["compliance"] == facts["compliance"]
    assert SpaceFacts.model_validate(facts).model_dump(mode="json") == facts


async def test_the_scope_check_comes_before_the_date_check(registry, auth) -> None:
    space = await _space(registry, auth)
    tomorrow = (today_in_china() + timedelta(days=1)).isoformat()
    for space_id, as_of, who in (
        (str(uuid.uuid4()), tomorrow, ("city_admin",)),
        (str(uuid.uuid4()), "0001-01-01", ("city_admin",)),
        (space, "2024-02-29", ("district_officer", OTHER_DISTRICT)),
        (space, tomorrow, ("district_officer", OTHER_DISTRICT)),
        (space, "9999-12-31", ("district_officer", OTHER_DISTRICT)),
    ):
        response = await _facts(registry, auth, space_id, as_of, *who)
        assert response.status_code == 404, (space_id, as_of, response.text)
    # Within scope, the extreme dates are refused as any date before opening or in the future.
    for as_of, reason in (("0001-01-01", "had not opened"), ("9999-12-31", "future")):
        response = await _facts(registry, auth, space, as_of, "district_officer", OWN)
        assert response.status_code == 422, response.text
        assert reason in response.json()["errors"][0]["message"]


async def test_staff_with_blank_qualifications_are_not_counted_as_qualified(
    registry_app: FastAPI, registry, auth
) -> None:
    space = await _space(registry, auth)
    await _staff(registry, auth, space, "2024-03-01", "中级经济师")
    await _staff(registry, auth, space, "2024-03-01", None)
    # The API strips qualifications and refuses blank ones; an older or imported row may not.
    async with registry_app.state.database.engine.begin() as connection:
        await connection.execute(
            sa.insert(StaffMember),
            {
                "space_id": uuid.UUID(space),
                "name": "李四",
                "role": "导师",
                "qualifications": "   ",
                "started_on": date(2024, 3, 1),
                "created_at": datetime.now(UTC),
                "created_by": "test-imported",
            },
        )
    response = await _facts(registry, auth, space, "2024-03-01")
    assert response.status_code == 200, response.text
    assert response.json()["staff"] == {"management_staff": 3, "management_staff_qualified": 1}
