"""Reports on the subsidy books: totals by a grouping, a space's statement, and their exports.

Every figure comes from the ledger's account sums, added up by the database: per award its
committed (undisbursed), in-transit and disbursed accounts, per recovery case its receivable,
recovered and written-off accounts. A district officer's figures are confined to its own
jurisdiction's awards and cases, and it gets no city-wide budget block.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.subsidy.awards.models import Award, AwardKind, AwardStatus
from services.subsidy.budgets.service import FIRST_YEAR, percent
from services.subsidy.disbursements.models import Disbursement, DisbursementStatus
from services.subsidy.ledger.models import Account, AccountKind, EntryKind, JournalEntry, Transfer
from services.subsidy.recoveries.models import (
    RecoveryCase,
    RecoveryGround,
    Settlement,
    SettlementKind,
)
from services.subsidy.reports.schemas import (
    BudgetBlock,
    Figures,
    Grouping,
    Statement,
    StatementAward,
    StatementCase,
    StatementLine,
    StatementSettlement,
    Summary,
    SummaryRow,
    TrancheOut,
)
from services.subsidy.scope import jurisdiction_of, of_rows
from shared.auth import Principal
from shared.contracts.events import RevocationReason
from shared.contracts.jurisdictions import JURISDICTION_NAMES
from shared.errors import FieldError, NotFound, RequestInvalid
from shared.tabular import Cell, Column, Table
from shared.timezone import today_in_china


class SpaceNotFound(NotFound):
    slug = "report-space-not-found"


KIND_NAMES: dict[str, str] = {
    AwardKind.RECOGNITION: "新认定市级众创空间奖励",
    AwardKind.NATIONAL_FILING: "国家级备案奖励",
    AwardKind.EXCELLENT_ASSESSMENT: "年度考核优秀奖励",
    AwardKind.OPERATING_SUBSIDY: "运营补贴",
}
STATUS_NAMES: dict[str, str] = {
    AwardStatus.PENDING_APPROVAL: "待复核",
    AwardStatus.APPROVED: "已复核",
    AwardStatus.DECLINED: "不予批准",
    AwardStatus.CANCELLED: "已撤销",
}
ENTRY_NAMES: dict[str, str] = {
    EntryKind.APPROPRIATION: "预算下达",
    EntryKind.BUDGET_ADJUSTMENT: "预算调整",
    EntryKind.AWARD_COMMITTED: "奖补决定",
    EntryKind.AWARD_RELEASED: "奖补额度释放",
    EntryKind.DISBURSEMENT_INSTRUCTED: "拨付指令",
    EntryKind.DISBURSEMENT_CONFIRMED: "拨付到账",
    EntryKind.DISBURSEMENT_RELEASED: "拨付失败/取消",
    EntryKind.RECOVERY_DETERMINED: "追回认定",
    EntryKind.REPAYMENT: "退回",
    EntryKind.OFFSET: "抵扣",
    EntryKind.WRITE_OFF: "核销",
    EntryKind.REVERSAL: "冲正",
}
GROUND_NAMES: dict[str, str] = {
    RecoveryGround.FALSE_MATERIALS: "以虚假材料取得认定",
    RecoveryGround.MISUSE: "未按规定使用财政资金",
}
SETTLEMENT_NAMES: dict[str, str] = {
    SettlementKind.REPAYMENT: "退回",
    SettlementKind.OFFSET: "抵扣",
    SettlementKind.WRITE_OFF: "核销",
}
ENDED_TRANCHE_NAMES: dict[str, str] = {
    DisbursementStatus.FAILED: "拨付失败",
    DisbursementStatus.CANCELLED: "拨付取消",
}
REVOCATION_NAMES: dict[str, str] = {
    RevocationReason.FALSE_MATERIALS: "弄虚作假等不正当手段取得认定",
    RevocationReason.FAILED_ASSESSMENTS: "连续两年考核不合格",
    RevocationReason.OTHER: "其他",
}
GROUPING_NAMES: dict[Grouping, str] = {
    Grouping.YEAR: "年度",
    Grouping.JURISDICTION: "属地",
    Grouping.SPACE: "众创空间",
    Grouping.KIND: "奖补类别",
    Grouping.STATUS: "奖补状态",
}
_KEY_ORDER = {
    Grouping.JURISDICTION: list(JURISDICTION_NAMES),
    Grouping.KIND: list(KIND_NAMES),
    Grouping.STATUS: list(STATUS_NAMES),
}


def check_year(year: int | None) -> None:
    latest = today_in_china().year + 1
    if year is not None and not FIRST_YEAR <= year <= latest:
        raise RequestInvalid(
            f"fiscal_year {year}: the books cover {FIRST_YEAR} to {latest}; leave it out for "
            "all years",
            [FieldError(field="query.fiscal_year", message="out of range", type="value_error")],
        )


# -- the database's sums ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which awards and cases a report covers."""

    jurisdiction: str | None = None
    fiscal_year: int | None = None
    space_id: uuid.UUID | None = None

    def awards(self) -> list[sa.ColumnElement[bool]]:
        where = []
        if self.jurisdiction is not None:
            where.append(of_rows(Award) == self.jurisdiction)
        if self.fiscal_year is not None:
            where.append(Award.fiscal_year == self.fiscal_year)
        if self.space_id is not None:
            where.append(Award.space_id == self.space_id)
        return where

    def cases(self) -> list[sa.ColumnElement[bool]]:
        """A case belongs to the year it was determined in."""
        where = []
        if self.jurisdiction is not None:
            where.append(of_rows(RecoveryCase) == self.jurisdiction)
        if self.fiscal_year is not None:
            where.append(
                RecoveryCase.determined_on.between(
                    date(self.fiscal_year, 1, 1), date(self.fiscal_year, 12, 31)
                )
            )
        if self.space_id is not None:
            where.append(RecoveryCase.space_id == self.space_id)
        return where


