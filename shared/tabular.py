"""Tables people open in a spreadsheet: one writer for every CSV and xlsx export, and the
header that sends a file as an attachment.

Text that a spreadsheet would take for a formula (OWASP's "CSV injection": a cell beginning
with ``=``, ``+``, ``-``, ``@``, tab, carriage return or line feed, such as a space named
``=HYPERLINK("http://x","y")``) never goes out live. In CSV, which has no types, such text gets
a leading apostrophe, the mark Excel and LibreOffice read as "this is text". In xlsx the cell is
typed as text (never a formula) and carries the ``quotePrefix`` style, so it stays text when
someone edits it; its value is unchanged. Only text is neutralised: a number (an amount in fen,
an area, a count), negative or not, stays a number in both formats.

A money column holds integer fen. CSV writes it twice, yuan with two decimals (``元``) and the
exact fen (``分``); xlsx writes yuan as an exact number formatted ``#,##0.00``. CSV is UTF-8 with
a byte-order mark (Excel on the bureau's desktops reads the Chinese only with it) and CRLF line
ends; xlsx is written row by row in openpyxl's write-only mode, with a bold, frozen header.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

# No type stubs for openpyxl in the lock (types-openpyxl would give them).
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The first characters that make a spreadsheet read a cell as a formula (or, for tab, CR and
# LF, let one follow once the cell is trimmed).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
MONEY_FORMAT = "#,##0.00"
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# What an xlsx sheet (XML 1.0) cannot carry; requests refuse these, a stored one is replaced.
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | Decimal | date | datetime | None


@dataclass(frozen=True)
class Column:
    """A column: its Chinese header, whether it holds fen, and its width in xlsx (characters)."""

    header: str
    money: bool = False
    width: int = 16


@dataclass(frozen=True)
class Table:
    """One sheet: its name, columns and rows (each row one value per column)."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    frozen_columns: int = 0  # columns kept in view in xlsx beside the frozen header


def inert(text: str) -> str:
    """``text`` as CSV may carry it: with a leading apostrophe if it begins like a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def yuan_text(fen: int) -> str:
    """``-123456`` → ``'-1234.56'``: a number Excel and every CSV reader parse as one."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _fen(value: Cell, column: Column) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"column {column.header}: money is integer fen, not {value!r}")
    return value


def _csv_value(value: Cell) -> str | int | Decimal:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return inert(value)
    return value


def csv_header(table: Table) -> list[str]:
    header: list[str] = []
    for column in table.columns:
        if column.money:
            header += [f"{column.header}（元）", f"{column.header}（分）"]
        else:
            header.append(inert(column.header))
    return header


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, CRLF line ends; each money column twice (yuan, fen)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header(table))
    for row in table.rows:
        line: list[str | int | Decimal] = []
        for column, value in zip(table.columns, row, strict=True):
            if column.money:
                fen = None if value is None else _fen(value, column)
                line += ["", ""] if fen is None else [yuan_text(fen), fen]
            else:
                line.append(_csv_value(value))
        writer.writerow(line)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(*tables: Table) -> bytes:
    """One sheet per table: a bold, frozen header, column widths, money as numbers in yuan,
    dates as dates, text as text."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title)
        for index, column in enumerate(table.columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = f"{get_column_letter(table.frozen_columns + 1)}2"
        header = []
        for column in table.columns:
            cell = _text_cell(sheet, f"{column.header}（元）" if column.money else column.header)
            cell.font = bold
            cell.alignment = centred
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append(
                [
                    _cell(sheet, column, value)
                    for column, value in zip(table.columns, row, strict=True)
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Any, column: Column, value: Cell) -> Any:
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if column.money:
        # Exact yuan: openpyxl writes a Decimal as a number (its stubs list only float), and
        # no float ever holds the amount on our side.
        yuan: Any = Decimal(_fen(value, column)).scaleb(-2)
        cell = WriteOnlyCell(sheet, value=yuan)
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, bool):
        return _text_cell(sheet, "是" if value else "否")
    if isinstance(value, str):
        return _text_cell(sheet, value)
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = _DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=datetime(value.year, value.month, value.day))
        cell.number_format = _DATE_FORMAT
        return cell
    number: Any = value  # an int or a Decimal, written exactly (the stubs list only float)
    cell = WriteOnlyCell(sheet, value=number)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        cell.number_format = "0." + "0" * places if places else "0"
    return cell


def _text_cell(sheet: Any, text: str) -> Any:
    cell = WriteOnlyCell(sheet, value=_NOT_IN_XLSX.sub("\ufffd", text))
    cell.data_type = "s"  # openpyxl would make text beginning with '=' a formula
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def content_disposition(ascii_name: str, name: str) -> str:
    """An attachment with an ASCII ``filename`` for old clients and the real (Chinese) name as
    an RFC 5987 ``filename*``. The ASCII name keeps letters, digits and ``._-``; anything
    else (quotes, backslashes, line breaks) becomes ``_``, so no name can break the header."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", ascii_name) or "file"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
