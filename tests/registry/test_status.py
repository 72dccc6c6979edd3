"""A space's status acts, levels, assessment results and standing on a date."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from shared import migrate
from shared.db import Database, UTCDateTime, create_engine
from shared.timezone import today_in_china
from tests.conftest import client_for, space_body

OWN, OTHER = "620102", "620103"
OPENED = "2024-03-01"


def _day(offset: int = 0) -> str:
    return (today_in_china() + timedelta(days=offset)).isoformat()


def recognition(**overrides: Any) -> dict[str, Any]:
    body = {"effective_on": "2024-06-01", "document_no": "兰科发〔2024〕31号"}
    body.update(overrides)
    return body


def rectification(**overrides: Any) -> dict[str, Any]:
    body = {
        "effective_on": "2025-04-01",
        "document_no": "兰科发〔2025〕9号",
        "deadline": "2025-12-31",
    }
    body.update(overrides)
    return body


def revocation(**overrides: Any) -> dict[str, Any]:
    body = {
        "effective_on": "2025-05-01",
        "document_no": "兰科发〔2025〕20号",
        "reason": "false_materials",
        "legal_basis": "《兰州市众创空间认定管理办法》第二十条",
    }
    body.update(overrides)
    return body


async def _space(registry, auth, jurisdiction: str = OWN, opened_on: str = OPENED) -> str:
    response = await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code=jurisdiction, opened_on=opened_on),
        headers=auth("district_officer", jurisdiction),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _act(registry, auth, space: str, act: str, body: dict, status: int = 201) -> dict:
    response = await registry.post(
        f"/v1/spaces/{space}/{act}", json=body, headers=auth("city_admin")
    )
    assert response.status_code == status, response.text
    return dict(response.json())


async def _standing(registry, auth, space: str, as_of: str | None = None, **headers) -> dict:
    query = f"?as_of={as_of}" if as_of else ""
    response = await registry.get(
        f"/v1/spaces/{space}/standing{query}", headers=headers or auth("city_admin")
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _history(registry, auth, space: str) -> list[dict]:
    response = await registry.get(f"/v1/spaces/{space}/status-history", headers=auth("auditor"))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


# --- status -----------------------------------------------------------------------------------


async def test_a_new_space_is_an_applicant_from_the_day_it_opened(registry, auth) -> None:
    space = await _space(registry, auth)
    read = (await registry.get(f"/v1/spaces/{space}", headers=auth("auditor"))).json()
    assert (read["status"], read["status_since"]) == ("applicant", OPENED)
    standing = await _standing(registry, auth, space, OPENED)
    assert standing["status"] == "applicant"
    assert standing["status_since"] == OPENED
    assert standing["levels"] == []
    assert standing["as_of"] == OPENED
    [record] = await _history(registry, auth, space)
    assert (record["seq"], record["act"], record["effective_on"]) == (1, "registered", OPENED)


async def test_standing_date_edges(registry, auth) -> None:
    space = await _space(registry, auth)
    default = await _standing(registry, auth, space)
    assert default["as_of"] == today_in_china().isoformat()
    today = await _standing(registry, auth, space, _day())
    assert today["status"] == "applicant"
    response = await registry.get(
        f"/v1/spaces/{space}/standing?as_of={_day(1)}", headers=auth("city_admin")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.as_of"
    assert "future" in response.json()["detail"]


async def test_before_it_opened_a_space_stands_unopened_and_not_recognised(registry, auth) -> None:
    """A date before opened_on is a truthful answer, not a refusal: the space did not exist as
    a space yet, so it held no status of its own and no level (and was not recognised)."""
    space = await _space(registry, auth)
    await _act(registry, auth, space, "recognition", recognition())
    for as_of in ("2024-02-29", "2000-01-01"):
        before = await _standing(registry, auth, space, as_of)
        assert before["opened"] is False, as_of
        assert (before["status"], before["status_since"], before["levels"]) == (
            "applicant",
            OPENED,
            [],
        )
        assert before["as_of"] == as_of
    opened = await _standing(registry, auth, space, OPENED)
    assert (opened["opened"], opened["status"]) == (True, "applicant")
    recognised = await _standing(registry, auth, space, "2024-06-01")
    assert (recognised["opened"], recognised["status"]) == (True, "recognised")


async def test_recognition_makes_the_municipal_level_from_its_date(registry, auth) -> None:
    space = await _space(registry, auth)
    change = await _act(registry, auth, space, "recognition", recognition())
    assert (change["act"], change["status"], change["seq"]) == ("recognition", "recognised", 2)
    before = await _standing(registry, auth, space, "2024-05-31")
    on = await _standing(registry, auth, space, "2024-06-01")
    assert (before["status"], before["levels"]) == ("applicant", [])
    assert (on["status"], on["status_since"], on["levels"]) == (
        "recognised",
        "2024-06-01",
        ["municipal"],
    )
    levels = (await registry.get(f"/v1/spaces/{space}/levels", headers=auth("auditor"))).json()
    assert [(lv["level"], lv["document_no"], lv["ended"]) for lv in levels] == [
        ("municipal", "兰科发〔2024〕31号", None)
    ]
    read = (await registry.get(f"/v1/spaces/{space}", headers=auth("auditor"))).json()
    assert (read["status"], read["status_since"]) == ("recognised", "2024-06-01")


@pytest.mark.parametrize("role", ["district_officer", "auditor", "finance_officer", "service"])
async def test_only_the_bureau_acts(registry, auth, role) -> None:
    space = await _space(registry, auth)
    headers = auth(role, OWN if role == "district_officer" else None)
    for act, body in (
        ("recognition", recognition()),
        ("revocation", revocation()),
        ("levels", {"level": "provincial", "document_no": "甘科发1号", "effective_on": OPENED}),
        (
            "assessments",
            {"year": 2024, "grade": "优秀", "document_no": "x", "assessed_on": "2025-01-10"},
        ),
    ):
        response = await registry.post(f"/v1/spaces/{space}/{act}", json=body, headers=headers)
        assert response.status_code == 403, (act, response.text)
    assert len(await _history(registry, auth, space)) == 1


async def test_acts_not_allowed_from_the_current_status_are_refused(registry, auth) -> None:
    space = await _space(registry, auth)
    refused = await _act(registry, auth, space, "rectification", rectification(), 409)
    assert refused["type"] == "urn:lzms:problem:status-act-refused"
    assert refused["current_status"] == "applicant"
    assert refused["allowed_acts"] == ["recognition"]
    assert "applicant" in refused["detail"]
    assert "recognition" in refused["detail"]
    await _act(registry, auth, space, "revocation", revocation(), 409)
    await _act(registry, auth, space, "rectification-end", recognition(), 409)

    await _act(registry, auth, space, "recognition", recognition())
    again = await _act(registry, auth, space, "recognition", recognition(), 409)
    assert again["current_status"] == "recognised"
    assert again["allowed_acts"] == ["rectification", "revocation"]
    await _act(registry, auth, space, "revocation", revocation())
    final = await _act(registry, auth, space, "recognition", recognition(), 409)
    assert (final["current_status"], final["allowed_acts"]) == ("revoked", [])
    assert "final" in final["detail"]
    assert [r["act"] for r in await _history(registry, auth, space)] == [
        "registered",
        "recognition",
        "revocation",
    ]


async def test_effective_date_edges(registry, auth) -> None:
    space = await _space(registry, auth)
    # Not before the status in force began: the day before opened_on is refused, the day itself
    # is allowed.
    early = await _act(
        registry, auth, space, "recognition", recognition(effective_on="2024-02-29"), 422
    )
    assert early["errors"][0]["field"] == "body.effective_on"
    assert "2024-03-01" in early["errors"][0]["message"]
    future = await _act(
        registry, auth, space, "recognition", recognition(effective_on=_day(1)), 422
    )
    assert "future" in future["errors"][0]["message"]
    assert len(await _history(registry, auth, space)) == 1
    await _act(registry, auth, space, "recognition", recognition(effective_on=OPENED))
    # Rectification on the recognition's own day is allowed; before it is not.
    refused = await _act(
        registry, auth, space, "rectification", rectification(effective_on="2024-02-29"), 422
    )
    assert "recognised" in refused["errors"][0]["message"]
    await _act(
        registry,
        auth,
        space,
        "rectification",
        rectification(effective_on=_day(), deadline=_day(90)),
    )


@pytest.mark.parametrize(("effective_on", "status"), [("2024-12-31", 201), ("2025-01-01", 422)])
async def test_the_direct_recognition_records_only_historical_ones(
    make_app, auth, effective_on, status
) -> None:
    """Before the procedure came into force (here 2025-01-01) a recognition is recorded
    directly; from that day on only the procedure recognises."""
    app = await make_app("registry", procedure_in_force_from=date(2025, 1, 1))
    async with client_for(app) as registry:
        space = await _space(registry, auth)
        body = await _act(
            registry,
            auth,
            space,
            "recognition",
            recognition(effective_on=effective_on, document_no="兰科发〔2024〕99号"),
            status,
        )
        if status == 422:
            assert body["errors"][0]["field"] == "body.effective_on"
            assert "POST /v1/applications" in body["detail"]
            assert (await _standing(registry, auth, space))["status"] == "applicant"
        else:
            assert body["document_no"] == "兰科发〔2024〕99号"
        described = (await registry.get("/openapi.json")).json()["paths"][
            "/v1/spaces/{space_id}/recognition"
        ]["post"]
        assert "BEFORE the recognition procedure" in described["description"]


async def test_rectification_and_revocation_through_time(registry, auth) -> None:
    space = await _space(registry, auth)
    await _act(registry, auth, space, "recognition", recognition())
    bad = await _act(
        registry, auth, space, "rectification", rectification(deadline="2025-03-31"), 422
    )
    assert bad["errors"][0]["field"] == "body.deadline"
    ordered = await _act(registry, auth, space, "rectification", rectification())
    assert (ordered["status"], ordered["deadline"]) == ("under_rectification", "2025-12-31")
    ended = await _act(
        registry,
        auth,
        space,
        "rectification-end",
        {"effective_on": "2025-04-20", "document_no": "兰科发〔2025〕15号"},
    )
    assert ended["status"] == "recognised"
    await _act(registry, auth, space, "rectification", rectification(effective_on="2025-04-25"))
    revoked = await _act(registry, auth, space, "revocation", revocation())
    assert (revoked["reason"], revoked["legal_basis"]) == (
        "false_materials",
        "《兰州市众创空间认定管理办法》第二十条",
    )
    expected = {
        "2024-05-31": ("applicant", []),
        "2024-06-01": ("recognised", ["municipal"]),
        "2025-04-01": ("under_rectification", ["municipal"]),
        "2025-04-19": ("under_rectification", ["municipal"]),
        "2025-04-20": ("recognised", ["municipal"]),
        "2025-04-30": ("under_rectification", ["municipal"]),
        "2025-05-01": ("revoked", []),
    }
    for as_of, (status, levels) in expected.items():
        standing = await _standing(registry, auth, space, as_of)
        assert (standing["status"], standing["levels"]) == (status, levels), as_of
    [municipal] = (await registry.get(f"/v1/spaces/{space}/levels", headers=auth("auditor"))).json()
    assert municipal["ended"]["ended_on"] == "2025-05-01"
    assert municipal["ended"]["document_no"] == "兰科发〔2025〕20号"


@pytest.mark.parametrize(
    ("field", "value"),
    [("reason", "bribery"), ("legal_basis", "  "), ("document_no", ""), ("effective_on", "x")],
)
async def test_revocation_input_is_checked(registry, auth, field, value) -> None:
    space = await _space(registry, auth)
    await _act(registry, auth, space, "recognition", recognition())
    refused = await _act(registry, auth, space, "revocation", revocation(**{field: value}), 422)
    assert [e["field"] for e in refused["errors"]] == [f"body.{field}"]
    assert (await _standing(registry, auth, space))["status"] == "recognised"


async def test_an_idempotent_retry_records_the_act_once(registry, auth) -> None:
    space = await _space(registry, auth)
    headers = {**auth("city_admin"), "Idempotency-Key": str(uuid.uuid4())}
    first = await registry.post(
        f"/v1/spaces/{space}/recognition", json=recognition(), headers=headers
    )
    again = await registry.post(
        f"/v1/spaces/{space}/recognition", json=recognition(), headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert len(await _history(registry, auth, space)) == 2
    events = (await registry.get("/v1/events", headers=auth("service"))).json()["items"]
    assert len(events) == 1


async def test_list_filters_by_current_status_within_scope(registry, auth) -> None:
    mine = [await _space(registry, auth) for _ in range(3)]
    theirs = await _space(registry, auth, OTHER)
    await _act(registry, auth, mine[0], "recognition", recognition())
    await _act(registry, auth, theirs, "recognition", recognition())
    await _act(registry, auth, mine[1], "recognition", recognition())
    await _act(registry, auth, mine[1], "revocation", revocation())

    async def ids(headers: dict, query: str) -> set[str]:
        response = await registry.get(f"/v1/spaces?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    district = auth("district_officer", OWN)
    assert await ids(district, "status=recognised") == {mine[0]}
    assert await ids(district, "status=revoked") == {mine[1]}
    assert await ids(district, "status=applicant") == {mine[2]}
    assert await ids(auth("city_admin"), "status=recognised") == {mine[0], theirs}
    assert await ids(auth("city_admin"), "status=under_rectification") == set()
    listed = (await registry.get("/v1/spaces", headers=district)).json()["items"]
    assert {item["id"]: item["status"] for item in listed} == {
        mine[0]: "recognised",
        mine[1]: "revoked",
        mine[2]: "applicant",
    }
    bad = await registry.get("/v1/spaces?status=dormant", headers=district)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.status"


async def test_another_districts_space_answers_like_none(registry, auth) -> None:
    space = await _space(registry, auth, OTHER)
    await _act(registry, auth, space, "recognition", recognition())
    own = auth("district_officer", OWN)
    for path in ("standing", "status-history", "levels", "assessments"):
        foreign = await registry.get(f"/v1/spaces/{space}/{path}", headers=own)
        missing = await registry.get(f"/v1/spaces/{uuid.uuid4()}/{path}", headers=own)
        assert foreign.status_code == missing.status_code == 404, path
        assert (
            foreign.json()["type"] == missing.json()["type"] == "urn:lzms:problem:space-not-found"
        )
        assert OTHER not in foreign.text
    # The bureau acting on a space that does not exist gets the same 404.
    response = await registry.post(
        f"/v1/spaces/{uuid.uuid4()}/recognition", json=recognition(), headers=auth("city_admin")
    )
    assert response.status_code == 404


# --- levels -----------------------------------------------------------------------------------


def level(**overrides: Any) -> dict[str, Any]:
    body = {
        "level": "provincial",
        "document_no": "甘科发〔2024〕88号",
        "effective_on": "2024-09-01",
    }
    body.update(overrides)
    return body


async def test_levels_are_held_together_and_withdrawn_once(registry, auth) -> None:
    space = await _space(registry, auth)
    await _act(registry, auth, space, "recognition", recognition())
    provincial = await _act(registry, auth, space, "levels", level())
    await _act(
        registry,
        auth,
        space,
        "levels",
        level(
            level="national_filing", document_no="国科火字〔2024〕1号", effective_on="2024-10-01"
        ),
    )
    standing = await _standing(registry, auth, space, "2024-10-01")
    assert standing["levels"] == ["municipal", "national_filing", "provincial"]
    assert (await _standing(registry, auth, space, "2024-08-31"))["levels"] == ["municipal"]

    twice = await _act(registry, auth, space, "levels", level(effective_on="2024-11-01"), 409)
    assert twice["existing_id"] == provincial["id"]

    path = f"levels/{provincial['id']}/withdrawal"
    withdrawal = {
        "ended_on": "2025-03-01",
        "document_no": "甘科发〔2025〕3号",
        "reason": "复核未通过",
    }
    early = await _act(registry, auth, space, path, {**withdrawal, "ended_on": "2024-08-31"}, 422)
    assert early["errors"][0]["field"] == "body.ended_on"
    ended = await _act(registry, auth, space, path, withdrawal)
    assert ended["ended"]["ended_on"] == "2025-03-01"
    again = await _act(registry, auth, space, path, withdrawal, 409)
    assert again["type"] == "urn:lzms:problem:level-already-ended"
    assert "provincial" in (await _standing(registry, auth, space, "2025-02-28"))["levels"]
    assert (await _standing(registry, auth, space, "2025-03-01"))["levels"] == [
        "municipal",
        "national_filing",
    ]
    # After its end the level may be granted again, not before the end.
    overlap = await _act(registry, auth, space, "levels", level(effective_on="2025-02-28"), 422)
    assert "ended" in overlap["errors"][0]["message"]
    await _act(registry, auth, space, "levels", level(effective_on="2025-03-01"))
    assert "provincial" in (await _standing(registry, auth, space, "2025-03-01"))["levels"]


async def test_the_municipal_level_is_recognitions_alone(registry, auth) -> None:
    space = await _space(registry, auth)
    refused = await _act(registry, auth, space, "levels", level(level="municipal"), 422)
    assert refused["errors"][0]["field"] == "body.level"
    assert "recognition" in refused["errors"][0]["message"]
    await _act(registry, auth, space, "recognition", recognition())
    [municipal] = (await registry.get(f"/v1/spaces/{space}/levels", headers=auth("auditor"))).json()
    withdrawal = {"ended_on": "2025-03-01", "document_no": "x", "reason": "y"}
    blocked = await _act(
        registry, auth, space, f"levels/{municipal['id']}/withdrawal", withdrawal, 409
    )
    assert "revocation" in blocked["detail"]


async def test_level_dates_are_checked(registry, auth) -> None:
    space = await _space(registry, auth)
    before = await _act(registry, auth, space, "levels", level(effective_on="2024-02-29"), 422)
    assert "opened" in before["errors"][0]["message"]
    await _act(registry, auth, space, "levels", level(effective_on=_day(1)), 422)
    await _act(registry, auth, space, "levels", level(effective_on=OPENED))
    missing = await _act(
        registry,
        auth,
        space,
        f"levels/{uuid.uuid4()}/withdrawal",
        {"ended_on": "2025-03-01", "document_no": "x", "reason": "y"},
        404,
    )
    assert missing["type"] == "urn:lzms:problem:level-not-found"


# --- assessments ------------------------------------------------------------------------------


def assessment(**overrides: Any) -> dict[str, Any]:
    body = {
        "year": 2024,
        "grade": "合格",
        "document_no": "兰科发〔2025〕2号",
        "assessed_on": "2025-02-10",
    }
    body.update(overrides)
    return body


async def test_only_a_recognised_space_is_assessed(registry, auth) -> None:
    space = await _space(registry, auth)
    refused = await _act(registry, auth, space, "assessments", assessment(), 409)
    assert refused["type"] == "urn:lzms:problem:assessment-space-not-recognised"
    await _act(registry, auth, space, "recognition", recognition())
    # On the day before recognition it was still an applicant.
    await _act(
        registry, auth, space, "assessments", assessment(assessed_on="2024-05-31", year=2024), 409
    )
    await _act(registry, auth, space, "assessments", assessment(assessed_on="2024-06-01"))


async def test_one_result_per_year_and_corrections_supersede(registry, auth) -> None:
    space = await _space(registry, auth)
    await _act(registry, auth, space, "recognition", recognition())
    first = await _act(registry, auth, space, "assessments", assessment(grade="不合格"))
    assert (first["revision"], first["in_force"]) == (1, True)
    duplicate = await _act(registry, auth, space, "assessments", assessment(grade="优秀"), 409)
    assert "corrections" in duplicate["detail"]
    assert duplicate["existing_id"] == first["id"]

    path = "assessments/2024/corrections"
    same = {
        "grade": "不合格",
        "document_no": "兰科发〔2025〕2号",
        "assessed_on": "2025-02-10",
        "reason": "复核",
    }
    unchanged = await _act(registry, auth, space, path, same, 422)
    assert unchanged["errors"][0]["field"] == "body.grade"
    early = await _act(
        registry, auth, space, path, {**same, "grade": "合格", "assessed_on": "2025-02-09"}, 422
    )
    assert early["errors"][0]["field"] == "body.assessed_on"
    no_reason = {k: v for k, v in same.items() if k != "reason"}
    await _act(registry, auth, space, path, {**no_reason, "grade": "合格"}, 422)
    corrected = await _act(
        registry,
        auth,
        space,
        path,
        {**same, "grade": "合格", "document_no": "兰科发〔2025〕7号", "assessed_on": "2025-02-10"},
    )
    assert (corrected["revision"], corrected["grade"], corrected["correction_reason"]) == (
        2,
        "合格",
        "复核",
    )
    listed = (
        await registry.get(f"/v1/spaces/{space}/assessments", headers=auth("district_officer", OWN))
    ).json()["items"]
    assert [(a["revision"], a["grade"], a["in_force"]) for a in listed] == [
        (1, "不合格", False),
        (2, "合格", True),
    ]
    missing = await _act(registry, auth, space, "assessments/2023/corrections", same, 404)
    assert missing["type"] == "urn:lzms:problem:assessment-not-found"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"grade": "A"}, "body.grade"),
        ({"year": 2014}, "body.year"),
        ({"assessed_on": "2023-12-31"}, "body.assessed_on"),
    ],
)
async def test_assessment_input_is_checked(registry, auth, overrides, field) -> None:
    space = await _space(registry, auth)
    await _act(registry, auth, space, "recognition", recognition())
    refused = await _act(registry, auth, space, "assessments", assessment(**overrides), 422)
    assert [e["field"] for e in refused["errors"]] == [field]


async def test_an_assessment_of_the_current_year_on_its_first_day(registry, auth) -> None:
    space = await _space(registry, auth)
    await _act(registry, auth, space, "recognition", recognition())
    year = today_in_china().year
    await _act(
        registry,
        auth,
        space,
        "assessments",
        assessment(year=year + 1, assessed_on=_day()),
        422,
    )
    await _act(
        registry,
        auth,
        space,
        "assessments",
        assessment(year=year, assessed_on=date(year, 1, 1).isoformat()),
    )


# --- in the database itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE space_status_changes SET status = 'recognised'",
        "DELETE FROM space_status_changes",
        "UPDATE space_level_grants SET effective_on = '2020-01-01'",
        "DELETE FROM space_level_ends",
        "UPDATE space_assessments SET grade = '优秀'",
        "DELETE FROM registry_events",
    ],
)
async def test_history_is_append_only(registry_app, registry, auth, statement) -> None:
    space = await _space(registry, auth)
    await _act(registry, auth, space, "recognition", recognition())
    await _act(registry, auth, space, "assessments", assessment())
    await _act(registry, auth, space, "revocation", revocation())
    database: Database = registry_app.state.database
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.engine.begin() as connection:
            await connection.execute(sa.text(statement))
    assert (await _standing(registry, auth, space))["status"] == "revoked"


async def test_migration_gives_existing_spaces_their_first_status(databases, backend) -> None:
    url = await asyncio.to_thread(databases.empty, "registry", backend)
    await asyncio.to_thread(migrate.upgrade, "registry", url, "0003")
    space_id = uuid.uuid4()
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO spaces (id, name, jurisdiction_code, form, profile, opened_on, "
                    "created_at, created_by) VALUES (:id, '旧空间', '620102', 'comprehensive', "
                    "'culture', :opened, :created, 'seed')"
                ).bindparams(
                    sa.bindparam("id", space_id, type_=sa.Uuid()),
                    sa.bindparam("opened", date(2019, 5, 6), type_=sa.Date()),
                    sa.bindparam("created", datetime(2020, 1, 1, tzinfo=UTC), type_=UTCDateTime()),
                )
            )
        await asyncio.to_thread(migrate.upgrade, "registry", url)
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    sa.text("SELECT seq, act, status, effective_on FROM space_status_changes")
                )
            ).one()
    finally:
        await engine.dispose()
    assert tuple(row[:3]) == (1, "registered", "applicant")
    assert str(row[3]) == "2019-05-06"