def _balance_of(kind: AccountKind) -> sa.ColumnElement[int]:
    return sa.case((Account.kind == kind, Account.debits_posted - Account.credits_posted), else_=0)


def _per_award(scope: Scope) -> sa.Subquery:
    """Each award's undisbursed, in-transit, gross paid and claimed-back fen (of the awards in
    ``scope`` only, so a space's statement does not add up every account of the books)."""
    disbursed = Account.kind == AccountKind.DISBURSED
    return (
        sa.select(
            Account.award_id.label("award_id"),
            sa.func.sum(_balance_of(AccountKind.COMMITTED)).label("undisbursed"),
            sa.func.sum(_balance_of(AccountKind.IN_TRANSIT)).label("in_transit"),
            sa.func.sum(sa.case((disbursed, Account.debits_posted), else_=0)).label("paid"),
            sa.func.sum(sa.case((disbursed, Account.credits_posted), else_=0)).label("claimed"),
        )
        .where(Account.award_id.in_(sa.select(Award.id).where(*scope.awards())))
        .group_by(Account.award_id)
        .subquery("per_award")
    )


def _per_case(scope: Scope) -> sa.Subquery:
    """Each case's outstanding, recovered and written-off fen (of the cases in ``scope``)."""
    return (
        sa.select(
            Account.case_id.label("case_id"),
            sa.func.sum(_balance_of(AccountKind.RECEIVABLE)).label("outstanding"),
            sa.func.sum(_balance_of(AccountKind.RECOVERED)).label("recovered"),
            sa.func.sum(_balance_of(AccountKind.WRITTEN_OFF)).label("written_off"),
        )
        .where(Account.case_id.in_(sa.select(RecoveryCase.id).where(*scope.cases())))
        .group_by(Account.case_id)
        .subquery("per_case")
    )


