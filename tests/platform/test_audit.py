"""The audit log: every state-changing request is recorded, chained, append-only, verifiable."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from shared.db import Database
from tests.conftest import space_body


async def _records(registry, auth) -> list[dict]:
    response = await registry.get("/v1/audit-log?limit=200", headers=auth("auditor"))
    assert response.status_code == 200
    return response.json()["items"]


async def test_success_and_refusal_are_recorded_and_chain_verifies(registry, auth) -> None:
    district = auth("district_officer", "620102", sub="officer-7")
    created = await registry.post("/v1/spaces", json=space_body(), headers=district)
    refused = await registry.post(
        "/v1/spaces", json=space_body(jurisdiction_code="620104"), headers=district
    )
    assert (created.status_code, refused.status_code) == (201, 403)
    await registry.get("/v1/spaces", headers=district)  # reads are not state changes

    first, second = await _records(registry, auth)
    assert first["seq"] == 1
    assert second["seq"] == 2
    assert first["action"] == "create_space"
    assert first["outcome"] == "succeeded"
    assert first["object_type"] == "space"
    assert first["object_id"] == created.json()["id"]
    assert first["actor_subject"] == "officer-7"
    assert first["actor_jurisdiction"] == "620102"
    assert first["request_id"] == created.headers["x-request-id"]
    assert second["outcome"] == "rejected"
    assert second["status_code"] == 403
    assert "forbidden" in json.loads(second["details"])["problem"]
    assert second["prev_hash"] == first["hash"]

    verified = await registry.get("/v1/audit-log/verify", headers=auth("auditor"))
    assert verified.json() == {
        "intact": True,
        "records": 2,
        "head_seq": 2,
        "head_hash": second["hash"],
        "first_bad_seq": None,
        "problem": None,
    }


async def test_validation_refusal_is_recorded_with_the_fields(registry, auth) -> None:
    response = await registry.post(
        "/v1/spaces", json=space_body(form="floating"), headers=auth("city_admin")
    )
    assert response.status_code == 422
    (record,) = await _records(registry, auth)
    assert record["outcome"] == "rejected"
    assert record["status_code"] == 422
    assert json.loads(record["details"])["fields"] == ["body.form"]


async def test_unauthenticated_noise_is_not_audited(registry, auth) -> None:
    await registry.post("/v1/spaces", json=space_body())
    assert await _records(registry, auth) == []


@pytest.mark.parametrize("role", ["district_officer", "expert", "finance_officer"])
async def test_only_auditors_and_the_bureau_read_the_log(registry, auth, role) -> None:
    response = await registry.get(
        "/v1/audit-log", headers=auth(role, "620102" if role == "district_officer" else None)
    )
    assert response.status_code == 403
    assert (await registry.get("/v1/audit-log", headers=auth("city_admin"))).status_code == 200


async def _tamper(database: Database, statement: str) -> None:
    """Tamper as someone with DDL rights would: switch the guard off, change a row."""
    async with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            await connection.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            await connection.execute(sa.text(statement))
            await connection.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            await connection.execute(sa.text("DROP TRIGGER audit_log_no_update"))
            await connection.execute(sa.text("DROP TRIGGER audit_log_no_delete"))
            await connection.execute(sa.text(statement))


@pytest.mark.parametrize(
    ("statement", "bad_seq", "problem"),
    [
        ("UPDATE audit_log SET actor_subject = 'someone-else' WHERE seq = 2", 2, "altered"),
        (
            "UPDATE audit_log SET outcome = 'succeeded', status_code = 201 WHERE seq = 3",
            3,
            "altered",
        ),
        ("DELETE FROM audit_log WHERE seq = 2", 3, "missing"),
    ],
)
async def test_tampering_is_detected(
    registry_app, registry, auth, statement, bad_seq, problem
) -> None:
    for _ in range(2):
        await registry.post("/v1/spaces", json=space_body(), headers=auth("city_admin"))
    await registry.post(
        "/v1/spaces",
        json=space_body(jurisdiction_code="620104"),
        headers=auth("district_officer", "620102"),
    )
    await _tamper(registry_app.state.database, statement)
    report = (await registry.get("/v1/audit-log/verify", headers=auth("auditor"))).json()
    assert report["intact"] is False
    assert report["first_bad_seq"] == bad_seq
    assert problem in report["problem"]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET actor_subject = 'x'", "DELETE FROM audit_log"]
)
async def test_database_refuses_update_and_delete(registry_app, registry, auth, statement) -> None:
    await registry.post("/v1/spaces", json=space_body(), headers=auth("city_admin"))
    database: Database = registry_app.state.database
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.engine.begin() as connection:
            await connection.execute(sa.text(statement))
    assert len(await _records(registry, auth)) == 1


@pytest.mark.backends("postgresql")
async def test_database_refuses_truncate(registry_app, registry, auth) -> None:
    await registry.post("/v1/spaces", json=space_body(), headers=auth("city_admin"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with registry_app.state.database.engine.begin() as connection:
            await connection.execute(sa.text("TRUNCATE audit_log"))


@pytest.mark.backends("postgresql")
async def test_concurrent_writers_keep_one_unbroken_chain(registry, auth) -> None:
    admin = auth("city_admin")
    responses = await asyncio.gather(
        *(registry.post("/v1/spaces", json=space_body(), headers=admin) for _ in range(30))
    )
    assert [r.status_code for r in responses] == [201] * 30
    records = await _records(registry, auth)
    assert [r["seq"] for r in records] == list(range(1, 31))
    report = (await registry.get("/v1/audit-log/verify", headers=auth("auditor"))).json()
    assert report["intact"] is True
    assert report["records"] == 30


async def test_verification_reads_in_batches_across_their_boundaries(
    registry_app, registry, auth
) -> None:
    """The walk reads the log in key-ordered batches; a break found in a later batch is named."""
    from shared.audit import verify_chain

    for _ in range(5):
        await registry.post("/v1/spaces", json=space_body(), headers=auth("city_admin"))
    database: Database = registry_app.state.database
    async with database.read_session() as session:
        whole = await verify_chain(session, batch=2)
    await _tamper(database, "DELETE FROM audit_log WHERE seq = 4")
    async with database.read_session() as session:
        broken = await verify_chain(session, batch=2)
    assert (whole.intact, whole.records, whole.head_seq) == (True, 5, 5)
    assert (broken.intact, broken.records, broken.first_bad_seq) == (False, 3, 5)
