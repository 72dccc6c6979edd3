"""The eligibility service's client of the registry: it reads the space it evaluates."""

from __future__ import annotations

import uuid
from datetime import date

from shared.contracts.facts import SpaceFacts
from shared.contracts.spaces import SpaceStanding, SpaceStatus, SpaceSummary
from shared.http_client import ServiceClient

# Statuses a space recognised on some past date may have now.
_EVER_RECOGNISED = (SpaceStatus.RECOGNISED, SpaceStatus.UNDER_RECTIFICATION, SpaceStatus.REVOKED)


class RegistryClient(ServiceClient):
    async def get_space(self, space_id: uuid.UUID) -> SpaceSummary:
        return SpaceSummary.model_validate(await self.get_json(f"/v1/spaces/{space_id}"))

    async def get_facts(self, space_id: uuid.UUID, as_of: date) -> SpaceFacts:
        """The space's facts as of the end of ``as_of`` (China time), as the registry has them."""
        body = await self.get_json(f"/v1/spaces/{space_id}/facts", as_of=as_of.isoformat())
        return SpaceFacts.model_validate(body)

    async def get_standing(self, space_id: uuid.UUID, as_of: date) -> SpaceStanding:
        body = await self.get_json(f"/v1/spaces/{space_id}/standing", as_of=as_of.isoformat())
        return SpaceStanding.model_validate(body)

    async def ever_recognised_space_ids(self, *, page_size: int = 200) -> list[uuid.UUID]:
        """Every space whose status now says it was recognised at some time, page by page."""
        found: list[uuid.UUID] = []
        for status in _EVER_RECOGNISED:
            cursor: str | None = None
            while True:
                params = {"status": status.value, "limit": page_size}
                if cursor is not None:
                    params["cursor"] = cursor
                page = await self.get_json("/v1/spaces", **params)
                found += [uuid.UUID(item["id"]) for item in page["items"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
        return found
