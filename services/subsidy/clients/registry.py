"""The subsidy service's client of the registry: it checks a space before an award is granted."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel

from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceForm, SpaceProfile
from shared.http_client import ServiceClient


class RegistrySpace(BaseModel):
    """The fields of the registry's `SpaceOut` this service relies on."""

    id: uuid.UUID
    name: str
    jurisdiction_code: JurisdictionCode
    form: SpaceForm
    profile: SpaceProfile
    opened_on: date


class RegistryClient(ServiceClient):
    async def get_space(self, space_id: uuid.UUID) -> RegistrySpace:
        return RegistrySpace.model_validate(await self.get_json(f"/v1/spaces/{space_id}"))
