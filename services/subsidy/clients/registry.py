"""The subsidy service's client of the registry: where a space stands before money moves."""

from __future__ import annotations

import uuid
from datetime import date

from shared.contracts.spaces import SpaceStanding, SpaceSummary
from shared.errors import NotFound
from shared.http_client import ServiceClient


class RegistryClient(ServiceClient):
    async def get_space(self, space_id: uuid.UUID) -> SpaceSummary:
        return SpaceSummary.model_validate(await self.get_json(f"/v1/spaces/{space_id}"))

    async def get_standing(self, space_id: uuid.UUID, as_of: date) -> SpaceStanding | None:
        """The space's status and levels at the end of ``as_of``; None if the registry has no
        such space. Unreachable: ``UpstreamUnavailable`` (503), never a guess."""
        try:
            body = await self.get_json(f"/v1/spaces/{space_id}/standing", as_of=as_of.isoformat())
        except NotFound:
            return None
        return SpaceStanding.model_validate(body)
