"""SQL for jurisdictions."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.jurisdictions.models import Jurisdiction


async def list_all(session: AsyncSession) -> Sequence[Jurisdiction]:
    return (await session.scalars(sa.select(Jurisdiction).order_by(Jurisdiction.code))).all()
