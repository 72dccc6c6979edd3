"""One page of a jurisdiction-scoped record list, newest last, by (created_at, id) cursor."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.subsidy.scope import of_rows
from shared.auth import Principal
from shared.pagination import PageParams, keyset_page

R = TypeVar("R")


async def scoped_page(
    session: AsyncSession,
    model: type[R],
    principal: Principal,
    page: PageParams,
    filters: Iterable[tuple[InstrumentedAttribute[Any], object | None]] = (),
) -> Sequence[R]:
    """The page of ``model`` rows the caller may see (a district: those of the spaces its
    jurisdiction manages now) that match every filter whose value is given."""
    columns: Any = model
    stmt = sa.select(model)
    scope = principal.jurisdiction_scope
    if scope is not None:
        stmt = stmt.where(of_rows(model) == scope)
    for column, value in filters:
        if value is not None:
            stmt = stmt.where(column == value)
    stmt = keyset_page(
        stmt,
        [columns.created_at.expression, columns.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()
