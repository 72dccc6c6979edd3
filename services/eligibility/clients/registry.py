"""The eligibility service's client of the registry: it reads the space it evaluates.

A refusal by the registry (a 4xx) is an answer about what was asked, never an outage of ours:
404 is "no such space" (``NotFound``), a refused token means the registry cannot be used
(``UpstreamUnavailable``, 503), and any other refusal is ``RegistryRefused`` (422) carrying
the registry's own words, which the caller can act on (a date before a space opened).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

import httpx

from shared.contracts.facts import SpaceFacts
from shared.contracts.spaces import SpaceStanding, SpaceStatus, SpaceSummary
from shared.errors import FieldError, RequestInvalid, UpstreamFailed, UpstreamUnavailable
from shared.http_client import ServiceClient


class RegistryRefused(RequestInvalid):
    """The registry refused what this request needed from it; ``detail`` says what it said,
    and ``errors`` which field of the request led there, where the caller knows it."""

    slug, title = "registry-refused", "The registry refused what this request needs"

    def __init__(
        self, detail: str, errors: list[FieldError] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail, errors or [])
        self.extensions = extensions


# Statuses a space recognised on some past date may have now.
_EVER_RECOGNISED = (SpaceStatus.RECOGNISED, SpaceStatus.UNDER_RECTIFICATION, SpaceStatus.REVOKED)


class RegistryClient(ServiceClient):
    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        try:
            return await super().request(method, path, json=json, params=params, headers=headers)
        except UpstreamFailed as failure:
            status = failure.extensions.get("peer_status")
            if not isinstance(status, int) or not 400 <= status < 500:
                raise
            if status in (401, 403):
                raise UpstreamUnavailable(
                    f"The registry refused this service's credentials ({status}), so nothing "
                    "can be read from it until the operators correct the eligibility "
                    "service's token; try again later",
                    peer=self.peer,
                ) from None
            raise RegistryRefused(failure.detail, peer=self.peer, peer_status=status) from None

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
