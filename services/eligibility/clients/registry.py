"""The eligibility service's client of the registry: it reads the space it evaluates."""

from __future__ import annotations

import uuid
from datetime import date

from shared.contracts.facts import SpaceFacts
from shared.contracts.spaces import SpaceSummary
from shared.http_client import ServiceClient


class RegistryClient(ServiceClient):
    async def get_space(self, space_id: uuid.UUID) -> SpaceSummary:
        return SpaceSummary.model_validate(await self.get_json(f"/v1/spaces/{space_id}"))

    async def get_facts(self, space_id: uuid.UUID, as_of: date) -> SpaceFacts:
        """The space's facts as of the end of ``as_of`` (China time), as the registry has them."""
        body = await self.get_json(f"/v1/spaces/{space_id}/facts", as_of=as_of.isoformat())
        return SpaceFacts.model_validate(body)
