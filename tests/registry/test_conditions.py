"""A space's conditions as dated versions: validation, If-Match, history, scope, the database."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from shared.db import Database
from shared.timezone import today_in_china
from tests.conftest import space_body

OWN, OTHER = "620102", "620103"
OPENED = "2024-03-01"


def premises(**overrides: Any) -> dict[str, Any]:
    body = {
        "effective_on": "2024-03-01",
        "total_area_m2": "1000.00",
        "service_area_m2": "600.50",
        "office_and_public_service_area_m2": "800",
        "independent_workstations": 40,
        "tenure": "leased",
        "lease_start": "2024-01-16",
        "lease_end": "2027-01-15",
    }
    body.update(overrides)
    return body


FULL: dict[str, dict[str, Any]] = {
    "premises": premises(),
    "online-platform": {
        "effective_on": OPENED,
        "operates_online_platform": True,
        "platform_url": "https://maker.example.cn",
        "connects_resources": True,
        "offers_incubation_services": True,
    },
    "facilities": {
        "effective_on": OPENED,
        **dict.fromkeys(
            (
                "power",
                "water",
                "fire_safety",
                "telecoms",
                "network",
                "ready_to_move_in",
                "free_or_low_cost_space",
            ),
            True,
        ),
    },
    "management-rules": {
        "effective_on": OPENED,
        **dict.fromkeys(
            ("admission_assessment", "financial_management", "daily_services", "exit_mechanism"),
            True,
        ),
    },
    "services": {
        "effective_on": OPENED,
        "basic_services": [
            "shared_office",
            "flexible_workstations",
            "broadband",
            "public_software",
            "internet_resources",
        ],
        "startup_services": ["registration", "mentoring", "financing"],
        "coordinated_services": [
            "rd_design",
            "tech_intermediary",
            "financial_services",
            "results_trading",
            "intellectual_property",
            "certification_testing",
        ],
        "online_and_offline": True,
    },
    "financing": {
        "effective_on": OPENED,
        "seed_fund": True,
        "financing_modes": ["loans", "angel_investment", "acquisition_of_results"],
        "invested_amount_fen": 5_000_000_00,
    },
    "specialisation": {
        "effective_on": OPENED,
        "strategic_emerging_industry_subfield": "新材料-稀土功能材料",
        "rd_and_industrialisation_evidence": True,
    },
}


async def _space(registry, auth, jurisdiction: str = OWN, form: str = "comprehensive") -> str:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=jurisdiction, opened_on=OPENED, form=form),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def record_all(
    registry, auth, space: str, jurisdiction: str = OWN, **bodies: dict[str, Any]
) -> None:
    """Record every condition (specialisation only if the space is specialised); ``bodies``
    replaces a condition's body by its name (premises=...)."""
    form = (await registry.get(f"/v1/spaces/{space}", headers=auth("city_admin"))).json()["form"]
    for segment, default in FULL.items():
        body = bodies.get(segment.replace("-", "_"), default)
        if segment == "specialisation" and form != "specialised":
            continue
        response = await registry.put(
            f"/v1/spaces/{space}/{segment}",
            json=body,
            headers=auth("district_officer", jurisdiction),
        )
        assert response.status_code == 201, (segment, response.text)


async def _put(registry, auth, space: str, segment: str, body: dict, etag: str | None = None):
    headers = auth("district_officer", OWN)
    if etag is not None:
        headers["If-Match"] = etag
    return await registry.put(f"/v1/spaces/{space}/{segment}", json=body, headers=headers)


async def _versions(registry, auth, space: str, segment: str) -> list[dict]:
    response = await registry.get(f"/v1/spaces/{space}/{segment}/versions", headers=auth("auditor"))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_every_condition_is_recorded_and_read_back(registry, auth) -> None:
    space = await _space(registry, auth, form="specialised")
    await record_all(registry, auth, space)
    for segment, body in FULL.items():
        response = await registry.get(f"/v1/spaces/{space}/{segment}", headers=auth("service"))
        assert response.status_code == 200, segment
        assert response.headers["etag"] == '"1"'
        shown = response.json()
        assert shown["version"] == 1
        for name, value in body.items():
            if isinstance(value, list):
                assert shown[name] == sorted(value), (segment, name)
            elif name.endswith("_m2"):
                assert float(shown[name]) == float(value)
            else:
                assert shown[name] == value, (segment, name)


