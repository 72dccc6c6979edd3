"""Jurisdiction as the API shows it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts.jurisdictions import JurisdictionCode


class JurisdictionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: JurisdictionCode
    name_zh: str
    name_en: str
    kind: Literal["district", "county", "functional_zone"]
