"""Random sequences of everything that moves money, checked against a model after every step.

Hypothesis drives budget, award, approve, decline, instruct, send, confirm, fail, cancel,
revoke, misuse case, repay, offset, write-off and reversal through the HTTP API. The model
predicts whether each request is accepted; after every step the accounts must equal the
model's, every balance must be non-negative, the books must balance (debit-normal balances sum
to the appropriations), and the hash chain must verify.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from services.subsidy.clients.registry import RegistryClient
from services.subsidy.ledger import service as ledger
from services.subsidy.ledger.models import Account, NormalSide
from shared.auth import Role
from shared.auth.tokens import issue_token
from tests.conftest import DatabaseFactory, _create_app, _settings, client_for
from tests.subsidy.conftest import FakeRegistry, FakeSpace, revocation_event

OPERATING_CAP = 5_000_000  # the example policy's cap for a comprehensive space
RECOGNITION = 20_000_000
BASE_BUDGET = 40_000_000


@dataclass
class ModelAward:
    id: str
    space: FakeSpace
    amount: int
    kind: str
    approved: bool = False
    closed: bool = False
    committed: int = 0
    in_transit: int = 0
    disbursed: int = 0  # paid and not claimed back
    paid_gross: int = 0


@dataclass
class ModelInstruction:
    id: str
    award: ModelAward
    amount: int
    status: str = "created"


@dataclass
class ModelCase:
    id: str
    space: FakeSpace
    false_materials: bool
    receivable: int = 0
    recovered: int = 0
    written_off: int = 0
    repayments: list[tuple[str, int]] = field(default_factory=list)  # (entry id, amount)


amounts = st.integers(min_value=1, max_value=OPERATING_CAP)


class Books(RuleBasedStateMachine):
    databases: DatabaseFactory
    backend: str

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.registry = FakeRegistry()
        operator = uuid.uuid4()
        self.spaces = [
            self.registry.add(since=date(2025, 1, 1), operator_id=operator),
            self.registry.add(since=date(2025, 1, 1), operator_id=operator),
            self.registry.add(since=date(2025, 1, 1)),
        ]
        self.revoked: set[uuid.UUID] = set()
        self.budget_opened = False
        self.model_instructions: list[ModelInstruction] = []
        self.available = 0
        self.appropriated = 0
        self.model_awards: list[ModelAward] = []
        self.model_cases: list[ModelCase] = []
        url = self.databases.migrated("subsidy", self.backend)
        self.app, self.context, self.client = self.run(self._start(url))
        settings_ = self.app.state.settings
        self.tokens = {
            who: issue_token(settings_, role=role, subject=who)
            for who, role in (
                ("finance-zhang", Role.FINANCE_OFFICER),
                ("bureau-wang", Role.CITY_ADMIN),
                ("service:registry", Role.SERVICE),
                ("auditor", Role.AUDITOR),
            )
        }

    async def _start(self, url: str) -> tuple[Any, Any, httpx.AsyncClient]:
        app = _create_app("subsidy", _settings("subsidy", url))
        context = app.router.lifespan_context(app)
        await context.__aenter__()
        await app.state.registry_client.aclose()
        app.state.registry_client = RegistryClient(
            "registry",
            "http://registry",
            lambda: "t",
            retries=0,
            transport=httpx.MockTransport(self.registry.handler),
        )
        return app, context, client_for(app)

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        async def stop() -> None:
            await self.client.aclose()
            await self.app.state.registry_client.aclose()
            await self.context.__aexit__(None, None, None)

        self.run(stop())
        self.loop.close()

    def post(
        self, path: str, body: dict[str, Any] | None = None, who: str = "finance-zhang"
    ) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {self.tokens[who]}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        return self.run(
            self.client.post(path, json=body if body is not None else {}, headers=headers)
        )

    def pick(self, data: st.DataObject, candidates: list[Any], everything: list[Any]) -> Any:
        """Mostly a target the act suits (to reach deep states), sometimes any (to be refused)."""
        pool = (
            candidates if candidates and data.draw(st.integers(0, 9), label="suits") else everything
        )
        return data.draw(st.sampled_from(pool)) if pool else None

    # -- budget ------------------------------------------------------------------------------

    @initialize(amount=st.integers(min_value=0, max_value=60_000_000))
    def open_budget(self, amount: int) -> None:
        # Mostly enough for a few awards, so that sequences get to payments and recovery.
        self.appropriate(BASE_BUDGET + amount)

    @rule(amount=st.integers(min_value=1, max_value=40_000_000))
    def appropriate(self, amount: int) -> None:
        response = self.post(
            "/v1/budgets/2026/appropriations",
            {
                "amount_fen": amount,
                "document_no": "兰财教〔2026〕1号",
                "appropriated_on": "2026-01-05",
            },
        )
        assert response.status_code == 201, response.text
        self.available += amount
        self.appropriated += amount
        self.budget_opened = True

    @rule(amount=st.integers(min_value=1, max_value=40_000_000))
    def cut_budget(self, amount: int) -> None:
        response = self.post(
            "/v1/budgets/2026/adjustments",
            {
                "amount_fen": -amount,
                "document_no": "兰财教〔2026〕2号",
                "adjusted_on": "2026-01-06",
                "reason": "压减",
            },
        )
        if not self.budget_opened:
            assert response.status_code == 404, response.text
        elif amount > self.available:
            assert response.status_code == 409, response.text
        else:
            assert response.status_code == 201, response.text
            self.available -= amount
            self.appropriated -= amount

    # -- awards ------------------------------------------------------------------------------

    @rule(space=st.integers(0, 2), operating=st.booleans(), amount=amounts, then=st.integers(0, 3))
    def decide(self, space: int, operating: bool, amount: int, then: int) -> None:
        """Decide an award and, mostly, have a second person approve it at once."""
        chosen = self.spaces[space]
        kind = "operating_subsidy" if operating else "recognition"
        value = amount if operating else RECOGNITION
        body: dict[str, Any] = {
            "space_id": str(chosen.id),
            "kind": kind,
            "decision_document_no": "兰科发〔2026〕9号",
            "decided_on": "2026-06-01",
        }
        if operating:
            body["amount_fen"] = amount
        response = self.post("/v1/awards", body)
        live = any(a.space is chosen and not a.closed and a.kind == kind for a in self.model_awards)
        if chosen.id in self.revoked or live or value > self.available:
            assert response.status_code == 409, response.text
            return
        assert response.status_code == 201, response.text
        award = ModelAward(response.json()["id"], chosen, value, kind=kind, committed=value)
        self.model_awards.append(award)
        self.available -= value
        if then:
            approved = self.post(f"/v1/awards/{award.id}/approval", who="bureau-wang")
            assert approved.status_code == 200, approved.text
            award.approved = True

    @precondition(lambda self: bool(self.model_awards))
    @rule(data=st.data())
    def approve(self, data: st.DataObject) -> None:
        award = self.pick(
            data,
            [a for a in self.model_awards if not a.approved and not a.closed],
            self.model_awards,
        )
        if award is None:
            return
        response = self.post(f"/v1/awards/{award.id}/approval", who="bureau-wang")
        if award.approved or award.closed:
            assert response.status_code == 409, response.text
        else:
            assert response.status_code == 200, response.text
            award.approved = True

    @precondition(lambda self: bool(self.model_awards))
    @rule(data=st.data())
    def decline(self, data: st.DataObject) -> None:
        award = self.pick(data, [], self.model_awards)
        if award is None:
            return
        response = self.post(
            f"/v1/awards/{award.id}/declination", {"reason": "不予批准"}, who="bureau-wang"
        )
        if award.approved or award.closed:
            assert response.status_code == 409, response.text
        else:
            assert response.status_code == 200, response.text
            self._close(award)

    def _close(self, award: ModelAward) -> None:
        self.available += award.committed
        award.committed = 0
        award.closed = True

    # -- payments ----------------------------------------------------------------------------

    @precondition(lambda self: any(a.approved for a in self.model_awards))
    @rule(data=st.data())
    def instruct(self, data: st.DataObject) -> None:
        """Instruct a tranche and, often, send it and confirm it at once."""
        payable = [a for a in self.model_awards if a.approved and not a.closed and a.committed]
        award = self.pick(data, payable, self.model_awards)
        if award is None:
            return
        top = max(award.committed, 1)
        amount = data.draw(
            st.one_of(st.integers(1, top), st.integers(top, top + 1)), label="amount"
        )
        response = self.post(
            f"/v1/awards/{award.id}/disbursements",
            {"amount_fen": amount, "payee_name": "运营公司", "payee_account": "6222 0000"},
        )
        if (
            award.space.id in self.revoked
            or not award.approved
            or award.closed
            or amount > award.committed
        ):
            assert response.status_code == 409, response.text
            return
        assert response.status_code == 201, response.text
        award.committed -= amount
        award.in_transit += amount
        instruction = ModelInstruction(response.json()["id"], award, amount)
        self.model_instructions.append(instruction)
        progress = data.draw(st.integers(0, 3), label="progress")
        if progress:
            self._send(instruction)
        if progress > 1:
            self._confirm(instruction)

    def _instruction(self, data: st.DataObject, status: str) -> ModelInstruction | None:
        suits = [i for i in self.model_instructions if i.status == status]
        return self.pick(data, suits, self.model_instructions)  # type: ignore[no-any-return]

    @precondition(lambda self: bool(self.model_instructions))
    @rule(data=st.data())
    def send(self, data: st.DataObject) -> None:
        instruction = self._instruction(data, "created")
        if instruction is None:
            return
        self._send(instruction)

    def _send(self, instruction: ModelInstruction) -> None:
        response = self.post(f"/v1/disbursements/{instruction.id}/sending")
        if instruction.status != "created":
            assert response.status_code == 409, response.text
        else:
            assert response.status_code == 200, response.text
            instruction.status = "sent"

    @precondition(lambda self: bool(self.model_instructions))
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        instruction = self._instruction(data, "sent")
        if instruction is None:
            return
        self._confirm(instruction)

    def _confirm(self, instruction: ModelInstruction) -> None:
        response = self.post(
            f"/v1/disbursements/{instruction.id}/confirmation",
            {"settled_on": "2026-06-10", "bank_reference": "BK"},
        )
        if instruction.status != "sent":
            assert response.status_code == 409, response.text
            return
        assert response.status_code == 200, response.text
        instruction.status = "confirmed"
        award = instruction.award
        award.in_transit -= instruction.amount
        award.disbursed += instruction.amount
        award.paid_gross += instruction.amount
        fraud = [c for c in self.model_cases if c.space is award.space and c.false_materials]
        if fraud:
            fraud[-1].receivable += instruction.amount
            award.disbursed -= instruction.amount

    @precondition(lambda self: bool(self.model_instructions))
    @rule(data=st.data(), cancel=st.booleans())
    def end(self, data: st.DataObject, cancel: bool) -> None:
        act, allowed = ("cancellation", "created") if cancel else ("failure", "sent")
        instruction = self._instruction(data, allowed)
        if instruction is None:
            return
        response = self.post(f"/v1/disbursements/{instruction.id}/{act}", {"reason": "退回"})
        if instruction.status != allowed:
            assert response.status_code == 409, response.text
            return
        assert response.status_code == 200, response.text
        instruction.status = "cancelled" if cancel else "failed"
        award = instruction.award
        award.in_transit -= instruction.amount
        if award.closed:
            self.available += instruction.amount
        else:
            award.committed += instruction.amount

    # -- revocation and recovery -------------------------------------------------------------

    def _claim(self, case: ModelCase, amount: int) -> None:
        for award in self.model_awards:
            if award.space is case.space and amount:
                take = min(award.disbursed, amount)
                award.disbursed -= take
                case.receivable += take
                amount -= take

    def _paid(self, space: FakeSpace) -> int:
        return sum(a.disbursed for a in self.model_awards if a.space is space)

    @precondition(lambda self: any(a.paid_gross or a.in_transit for a in self.model_awards))
    @rule(space=st.integers(0, 2), fraud=st.booleans())
    def revoke(self, space: int, fraud: bool) -> None:
        chosen = self.spaces[space]
        if chosen.id in self.revoked:
            return
        self.revoked.add(chosen.id)
        chosen.history.append((date(2026, 6, 15), "revoked"))
        response = self.run(
            self.client.post(
                "/v1/events/registry",
                json=revocation_event(chosen, "false_materials" if fraud else "other"),
                headers={"Authorization": f"Bearer {self.tokens['service:registry']}"},
            )
        )
        assert response.status_code == 200, response.text
        for award in self.model_awards:
            if award.space is chosen and not award.closed:
                for instruction in self.model_instructions:
                    if instruction.award is award and instruction.status == "created":
                        instruction.status = "cancelled"
                        award.in_transit -= instruction.amount
                        award.committed += instruction.amount
                self._close(award)
        paid = self._paid(chosen)
        if not fraud or paid == 0:
            return
        case = ModelCase(self._case_ids(chosen)[-1], chosen, True)
        self._claim(case, paid)
        self.model_cases.append(case)

    def _case_ids(self, space: FakeSpace) -> list[str]:
        response = self.run(
            self.client.get(
                "/v1/recoveries",
                params={"space_id": str(space.id)},
                headers={"Authorization": f"Bearer {self.tokens['auditor']}"},
            )
        )
        return [c["id"] for c in response.json()["items"]]

    @precondition(lambda self: any(a.paid_gross for a in self.model_awards))
    @rule(data=st.data())
    def misuse(self, data: st.DataObject) -> None:
        chosen = self.pick(data, [s for s in self.spaces if self._paid(s)], self.spaces)
        paid = self._paid(chosen)
        amount = data.draw(st.integers(1, max(paid, 1) + 1), label="amount")
        response = self.post(
            "/v1/recoveries",
            {
                "space_id": str(chosen.id),
                "amount_fen": amount,
                "legal_basis": "第二十一条",
                "document_no": "兰科发〔2026〕追1号",
                "determined_on": "2026-07-01",
                "due_on": "2026-08-01",
            },
        )
        if amount > paid:
            assert response.status_code == 409, response.text
            return
        assert response.status_code == 201, response.text
        case = ModelCase(response.json()["id"], chosen, False)
        self._claim(case, amount)
        self.model_cases.append(case)

    def _case(self, data: st.DataObject) -> ModelCase | None:
        owing = [c for c in self.model_cases if c.receivable]
        return self.pick(data, owing, self.model_cases)  # type: ignore[no-any-return]

    @precondition(lambda self: bool(self.model_cases))
    @rule(data=st.data())
    def repay(self, data: st.DataObject) -> None:
        case = self._case(data)
        if case is None:
            return
        top = max(case.receivable, 1)
        amount = data.draw(st.one_of(st.integers(1, top), st.just(top + 1)), label="amount")
        response = self.post(
            f"/v1/recoveries/{case.id}/repayments",
            {"amount_fen": amount, "repaid_on": "2026-07-02", "reference": "缴款1"},
        )
        if case.receivable == 0 or amount > case.receivable:
            assert response.status_code == 409, response.text
            return
        assert response.status_code == 201, response.text
        case.receivable -= amount
        case.recovered += amount
        case.repayments.append((response.json()["settlements"][-1]["entry_id"], amount))

    @precondition(lambda self: any(c.repayments for c in self.model_cases))
    @rule(data=st.data())
    def reverse_repayment(self, data: st.DataObject) -> None:
        case = self.pick(data, [c for c in self.model_cases if c.repayments], [])
        if case is None:
            return
        entry_id, amount = case.repayments.pop()
        response = self.post(f"/v1/ledger/entries/{entry_id}/reversal", {"reason": "退票"})
        assert response.status_code == 201, response.text
        case.receivable += amount
        case.recovered -= amount

    @precondition(lambda self: bool(self.model_cases))
    @rule(data=st.data())
    def offset(self, data: st.DataObject) -> None:
        case = self._case(data)
        if case is None:
            return
        siblings = [
            a
            for a in self.model_awards
            if a.approved
            and not a.closed
            and a.committed
            and a.space.operator_id == case.space.operator_id
        ]
        award = self.pick(data, siblings, self.model_awards)
        if award is None:
            return
        top = max(1, min(case.receivable, award.committed))
        amount = data.draw(st.one_of(st.integers(1, top), st.just(top + 1)), label="amount")
        response = self.post(
            f"/v1/recoveries/{case.id}/offsets",
            {
                "award_id": award.id,
                "amount_fen": amount,
                "offset_on": "2026-07-03",
                "document_no": "抵1",
            },
        )
        if (
            case.receivable == 0
            or not award.approved
            or award.closed
            or award.space.operator_id != case.space.operator_id
            or amount > case.receivable
            or amount > award.committed
        ):
            assert response.status_code == 409, response.text
            return
        assert response.status_code == 201, response.text
        case.receivable -= amount
        case.recovered += amount
        award.committed -= amount
        award.disbursed += amount
        award.paid_gross += amount

    @precondition(lambda self: bool(self.model_cases))
    @rule(data=st.data())
    def write_off(self, data: st.DataObject) -> None:
        case = self._case(data)
        if case is None:
            return
        requested = self.post(f"/v1/recoveries/{case.id}/write-off-request", {"reason": "无法追回"})
        if case.receivable == 0:
            assert requested.status_code == 409, requested.text
            return
        # A case reopened by a reversal keeps its earlier request: either way, approve it.
        assert requested.status_code in (200, 409), requested.text
        own = self.post(f"/v1/recoveries/{case.id}/write-off-approval", who="finance-zhang")
        assert own.status_code == 403, own.text
        approved = self.post(f"/v1/recoveries/{case.id}/write-off-approval", who="bureau-wang")
        assert approved.status_code == 200, approved.text
        case.written_off += case.receivable
        case.receivable = 0

    # -- the checks after every step ---------------------------------------------------------

    @invariant()
    def books_match_the_model_and_balance(self) -> None:
        async def accounts() -> dict[str, Account]:
            async with self.app.state.database.session() as session:
                rows = (await session.scalars(sa.select(Account))).all()
                return {a.code: a for a in rows}

        found = self.run(accounts())
        balances = {code: a.balance for code, a in found.items()}
        assert all(b >= 0 for b in balances.values())
        debit_side = sum(a.balance for a in found.values() if a.normal_side is NormalSide.DEBIT)
        credit_side = sum(a.balance for a in found.values() if a.normal_side is NormalSide.CREDIT)
        assert debit_side == credit_side == self.appropriated
        assert balances.get("budget:2026", 0) == self.available
        for award in self.model_awards:
            assert balances[f"committed:{award.id}"] == award.committed, award
            assert balances[f"in_transit:{award.id}"] == award.in_transit, award
            assert balances[f"disbursed:{award.id}"] == award.disbursed, award
            assert found[f"disbursed:{award.id}"].debits_posted == award.paid_gross
            assert award.paid_gross + award.in_transit <= award.amount
        for case in self.model_cases:
            assert balances[f"receivable:{case.id}"] == case.receivable, case
            assert balances[f"recovered:{case.id}"] == case.recovered, case
            assert balances[f"written_off:{case.id}"] == case.written_off, case
        paid = sum(a.paid_gross for a in self.model_awards)
        claimed = sum(c.receivable + c.recovered + c.written_off for c in self.model_cases)
        assert claimed <= paid

    @invariant()
    def chain_verifies(self) -> None:
        async def verify() -> ledger.LedgerReport:
            await ledger.seal_all(self.app.state.database, wait=True)
            async with self.app.state.database.session() as session:
                return await ledger.verify(session)

        report = self.run(verify())
        assert report.intact, report
        assert report.unsealed == 0


def test_the_books_balance_after_every_step(databases: DatabaseFactory, backend: str) -> None:
    class Machine(Books):
        pass

    Machine.databases = databases
    Machine.backend = backend
    examples = 10 if backend == "postgresql" else 20
    Machine.TestCase.settings = settings(
        max_examples=examples,
        stateful_step_count=50,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    Machine.TestCase().runTest()
