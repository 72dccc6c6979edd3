"""Recording evidence documents and storing their files, checked against the declared hash."""

from __future__ import annotations

import hashlib
import json
import typing
import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.documents.media import (
    EVIDENCE_MEDIA_TYPES,
    detected_type,
    is_evidence_type,
    is_of_type,
)
from services.registry.documents.models import Document, DocumentContent
from services.registry.documents.schemas import DocumentCreate, DocumentOut
from services.registry.spaces import service as spaces
from shared.auth import Principal
from shared.contracts.facts import SpaceFacts
from shared.db import utcnow
from shared.errors import (
    Conflict,
    FieldError,
    NotFound,
    ProblemError,
    RequestInvalid,
    UnprocessableRequest,
)
from shared.pagination import PageParams, keyset_page
from shared.timezone import future_date_errors

# Who the space is, not what it claims: no document "supports" these.
_IDENTITY = frozenset(
    {"schema_version", "space_id", "as_of", "form", "profile", "jurisdiction_code"}
)


class DocumentNotFound(NotFound):
    slug = "document-not-found"


class DocumentAlreadySuperseded(Conflict):
    slug, title = "document-superseded", "The document was superseded already"


class ContentMismatch(UnprocessableRequest):
    slug, title = "document-content-mismatch", "The file does not hash to the declared SHA-256"


class ContentMissing(NotFound):
    slug = "document-content-missing"


_ALLOWED = ", ".join(EVIDENCE_MEDIA_TYPES)


class MediaTypeNotAllowed(RequestInvalid):
    slug, title = "document-media-type-not-allowed", "Not a kind of file taken as evidence"

    def __init__(self, media_type: str) -> None:
        super().__init__(
            f"media_type {media_type!r} is not a kind of file taken as evidence; declare one "
            f"of: {_ALLOWED}",
            [
                FieldError(
                    field="body.media_type",
                    message="not an evidence type (PDF, OFD, an image, an office document or "
                    "an archive)",
                    type="value_error",
                )
            ],
        )
        self.extensions = {"allowed_media_types": list(EVIDENCE_MEDIA_TYPES)}


class ContentNotDeclaredType(ProblemError):
    status, slug = 415, "document-content-not-declared-type"
    title = "The file is not of its declared type"


@cache
def fact_paths() -> frozenset[str]:
    """Every group and field of the facts schema a document can be evidence for."""

    def walk(model: type[BaseModel], prefix: str) -> list[str]:
        found = []
        for name, field in model.model_fields.items():
            path = prefix + name
            args = [a for a in typing.get_args(field.annotation) if a is not type(None)]
            nested = [a for a in args or [field.annotation] if _is_model(a)]
            found.append(path)
            if nested:
                found += walk(nested[0], path + ".")
        return found

    return frozenset(path for path in walk(SpaceFacts, "") if path.split(".")[0] not in _IDENTITY)


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


async def record(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, data: DocumentCreate
) -> Document:
    space = await spaces.get_space(session, principal, space_id, for_update=True)
    if not is_evidence_type(data.media_type):
        raise MediaTypeNotAllowed(data.media_type)
    errors = future_date_errors("body.issued_on", data.issued_on)
    unknown = sorted(set(data.supports) - fact_paths())
    if unknown:
        errors.append(
            FieldError(
                field="body.supports",
                message=f"not in the facts schema: {unknown}; e.g. premises or premises.lease_end",
                type="value_error",
            )
        )
    if errors:
        raise RequestInvalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    if data.supersedes_id is not None:
        await _check_supersedes(session, space.id, data.supersedes_id)
    document = Document(
        id=uuid.uuid4(),
        space_id=space.id,
        kind=data.kind,
        title=data.title,
        issuer=data.issuer,
        document_no=data.document_no,
        issued_on=data.issued_on,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        supports=json.dumps(sorted(set(data.supports)), ensure_ascii=False),
        sha256=data.sha256,
        size_bytes=data.size_bytes,
        media_type=data.media_type.lower(),
        filename=data.filename,
        supersedes_id=data.supersedes_id,
        recorded_at=utcnow(),
        recorded_by=principal.subject,
    )
    session.add(document)
    await session.flush()
    return document


async def _check_supersedes(
    session: AsyncSession, space_id: uuid.UUID, supersedes_id: uuid.UUID
) -> None:
    earlier = await session.get(Document, supersedes_id)
    if earlier is None or earlier.space_id != space_id:
        raise RequestInvalid(
            f"supersedes_id: no document {supersedes_id} of this space",
            [
                FieldError(
                    field="body.supersedes_id",
                    message="no such document of this space",
                    type="value_error",
                )
            ],
        )
    later = await session.scalar(
        sa.select(Document.id).where(Document.supersedes_id == supersedes_id)
    )
    if later is not None:
        raise DocumentAlreadySuperseded(
            f"Document {supersedes_id} was superseded by {later} already; supersede that one",
            superseded_by_id=str(later),
        )


