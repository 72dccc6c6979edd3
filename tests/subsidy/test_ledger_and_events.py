"""The ledger itself (append-only, hash-chained, balanced, corrected only by reversal) and the
worklist the registry's events fill."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.subsidy.ledger import service as ledger
from services.subsidy.ledger.models import EntryKind, JournalEntry, Transfer
from shared.db import ReadOnlyViolation
from tests.subsidy.conftest import Money, doc


async def test_entries_and_transfers_cannot_be_changed_or_deleted(
    money: Money, subsidy_app
) -> None:
    await money.appropriate(1_000_000)
    database = subsidy_app.state.database
    for statement in (
        sa.update(Transfer).values(amount=1),
        sa.delete(Transfer),
        sa.update(JournalEntry).values(memo="edited"),
        sa.delete(JournalEntry),
    ):
        async with database.session() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(statement)
            await session.rollback()
    assert (await money.verify())["intact"] is True


@pytest.mark.backends("postgresql")
async def test_tampering_behind_the_database_s_back_shows(money: Money, subsidy_app) -> None:
    await money.appropriate(1_000_000)
    await money.appropriate(2_000_000)
    assert (await money.verify())["entries"] == 2  # sealed into the chain
    async with subsidy_app.state.database.session() as session:
        # What only a superuser could do: switch the guard off and edit history.
        await session.execute(sa.text("ALTER TABLE ledger_transfers DISABLE TRIGGER USER"))
        await session.execute(
            sa.text("UPDATE ledger_transfers SET amount = 1500000 WHERE entry_seq = 1")
        )
        await session.execute(sa.text("ALTER TABLE ledger_transfers ENABLE TRIGGER USER"))
        await session.commit()
    report = await money.verify()
    assert report["intact"] is False
    assert report["first_bad_position"] == 1
    assert "changed after they were sealed" in report["problem"]


async def test_budget_already_awarded_cannot_be_taken_back(money: Money) -> None:
    first = await money.appropriate(20_000_000)
    await money.award(money.registry.add())
    entry_id = first["entries"][0]["entry_id"]
    refused = await money.client.post(
        f"/v1/ledger/entries/{entry_id}/reversal",
        json={"reason": "录入错误"},
        headers=money.preparer_headers(),
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"] == "urn:lzms:problem:ledger-insufficient-balance"
    cut = await money.client.post(
        "/v1/budgets/2026/adjustments",
        json={
            "amount_fen": -1,
            "document_no": doc(),
            "adjusted_on": "2026-02-01",
            "reason": "压减",
        },
        headers=money.preparer_headers(),
    )
    assert cut.status_code == 409
    assert "0.00 元" in cut.json()["detail"]


async def test_a_mistaken_appropriation_is_reversed_not_edited(money: Money) -> None:
    wrong = await money.appropriate(30_000_000)
    entry_id = wrong["entries"][0]["entry_id"]
    reversal = await money.client.post(
        f"/v1/ledger/entries/{entry_id}/reversal",
        json={"reason": "金额录入错误，应为 300,000.00 元"},
        headers=money.preparer_headers(),
    )
    assert reversal.status_code == 201, reversal.text
    assert reversal.json()["transfers"] == [
        {
            "line": 1,
            "debit_account": "appropriation:2026",
            "credit_account": "budget:2026",
            "amount_fen": 30_000_000,
        }
    ]
    await money.appropriate(300_000_00)
    budget = await money.client.get("/v1/budgets/2026", headers=money.auth("auditor", key=False))
    assert [e["amount_fen"] for e in budget.json()["entries"]] == [
        30_000_000,
        -30_000_000,
        30_000_000,
    ]
    assert budget.json()["appropriated_fen"] == 30_000_000
    verified = await money.verify()
    assert (verified["intact"], verified["entries"], verified["unsealed"]) == (True, 3, 0)
    entries = await money.client.get("/v1/ledger/entries", headers=money.auth("auditor", key=False))
    chain = entries.json()["items"]
    assert [e["chain_position"] for e in chain] == [1, 2, 3]
    assert chain[2]["chain_hash"] == verified["head_hash"]
    assert chain[1]["reverses_id"] == entry_id
    # Awards are corrected through their own records, not by reversing their entries.
    await money.award(money.registry.add())
    award_entry = (
        await money.client.get("/v1/ledger/entries", headers=money.auth("auditor", key=False))
    ).json()["items"][-1]
    refused = await money.client.post(
        f"/v1/ledger/entries/{award_entry['id']}/reversal",
        json={"reason": "x"},
        headers=money.preparer_headers(),
    )
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:lzms:problem:ledger-entry-not-reversible"


def _top_up(amount: int) -> ledger.Draft:
    return ledger.Draft(
        kind=EntryKind.APPROPRIATION,
        effective_on=date(2026, 1, 20),
        memo="追加",
        legs=[ledger.Leg("budget:2026", "appropriation:2026", amount)],
        fiscal_year=2026,
    )


async def _entries(database) -> int:
    async with database.session() as session:
        return await session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) or 0


async def test_a_posting_commits_or_rolls_back_with_its_caller_s_transaction(
    money: Money, subsidy_app
) -> None:
    await money.appropriate(1_000_000)
    database = subsidy_app.state.database
    # The posting as the transaction's first statement (on PostgreSQL the ledger begins the
    # transaction itself on the driver connection), then a second one in the same transaction.
    async with database.session() as session:
        await ledger.post(session, _top_up(300), "finance-zhang")
        await ledger.post(session, _top_up(200), "finance-zhang")
        assert await ledger.balance(session, "budget:2026") == 1_000_500
        await session.rollback()
    async with database.session() as session:
        assert await ledger.balance(session, "budget:2026") == 1_000_000
    assert await _entries(database) == 1
    # After another statement, and committed.
    async with database.session() as session:
        await session.execute(sa.select(sa.func.count()).select_from(JournalEntry))
        await ledger.post(session, _top_up(500), "finance-zhang")
        await session.commit()
    async with database.session() as session:
        assert await ledger.balance(session, "budget:2026") == 1_000_500
    assert await _entries(database) == 2
    assert (await money.verify())["intact"] is True


async def test_a_posting_the_database_refuses_raises_an_integrity_error(
    money: Money, subsidy_app
) -> None:
    first = await money.appropriate(1_000_000)
    original = uuid.UUID(first["entries"][0]["entry_id"])
    reversal = ledger.Draft(
        kind=EntryKind.REVERSAL,
        effective_on=date(2026, 1, 15),
        memo="录入错误",
        legs=[ledger.Leg("appropriation:2026", "budget:2026", 1)],
        fiscal_year=2026,
        reverses_id=original,
    )
    database = subsidy_app.state.database
    async with database.session() as session:
        await ledger.post(session, reversal, "finance-zhang")
        # Past the code's own check (reverse() looks first): the unique key still refuses.
        with pytest.raises(IntegrityError):
            await ledger.post(session, reversal, "finance-zhang")
        await session.rollback()
    assert await _entries(database) == 1


async def test_a_posting_to_an_account_never_opened_writes_nothing(
    money: Money, subsidy_app
) -> None:
    await money.appropriate(1_000_000)
    database = subsidy_app.state.database
    async with database.session() as session:
        with pytest.raises(RuntimeError, match="not opened"):
            await ledger.post(
                session,
                ledger.Draft(
                    kind=EntryKind.APPROPRIATION,
                    effective_on=date(2026, 1, 20),
                    memo="x",
                    legs=[ledger.Leg("budget:2027", "appropriation:2026", 1)],
                ),
                "finance-zhang",
            )
        await session.rollback()
    assert await _entries(database) == 1


@pytest.mark.backends("postgresql")
async def test_a_posting_on_a_read_only_session_is_refused(money: Money, subsidy_app) -> None:
    await money.appropriate(1_000_000)
    database = subsidy_app.state.database
    async with database.read_session() as session:
        with pytest.raises(ReadOnlyViolation):
            await ledger.post(session, _top_up(300), "finance-zhang")
    assert await _entries(database) == 1


async def test_districts_and_experts_do_not_read_the_books(money: Money) -> None:
    for role, jurisdiction in (("district_officer", "620102"), ("expert", None)):
        headers = money.auth(role, jurisdiction, key=False)
        for path in ("/v1/ledger/entries", "/v1/budgets", "/v1/ledger/verification"):
            assert (await money.client.get(path, headers=headers)).status_code == 403


def _event(space, kind: str, **extra: object) -> dict:
    return {
        "type": kind,
        "event_id": str(uuid.uuid4()),
        "occurred_on": "2026-03-10",
        "recorded_at": "2026-03-10T02:00:00+00:00",
        "space_id": str(space.id),
        "jurisdiction_code": space.jurisdiction_code,
        "form": space.form,
        "document_no": doc(),
        **extra,
    }


async def test_events_put_the_policy_s_award_on_the_worklist(money: Money) -> None:
    await money.appropriate(90_000_000)
    space = money.registry.add(since=date(2026, 3, 10))
    service = money.auth("service", sub="service:registry", key=False)
    for body in (
        _event(space, "space.recognised"),
        _event(space, "space.assessed", year=2025, grade="优秀"),
        _event(space, "space.assessed", year=2025, grade="良好"),
    ):
        response = await money.client.post("/v1/events/registry", json=body, headers=service)
        assert response.status_code == 200, response.text
    listing = await money.client.get(
        "/v1/award-proposals", params={"status": "open"}, headers=money.auth("auditor", key=False)
    )
    proposals = {p["kind"]: p for p in listing.json()["items"]}
    assert set(proposals) == {"recognition", "excellent_assessment"}
    assert proposals["recognition"]["amount_fen"] == 20_000_000
    confirmed = await money.client.post(
        f"/v1/award-proposals/{proposals['recognition']['id']}/confirmation",
        json={"decision_document_no": doc(), "decided_on": "2026-03-12"},
        headers=money.preparer_headers(),
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["status"] == "pending_approval"
    assert confirmed.json()["proposal_id"] == proposals["recognition"]["id"]
    declined = await money.client.post(
        f"/v1/award-proposals/{proposals['excellent_assessment']['id']}/declination",
        json={"reason": "已获同类奖励"},
        headers=money.approver(),
    )
    assert declined.json()["status"] == "declined"
    again = await money.client.post(
        f"/v1/award-proposals/{proposals['excellent_assessment']['id']}/declination",
        json={"reason": "x"},
        headers=money.approver(),
    )
    assert again.status_code == 409


async def test_only_the_registry_or_the_bureau_sends_events(money: Money) -> None:
    space = money.registry.add()
    response = await money.client.post(
        "/v1/events/registry",
        json=_event(space, "space.recognised"),
        headers=money.auth("finance_officer", key=False),
    )
    assert response.status_code == 403
    impostor = await money.client.post(
        "/v1/events/registry",
        json=_event(space, "space.recognised"),
        headers=money.auth("service", sub="service:eligibility", key=False),
    )
    assert impostor.status_code == 403
    assert "service:registry" in impostor.json()["detail"]
    bad = await money.client.post(
        "/v1/events/registry",
        json=_event(space, "space.revoked", reason="fraud", legal_basis="x"),
        headers=money.auth("service", sub="service:registry", key=False),
    )
    assert bad.status_code == 422
    assert any("reason" in e["field"] for e in bad.json()["errors"])


async def test_a_repeated_fact_proposes_nothing_new(money: Money) -> None:
    space = money.registry.add(since=date(2026, 3, 10))
    service = money.auth("service", sub="service:registry", key=False)
    # The registry corrects an 优秀 assessment (a new event) while its proposal stands.
    for _ in range(2):
        response = await money.client.post(
            "/v1/events/registry",
            json=_event(space, "space.assessed", year=2025, grade="优秀"),
            headers=service,
        )
        assert response.status_code == 200, response.text
    assert "not proposed again" in response.json()["outcome"]
    listing = await money.client.get(
        "/v1/award-proposals", headers=money.auth("auditor", key=False)
    )
    assert [p["kind"] for p in listing.json()["items"]] == ["excellent_assessment"]


async def test_an_event_with_its_instant_as_a_number_is_refused(money: Money) -> None:
    space = money.registry.add(since=date(2026, 3, 10))
    service = money.auth("service", sub="service:registry", key=False)
    for changed, field in (
        ({"recorded_at": 0}, "body.space.recognised.recorded_at"),
        ({"occurred_on": "0"}, "body.space.recognised.occurred_on"),
    ):
        body = _event(space, "space.recognised", **changed)
        response = await money.client.post("/v1/events/registry", json=body, headers=service)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    listing = await money.client.get(
        "/v1/award-proposals", headers=money.auth("auditor", key=False)
    )
    assert listing.json()["items"] == []
