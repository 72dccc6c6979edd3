"""Deciding awards: recognised on the decision date, within the policy, within the budget;
approved by a second person; declined or cancelled with what was not paid going back.

Only the bureau or finance decides (奖补决定), since a decision reserves the city's budget. A
district requests an award (奖补申请) instead: the request reserves nothing until the bureau
or finance decides it, as the proposals the policy makes on registry events reserve nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subsidy.awards.models import (
    Award,
    AwardKind,
    AwardProposal,
    AwardRequest,
    AwardStatus,
    ProposalStatus,
    RequestStatus,
)
from services.subsidy.awards.schemas import (
    AwardIn,
    AwardOut,
    AwardRequestIn,
    AwardRequestOut,
    ProposalConfirmation,
    ProposalOut,
    RequestDecision,
)
from services.subsidy.budgets.models import Budget
from services.subsidy.clients.registry import RegistryClient
from services.subsidy.disbursements.models import Disbursement, DisbursementStatus
from services.subsidy.ledger import service as ledger
from services.subsidy.ledger.models import Account, AccountKind, EntryKind
from services.subsidy.listing import scoped_page
from services.subsidy.money import yuan
from services.subsidy.policies.loader import KindPolicy, LoadedPolicy, Policy, shipped
from services.subsidy.scope import sees
from shared.auth import Principal
from shared.contracts.spaces import SpaceLevel, SpaceStanding, SpaceStatus
from shared.db import utcnow
from shared.errors import Conflict, FieldError, Forbidden, NotFound, RequestInvalid
from shared.pagination import PageParams
from shared.timezone import future_date_errors, today_in_china


class AwardNotFound(NotFound):
    slug = "award-not-found"


class ProposalNotFound(NotFound):
    slug = "award-proposal-not-found"


class RequestNotFound(NotFound):
    slug = "award-request-not-found"


class SpaceNotRecognised(Conflict):
    slug, title = "space-not-recognised", "Awards go only to spaces recognised on the decision date"


class SpaceRevoked(Conflict):
    slug, title = (
        "space-revoked",
        "The space's recognition is revoked: nothing more is awarded or paid",
    )


class DuplicateAward(Conflict):
    slug, title = "award-duplicate", "The space already has this award for the year"


class BudgetExceeded(Conflict):
    slug, title = "budget-exceeded", "The award exceeds what remains of the year's budget"


class AwardStatusConflict(Conflict):
    slug, title = "award-status", "The award is not in a state that allows this"


class SecondPersonRequired(Forbidden):
    slug, title = "four-eyes", "A second person must approve"


def _field(field: str, message: str, detail: str | None = None) -> RequestInvalid:
    return RequestInvalid(
        detail or f"{field.split('.')[-1]}: {message}",
        [FieldError(field=field, message=message, type="value_error")],
    )


async def standing_in_scope(
    registry: RegistryClient, principal: Principal, space_id: uuid.UUID, on: date, field: str
) -> SpaceStanding:
    """The registry's word on the space at ``on``; another district's space is 'no such space'."""
    standing = await registry.get_standing(space_id, on)
    if standing is None or not principal.sees_jurisdiction(standing.jurisdiction_code.value):
        raise _field(
            field,
            "the registry has no such space within your jurisdiction",
            f"space_id: the registry has no space {space_id} within your jurisdiction; "
            "check the id",
        )
    return standing


def _policy_rule(
    kind: AwardKind, year: int, field: str = "body.decided_on"
) -> tuple[LoadedPolicy, KindPolicy]:
    loaded = shipped().loaded_for_year(year)
    if loaded is None:
        raise _field(
            field,
            f"no award policy for fiscal year {year}",
            f"{field.split('.')[-1]}: there is no award policy for fiscal year {year}; the "
            "bureau adds one (a policy file) before awards of that year are decided",
        )
    rule = loaded.policy.kind(kind)
    if rule is None:
        raise _field("body.kind", f"the {loaded.policy.id} policy has no {kind.value} award")
    return loaded, rule


def _policy_amount(
    policy: Policy, rule: KindPolicy, kind: AwardKind, standing: SpaceStanding, given: int | None
) -> tuple[str, int]:
    form = standing.form
    if rule.amount_fen is not None:
        fixed = rule.amount_fen[form]
        if given is not None and given != fixed:
            raise _field(
                "body.amount_fen",
                f"the {policy.id} policy fixes this award at {fixed} fen ({yuan(fixed)}) for a "
                f"{form.value} space; leave amount_fen out or give exactly that",
            )
        return policy.id, fixed
    assert rule.max_amount_fen is not None
    cap = rule.max_amount_fen[form]
    if given is None:
        raise _field(
            "body.amount_fen",
            f"required: a {kind.value} award is determined case by case, at most {cap} fen "
            f"({yuan(cap)}) for a {form.value} space",
        )
    if given > cap:
        raise _field(
            "body.amount_fen",
            f"{given} fen is above the {policy.id} cap of {cap} fen ({yuan(cap)}) for a "
            f"{form.value} space; {given - cap} fen too much",
        )
    return policy.id, given


def _check_standing(kind: AwardKind, standing: SpaceStanding, on: date) -> None:
    if standing.status is not SpaceStatus.RECOGNISED:
        raise SpaceNotRecognised(
            f"The registry records space {standing.space_id} ({standing.name}) as "
            f"'{standing.status.value}' on {on.isoformat()} (since "
            f"{standing.status_since.isoformat()}); awards go only to spaces recognised on the "
            "decision date",
            space_status=standing.status.value,
        )
    if kind is AwardKind.NATIONAL_FILING and SpaceLevel.NATIONAL_FILING not in standing.levels:
        raise SpaceNotRecognised(
            f"The registry records no national filing (国家备案) for space {standing.space_id} "
            f"on {on.isoformat()}; record it in the registry first",
            space_status=standing.status.value,
        )


async def create(
    session: AsyncSession,
    principal: Principal,
    registry: RegistryClient,
    data: AwardIn,
    *,
    proposal: AwardProposal | None = None,
) -> Award:
    errors = future_date_errors("body.decided_on", data.decided_on)
    if errors:
        raise RequestInvalid("decided_on is in the future; give the decision's date", errors)
    # What can be refused here is refused before the registry is asked; then the registry,
    # before any lock, so a slow registry never holds up the books.
    year = data.decided_on.year
    policy, rule = _policy_rule(data.kind, year)
    existing = await session.scalar(
        sa.select(Award).where(
            Award.space_id == data.space_id,
            Award.kind == data.kind,
            Award.fiscal_year == year,
            Award.status.in_([AwardStatus.PENDING_APPROVAL, AwardStatus.APPROVED]),
        )
    )
    if existing is not None and await sees(
        session, principal, existing.space_id, existing.jurisdiction_code
    ):
        raise DuplicateAward(
            f"Space {data.space_id} already has a {data.kind.value} award for {year} "
            f"(award {existing.id}, {existing.status.value}); decline or cancel it first",
            existing_id=str(existing.id),
        )
    if await session.get(Budget, year) is None:
        raise BudgetExceeded(
            f"There is no budget for fiscal year {year}; record its appropriation first",
            fiscal_year=year,
        )
    standing = await standing_in_scope(
        registry, principal, data.space_id, data.decided_on, "body.space_id"
    )
    _check_standing(data.kind, standing, data.decided_on)
    today = today_in_china()
    if data.decided_on != today:
        now = await registry.get_standing(data.space_id, today)
        if now is None or now.status is SpaceStatus.REVOKED:
            raise SpaceRevoked(
                f"Space {data.space_id} ({standing.name}) was recognised on "
                f"{data.decided_on.isoformat()} but its recognition is revoked now; no award is "
                "decided for it",
            )
    policy_id, amount = _policy_amount(policy.policy, rule, data.kind, standing, data.amount_fen)
    award = Award(
        id=uuid.uuid4(),
        space_id=standing.space_id,
        space_name=standing.name,
        jurisdiction_code=standing.jurisdiction_code.value,
        operator_id=standing.operator_id,
        space_form=standing.form,
        kind=data.kind,
        fiscal_year=year,
        amount_fen=amount,
        policy_id=policy_id,
        policy_content_hash=policy.content_hash,
        decision_document_no=data.decision_document_no,
        decided_on=data.decided_on,
        proposal_id=None if proposal is None else proposal.id,
        status=AwardStatus.PENDING_APPROVAL,
        created_at=utcnow(),
        created_by=principal.subject,
    )
    session.add(award)
    await session.flush()
    for kind in (AccountKind.COMMITTED, AccountKind.IN_TRANSIT, AccountKind.DISBURSED):
        await ledger.open_account(session, kind, award.id, fiscal_year=year, award_id=award.id)
    try:
        await ledger.post(
            session,
            draft(
                award,
                EntryKind.AWARD_COMMITTED,
                data.decided_on,
                f"{standing.name} {data.kind.value} {data.decision_document_no}",
                [
                    ledger.Leg(
                        debit=ledger.code_of(AccountKind.COMMITTED, award.id),
                        credit=ledger.code_of(AccountKind.BUDGET, year),
                        amount=amount,
                    )
                ],
            ),
            principal.subject,
        )
    except ledger.InsufficientBalance as exc:
        available = int(exc.extensions["available_fen"])
        raise BudgetExceeded(
            f"The {year} budget has {yuan(available)} not yet awarded; this award needs "
            f"{yuan(amount)} ({yuan(amount - available)} short). Adjust the budget or the award",
            fiscal_year=year,
            available_fen=available,
            needed_fen=amount,
        ) from exc
    return award


def draft(
    award: Award,
    kind: EntryKind,
    effective_on: date,
    memo: str,
    legs: Sequence[ledger.Leg],
    disbursement_id: uuid.UUID | None = None,
) -> ledger.Draft:
    """A ledger entry about ``award``, tagged with its year, space and jurisdiction."""
    return ledger.Draft(
        kind=kind,
        effective_on=effective_on,
        memo=memo,
        legs=legs,
        fiscal_year=award.fiscal_year,
        space_id=award.space_id,
        jurisdiction_code=award.jurisdiction_code,
        award_id=award.id,
        disbursement_id=disbursement_id,
        document_no=award.decision_document_no,
    )


async def locked(session: AsyncSession, principal: Principal, award_id: uuid.UUID) -> Award:
    """The award, row-locked for a change; another district's is 'no such award'."""
    award = await session.scalar(
        sa.select(Award)
        .where(Award.id == award_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if award is None or not await sees(session, principal, award.space_id, award.jurisdiction_code):
        raise AwardNotFound(f"No award {award_id} within your jurisdiction; check the id")
    return award


async def approve(session: AsyncSession, principal: Principal, award_id: uuid.UUID) -> Award:
    award = await locked(session, principal, award_id)
    if award.status is not AwardStatus.PENDING_APPROVAL:
        raise AwardStatusConflict(
            f"Award {award.id} is {award.status.value}; only a pending award is approved",
            current_status=award.status.value,
        )
    if award.created_by == principal.subject:
        raise SecondPersonRequired(
            f"You prepared award {award.id}; a second person (bureau or finance) must approve it"
        )
    award.status = AwardStatus.APPROVED
    award.approved_at = utcnow()
    award.approved_by = principal.subject
    await session.flush()
    return award


async def decline(
    session: AsyncSession, principal: Principal, award_id: uuid.UUID, reason: str
) -> Award:
    award = await locked(session, principal, award_id)
    if award.status is not AwardStatus.PENDING_APPROVAL:
        raise AwardStatusConflict(
            f"Award {award.id} is {award.status.value}; only a pending award is declined "
            "(an approved one is cancelled)",
            current_status=award.status.value,
        )
    await _close(session, award, AwardStatus.DECLINED, principal.subject, reason)
    return award


async def cancel(session: AsyncSession, actor: str, award: Award, reason: str) -> int:
    """Cancel an award (row already locked): unsent instructions are cancelled and whatever was
    not paid goes back to the year's budget; payments in transit finish on their own. Returns
    the fen released."""
    if award.status not in (AwardStatus.PENDING_APPROVAL, AwardStatus.APPROVED):
        raise AwardStatusConflict(
            f"Award {award.id} is {award.status.value} already", current_status=award.status.value
        )
    from services.subsidy.disbursements import service as disbursements

    unsent = (
        await session.scalars(
            sa.select(Disbursement)
            .where(
                Disbursement.award_id == award.id,
                Disbursement.status == DisbursementStatus.CREATED,
            )
            .order_by(Disbursement.tranche_no)
            .with_for_update()
        )
    ).all()
    for instruction in unsent:
        await disbursements.end(
            session, actor, award, instruction, DisbursementStatus.CANCELLED, reason
        )
    return await _close(session, award, AwardStatus.CANCELLED, actor, reason)


async def _close(
    session: AsyncSession, award: Award, status: AwardStatus, actor: str, reason: str
) -> int:
    released = await release_undisbursed(session, award, actor, reason)
    award.status = status
    award.closed_at = utcnow()
    award.closed_by = actor
    award.close_reason = reason
    await session.flush()
    return released


async def release_undisbursed(session: AsyncSession, award: Award, actor: str, reason: str) -> int:
    """Give what the award has not instructed back to its year's budget."""
    committed = ledger.code_of(AccountKind.COMMITTED, award.id)
    remaining = (await ledger.lock_accounts(session, [committed]))[committed].balance
    if remaining:
        await ledger.post(
            session,
            draft(
                award,
                EntryKind.AWARD_RELEASED,
                today_in_china(),
                reason,
                [
                    ledger.Leg(
                        debit=ledger.code_of(AccountKind.BUDGET, award.fiscal_year),
                        credit=committed,
                        amount=remaining,
                    )
                ],
            ),
            actor,
        )
    return remaining


@dataclass(frozen=True)
class AwardFilters:
    space_id: uuid.UUID | None = None
    status: AwardStatus | None = None
    kind: AwardKind | None = None
    fiscal_year: int | None = None
    jurisdiction_code: str | None = None


async def list_page(
    session: AsyncSession, principal: Principal, filters: AwardFilters, page: PageParams
) -> Sequence[Award]:
    return await scoped_page(
        session,
        Award,
        principal,
        page,
        [
            (Award.space_id, filters.space_id),
            (Award.status, filters.status),
            (Award.kind, filters.kind),
            (Award.fiscal_year, filters.fiscal_year),
            (Award.jurisdiction_code, filters.jurisdiction_code),
        ],
    )


async def get(session: AsyncSession, principal: Principal, award_id: uuid.UUID) -> Award:
    award = await session.get(Award, award_id)
    if award is None or not await sees(session, principal, award.space_id, award.jurisdiction_code):
        raise AwardNotFound(f"No award {award_id} within your jurisdiction; check the id")
    return award


async def out(session: AsyncSession, award: Award) -> AwardOut:
    return (await outs(session, [award]))[0]


async def outs(session: AsyncSession, awards: Sequence[Award]) -> list[AwardOut]:
    """The awards with their balances, read in one query for the lot."""
    rows = (
        await session.execute(
            sa.select(Account.award_id, Account.kind, Account.debits_posted, Account.credits_posted)
            .where(Account.award_id.in_([a.id for a in awards]))
            .execution_options(populate_existing=True)
        )
    ).all()
    sums: dict[tuple[uuid.UUID, AccountKind], tuple[int, int]] = {
        (row.award_id, row.kind): (row.debits_posted, row.credits_posted) for row in rows
    }

    def balance(award: Award, kind: AccountKind) -> int:
        debits, credits = sums.get((award.id, kind), (0, 0))
        return debits - credits

    columns = sa.inspect(Award).column_attrs
    return [
        AwardOut.model_validate(
            {
                **{c.key: getattr(award, c.key) for c in columns},
                "undisbursed_fen": balance(award, AccountKind.COMMITTED),
                "in_transit_fen": balance(award, AccountKind.IN_TRANSIT),
                "paid_fen": sums.get((award.id, AccountKind.DISBURSED), (0, 0))[0],
            }
        )
        for award in awards
    ]


# -- awards requested (奖补申请) ----------------------------------------------------------------


async def request(
    session: AsyncSession, principal: Principal, registry: RegistryClient, data: AwardRequestIn
) -> AwardRequest:
    """Record a request: a space of the requester's own jurisdiction, recognised today, priced
    by this year's policy (a capped kind: the amount asked, at most the cap). Nothing is
    reserved; the bureau or finance decides or declines it."""
    today = today_in_china()
    policy, rule = _policy_rule(data.kind, today.year, "body.kind")
    standing = await standing_in_scope(registry, principal, data.space_id, today, "body.space_id")
    _check_standing(data.kind, standing, today)
    policy_id, amount = _policy_amount(policy.policy, rule, data.kind, standing, data.amount_fen)
    await _refuse_second_request(session, standing.space_id, data.kind, today.year)
    asked = AwardRequest(
        id=uuid.uuid4(),
        space_id=standing.space_id,
        space_name=standing.name,
        jurisdiction_code=standing.jurisdiction_code.value,
        space_form=standing.form,
        kind=data.kind,
        fiscal_year=today.year,
        amount_fen=amount,
        policy_id=policy_id,
        reason=data.reason,
        status=RequestStatus.OPEN,
        created_at=utcnow(),
        created_by=principal.subject,
    )
    session.add(asked)
    await session.flush()
    return asked


async def _refuse_second_request(
    session: AsyncSession, space_id: uuid.UUID, kind: AwardKind, year: int
) -> None:
    """While the year's award of that kind is requested, proposed or live, asking again is
    refused (the space is already known to be the requester's own)."""

    def same(model: type[AwardRequest | AwardProposal | Award]) -> sa.ColumnElement[bool]:
        return sa.and_(model.space_id == space_id, model.kind == kind, model.fiscal_year == year)

    for what, query in (
        (
            "an open request",
            sa.select(AwardRequest.id).where(
                same(AwardRequest), AwardRequest.status == RequestStatus.OPEN
            ),
        ),
        (
            "an open proposal",
            sa.select(AwardProposal.id).where(
                same(AwardProposal), AwardProposal.status == ProposalStatus.OPEN
            ),
        ),
        (
            "a live award",
            sa.select(Award.id).where(
                same(Award), Award.status.in_([AwardStatus.PENDING_APPROVAL, AwardStatus.APPROVED])
            ),
        ),
    ):
        existing = await session.scalar(query)
        if existing is not None:
            raise DuplicateAward(
                f"Space {space_id} already has {what} of {kind.value} for {year} ({existing}); "
                "it is decided or declined first",
                existing_id=str(existing),
            )


async def get_request(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID
) -> AwardRequest:
    asked = await session.get(AwardRequest, request_id)
    if asked is None or not await sees(session, principal, asked.space_id, asked.jurisdiction_code):
        raise RequestNotFound(f"No award request {request_id} within your jurisdiction")
    return asked


async def request_locked(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID
) -> AwardRequest:
    asked = await session.scalar(
        sa.select(AwardRequest)
        .where(AwardRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if asked is None or not await sees(session, principal, asked.space_id, asked.jurisdiction_code):
        raise RequestNotFound(f"No award request {request_id} within your jurisdiction")
    if asked.status is not RequestStatus.OPEN:
        raise AwardStatusConflict(
            f"Award request {asked.id} was {asked.status.value} already by {asked.decided_by}",
            current_status=asked.status.value,
        )
    return asked


async def decide_request(
    session: AsyncSession,
    principal: Principal,
    registry: RegistryClient,
    request_id: uuid.UUID,
    data: RequestDecision,
) -> Award:
    """Decide the requested award as ``POST /v1/awards`` would: only now is budget reserved."""
    asked = await request_locked(session, principal, request_id)
    amount = data.amount_fen
    if amount is None:
        decided_under = shipped().for_year(data.decided_on.year)
        rule = None if decided_under is None else decided_under.kind(asked.kind)
        if rule is not None and rule.max_amount_fen is not None:
            amount = asked.amount_fen  # a capped kind: the amount asked, unless decided otherwise
    award = await create(
        session,
        principal,
        registry,
        AwardIn(
            space_id=asked.space_id,
            kind=asked.kind,
            amount_fen=amount,
            decision_document_no=data.decision_document_no,
            decided_on=data.decided_on,
        ),
    )
    asked.status = RequestStatus.DECIDED
    asked.award_id = award.id
    asked.decided_at = utcnow()
    asked.decided_by = principal.subject
    await session.flush()
    return award


async def decline_request(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, reason: str
) -> AwardRequest:
    asked = await request_locked(session, principal, request_id)
    asked.status = RequestStatus.DECLINED
    asked.decided_at = utcnow()
    asked.decided_by = principal.subject
    asked.decline_reason = reason
    await session.flush()
    return asked


@dataclass(frozen=True)
class RequestFilters:
    status: RequestStatus | None = None
    space_id: uuid.UUID | None = None


async def requests_page(
    session: AsyncSession, principal: Principal, filters: RequestFilters, page: PageParams
) -> Sequence[AwardRequest]:
    return await scoped_page(
        session,
        AwardRequest,
        principal,
        page,
        [(AwardRequest.status, filters.status), (AwardRequest.space_id, filters.space_id)],
    )


def request_out(asked: AwardRequest) -> AwardRequestOut:
    return AwardRequestOut.model_validate(asked)


# -- the worklist of proposals --------------------------------------------------------------


async def get_proposal(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID
) -> AwardProposal:
    proposal = await session.get(AwardProposal, proposal_id)
    if proposal is None or not await sees(
        session, principal, proposal.space_id, proposal.jurisdiction_code
    ):
        raise ProposalNotFound(f"No award proposal {proposal_id} within your jurisdiction")
    return proposal


async def proposal_locked(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID
) -> AwardProposal:
    proposal = await session.scalar(
        sa.select(AwardProposal).where(AwardProposal.id == proposal_id).with_for_update()
    )
    if proposal is None or not await sees(
        session, principal, proposal.space_id, proposal.jurisdiction_code
    ):
        raise ProposalNotFound(f"No award proposal {proposal_id} within your jurisdiction")
    if proposal.status is not ProposalStatus.OPEN:
        raise AwardStatusConflict(
            f"Proposal {proposal.id} was {proposal.status.value} already by {proposal.decided_by}",
            current_status=proposal.status.value,
        )
    return proposal


async def confirm_proposal(
    session: AsyncSession,
    principal: Principal,
    registry: RegistryClient,
    proposal_id: uuid.UUID,
    data: ProposalConfirmation,
) -> Award:
    proposal = await proposal_locked(session, principal, proposal_id)
    award = await create(
        session,
        principal,
        registry,
        AwardIn(
            space_id=proposal.space_id,
            kind=proposal.kind,
            decision_document_no=data.decision_document_no,
            decided_on=data.decided_on,
        ),
        proposal=proposal,
    )
    proposal.status = ProposalStatus.CONFIRMED
    proposal.decided_at = utcnow()
    proposal.decided_by = principal.subject
    await session.flush()
    return award


async def decline_proposal(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID, reason: str
) -> AwardProposal:
    proposal = await proposal_locked(session, principal, proposal_id)
    proposal.status = ProposalStatus.DECLINED
    proposal.decided_at = utcnow()
    proposal.decided_by = principal.subject
    proposal.decline_reason = reason
    await session.flush()
    return proposal


async def proposals_page(
    session: AsyncSession, principal: Principal, status: ProposalStatus | None, page: PageParams
) -> Sequence[AwardProposal]:
    return await scoped_page(
        session, AwardProposal, principal, page, [(AwardProposal.status, status)]
    )


async def proposal_out(session: AsyncSession, proposal: AwardProposal) -> ProposalOut:
    return (await proposal_outs(session, [proposal]))[0]


async def proposal_outs(
    session: AsyncSession, proposals: Sequence[AwardProposal]
) -> list[ProposalOut]:
    """The proposals with the award each became, if any, in one query for the lot."""
    awards = {
        proposal_id: award_id
        for proposal_id, award_id in await session.execute(
            sa.select(Award.proposal_id, Award.id).where(
                Award.proposal_id.in_([p.id for p in proposals])
            )
        )
    }
    columns = sa.inspect(AwardProposal).column_attrs
    return [
        ProposalOut.model_validate(
            {**{c.key: getattr(p, c.key) for c in columns}, "award_id": awards.get(p.id)}
        )
        for p in proposals
    ]