async def get(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, document_id: uuid.UUID
) -> Document:
    space = await spaces.get_space(session, principal, space_id)
    document = await session.get(Document, document_id)
    if document is None or document.space_id != space.id:
        raise DocumentNotFound(f"No document {document_id} of space {space_id}; check the id")
    return document


async def store_content(
    session: AsyncSession,
    principal: Principal,
    space_id: uuid.UUID,
    document_id: uuid.UUID,
    content: bytes,
) -> Document:
    """Keep the file if it is the one declared: its SHA-256 and size must match, and its first
    bytes must be those of its declared type (an evidence type)."""
    document = await get(session, principal, space_id, document_id)
    digest = hashlib.sha256(content).hexdigest()
    if digest != document.sha256 or len(content) != document.size_bytes:
        raise ContentMismatch(
            f"The uploaded file has SHA-256 {digest} and {len(content)} bytes; document "
            f"{document.id} declares {document.sha256} and {document.size_bytes} bytes. Upload "
            "the file that was declared, or record a new document for this one",
            received_sha256=digest,
            declared_sha256=document.sha256,
        )
    _check_type(document, content)
    if await session.get(DocumentContent, digest) is None:
        session.add(
            DocumentContent(
                sha256=digest,
                content=content,
                size_bytes=len(content),
                stored_at=utcnow(),
                stored_by=principal.subject,
            )
        )
        await session.flush()
    return document


def _check_type(document: Document, content: bytes) -> None:
    if is_of_type(content, document.media_type):
        return
    found = detected_type(content)
    if not is_evidence_type(document.media_type):
        problem = (
            f"document {document.id} declares {document.media_type}, which is not a kind of "
            "file taken as evidence"
        )
    else:
        problem = (
            f"the file's first bytes are those of {found or 'no evidence type'}, but document "
            f"{document.id} declares {document.media_type}"
        )
    raise ContentNotDeclaredType(
        f"{problem}. Upload a file of the declared type, or record a new document (superseding "
        f"this one) that declares the file's type, one of: {_ALLOWED}",
        declared_media_type=document.media_type,
        detected_media_type=found,
        allowed_media_types=list(EVIDENCE_MEDIA_TYPES),
    )


async def content_of(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, document_id: uuid.UUID
) -> tuple[Document, bytes]:
    document = await get(session, principal, space_id, document_id)
    stored = await session.get(DocumentContent, document.sha256)
    if stored is None:
        raise ContentMissing(
            f"The file of document {document_id} has not been uploaded; PUT it to .../content"
        )
    return document, stored.content


async def list_page(
    session: AsyncSession, principal: Principal, space_id: uuid.UUID, page: PageParams
) -> Sequence[Document]:
    space = await spaces.get_space(session, principal, space_id)
    stmt = keyset_page(
        sa.select(Document).where(Document.space_id == space.id),
        [Document.recorded_at.expression, Document.id.expression],
        page,
        [datetime.fromisoformat, uuid.UUID],
    )
    return (await session.scalars(stmt)).all()


async def outs(session: AsyncSession, documents: Sequence[Document]) -> list[DocumentOut]:
    ids = [d.id for d in documents]
    successors = {
        earlier: later
        for earlier, later in await session.execute(
            sa.select(Document.supersedes_id, Document.id).where(Document.supersedes_id.in_(ids))
        )
    }
    stored = set(
        (
            await session.scalars(
                sa.select(DocumentContent.sha256).where(
                    DocumentContent.sha256.in_({d.sha256 for d in documents})
                )
            )
        ).all()
    )
    return [
        DocumentOut(
            id=d.id,
            space_id=d.space_id,
            kind=d.kind,
            title=d.title,
            issuer=d.issuer,
            document_no=d.document_no,
            issued_on=d.issued_on,
            valid_from=d.valid_from,
            valid_to=d.valid_to,
            supports=json.loads(d.supports),
            sha256=d.sha256,
            size_bytes=d.size_bytes,
            media_type=d.media_type,
            filename=d.filename,
            supersedes_id=d.supersedes_id,
            superseded_by_id=successors.get(d.id),
            content_stored=d.sha256 in stored,
            recorded_at=d.recorded_at,
            recorded_by=d.recorded_by,
        )
        for d in documents
    ]
