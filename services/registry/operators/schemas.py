"""Operators as the API takes and shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from shared.contracts.facts import OperatorKind
from shared.contracts.jurisdictions import JurisdictionCode
from shared.request_body import RequestBody

OperatorName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
# Generous on input: spaces and lower case are normalised away before the code is checked.
RawUscc = Annotated[str, StringConstraints(min_length=1, max_length=60)]

SEARCH_MAX_LENGTH = 200


def _not_blank(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("is blank; give the text to search for, e.g. part of a name")
    return text


# A list's ``q``: what to look for, surrounding blanks dropped; a blank one is refused rather
# than read as "no search" (which would silently answer everything).
SearchText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=SEARCH_MAX_LENGTH),
    AfterValidator(_not_blank),
]

USCC_DESCRIPTION = (
    "统一社会信用代码 (unified social credit code), 18 characters, e.g. 91110000600037341L; "
    "spaces are removed and letters upper-cased before it is checked"
)
ACCEPT_DESCRIPTION = (
    "The bureau (city_admin) only: accept a legal pilot-era code whose check character is "
    "wrong. Needs override_reason; recorded on the operator and in the audit log. A code "
    "with any other fault is never accepted."
)

ILP = "具有独立法人资格: an independent legal person (C1); null while not recorded"
INNOVATIVE = "创新型企业 (S1, specialised spaces); null while not recorded"
REVENUE = "稳定的经营收入: evidence of stable operating revenue submitted (C1; a person judges it)"


class OperatorCreate(RequestBody):
    uscc: RawUscc = Field(description=USCC_DESCRIPTION)
    name: OperatorName = Field(description="The registered name, e.g. 兰州大学")
    kind: OperatorKind
    founded_on: date = Field(
        description="成立日期: the date it was established (not in the future)"
    )
    registered_address: Address = Field(description="注册地址")
    registered_in_lanzhou: bool = Field(description="在兰州市范围内注册")
    jurisdiction_code: JurisdictionCode = Field(description="属地: the district that manages it")
    accept_invalid_check_character: bool = Field(False, description=ACCEPT_DESCRIPTION)
    override_reason: Reason | None = Field(
        None, description="Why the code is accepted despite its check character (e.g. the document)"
    )
    independent_legal_person: bool | None = Field(None, description=ILP)
    innovative_enterprise: bool | None = Field(None, description=INNOVATIVE)
    stable_revenue_evidence: bool | None = Field(None, description=REVENUE)


class OperatorUpdate(RequestBody):
    """A correction: only the fields sent change, and the operator gets a new version."""

    uscc: RawUscc | None = Field(None, description=USCC_DESCRIPTION)
    name: OperatorName | None = None
    kind: OperatorKind | None = None
    founded_on: date | None = None
    registered_address: Address | None = None
    registered_in_lanzhou: bool | None = None
    jurisdiction_code: JurisdictionCode | None = Field(
        None, description="Moving an operator to another jurisdiction is the bureau's act"
    )
    accept_invalid_check_character: bool | None = Field(None, description=ACCEPT_DESCRIPTION)
    override_reason: Reason | None = None
    independent_legal_person: bool | None = Field(None, description=ILP)
    innovative_enterprise: bool | None = Field(None, description=INNOVATIVE)
    stable_revenue_evidence: bool | None = Field(None, description=REVENUE)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any) -> Any:
        # Omit a field to leave it as it is; null would erase a required fact.
        if value is None:
            raise ValueError("may not be null; omit the field to leave it unchanged")
        return value


class _OperatorState(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str = Field(description="统一社会信用代码, normalised")
    name: str
    kind: OperatorKind
    founded_on: date
    registered_address: str
    registered_in_lanzhou: bool
    jurisdiction_code: JurisdictionCode
    uscc_override: bool = Field(
        description="The bureau accepted this code although its check character is wrong"
    )
    override_reason: str | None
    override_by: str | None
    independent_legal_person: bool | None = Field(description=ILP)
    innovative_enterprise: bool | None = Field(description=INNOVATIVE)
    stable_revenue_evidence: bool | None = Field(description=REVENUE)


class OperatorOut(_OperatorState):
    id: uuid.UUID
    version: int = Field(description="Starts at 1; each change adds one. The ETag carries it.")
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


class OperatorVersionOut(_OperatorState):
    operator_id: uuid.UUID
    version: int
    valid_from: datetime = Field(description="When this version became the current one")
    recorded_by: str


class OperatorFilters(BaseModel):
    jurisdiction_code: JurisdictionCode | None = None
    kind: OperatorKind | None = None
    q: str | None = None
