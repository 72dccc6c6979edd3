"""HTTP for evidence documents: record the metadata and hash, then upload the file itself."""

from __future__ import annotations

import base64
import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.documents import service
from services.registry.documents.media import (
    EVIDENCE_MEDIA_TYPES,
    UNCHECKED_MEDIA_TYPE,
    served_type,
)
from services.registry.documents.schemas import DocumentCreate, DocumentOut
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.limits import body_limit
from shared.pagination import Page, PageParams, page_of, page_params
from shared.tabular import content_disposition
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}/documents",
    tags=["documents · 证明材料"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)
Session = Annotated[AsyncSession, Depends(get_session)]
_EVIDENCE_TYPES = ", ".join(f"`{media_type}`" for media_type in EVIDENCE_MEDIA_TYPES)
_UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {
        **problem_responses(415)[415],
        "description": "The file's first bytes are not those of its declared type, or the "
        "declared type is not an evidence type; the problem names the types taken",
    }
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
# Sent with every file: a download to save, never a page to render or a type to guess.
_DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}

# A file is uploaded whole, as the body (a scanned contract, a certificate); every other route
# of the registry takes the service's 1 MiB.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentOut,
    summary="Record an evidence document · 登记证明材料",
    description=(
        "Its metadata, the facts it supports and the SHA-256 of its file; upload the file with "
        "`PUT .../{document_id}/content`. A document is never changed: a corrected one is a "
        "new document naming the one it `supersedes`. `media_type` is one of the kinds of file "
        f"taken as evidence: {_EVIDENCE_TYPES} (422 naming them otherwise)."
    ),
    responses=problem_responses(409),
)
async def record_document(
    space_id: uuid.UUID,
    body: DocumentCreate,
    response: Response,
    session: Session,
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> DocumentOut:
    document = await service.record(session, principal, space_id, body)
    audit.about("document", document.id, space_id=str(space_id), sha256=document.sha256)
    response.headers["Location"] = f"/v1/spaces/{space_id}/documents/{document.id}"
    return (await service.outs(session, [document]))[0]


@router.get("", response_model=Page[DocumentOut], summary="A space's documents · 证明材料列表")
async def list_documents(
    space_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
    page: Annotated[PageParams, Depends(page_params)],
) -> dict[str, Any]:
    rows = await service.list_page(session, principal, space_id, page)
    items, cursor = page_of(rows, page, lambda d: [d.recorded_at.isoformat(), str(d.id)])
    return {"items": await service.outs(session, items), "next_cursor": cursor}


@router.get("/{document_id}", response_model=DocumentOut, summary="Read a document · 查看证明材料")
async def get_document(
    space_id: uuid.UUID,
    document_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
) -> DocumentOut:
    document = await service.get(session, principal, space_id, document_id)
    return (await service.outs(session, [document]))[0]


@router.put(
    "/{document_id}/content",
    response_model=DocumentOut,
    summary="Upload the file · 上传文件",
    description=(
        "The raw file as the body. Stored only if its SHA-256 and size are the ones recorded "
        "(422 otherwise) and its first bytes are those of the declared `media_type` (415 "
        "otherwise: a zip container for docx, xlsx, pptx, odt, ods, odp, ofd and zip, an OLE "
        "compound file for doc, xls and ppt); uploading the same file again changes nothing."
    ),
    responses=_UNSUPPORTED,
    openapi_extra=body_limit(
        MAX_DOCUMENT_BYTES,
        requestBody={
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
    ),
)
async def upload_content(
    space_id: uuid.UUID,
    document_id: uuid.UUID,
    request: Request,
    session: Session,
    principal: Annotated[Principal, Depends(writers)],
    audit: Annotated[AuditNote, Depends(get_audit_note)],
) -> DocumentOut:
    content = await request.body()
    document = await service.store_content(session, principal, space_id, document_id, content)
    audit.about("document", document.id, space_id=str(space_id), sha256=document.sha256)
    return (await service.outs(session, [document]))[0]


@router.get(
    "/{document_id}/content",
    summary="Download the file · 下载文件",
    description=(
        "Always an attachment (`Content-Disposition`, the name as an RFC 5987 `filename*`) with "
        "`X-Content-Type-Options: nosniff` and a sandboxing `Content-Security-Policy`. The "
        "`Content-Type` is the declared type, checked against the file's first bytes at upload; "
        "a file stored before that check whose type is not an evidence type or whose bytes are "
        "not of it is sent as `application/octet-stream`."
    ),
    response_class=Response,
    responses={
        200: {
            "description": "The file, as an attachment",
            "content": {
                media_type: _BINARY for media_type in (*EVIDENCE_MEDIA_TYPES, UNCHECKED_MEDIA_TYPE)
            },
            "headers": {
                name: {"schema": {"type": "string"}, "description": description}
                for name, description in (
                    ("Content-Disposition", "attachment; filename=...; filename*=UTF-8''..."),
                    ("X-Content-Type-Options", "nosniff"),
                    ("Content-Security-Policy", "default-src 'none'; sandbox"),
                    ("ETag", "The file's SHA-256, quoted"),
                    ("Content-Digest", "sha-256=:base64:"),
                )
            },
        }
    },
)
async def download_content(
    space_id: uuid.UUID,
    document_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
) -> Response:
    document, content = await service.content_of(session, principal, space_id, document_id)
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    return Response(
        content,
        media_type=served_type(document.media_type, content),
        headers={
            **_DOWNLOAD_HEADERS,
            "ETag": f'"{document.sha256}"',
            "Content-Digest": f"sha-256=:{digest}:",
            "Content-Disposition": content_disposition(
                _ascii_name(document.filename, document.id), document.filename
            ),
        },
    )


def _ascii_name(filename: str, document_id: uuid.UUID) -> str:
    """The ``filename`` old clients read: the ASCII of the name (an all-Chinese name becomes
    ``document-{id}`` with its extension)."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_")
    suffix = re.sub(r"[^A-Za-z0-9]", "", extension)
    return f"{plain or f'document-{document_id}'}{'.' + suffix if suffix else ''}"