@pytest.mark.parametrize(
    ("total", "service", "office", "canonical"),
    [
        ("600", "6E+2", "600.0", ("600.00", "600.00", "600.00")),
        ("1000.5", "0", "-0.00", ("1000.50", "0.00", "0.00")),
        ("10000000", "0.01", "9999999.99", ("10000000.00", "0.01", "9999999.99")),
    ],
)
async def test_a_write_answers_exactly_what_a_read_returns(
    registry, auth, total, service, office, canonical
) -> None:
    """Areas in one form (two decimals) whatever form they were sent in: the PUT's answer is
    the GET's, the version list's and the facts'."""
    space = await _space(registry, auth, form="specialised")
    bodies = {
        **FULL,
        "premises": premises(
            total_area_m2=total, service_area_m2=service, office_and_public_service_area_m2=office
        ),
    }
    for segment, body in bodies.items():
        written = await _put(registry, auth, space, segment, body)
        assert written.status_code == 201, written.text
        read = await registry.get(f"/v1/spaces/{space}/{segment}", headers=auth("auditor"))
        assert written.json() == read.json(), segment
        assert [written.json()] == await _versions(registry, auth, space, segment)
    shown = (await registry.get(f"/v1/spaces/{space}/premises", headers=auth("auditor"))).json()
    areas = ("total_area_m2", "service_area_m2", "office_and_public_service_area_m2")
    assert tuple(shown[name] for name in areas) == canonical
    facts = await registry.get(f"/v1/spaces/{space}/facts?as_of={OPENED}", headers=auth("auditor"))
    assert tuple(facts.json()["premises"][name] for name in areas) == canonical


async def test_if_match_guards_every_later_version(registry, auth) -> None:
    space = await _space(registry, auth)
    first_with_etag = await _put(registry, auth, space, "premises", premises(), '"1"')
    assert first_with_etag.status_code == 412
    first = await _put(registry, auth, space, "premises", premises())
    assert (first.status_code, first.headers["etag"]) == (201, '"1"')
    assert first.headers["location"] == f"/v1/spaces/{space}/premises"
    blind = await _put(registry, auth, space, "premises", premises(independent_workstations=41))
    assert blind.status_code == 428
    assert blind.headers["etag"] == '"1"'
    star = await _put(registry, auth, space, "premises", premises(), "*")
    assert star.status_code == 428
    second = await _put(
        registry, auth, space, "premises", premises(independent_workstations=41), '"1"'
    )
    assert (second.status_code, second.headers["etag"]) == (200, '"2"')
    stale = await _put(
        registry, auth, space, "premises", premises(independent_workstations=99), '"1"'
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert stale.headers["etag"] == '"2"'
    weak = await _put(
        registry, auth, space, "premises", premises(independent_workstations=42), 'W/"2"'
    )
    assert weak.status_code == 200
    assert [
        v["independent_workstations"] for v in await _versions(registry, auth, space, "premises")
    ] == [40, 41, 42]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"service_area_m2": "1000.01"}, "body.service_area_m2", "exceeds total_area_m2"),
        (
            {"office_and_public_service_area_m2": "1000.01"},
            "body.office_and_public_service_area_m2",
            "exceeds",
        ),
        ({"total_area_m2": "-1"}, "body.total_area_m2", "greater than or equal to 0"),
        ({"service_area_m2": "10.001"}, "body.service_area_m2", "decimal places"),
        ({"independent_workstations": -1}, "body.independent_workstations", "greater than"),
        ({"tenure": "borrowed"}, "body.tenure", "Input should be"),
        ({"lease_end": None}, "body.lease_end", "required for leased"),
        ({"lease_end": "2024-01-16"}, "body.lease_end", "after lease_start"),
        ({"tenure": "owned"}, "body.lease_start", "owned premises have no lease"),
        ({"effective_on": "2099-01-01"}, "body.effective_on", "future"),
        ({"extra": 1}, "body.extra", "Extra inputs"),
    ],
)
async def test_premises_input_is_checked(registry, auth, overrides, field, message) -> None:
    space = await _space(registry, auth)
    response = await _put(registry, auth, space, "premises", premises(**overrides))
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors[0]["field"] == field
    assert message in errors[0]["message"]
    assert await _versions(registry, auth, space, "premises") == []


async def test_premises_edges_that_pass(registry, auth) -> None:
    space = await _space(registry, auth)
    # Parts equal to the total, a lease one day long, effective today, owned without a lease.
    for version, body in enumerate(
        (
            premises(service_area_m2="1000", office_and_public_service_area_m2="1000.00"),
            premises(lease_start="2024-01-16", lease_end="2024-01-17"),
            premises(effective_on=today_in_china().isoformat()),
            premises(
                tenure="owned",
                lease_start=None,
                lease_end=None,
                total_area_m2="0",
                service_area_m2="0",
                office_and_public_service_area_m2="0",
            ),
        ),
        start=1,
    ):
        etag = None if version == 1 else f'"{version - 1}"'
        response = await _put(registry, auth, space, "premises", body, etag)
        assert response.status_code in (200, 201), response.text


