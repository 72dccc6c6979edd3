"""HTTP for evidence documents: record the metadata and hash, then upload the file itself."""

from __future__ import annotations

import base64
import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.documents import service
from services.registry.documents.schemas import DocumentCreate, DocumentOut
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.limits import body_limit
from shared.pagination import Page, PageParams, page_of, page_params
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}/documents",
    tags=["documents · 证明材料"],
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)
Session = Annotated[AsyncSession, Depends(get_session)]

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
        "new document naming the one it `supersedes`."
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
        "(422 otherwise); uploading the same file again changes nothing."
    ),
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
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_content(
    space_id: uuid.UUID,
    document_id: uuid.UUID,
    session: Session,
    principal: Annotated[Principal, Depends(readers)],
) -> Response:
    document, content = await service.content_of(session, principal, space_id, document_id)
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    ascii_name = document.filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        content,
        media_type=document.media_type,
        headers={
            "ETag": f'"{document.sha256}"',
            "Content-Digest": f"sha-256=:{digest}:",
            "Content-Disposition": (
                f'attachment; filename="{ascii_name}"; '
                f"filename*=UTF-8''{quote(document.filename)}"
            ),
        },
    )
