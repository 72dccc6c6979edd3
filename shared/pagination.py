"""Keyset (cursor) pagination: stable under inserts, and as fast on page 1,000 as on page 1."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Select, bindparam, tuple_
from sqlalchemy.sql.elements import ColumnElement

from shared.errors import FieldError, RequestInvalid

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 50


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page"
    )


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


def _invalid(field: str, message: str) -> RequestInvalid:
    return RequestInvalid(
        f"{field}: {message}",
        [FieldError(field=f"query.{field}", message=message, type="value_error")],
    )


async def page_params(
    request: Request,
    limit: int = Query(
        DEFAULT_PAGE_SIZE,
        ge=1,
        description="Items per page (at most the service's max_page_size, 200 by default)",
    ),
    cursor: str | None = Query(
        None, max_length=1000, description="The `next_cursor` of the previous page"
    ),
) -> PageParams:
    maximum = request.app.state.settings.max_page_size
    if limit > maximum:
        raise _invalid("limit", f"at most {maximum} items per page; page through with `cursor`")
    return PageParams(limit=limit, cursor=cursor)


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, parsers: Sequence[Callable[[Any], Any]]) -> list[Any]:
    """The sort key a cursor carries, each part parsed back to its column's type."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(parsers):
            raise ValueError("wrong shape")
        return [parse(value) for parse, value in zip(parsers, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid(
            "cursor", "not a cursor this list issued; start again without `cursor`"
        ) from exc


def keyset_page(
    stmt: Select[Any],
    order_by: Sequence[ColumnElement[Any]],
    params: PageParams,
    parsers: Sequence[Callable[[Any], Any]],
) -> Select[Any]:
    """Restrict ``stmt`` to the rows after the cursor, in key order, one more than a page."""
    if params.cursor is not None:
        after = decode_cursor(params.cursor, parsers)
        # Bind each value with its column's type (UTC instants, UUIDs) on every database.
        bound = [
            bindparam(None, value, type_=column.type)
            for column, value in zip(order_by, after, strict=True)
        ]
        stmt = stmt.where(tuple_(*order_by) > tuple_(*bound))
    return stmt.order_by(*order_by).limit(params.limit + 1)


def page_of(
    rows: Sequence[T], params: PageParams, key: Callable[[T], Sequence[Any]]
) -> tuple[list[T], str | None]:
    """Split the ``limit + 1`` rows fetched into the page and the cursor of the next one."""
    items = list(rows[: params.limit])
    more = len(rows) > params.limit
    return items, (encode_cursor(key(items[-1])) if more and items else None)