def _total(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return sa.func.coalesce(sa.func.sum(sa.func.coalesce(column, 0)), 0)


_AWARD_KEYS: dict[Grouping, sa.ColumnElement[Any]] = {
    Grouping.YEAR: Award.fiscal_year.expression,
    # The jurisdiction managing the space now (after a move, the new one).
    Grouping.JURISDICTION: of_rows(Award),
    Grouping.SPACE: Award.space_id.expression,
    Grouping.KIND: Award.kind.expression,
    Grouping.STATUS: Award.status.expression,
}
_CASE_KEYS: dict[Grouping, sa.ColumnElement[Any]] = {
    Grouping.YEAR: sa.extract("year", RecoveryCase.determined_on),
    Grouping.JURISDICTION: of_rows(RecoveryCase),
    Grouping.SPACE: RecoveryCase.space_id.expression,
}

# Awards, awarded, paid, in transit, undisbursed, claimed back.
_AwardSums = tuple[int, int, int, int, int, int]
# Determined, outstanding, recovered, written off.
_CaseSums = tuple[int, int, int, int]


async def _award_sums(
    session: AsyncSession, scope: Scope, key: sa.ColumnElement[Any] | None
) -> dict[str, _AwardSums]:
    per = _per_award(scope)
    undisbursed = sa.func.coalesce(per.c.undisbursed, 0)
    in_transit = sa.func.coalesce(per.c.in_transit, 0)
    paid = sa.func.coalesce(per.c.paid, 0)
    keys = [] if key is None else [key.label("key")]
    stmt = (
        sa.select(
            *keys,
            sa.func.count(Award.id),
            _total(undisbursed + in_transit + paid),
            _total(paid),
            _total(in_transit),
            _total(undisbursed),
            _total(per.c.claimed),
        )
        .select_from(Award)
        .outerjoin(per, per.c.award_id == Award.id)
        .where(*scope.awards())
    )
    if key is not None:
        stmt = stmt.group_by(key)
    out: dict[str, _AwardSums] = {}
    for row in await session.execute(stmt):
        values = tuple(int(v) for v in row[len(keys) :])
        out[_key_text(row[0]) if keys else ""] = values  # type: ignore[assignment]
    return out


async def _case_sums(
    session: AsyncSession, scope: Scope, key: sa.ColumnElement[Any] | None
) -> dict[str, _CaseSums]:
    per = _per_case(scope)
    keys = [] if key is None else [key.label("key")]
    # What was determined is what is still owed plus what settled it: unlike the receivable's
    # debits, this does not count a reversed repayment twice.
    stmt = (
        sa.select(
            *keys,
            _total(per.c.outstanding + per.c.recovered + per.c.written_off),
            _total(per.c.outstanding),
            _total(per.c.recovered),
            _total(per.c.written_off),
        )
        .select_from(RecoveryCase)
        .outerjoin(per, per.c.case_id == RecoveryCase.id)
        .where(*scope.cases())
    )
    if key is not None:
        stmt = stmt.group_by(key)
    out: dict[str, _CaseSums] = {}
    for row in await session.execute(stmt):
        values = tuple(int(v) for v in row[len(keys) :])
        out[_key_text(row[0]) if keys else ""] = values  # type: ignore[assignment]
    return out


def _key_text(value: Any) -> str:
    if isinstance(value, AwardKind | AwardStatus):
        return value.value
    if isinstance(value, float | Decimal):  # a year extracted by PostgreSQL
        return str(int(value))
    return str(value)


def _figures(awards: _AwardSums | None, cases: _CaseSums | None, recovery: bool) -> Figures:
    count, awarded, paid, in_transit, undisbursed, claimed = awards or (0, 0, 0, 0, 0, 0)
    determined, outstanding, recovered, written_off = cases or (0, 0, 0, 0)
    return Figures(
        awards=count,
        awarded_fen=awarded,
        paid_fen=paid,
        in_transit_fen=in_transit,
        undisbursed_fen=undisbursed,
        claimed_back_fen=claimed,
        recovery_determined_fen=determined if recovery else None,
        recovery_outstanding_fen=outstanding if recovery else None,
        recovered_fen=recovered if recovery else None,
        written_off_fen=written_off if recovery else None,
    )


async def _totals(session: AsyncSession, scope: Scope) -> Figures:
    awards = (await _award_sums(session, scope, None))[""]
    cases = (await _case_sums(session, scope, None))[""]
    return _figures(awards, cases, True)


# -- the summary -----------------------------------------------------------------------------


async def summary(
    session: AsyncSession, principal: Principal, by: Grouping, fiscal_year: int | None
) -> Summary:
    check_year(fiscal_year)
    scope = Scope(jurisdiction=principal.jurisdiction_scope, fiscal_year=fiscal_year)
    award_groups = await _award_sums(session, scope, _AWARD_KEYS[by])
    case_key = _CASE_KEYS.get(by)
    case_groups = {} if case_key is None else await _case_sums(session, scope, case_key)
    keys = award_groups.keys() | case_groups.keys()
    spaces = await _space_names(session, keys) if by is Grouping.SPACE else {}
    rows = [
        SummaryRow(
            key=key,
            label=_label(by, key, spaces),
            jurisdiction_code=spaces[key][1] if key in spaces else None,
            **_figures(
                award_groups.get(key), case_groups.get(key), case_key is not None
            ).model_dump(),
        )
        for key in keys
    ]
    rows.sort(key=lambda row: _sort_key(by, row))
    totals = await _totals(session, scope)
    budget = None
    if principal.jurisdiction_scope is None:
        budget = await _budget(session, fiscal_year, totals.paid_fen)
    return Summary(
        fiscal_year=fiscal_year,
        by=by,
        jurisdiction_scope=principal.jurisdiction_scope,
        recovery_applies=case_key is not None,
        rows=rows,
        totals=totals,
        budget=budget,
    )


async def _space_names(session: AsyncSession, keys: Any) -> dict[str, tuple[str, str]]:
    """Space id → (name, jurisdiction) as its latest award records them."""
    ids = [uuid.UUID(key) for key in keys]
    if not ids:
        return {}
    latest = (
        sa.select(
            Award.space_id,
            Award.space_name,
            Award.jurisdiction_code,
            sa.func.row_number()
            .over(
                partition_by=Award.space_id,
                order_by=(Award.decided_on.desc(), Award.created_at.desc()),
            )
            .label("n"),
        )
        .where(Award.space_id.in_(ids))
        .subquery()
    )
    rows = await session.execute(
        sa.select(latest.c.space_id, latest.c.space_name, latest.c.jurisdiction_code).where(
            latest.c.n == 1
        )
    )
    return {str(space_id): (name, code) for space_id, name, code in rows}


def _label(by: Grouping, key: str, spaces: dict[str, tuple[str, str]]) -> str:
    if by is Grouping.YEAR:
        return f"{key}年度"
    if by is Grouping.JURISDICTION:
        return JURISDICTION_NAMES.get(key, key)
    if by is Grouping.SPACE:
        return spaces[key][0] if key in spaces else key
    if by is Grouping.KIND:
        return KIND_NAMES.get(key, key)
    return STATUS_NAMES.get(key, key)


def _sort_key(by: Grouping, row: SummaryRow) -> tuple[Any, ...]:
    order = _KEY_ORDER.get(by)
    if order is not None:
        return (order.index(row.key) if row.key in order else len(order), row.key)
    if by is Grouping.SPACE:
        return (row.jurisdiction_code or "", row.label, row.key)
    return (int(row.key),)


async def _budget(session: AsyncSession, fiscal_year: int | None, paid: int) -> BudgetBlock:
    where = [] if fiscal_year is None else [Account.fiscal_year == fiscal_year]
    appropriation = Account.kind == AccountKind.APPROPRIATION
    appropriated, available = (
        await session.execute(
            sa.select(
                _total(sa.case((appropriation, Account.credits_posted - Account.debits_posted))),
                _total(_balance_of(AccountKind.BUDGET)),
            ).where(
                Account.kind.in_([AccountKind.APPROPRIATION, AccountKind.BUDGET]),
                *where,
            )
        )
    ).one()
    return BudgetBlock(
        appropriated_fen=int(appropriated),
        available_fen=int(available),
        paid_fen=paid,
        execution_rate_percent=percent(paid, int(appropriated)),
    )


# -- a space's statement ---------------------------------------------------------------------


async def statement(session: AsyncSession, principal: Principal, space_id: uuid.UUID) -> Statement:
    scope = Scope(jurisdiction=principal.jurisdiction_scope, space_id=space_id)
    per = _per_award(scope)
    award_rows = (
        await session.execute(
            sa.select(
                Award,
                sa.func.coalesce(per.c.undisbursed, 0),
                sa.func.coalesce(per.c.in_transit, 0),
                sa.func.coalesce(per.c.paid, 0),
                sa.func.coalesce(per.c.claimed, 0),
            )
            .outerjoin(per, per.c.award_id == Award.id)
            .where(*scope.awards())
            .order_by(Award.decided_on, Award.created_at, Award.id)
        )
    ).all()
    if not award_rows:
        # A case is only ever opened on a space that was paid, so no award means no space.
        raise SpaceNotFound(
            f"No space {space_id} with awards within your jurisdiction; check the id"
        )
    latest: Award = award_rows[-1][0]
    award_ids = [row[0].id for row in award_rows]
    tranches: dict[uuid.UUID, list[TrancheOut]] = {award_id: [] for award_id in award_ids}
    for tranche in (
        await session.scalars(
            sa.select(Disbursement)
            .where(Disbursement.award_id.in_(award_ids))
            .order_by(Disbursement.award_id, Disbursement.tranche_no)
        )
    ).all():
        tranches[tranche.award_id].append(TrancheOut.model_validate(tranche, from_attributes=True))
    awards = [
        StatementAward.model_validate(
            {
                **{key: getattr(award, key) for key in _AWARD_FIELDS},
                "undisbursed_fen": int(undisbursed),
                "in_transit_fen": int(in_transit),
                "paid_fen": int(paid),
                "claimed_back_fen": int(claimed),
                "tranches": tranches[award.id],
            }
        )
        for award, undisbursed, in_transit, paid, claimed in award_rows
    ]
    cases = await _statement_cases(session, scope)
    return Statement(
        space_id=space_id,
        space_name=latest.space_name,
        jurisdiction_code=await jurisdiction_of(session, space_id, latest.jurisdiction_code),
        awards=awards,
        recovery_cases=cases,
        lines=await _lines(session, award_ids, [case.id for case in cases]),
        totals=await _totals(session, scope),
    )


_AWARD_FIELDS = (
    "id",
    "kind",
    "fiscal_year",
    "amount_fen",
    "decision_document_no",
    "decided_on",
    "status",
)


async def _statement_cases(session: AsyncSession, scope: Scope) -> list[StatementCase]:
    per = _per_case(scope)
    rows = (
        await session.execute(
            sa.select(
                RecoveryCase,
                sa.func.coalesce(per.c.outstanding, 0),
                sa.func.coalesce(per.c.recovered, 0),
                sa.func.coalesce(per.c.written_off, 0),
            )
            .outerjoin(per, per.c.case_id == RecoveryCase.id)
            .where(*scope.cases())
            .order_by(RecoveryCase.determined_on, RecoveryCase.created_at, RecoveryCase.id)
        )
    ).all()
    reversal = aliased(JournalEntry)
    settlements: dict[uuid.UUID, list[StatementSettlement]] = {row[0].id: [] for row in rows}
    if settlements:
        for settlement, reversed_by in await session.execute(
            sa.select(Settlement, reversal.id)
            .outerjoin(reversal, reversal.reverses_id == Settlement.entry_id)
            .where(Settlement.case_id.in_(list(settlements)))
            .order_by(Settlement.created_at, Settlement.id)
        ):
            settlements[settlement.case_id].append(
                StatementSettlement(
                    id=settlement.id,
                    kind=settlement.kind,
                    amount_fen=settlement.amount_fen,
                    settled_on=settlement.settled_on,
                    reference=settlement.reference,
                    entry_id=settlement.entry_id,
                    reversed=reversed_by is not None,
                )
            )
    return [
        StatementCase(
            id=case.id,
            ground=case.ground,
            legal_basis=case.legal_basis,
            document_no=case.document_no,
            determined_on=case.determined_on,
            due_on=case.due_on,
            status=case.status,
            determined_fen=int(outstanding + recovered + written_off),
            outstanding_fen=int(outstanding),
            recovered_fen=int(recovered),
            written_off_fen=int(written_off),
            settlements=settlements[case.id],
        )
        for case, outstanding, recovered, written_off in rows
    ]


def _alternatives(names: dict[str, str]) -> str:
    return "|".join(re.escape(code) for code in names)


# The shapes in which the subsidy's own code wrote English into a memo, and their Chinese.
_REVOKED = re.compile(r"recognition revoked \((\w+), (.*)\)")
_PAID_AFTER_REVOCATION = re.compile(r"^paid after revocation: tranche (\d+) of award ([\w-]+)$")
_CODE_COLON = re.compile(f"^({_alternatives(GROUND_NAMES | ENDED_TRANCHE_NAMES)}): ")
_SETTLEMENT = re.compile(f"^({_alternatives(SETTLEMENT_NAMES)}) ")
_AWARD_KIND = re.compile(f"(?<!\\S)({_alternatives(KIND_NAMES)})(?!\\S)")


def memo_text(kind: EntryKind, memo: str) -> str:
    """摘要: a ledger entry's memo as a person reads it. The memo stays as it was recorded; the
    codes the subsidy wrote into it (``{space} recognition {document}``, ``cancelled:
    recognition revoked (false_materials, {document})``, ``repayment {reference}``) read as
    their Chinese labels. Text a person typed (a reason, a reference) is left as it is."""
    text = _REVOKED.sub(lambda m: f"取消认定（{REVOCATION_NAMES.get(m[1], m[1])}，{m[2]}）", memo)
    text = _PAID_AFTER_REVOCATION.sub(lambda m: f"取消认定后到账：奖补{m[2]} 第{m[1]}笔", text)
    names = GROUND_NAMES | ENDED_TRANCHE_NAMES
    text = _CODE_COLON.sub(lambda m: f"{names[m[1]]}：", text)
    text = _SETTLEMENT.sub(lambda m: f"{SETTLEMENT_NAMES[m[1]]} ", text)
    if kind is EntryKind.AWARD_COMMITTED:
        text = _AWARD_KIND.sub(lambda m: KIND_NAMES[m[1]], text)
    return text


async def _lines(
    session: AsyncSession, award_ids: Sequence[uuid.UUID], case_ids: Sequence[uuid.UUID]
) -> list[StatementLine]:
    """Every entry that touched the space's accounts, with what it changed on them and the
    running net paid and outstanding, in the order the entries were written."""
    owned = [Account.award_id.in_(award_ids)]
    if case_ids:
        owned.append(Account.case_id.in_(case_ids))
    codes = sa.select(Account.code).where(sa.or_(*owned)).scalar_subquery()
    debit = aliased(Account)
    credit = aliased(Account)

    def change(kind: AccountKind) -> sa.ColumnElement[int]:
        return sa.func.sum(
            sa.case((debit.kind == kind, Transfer.amount), else_=0)
            - sa.case((credit.kind == kind, Transfer.amount), else_=0)
        )

    def side(account: Any, kind: AccountKind) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((account.kind == kind, Transfer.amount), else_=0))

    deltas = (
        sa.select(
            Transfer.entry_seq.label("seq"),
            change(AccountKind.COMMITTED).label("undisbursed"),
            change(AccountKind.IN_TRANSIT).label("in_transit"),
            side(debit, AccountKind.DISBURSED).label("paid"),
            side(credit, AccountKind.DISBURSED).label("claimed"),
            change(AccountKind.RECOVERED).label("recovered"),
            change(AccountKind.WRITTEN_OFF).label("written_off"),
            change(AccountKind.RECEIVABLE).label("receivable"),
        )
        .select_from(Transfer)
        .outerjoin(debit, sa.and_(debit.code == Transfer.debit_account, debit.code.in_(codes)))
        .outerjoin(credit, sa.and_(credit.code == Transfer.credit_account, credit.code.in_(codes)))
        .where(sa.or_(Transfer.debit_account.in_(codes), Transfer.credit_account.in_(codes)))
        .group_by(Transfer.entry_seq)
        .subquery("deltas")
    )
    rows = await session.execute(
        sa.select(
            JournalEntry,
            deltas.c.undisbursed,
            deltas.c.in_transit,
            deltas.c.paid,
            deltas.c.claimed,
            deltas.c.recovered,
            deltas.c.written_off,
            sa.func.sum(deltas.c.paid - deltas.c.claimed).over(order_by=JournalEntry.seq),
            sa.func.sum(deltas.c.receivable).over(order_by=JournalEntry.seq),
        )
        .join(deltas, deltas.c.seq == JournalEntry.seq)
        .order_by(JournalEntry.seq)
    )
    return [
        StatementLine(
            seq=entry.seq,
            entry_id=entry.id,
            kind=entry.kind,
            effective_on=entry.effective_on,
            created_at=entry.created_at,
            document_no=entry.document_no,
            memo=entry.memo,
            summary=memo_text(entry.kind, entry.memo),
            award_id=entry.award_id,
            case_id=entry.case_id,
            reverses_id=entry.reverses_id,
            undisbursed_fen=int(undisbursed),
            in_transit_fen=int(in_transit),
            paid_fen=int(paid),
            claimed_back_fen=int(claimed),
            recovered_fen=int(recovered),
            written_off_fen=int(written_off),
            net_paid_fen=int(net_paid),
            outstanding_fen=int(outstanding),
        )
        for (
            entry,
            undisbursed,
            in_transit,
            paid,
            claimed,
            recovered,
            written_off,
            net_paid,
            outstanding,
        ) in rows
    ]


