"""The one writer of every export: text that a spreadsheet would run as a formula goes out as
text in CSV and xlsx; numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from shared.tabular import Column, Table, content_disposition, to_csv, to_xlsx

FORMULAS = (
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "-5",  # text that happens to look like a negative number is text too
)
COLUMNS = (Column("名称"), Column("金额", money=True), Column("面积"), Column("日期"))


def _table(texts: tuple[str, ...]) -> Table:
    return Table(
        "表",
        COLUMNS,
        [[text, -123_456, Decimal("-12.5"), date(2026, 3, 1)] for text in texts],
    )


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_text_beginning_like_a_formula_gets_an_apostrophe(text: str) -> None:
    header, row = list(csv.reader(io.StringIO(to_csv(_table((text,))).decode("utf-8-sig"))))
    assert header == ["名称", "金额（元）", "金额（分）", "面积", "日期"]
    assert row == ["'" + text, "-1234.56", "-123456", "-12.5", "2026-03-01"]


def test_csv_plain_text_and_numbers_are_as_given() -> None:
    columns = (Column("名称"), Column("数"), Column("金额", money=True))
    content = to_csv(Table("表", columns, [["西软 = 1", -3, 5]]))
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig") == "名称,数,金额（元）,金额（分）\r\n西软 = 1,-3,0.05,5\r\n"


@pytest.mark.parametrize("text", FORMULAS)
def test_xlsx_text_beginning_like_a_formula_is_a_text_cell(text: str) -> None:
    content = to_xlsx(_table((text,)))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    name, money, area, day = sheet[2]
    assert name.value == text.replace("\r", "\n")  # an XML reader reads a CR as a line feed
    assert name.data_type == "s"
    assert name.quotePrefix
    # Negative numbers stay numbers: money in yuan, an area as given.
    assert (money.value, money.data_type, money.number_format) == (-1234.56, "n", "#,##0.00")
    assert (area.value, area.data_type, area.number_format) == (-12.5, "n", "0.0")
    assert (day.value, day.number_format) == (datetime(2026, 3, 1), "yyyy-mm-dd")


def test_xlsx_plain_text_has_no_quote_prefix_and_unstorable_characters_are_replaced() -> None:
    content = to_xlsx(Table("表", (Column("名称"),), [["西软众创空间"], ["a\x00b\x1fc"]]))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert (sheet["A2"].value, sheet["A2"].quotePrefix) == ("西软众创空间", False)
    assert sheet["A3"].value == "a\ufffdb\ufffdc"


def test_money_must_be_integer_fen() -> None:
    with pytest.raises(TypeError, match="integer fen"):
        to_csv(Table("表", (Column("金额", money=True),), [[Decimal("1.5")]]))


def test_the_attachment_header_cannot_be_broken_by_a_name() -> None:
    header = content_disposition('a"b\r\nc\\d.csv', '名单"\r\n.csv')
    assert header == (
        "attachment; filename=\"a_b__c_d.csv\"; filename*=UTF-8''%E5%90%8D%E5%8D%95%22%0D%0A.csv"
    )
