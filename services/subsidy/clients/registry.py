"""The subsidy service's client of the registry: it checks a space before an award is granted."""

from __future__ import annotations

import uuid

from shared.contracts.spaces import SpaceSummary
from shared.http_client import ServiceClient


class RegistryClient(ServiceClient):
    async def get_space(self, space_id: uuid.UUID) -> SpaceSummary:
        return SpaceSummary.model_validate(await self.get_json(f"/v1/spaces/{space_id}"))