async def test_versions_answer_for_their_dates(registry, auth) -> None:
    space = await _space(registry, auth)
    await _put(registry, auth, space, "premises", premises(service_area_m2="480"))
    await _put(
        registry,
        auth,
        space,
        "premises",
        premises(effective_on="2025-01-16", service_area_m2="520"),
        '"1"',
    )

    async def as_of(day: str) -> dict:
        response = await registry.get(
            f"/v1/spaces/{space}/premises?as_of={day}", headers=auth("auditor")
        )
        assert response.status_code == 200, response.text
        assert (
            response.headers["etag"]
            == f'"{len(await _versions(registry, auth, space, "premises"))}"'
        )
        return dict(response.json())

    assert (await as_of("2025-01-15"))["service_area_m2"] == "480.00"
    assert (await as_of("2025-01-16"))["service_area_m2"] == "520.00"
    # A correction of what held from 2025-01-16 is a new version with that date.
    await _put(
        registry,
        auth,
        space,
        "premises",
        premises(effective_on="2025-01-16", service_area_m2="530", remarks="更正测绘面积"),
        '"2"',
    )
    assert (await as_of("2025-01-16"))["service_area_m2"] == "530.00"
    assert (await as_of("2025-01-15"))["service_area_m2"] == "480.00"
    latest = (await registry.get(f"/v1/spaces/{space}/premises", headers=auth("auditor"))).json()
    assert (latest["version"], latest["remarks"]) == (3, "更正测绘面积")
    before = await registry.get(
        f"/v1/spaces/{space}/premises?as_of=2024-02-29", headers=auth("auditor")
    )
    assert before.status_code == 404
    assert before.json()["type"] == "urn:lzms:problem:condition-not-recorded"
    future = (today_in_china() + timedelta(days=1)).isoformat()
    refused = await registry.get(
        f"/v1/spaces/{space}/premises?as_of={future}", headers=auth("auditor")
    )
    assert refused.status_code == 422


async def test_a_read_without_as_of_is_the_version_in_force_today(registry, auth) -> None:
    """Omitted, ``as_of`` is today (China time), as on every registry read, and the answer
    names the day in ``As-Of``. A correction recorded last of what held from an earlier date
    is not what is in force today: the read had answered it (the latest recorded) where the
    facts of today said otherwise."""
    space = await _space(registry, auth)
    await _put(registry, auth, space, "premises", premises(service_area_m2="480"))
    await _put(
        registry,
        auth,
        space,
        "premises",
        premises(effective_on="2025-01-16", service_area_m2="520"),
        '"1"',
    )
    await _put(
        registry, auth, space, "premises", premises(service_area_m2="490", remarks="更正"), '"2"'
    )
    today = today_in_china().isoformat()
    headers = auth("auditor")
    omitted = await registry.get(f"/v1/spaces/{space}/premises", headers=headers)
    explicit = await registry.get(f"/v1/spaces/{space}/premises?as_of={today}", headers=headers)
    assert omitted.status_code == explicit.status_code == 200
    assert omitted.json() == explicit.json()
    assert (omitted.json()["version"], omitted.json()["service_area_m2"]) == (2, "520.00")
    assert omitted.headers["as-of"] == explicit.headers["as-of"] == today
    assert omitted.headers["etag"] == '"3"'  # a write still names the latest version
    facts = await registry.get(f"/v1/spaces/{space}/facts?as_of={today}", headers=headers)
    assert facts.json()["premises"]["service_area_m2"] == "520.00"
    earlier = await registry.get(f"/v1/spaces/{space}/premises?as_of=2024-06-01", headers=headers)
    assert earlier.json()["service_area_m2"] == "490.00"
    assert earlier.headers["as-of"] == "2024-06-01"


async def test_nothing_recorded_is_a_404_naming_how_to_record(registry, auth) -> None:
    space = await _space(registry, auth)
    response = await registry.get(f"/v1/spaces/{space}/facilities", headers=auth("auditor"))
    assert response.status_code == 404
    assert f"PUT /v1/spaces/{space}/facilities" in response.json()["detail"]


async def test_specialisation_is_for_specialised_spaces(registry, auth) -> None:
    space = await _space(registry, auth, form="comprehensive")
    response = await _put(registry, auth, space, "specialisation", FULL["specialisation"])
    assert response.status_code == 409
    assert response.json()["type"] == "urn:lzms:problem:condition-not-applicable"
    specialised = await _space(registry, auth, form="specialised")
    ok = await _put(registry, auth, specialised, "specialisation", FULL["specialisation"])
    assert ok.status_code == 201


