"""Reports: every figure of the summary and of a space's statement is what was paid, claimed
back, repaid and written off; a district sees its own spaces only; the CSV and xlsx exports
say the same as the JSON, with Chinese headers."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest

from services.subsidy.awards.models import AwardKind, AwardStatus
from services.subsidy.budgets.service import percent
from services.subsidy.disbursements.models import DisbursementStatus
from services.subsidy.ledger.models import EntryKind
from services.subsidy.recoveries.models import CaseStatus, RecoveryGround, SettlementKind
from services.subsidy.reports.service import memo_text
from shared.contracts.events import RevocationReason
from shared.timezone import today_in_china
from tests.subsidy.conftest import FakeSpace, Money, doc

CHENGGUAN, QILIHE = "620102", "620103"
M = 1_000_000  # fen: 10,000 yuan (1万元)
FORMULA = '=HYPERLINK("http://example.invalid","缴款退票")'
MONEY = (
    "awarded_fen",
    "paid_fen",
    "in_transit_fen",
    "undisbursed_fen",
    "claimed_back_fen",
    "recovery_determined_fen",
    "recovery_outstanding_fen",
    "recovered_fen",
    "written_off_fen",
)


@dataclass
class Books:
    a: FakeSpace  # 城关区, a 2025 recognition award and a 2026 operating subsidy
    b: FakeSpace  # 城关区, revoked for false materials: repaid in part, the rest written off
    c: FakeSpace  # 七里河区, a misuse case partly repaid, and a pending award


async def _post(money: Money, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return await money.expect(await money.client.post(url, json=body, headers=headers), 201)


async def _books(money: Money) -> Books:
    """Two districts' spaces, paid, claimed back, repaid and written off (see the figures in
    the tests: each is worked out by hand from these amounts)."""
    await money.appropriate(50 * M, year=2025)
    await money.appropriate(100 * M, year=2026)
    a = money.registry.add(jurisdiction=CHENGGUAN)
    b = money.registry.add(jurisdiction=CHENGGUAN, form="virtual")
    c = money.registry.add(jurisdiction=QILIHE)

    a1 = await money.award(a, decided_on="2025-08-01")  # 20 M
    await money.pay(a1["id"], 12 * M)
    a2 = await money.award(a, kind="operating_subsidy", amount=4 * M)
    await money.pay(a2["id"], 1_500_000)
    in_transit = await money.instruct(a2["id"], 1 * M)
    await money.expect(
        await money.client.post(
            f"/v1/disbursements/{in_transit['id']}/sending",
            json={},
            headers=money.preparer_headers(),
        ),
        200,
    )

    b1 = await money.award(b)  # 5 M for a virtual space
    await money.pay(b1["id"], 3 * M)
    await money.instruct(b1["id"], 500_000)  # unsent: cancelled by the revocation
    assert (await money.revoke(b)).status_code == 200  # claims back the 3 M paid
    (case_b,) = await _cases(money, b)
    await _post(
        money,
        f"/v1/recoveries/{case_b['id']}/repayments",
        {"amount_fen": 1 * M, "repaid_on": "2026-05-20", "reference": doc("缴款")},
        money.preparer_headers(),
    )
    base = f"/v1/recoveries/{case_b['id']}"
    requested = await money.client.post(
        f"{base}/write-off-request",
        json={"reason": "运营主体已注销"},
        headers=money.preparer_headers(),
    )
    assert requested.status_code == 200, requested.text
    approved = await money.client.post(f"{base}/write-off-approval", headers=money.approver())
    assert approved.json()["written_off_fen"] == 2 * M, approved.text

    c1 = await money.award(c)  # 20 M
    await money.pay(c1["id"], 10 * M)
    case_c = await _post(
        money,
        "/v1/recoveries",
        {
            "space_id": str(c.id),
            "amount_fen": 4 * M,
            "legal_basis": "《兰州市众创空间认定管理办法》第二十一条",
            "document_no": doc("兰科发追"),
            "determined_on": "2026-06-01",
            "due_on": "2026-07-01",
        },
        money.preparer_headers(),
    )
    await _post(
        money,
        f"/v1/recoveries/{case_c['id']}/repayments",
        {"amount_fen": 1_500_000, "repaid_on": "2026-06-20", "reference": doc("缴款")},
        money.preparer_headers(),
    )
    await money.award(c, kind="excellent_assessment", approve=False)  # 10 M, pending
    return Books(a, b, c)


async def _cases(money: Money, space: FakeSpace) -> list[dict[str, Any]]:
    response = await money.client.get(
        "/v1/recoveries",
        params={"space_id": str(space.id)},
        headers=money.auth("auditor", key=False),
    )
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _get(money: Money, url: str, headers: dict[str, str] | None = None, **params: Any):
    response = await money.client.get(
        url, params=params, headers=headers or money.auth("auditor", key=False)
    )
    assert response.status_code == 200, response.text
    return response


async def _summary(money: Money, headers: dict[str, str] | None = None, **params: Any) -> Any:
    return (await _get(money, "/v1/reports/summary", headers, **params)).json()


def _figures(
    awards: int,
    awarded: int,
    paid: int,
    in_transit: int,
    undisbursed: int,
    claimed: int,
    recovery: tuple[int, int, int, int] | None = (0, 0, 0, 0),
) -> dict[str, Any]:
    determined, outstanding, recovered, written_off = recovery or (None, None, None, None)
    return {
        "awards": awards,
        "awarded_fen": awarded,
        "paid_fen": paid,
        "in_transit_fen": in_transit,
        "undisbursed_fen": undisbursed,
        "claimed_back_fen": claimed,
        "recovery_determined_fen": determined,
        "recovery_outstanding_fen": outstanding,
        "recovered_fen": recovered,
        "written_off_fen": written_off,
    }


def _only_figures(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("awards", *MONEY)}


def _rows(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: _only_figures(row) for row in summary["rows"]}


# Worked out from _books: awards A1 2025 (20 M, paid 12), A2 2026 (4 M, paid 1.5, 1 in
# transit), B1 2026 (5 M, paid 3, 2 released, all 3 claimed back), C1 2026 (20 M, paid 10, 4
# claimed back), C2 2026 (10 M pending). Case B: 3 M, repaid 1, written off 2. Case C: 4 M,
# repaid 1.5, 2.5 outstanding.
TOTALS = _figures(
    5, 57 * M, 26_500_000, 1 * M, 29_500_000, 7 * M, (7 * M, 2_500_000, 2_500_000, 2 * M)
)
CHENGGUAN_ROW = _figures(3, 27 * M, 16_500_000, 1 * M, 9_500_000, 3 * M, (3 * M, 0, 1 * M, 2 * M))
QILIHE_ROW = _figures(2, 30 * M, 10 * M, 0, 20 * M, 4 * M, (4 * M, 2_500_000, 1_500_000, 0))


async def test_summary_by_year_and_jurisdiction_is_what_was_paid(money: Money) -> None:
    await _books(money)
    by_year = await _summary(money, by="year")
    assert by_year["recovery_applies"] is True
    assert [row["label"] for row in by_year["rows"]] == ["2025年度", "2026年度"]
    assert _rows(by_year) == {
        "2025": _figures(1, 20 * M, 12 * M, 0, 8 * M, 0),
        "2026": _figures(
            4, 37 * M, 14_500_000, 1 * M, 21_500_000, 7 * M, (7 * M, 2_500_000, 2_500_000, 2 * M)
        ),
    }
    assert by_year["totals"] == TOTALS
    # Across all years: 150 M appropriated, 57 M of it awarded, 26.5 M paid.
    assert by_year["budget"] == {
        "appropriated_fen": 150 * M,
        "available_fen": 93 * M,
        "paid_fen": 26_500_000,
        "execution_rate_percent": "17.7",
    }

    by_jurisdiction = await _summary(money, by="jurisdiction")
    assert [(r["key"], r["label"]) for r in by_jurisdiction["rows"]] == [
        (CHENGGUAN, "城关区"),
        (QILIHE, "七里河区"),
    ]
    assert _rows(by_jurisdiction) == {CHENGGUAN: CHENGGUAN_ROW, QILIHE: QILIHE_ROW}
    assert by_jurisdiction["totals"] == TOTALS


async def test_a_year_s_budget_is_what_is_available_plus_what_was_awarded(money: Money) -> None:
    await _books(money)
    for year, appropriated, paid in ((2025, 50 * M, 12 * M), (2026, 100 * M, 14_500_000)):
        report = await _summary(money, by="jurisdiction", fiscal_year=year)
        budget = report["budget"]
        assert budget["appropriated_fen"] == appropriated
        assert (
            budget["appropriated_fen"] == budget["available_fen"] + report["totals"]["awarded_fen"]
        )
        assert budget["paid_fen"] == report["totals"]["paid_fen"] == paid
        assert budget["execution_rate_percent"] == percent(paid, appropriated)
        # The budgets endpoint agrees.
        read = (await _get(money, f"/v1/budgets/{year}")).json()
        assert (read["available_fen"], read["paid_fen"], read["execution_rate_percent"]) == (
            budget["available_fen"],
            budget["paid_fen"],
            budget["execution_rate_percent"],
        )
    assert (await _summary(money, fiscal_year=2026))["budget"]["execution_rate_percent"] == "14.5"
    # Cases belong to the year they were determined in: none in 2025.
    in_2025 = await _summary(money, by="space", fiscal_year=2025)
    assert in_2025["totals"]["recovery_determined_fen"] == 0
    assert in_2025["totals"]["awards"] == 1


async def test_by_kind_and_status_recovery_does_not_apply(money: Money) -> None:
    await _books(money)
    by_kind = await _summary(money, by="kind")
    assert by_kind["recovery_applies"] is False
    assert _rows(by_kind) == {
        "recognition": _figures(3, 43 * M, 25 * M, 0, 18 * M, 7 * M, None),
        "operating_subsidy": _figures(1, 4 * M, 1_500_000, 1 * M, 1_500_000, 0, None),
        "excellent_assessment": _figures(1, 10 * M, 0, 0, 10 * M, 0, None),
    }
    assert [r["label"] for r in by_kind["rows"]] == [
        "新认定市级众创空间奖励",
        "年度考核优秀奖励",
        "运营补贴",
    ]
    assert by_kind["totals"] == TOTALS  # the totals still carry the recovery figures
    by_status = await _summary(money, by="status")
    assert _rows(by_status) == {
        "pending_approval": _figures(1, 10 * M, 0, 0, 10 * M, 0, None),
        "approved": _figures(3, 44 * M, 23_500_000, 1 * M, 19_500_000, 4 * M, None),
        "cancelled": _figures(1, 3 * M, 3 * M, 0, 0, 3 * M, None),
    }


async def test_a_district_sees_its_own_spaces_and_nothing_else(money: Money) -> None:
    books = await _books(money)
    district = money.auth("district_officer", CHENGGUAN, key=False)
    by_space = await _summary(money, district, by="space")
    assert by_space["jurisdiction_scope"] == CHENGGUAN
    assert by_space["budget"] is None  # the city-wide budget would reveal other districts
    assert {row["key"] for row in by_space["rows"]} == {str(books.a.id), str(books.b.id)}
    assert {row["jurisdiction_code"] for row in by_space["rows"]} == {CHENGGUAN}
    assert _rows(by_space) == {
        str(books.a.id): _figures(2, 24 * M, 13_500_000, 1 * M, 9_500_000, 0),
        str(books.b.id): _figures(1, 3 * M, 3 * M, 0, 0, 3 * M, (3 * M, 0, 1 * M, 2 * M)),
    }
    # The district's totals are the sum of its own spaces, and equal its row city-wide.
    for key in ("awards", *MONEY):
        assert by_space["totals"][key] == sum(row[key] for row in by_space["rows"])
    assert by_space["totals"] == CHENGGUAN_ROW
    for by in ("year", "jurisdiction", "kind", "status"):
        report = await _summary(money, district, by=by)
        assert report["totals"] == CHENGGUAN_ROW
        assert report["budget"] is None
    assert [row["key"] for row in (await _summary(money, district, by="jurisdiction"))["rows"]] == [
        CHENGGUAN
    ]
    other = await _summary(money, money.auth("district_officer", QILIHE, key=False), by="space")
    assert _rows(other) == {str(books.c.id): QILIHE_ROW}

    # Another district's space reads exactly like one that does not exist.
    unknown = uuid.uuid4()
    for suffix in ("", ".csv", ".xlsx"):
        theirs = await money.client.get(
            f"/v1/reports/spaces/{books.c.id}/statement{suffix}", headers=district
        )
        nowhere = await money.client.get(
            f"/v1/reports/spaces/{unknown}/statement{suffix}", headers=district
        )
        assert theirs.status_code == nowhere.status_code == 404
        assert theirs.headers["content-type"] == "application/problem+json"
        assert theirs.json()["type"] == nowhere.json()["type"]
        assert theirs.json()["detail"] == nowhere.json()["detail"].replace(
            str(unknown), str(books.c.id)
        )
    own = await _get(money, f"/v1/reports/spaces/{books.b.id}/statement", district)
    assert own.json()["space_id"] == str(books.b.id)


async def test_a_space_statement_lists_every_movement(money: Money) -> None:
    books = await _books(money)
    report = (await _get(money, f"/v1/reports/spaces/{books.b.id}/statement")).json()
    assert report["jurisdiction_code"] == CHENGGUAN
    assert report["space_name"] == books.b.name
    (award,) = report["awards"]
    assert award["status"] == "cancelled"
    assert (award["undisbursed_fen"], award["in_transit_fen"], award["paid_fen"]) == (0, 0, 3 * M)
    assert award["claimed_back_fen"] == 3 * M
    assert [(t["tranche_no"], t["amount_fen"], t["status"]) for t in award["tranches"]] == [
        (1, 3 * M, "confirmed"),
        (2, 500_000, "cancelled"),
    ]
    (case,) = report["recovery_cases"]
    assert case["ground"] == "false_materials"
    assert (case["determined_fen"], case["outstanding_fen"]) == (3 * M, 0)
    assert (case["recovered_fen"], case["written_off_fen"], case["status"]) == (
        1 * M,
        2 * M,
        "written_off",
    )
    assert [(s["kind"], s["amount_fen"], s["reversed"]) for s in case["settlements"]] == [
        ("repayment", 1 * M, False),
        ("write_off", 2 * M, False),
    ]
    lines = report["lines"]
    assert [line["kind"] for line in lines] == [
        "award_committed",
        "disbursement_instructed",
        "disbursement_confirmed",
        "disbursement_instructed",
        "disbursement_released",
        "award_released",
        "recovery_determined",
        "repayment",
        "write_off",
    ]
    assert [line["seq"] for line in lines] == sorted(line["seq"] for line in lines)
    assert [line["net_paid_fen"] for line in lines] == [0, 0, 3 * M, 3 * M, 3 * M, 3 * M, 0, 0, 0]
    assert [line["outstanding_fen"] for line in lines] == [0] * 6 + [3 * M, 2 * M, 0]
    assert [line["undisbursed_fen"] for line in lines] == [
        5 * M,
        -3 * M,
        0,
        -500_000,
        500_000,
        -2 * M,
        0,
        0,
        0,
    ]
    # The lines add up to the award's and the case's figures.
    assert sum(line["paid_fen"] for line in lines) == award["paid_fen"]
    assert sum(line["claimed_back_fen"] for line in lines) == case["determined_fen"]
    assert sum(line["recovered_fen"] for line in lines) == case["recovered_fen"]
    assert sum(line["written_off_fen"] for line in lines) == case["written_off_fen"]
    assert sum(line["in_transit_fen"] for line in lines) == 0
    assert report["totals"] == _figures(1, 3 * M, 3 * M, 0, 0, 3 * M, (3 * M, 0, 1 * M, 2 * M))

    a = (await _get(money, f"/v1/reports/spaces/{books.a.id}/statement")).json()
    assert [w["fiscal_year"] for w in a["awards"]] == [2025, 2026]
    assert a["lines"][-1]["net_paid_fen"] == 13_500_000
    assert a["totals"]["in_transit_fen"] == 1 * M
    assert a["recovery_cases"] == []


async def test_a_reversed_repayment_is_not_counted_twice(money: Money) -> None:
    books = await _books(money)
    (case,) = await _cases(money, books.c)
    entry_id = case["settlements"][0]["entry_id"]
    reversed_ = await money.client.post(
        f"/v1/ledger/entries/{entry_id}/reversal",
        json={"reason": FORMULA},
        headers=money.preparer_headers(),
    )
    assert reversed_.status_code == 201, reversed_.text
    report = (await _get(money, f"/v1/reports/spaces/{books.c.id}/statement")).json()
    (statement_case,) = report["recovery_cases"]
    assert statement_case["determined_fen"] == 4 * M
    assert statement_case["outstanding_fen"] == 4 * M
    assert statement_case["settlements"][0]["reversed"] is True
    assert report["lines"][-1]["kind"] == "reversal"
    assert report["lines"][-1]["recovered_fen"] == -1_500_000
    assert report["lines"][-1]["outstanding_fen"] == 4 * M
    row = _rows(await _summary(money, by="jurisdiction"))[QILIHE]
    assert (row["recovery_determined_fen"], row["recovered_fen"]) == (4 * M, 0)

    # A memo that looks like a formula stays text in both exports.
    assert report["lines"][-1]["memo"] == FORMULA
    url = f"/v1/reports/spaces/{books.c.id}/statement"
    header, *rows = _csv((await _get(money, f"{url}.csv")).content)
    assert rows[-1][header.index("摘要")] == "'" + FORMULA
    sheet = openpyxl.load_workbook(io.BytesIO((await _get(money, f"{url}.xlsx")).content))["对账单"]
    column = [cell.value for cell in sheet[1]].index("摘要")
    memo = sheet.cell(row=sheet.max_row, column=column + 1)
    assert (memo.value, memo.data_type) == (FORMULA, "s")


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _filename(disposition: str) -> tuple[str, str]:
    assert disposition.startswith("attachment; ")
    parts = dict(part.strip().split("=", 1) for part in disposition.split(";")[1:])
    plain = parts["filename"].strip('"')
    assert plain.isascii()
    charset, _, encoded = parts["filename*"].split("'", 2)
    assert charset == "UTF-8"
    return plain, unquote(encoded)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


async def test_summary_csv_says_what_the_json_says(money: Money) -> None:
    await _books(money)
    report = await _summary(money, by="jurisdiction", fiscal_year=2026)
    response = await _get(money, "/v1/reports/summary.csv", by="jurisdiction", fiscal_year=2026)
    assert response.headers["content-type"].startswith("text/csv")
    plain, name = _filename(response.headers["content-disposition"])
    assert plain == "subsidy-summary-city-2026-by-jurisdiction.csv"
    assert name == "众创空间奖补汇总_全市_2026年度_按属地.csv"
    header, *rows = _csv(response.content)
    assert header[:4] == ["属地", "奖补笔数", "核定奖补（元）", "核定奖补（分）"]
    assert "已拨付（元）" in header
    assert "待追回（分）" in header
    assert [row[0] for row in rows] == ["城关区", "七里河区", "合计"]
    for line, figures in zip(rows, [*report["rows"], report["totals"]], strict=True):
        assert int(line[1]) == figures["awards"]
        for key, column in (
            ("awarded_fen", "核定奖补"),
            ("paid_fen", "已拨付"),
            ("in_transit_fen", "拨付在途"),
            ("undisbursed_fen", "未拨付"),
            ("claimed_back_fen", "已认定追回"),
            ("recovery_outstanding_fen", "待追回"),
            ("recovered_fen", "已追回"),
            ("written_off_fen", "已核销"),
        ):
            assert int(line[header.index(f"{column}（分）")]) == figures[key]
            assert line[header.index(f"{column}（元）")] == _yuan(figures[key])
    # by kind: the recovery columns are empty, not zero; the totals row has them.
    header, *rows = _csv((await _get(money, "/v1/reports/summary.csv", by="kind")).content)
    outstanding = header.index("待追回（分）")
    assert [row[outstanding] for row in rows] == ["", "", "", str(2_500_000)]


async def test_summary_xlsx_says_what_the_json_says(money: Money) -> None:
    await _books(money)
    report = await _summary(money, by="space")
    response = await _get(money, "/v1/reports/summary.xlsx", by="space")
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    _, name = _filename(response.headers["content-disposition"])
    assert name == "众创空间奖补汇总_全市_全部年度_按众创空间.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["奖补汇总", "预算执行"]
    sheet = workbook["奖补汇总"]
    assert sheet.freeze_panes == "B2"
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["众创空间", "众创空间编号", "属地", "奖补笔数"]
    assert sheet.column_dimensions["A"].width == 30
    lines = list(sheet.iter_rows(min_row=2))
    assert len(lines) == len(report["rows"]) + 1
    for line, figures in zip(lines, [*report["rows"], report["totals"]], strict=True):
        assert line[3].value == figures["awards"]
        for key, column in (("paid_fen", "已拨付"), ("written_off_fen", "已核销")):
            cell = line[header.index(f"{column}（元）")]
            assert isinstance(cell.value, int | float)
            assert round(cell.value * 100) == figures[key]
            assert cell.number_format == "#,##0.00"
    assert lines[-1][0].value == "合计"
    assert [line[0].value for line in lines[:-1]] == [row["label"] for row in report["rows"]]
    budget = workbook["预算执行"]
    values = [cell.value for cell in budget[2]]
    assert round(values[0] * 100) == report["budget"]["appropriated_fen"]
    # The rate is a number with one decimal, as the JSON's text says it.
    assert Decimal(str(values[3])) == Decimal(report["budget"]["execution_rate_percent"])
    assert (budget[2][3].data_type, budget[2][3].number_format) == ("n", "0.0")

    district = money.auth("district_officer", QILIHE, key=False)
    theirs = await _get(money, "/v1/reports/summary.xlsx", district, by="space")
    assert openpyxl.load_workbook(io.BytesIO(theirs.content)).sheetnames == ["奖补汇总"]
    assert _filename(theirs.headers["content-disposition"])[1].startswith(
        "众创空间奖补汇总_七里河区"
    )


async def test_statement_exports_list_the_ledger_lines(money: Money) -> None:
    books = await _books(money)
    url = f"/v1/reports/spaces/{books.b.id}/statement"
    lines = (await _get(money, url)).json()["lines"]
    response = await _get(money, f"{url}.csv")
    plain, name = _filename(response.headers["content-disposition"])
    assert plain == f"space-statement-{books.b.id}.csv"
    assert name == f"{books.b.name}_奖补对账单.csv"
    header, *rows = _csv(response.content)
    assert header[:3] == ["序号", "记账日期", "业务类型"]
    assert [row[2] for row in rows][-3:] == ["追回认定", "退回", "核销"]
    net = header.index("累计净拨付（分）")
    assert [int(row[net]) for row in rows] == [line["net_paid_fen"] for line in lines]
    assert [row[header.index("累计净拨付（元）")] for row in rows][2] == "30000.00"
    assert [row[1] for row in rows] == [line["effective_on"] for line in lines]

    workbook = openpyxl.load_workbook(io.BytesIO((await _get(money, f"{url}.xlsx")).content))
    assert workbook.sheetnames == ["对账单"]
    sheet = workbook["对账单"]
    assert sheet.freeze_panes == "B2"
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [line["seq"] for line in lines]
    paid = header.index("拨付金额（元）")
    assert [round(row[paid] * 100) for row in rows] == [line["paid_fen"] for line in lines]
    outstanding = header.index("待追回余额（元）")
    assert [round(row[outstanding] * 100) for row in rows] == [
        line["outstanding_fen"] for line in lines
    ]
    assert rows[0][1].date() == date.fromisoformat(lines[0]["effective_on"])


# Every code of the subsidy's enums, and the English phrases its memos were written with.
ENGLISH = frozenset(
    code
    for enum in (
        AwardKind,
        AwardStatus,
        DisbursementStatus,
        EntryKind,
        RecoveryGround,
        CaseStatus,
        SettlementKind,
        RevocationReason,
    )
    for code in enum
) | {"recognition revoked", "paid after revocation", "tranche", "award"}


def _english_in(text: str) -> set[str]:
    words = set(re.findall(r"[a-z_]+(?: [a-z_]+)*", text))
    return {code for code in ENGLISH if any(code in word for word in words)}


async def test_no_statement_cell_or_summary_holds_an_english_code(money: Money) -> None:
    """摘要 and every other cell of the statements and summaries are Chinese (a memo recorded
    as ``{space} recognition {document}`` or ``cancelled: recognition revoked (...)`` reads
    with the Chinese labels)."""
    books = await _books(money)
    found: dict[str, set[str]] = {}
    urls = [f"/v1/reports/spaces/{space.id}/statement" for space in (books.a, books.b, books.c)]
    for url in urls:
        for line in (await _get(money, url)).json()["lines"]:
            found[f"{url} {line['seq']} summary"] = _english_in(line["summary"])
    exports = [(f"{url}{suffix}", {}) for url in urls for suffix in (".csv", ".xlsx")]
    exports += [
        (f"/v1/reports/summary{suffix}", {"by": by})
        for suffix in (".csv", ".xlsx")
        for by in ("year", "jurisdiction", "space", "kind", "status")
    ]
    for url, params in exports:
        content = (await _get(money, url, **params)).content
        if ".csv" in url:
            cells = [cell for row in _csv(content) for cell in row]
        else:
            workbook = openpyxl.load_workbook(io.BytesIO(content))
            cells = [
                str(cell.value)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows()
                for cell in row
                if cell.value is not None
            ]
        for index, cell in enumerate(cells):
            found[f"{url} {params} cell {index}"] = _english_in(cell)
    assert {where: codes for where, codes in found.items() if codes} == {}


AWARD_ID = "6f1c0e0a-5d7e-4b1a-9c3e-2f4b5a6c7d8e"


@pytest.mark.parametrize(
    ("kind", "memo", "summary"),
    [
        (
            EntryKind.AWARD_COMMITTED,
            "西软 众创空间 recognition 兰科发〔2025〕1号",
            "西软 众创空间 新认定市级众创空间奖励 兰科发〔2025〕1号",
        ),
        (
            EntryKind.AWARD_COMMITTED,
            "空间 excellent_assessment X-1",
            "空间 年度考核优秀奖励 X-1",
        ),
        (
            EntryKind.DISBURSEMENT_RELEASED,
            "cancelled: recognition revoked (false_materials, 兰科发〔2026〕3号)",
            "拨付取消：取消认定（弄虚作假等不正当手段取得认定，兰科发〔2026〕3号）",
        ),
        (
            EntryKind.AWARD_RELEASED,
            "recognition revoked (failed_assessments, 兰科发〔2026〕4号)",
            "取消认定（连续两年考核不合格，兰科发〔2026〕4号）",
        ),
        (EntryKind.DISBURSEMENT_RELEASED, "failed: 账户已销户", "拨付失败：账户已销户"),
        (
            EntryKind.RECOVERY_DETERMINED,
            "false_materials: 《兰州市众创空间认定管理办法》第二十条",
            "以虚假材料取得认定：《兰州市众创空间认定管理办法》第二十条",
        ),
        (EntryKind.RECOVERY_DETERMINED, "misuse: 第二十一条", "未按规定使用财政资金：第二十一条"),
        (
            EntryKind.RECOVERY_DETERMINED,
            f"paid after revocation: tranche 2 of award {AWARD_ID}",
            f"取消认定后到账：奖补{AWARD_ID} 第2笔",
        ),
        (EntryKind.REPAYMENT, "repayment 缴款-1", "退回 缴款-1"),
        (EntryKind.OFFSET, "offset 抵-2", "抵扣 抵-2"),
        (EntryKind.WRITE_OFF, "write_off 核-3", "核销 核-3"),
        # What a person typed stays as typed.
        (EntryKind.REVERSAL, "recognition entered twice", "recognition entered twice"),
        (EntryKind.APPROPRIATION, "2026年度奖补资金预算下达", "2026年度奖补资金预算下达"),
    ],
)
def test_a_memo_reads_in_chinese(kind: EntryKind, memo: str, summary: str) -> None:
    assert memo_text(kind, memo) == summary


async def test_an_empty_book_reports_zeros(money: Money) -> None:
    report = await _summary(money, by="jurisdiction", fiscal_year=2026)
    assert report["rows"] == []
    assert report["totals"] == _figures(0, 0, 0, 0, 0, 0)
    assert report["budget"] == {
        "appropriated_fen": 0,
        "available_fen": 0,
        "paid_fen": 0,
        "execution_rate_percent": "0.0",
    }
    header, total = _csv((await _get(money, "/v1/reports/summary.csv")).content)
    assert total[0] == "合计"
    assert header[0] == "年度"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "district"}, "query.by"),
        ({"fiscal_year": 2014}, "query.fiscal_year"),
        ({"fiscal_year": "twenty"}, "query.fiscal_year"),
        ({"fiscal_year": today_in_china().year + 2}, "query.fiscal_year"),
    ],
)
async def test_bad_parameters_are_refused_naming_the_field(
    money: Money, params: dict[str, Any], field: str
) -> None:
    for path in ("/v1/reports/summary", "/v1/reports/summary.csv", "/v1/reports/summary.xlsx"):
        response = await money.client.get(
            path, params=params, headers=money.auth("auditor", key=False)
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_only_readers_read_reports(money: Money) -> None:
    for role in ("city_admin", "finance_officer", "auditor"):
        await _get(money, "/v1/reports/summary", money.auth(role, key=False))
    expert = await money.client.get("/v1/reports/summary", headers=money.auth("expert", key=False))
    assert expert.status_code == 403
    anonymous = await money.client.get("/v1/reports/summary.csv")
    assert anonymous.status_code == 401
    statement = await money.client.get(
        f"/v1/reports/spaces/{uuid.uuid4()}/statement", headers=money.auth("auditor", key=False)
    )
    assert statement.status_code == 404
    assert statement.json()["type"] == "urn:lzms:problem:report-space-not-found"


async def test_an_offset_counts_as_paid_to_one_space_and_recovered_from_the_other(
    money: Money,
) -> None:
    await money.appropriate(100 * M)
    operator = uuid.uuid4()
    x = money.registry.add(jurisdiction=CHENGGUAN, operator_id=operator)
    # An operator's spaces are all in its jurisdiction (the registry's rule).
    y = money.registry.add(jurisdiction=CHENGGUAN, operator_id=operator)
    await money.pay((await money.award(x))["id"], 5 * M)
    await money.revoke(x)
    (case,) = await _cases(money, x)
    y_award = await money.award(y)
    await _post(
        money,
        f"/v1/recoveries/{case['id']}/offsets",
        {
            "award_id": y_award["id"],
            "amount_fen": 2 * M,
            "offset_on": "2026-06-01",
            "document_no": doc("兰科发抵"),
        },
        money.preparer_headers(),
    )
    owing = (await _get(money, f"/v1/reports/spaces/{x.id}/statement")).json()
    offset = owing["lines"][-1]
    assert offset["kind"] == "offset"
    assert (offset["paid_fen"], offset["recovered_fen"]) == (0, 2 * M)
    assert (offset["net_paid_fen"], offset["outstanding_fen"]) == (0, 3 * M)
    paid = (await _get(money, f"/v1/reports/spaces/{y.id}/statement")).json()
    assert paid["recovery_cases"] == []
    assert [line["kind"] for line in paid["lines"]] == ["award_committed", "offset"]
    offset = paid["lines"][-1]
    assert (offset["paid_fen"], offset["undisbursed_fen"], offset["recovered_fen"]) == (
        2 * M,
        -2 * M,
        0,
    )
    assert offset["net_paid_fen"] == 2 * M
    (award,) = paid["awards"]
    assert (award["paid_fen"], award["undisbursed_fen"]) == (2 * M, 18 * M)
    assert [(t["method"], t["recovery_case_id"]) for t in award["tranches"]] == [
        ("offset", case["id"])
    ]
    rows = _rows(await _summary(money, by="jurisdiction"))
    assert rows == {
        CHENGGUAN: _figures(2, 25 * M, 7 * M, 0, 18 * M, 5 * M, (5 * M, 3 * M, 2 * M, 0)),
    }