# -- exports ---------------------------------------------------------------------------------


_FIGURE_COLUMNS = (
    ("awards", Column("奖补笔数", width=10)),
    ("awarded_fen", Column("核定奖补", money=True)),
    ("paid_fen", Column("已拨付", money=True)),
    ("in_transit_fen", Column("拨付在途", money=True)),
    ("undisbursed_fen", Column("未拨付", money=True)),
    ("claimed_back_fen", Column("已认定追回", money=True)),
    ("recovery_determined_fen", Column("追回认定金额", money=True)),
    ("recovery_outstanding_fen", Column("待追回", money=True)),
    ("recovered_fen", Column("已追回", money=True)),
    ("written_off_fen", Column("已核销", money=True)),
)


def summary_table(report: Summary) -> Table:
    group = GROUPING_NAMES[report.by]
    columns = [Column(group, width=30 if report.by is Grouping.SPACE else 20)]
    if report.by is Grouping.SPACE:
        columns += [Column("众创空间编号", width=38), Column("属地", width=12)]
    columns += [column for _, column in _FIGURE_COLUMNS]

    def cells(row: Figures, head: list[Cell]) -> list[Cell]:
        return head + [getattr(row, name) for name, _ in _FIGURE_COLUMNS]

    rows = []
    for row in report.rows:
        head: list[Cell] = [row.label]
        if report.by is Grouping.SPACE:
            head += [row.key, JURISDICTION_NAMES.get(row.jurisdiction_code or "", "")]
        rows.append(cells(row, head))
    total_head: list[Cell] = ["合计"]
    if report.by is Grouping.SPACE:
        total_head += ["", ""]
    rows.append(cells(report.totals, total_head))
    return Table("奖补汇总", columns, rows, frozen_columns=1)