async def test_service_sets_are_kept_sorted_and_unique_and_checked(registry, auth) -> None:
    space = await _space(registry, auth)
    body = {**FULL["services"], "startup_services": ["mentoring", "registration", "mentoring"]}
    recorded = await _put(registry, auth, space, "services", body)
    assert recorded.json()["startup_services"] == ["mentoring", "registration"]
    bad = await _put(
        registry, auth, space, "services", {**body, "basic_services": ["coffee"]}, '"1"'
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.basic_services.0"
    negative = await _put(
        registry, auth, space, "financing", {**FULL["financing"], "invested_amount_fen": -1}
    )
    assert negative.json()["errors"][0]["field"] == "body.invested_amount_fen"


async def test_scope_and_roles(registry, auth) -> None:
    theirs = await _space(registry, auth, OTHER)
    own = auth("district_officer", OWN)
    for segment, body in FULL.items():
        put = await registry.put(f"/v1/spaces/{theirs}/{segment}", json=body, headers=own)
        missing = await registry.put(f"/v1/spaces/{uuid.uuid4()}/{segment}", json=body, headers=own)
        assert put.status_code == missing.status_code == 404, segment
        assert put.json()["type"] == missing.json()["type"] == "urn:lzms:problem:space-not-found"
        for path in (segment, f"{segment}/versions"):
            read = await registry.get(f"/v1/spaces/{theirs}/{path}", headers=own)
            assert read.status_code == 404
            assert OTHER not in read.text
    mine = await _space(registry, auth)
    for role in ("auditor", "service", "finance_officer", "expert"):
        response = await registry.put(
            f"/v1/spaces/{mine}/premises", json=premises(), headers=auth(role)
        )
        assert response.status_code == 403, role
    bureau = await registry.put(
        f"/v1/spaces/{theirs}/premises", json=premises(), headers=auth("city_admin")
    )
    assert bureau.status_code == 201


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE space_premises_versions SET service_area_m2 = 99999",
        "DELETE FROM space_premises_versions",
        "DELETE FROM space_financing_versions",
        "UPDATE space_services_versions SET online_and_offline = false",
    ],
)
async def test_versions_are_append_only(registry_app, registry, auth, statement) -> None:
    space = await _space(registry, auth)
    await record_all(registry, auth, space)
    database: Database = registry_app.state.database
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.engine.begin() as connection:
            await connection.execute(sa.text(statement))


async def test_the_database_refuses_impossible_premises(registry_app, registry, auth) -> None:
    space = await _space(registry, auth)
    database: Database = registry_app.state.database
    with pytest.raises(DBAPIError):
        async with database.engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO space_premises_versions (id, version, effective_on, "
                    "recorded_at, recorded_by, space_id, total_area_m2, service_area_m2, "
                    "office_and_public_service_area_m2, independent_workstations, tenure) "
                    "VALUES (:id, 1, '2024-03-01', '2024-03-01 00:00:00+00', 'x', :space, "
                    "100, 200, 50, 1, 'owned')"
                ).bindparams(
                    sa.bindparam("id", uuid.uuid4(), type_=sa.Uuid()),
                    sa.bindparam("space", uuid.UUID(space), type_=sa.Uuid()),
                )
            )


async def test_operator_facts_are_recorded_and_versioned(registry, auth) -> None:
    from tests.registry.factories import make_uscc

    body = {
        "uscc": make_uscc(),
        "name": "兰州创新科技有限公司",
        "kind": "enterprise",
        "founded_on": "2018-05-01",
        "registered_address": "兰州市城关区",
        "registered_in_lanzhou": True,
        "jurisdiction_code": OWN,
        "independent_legal_person": True,
    }
    created = await registry.post("/v1/operators", json=body, headers=auth("district_officer", OWN))
    assert created.status_code == 201, created.text
    operator = created.json()
    assert (operator["independent_legal_person"], operator["innovative_enterprise"]) == (True, None)
    patched = await registry.patch(
        f"/v1/operators/{operator['id']}",
        json={"innovative_enterprise": True, "stable_revenue_evidence": True},
        headers={**auth("district_officer", OWN), "If-Match": created.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["version"] == 2
    versions = (
        await registry.get(f"/v1/operators/{operator['id']}/versions", headers=auth("auditor"))
    ).json()["items"]
    assert [(v["innovative_enterprise"], v["stable_revenue_evidence"]) for v in versions] == [
        (None, None),
        (True, True),
    ]


@pytest.mark.backends("sqlite")
async def test_the_contract_documents_201_for_the_first_version_and_200_after(registry) -> None:
    contract = (await registry.get("/openapi.json")).json()
    for segment in ("premises", "online-platform", "facilities", "services", "financing"):
        responses = contract["paths"][f"/v1/spaces/{{space_id}}/{segment}"]["put"]["responses"]
        assert {"200", "201"} <= responses.keys(), segment
        assert (
            responses["201"]["content"]["application/json"]["schema"]
            == (responses["200"]["content"]["application/json"]["schema"])
        )
