"""Document requests and answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from services.registry.documents.models import DocumentKind
from shared.request_body import RequestBody

Sha256 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[0-9a-fA-F]{64}$"),
]


class DocumentCreate(RequestBody):
    """The document's metadata with the SHA-256 of its file. Upload the file afterwards with
    ``PUT .../content``: the registry stores it only if it hashes to this value."""

    kind: DocumentKind
    title: str = Field(min_length=1, max_length=200)
    issuer: str = Field(min_length=1, max_length=200, description="出具单位")
    document_no: str | None = Field(None, min_length=1, max_length=200, description="文号/编号")
    issued_on: date = Field(description="出具日期 (not in the future)")
    valid_from: date | None = None
    valid_to: date | None = Field(None, description="有效期至 (on or after valid_from)")
    supports: list[str] = Field(
        min_length=1,
        max_length=50,
        description="The facts it is evidence for, as in the facts schema: a group "
        "(`premises`) or a field (`premises.lease_end`)",
    )
    sha256: Sha256 = Field(description="SHA-256 of the file, 64 hex digits")
    size_bytes: int = Field(ge=0, le=10**10)
    media_type: str = Field(
        min_length=3, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$", examples=["application/pdf"]
    )
    filename: str = Field(
        min_length=1,
        max_length=255,
        pattern=r"^[^\x00-\x1f\x7f/\\]+$",
        description="The file's name, without a folder (no `/` or `\\`) or control characters",
    )
    supersedes_id: uuid.UUID | None = Field(
        None, description="The document this one corrects or replaces (it stays on record)"
    )

    @model_validator(mode="after")
    def _validity_ordered(self) -> Self:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class DocumentOut(BaseModel):
    id: uuid.UUID
    space_id: uuid.UUID
    kind: DocumentKind
    title: str
    issuer: str
    document_no: str | None
    issued_on: date
    valid_from: date | None
    valid_to: date | None
    supports: list[str]
    sha256: str
    size_bytes: int
    media_type: str
    filename: str
    supersedes_id: uuid.UUID | None
    superseded_by_id: uuid.UUID | None
    content_stored: bool = Field(description="Whether the file itself has been uploaded")
    recorded_at: datetime
    recorded_by: str