def budget_table(block: BudgetBlock) -> Table:
    return Table(
        "预算执行",
        [
            Column("预算总额", money=True),
            Column("可用余额", money=True),
            Column("已拨付", money=True),
            Column("预算执行率（%）", width=16),
        ],
        [
            [
                block.appropriated_fen,
                block.available_fen,
                block.paid_fen,
                Decimal(block.execution_rate_percent),
            ]
        ],
        frozen_columns=1,
    )


def statement_table(report: Statement) -> Table:
    columns = [
        Column("序号", width=8),
        Column("记账日期", width=12),
        Column("业务类型", width=14),
        Column("文号", width=26),
        Column("摘要", width=40),
        Column("未拨付变动", money=True),
        Column("拨付在途变动", money=True),
        Column("拨付金额", money=True),
        Column("认定追回", money=True),
        Column("追回金额", money=True),
        Column("核销金额", money=True),
        Column("累计净拨付", money=True),
        Column("待追回余额", money=True),
        Column("冲正原分录", width=38),
        Column("分录编号", width=38),
    ]
    rows: list[list[Cell]] = [
        [
            line.seq,
            line.effective_on,
            ENTRY_NAMES.get(line.kind, line.kind.value),
            line.document_no or "",
            line.summary,
            line.undisbursed_fen,
            line.in_transit_fen,
            line.paid_fen,
            line.claimed_back_fen,
            line.recovered_fen,
            line.written_off_fen,
            line.net_paid_fen,
            line.outstanding_fen,
            "" if line.reverses_id is None else str(line.reverses_id),
            str(line.entry_id),
        ]
        for line in report.lines
    ]
    return Table("对账单", columns, rows, frozen_columns=1)


def summary_filenames(report: Summary, extension: str) -> tuple[str, str]:
    year = "all-years" if report.fiscal_year is None else str(report.fiscal_year)
    year_cn = "全部年度" if report.fiscal_year is None else f"{report.fiscal_year}年度"
    scope = report.jurisdiction_scope
    scope_cn = "全市" if scope is None else JURISDICTION_NAMES.get(scope, scope)
    ascii_name = f"subsidy-summary-{scope or 'city'}-{year}-by-{report.by.value}.{extension}"
    name = f"众创空间奖补汇总_{scope_cn}_{year_cn}_按{GROUPING_NAMES[report.by]}.{extension}"
    return ascii_name, name


def statement_filenames(report: Statement, extension: str) -> tuple[str, str]:
    return (
        f"space-statement-{report.space_id}.{extension}",
        f"{report.space_name}_奖补对账单.{extension}",
    )
