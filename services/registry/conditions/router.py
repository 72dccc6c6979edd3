"""HTTP for a space's conditions: one resource per condition, each a series of dated versions.

Built per section from ``SECTIONS``. No ``from __future__ import annotations`` here: FastAPI
reads each route's body type from the closure the factory builds.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response, status
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.access import readers, writers
from services.registry.conditions import service
from services.registry.conditions.sections import SECTIONS, Section
from shared.audit import AuditNote
from shared.auth import Principal
from shared.errors import problem_responses
from shared.pagination import Page, PageParams, page_of, page_params
from shared.request_body import IsoDate
from shared.unit_of_work import TransactionalRoute, get_audit_note, get_session

router = APIRouter(
    prefix="/v1/spaces/{space_id}",
    route_class=TransactionalRoute,
    responses=problem_responses(401, 403, 404, 422),
)

_write_responses = problem_responses(409, 412, 428)
_write_responses[428]["description"] = "If-Match missing: send the ETag you read"

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag of the latest version you read, e.g. "3"; omit only for the '
        "first version (428 without it after that, 412 if stale)",
    ),
]

# Names the day a read answers for; the body is the version itself, as its PUT answered it.
AS_OF_HEADER = "As-Of"
_READ_HEADERS = {
    AS_OF_HEADER: {
        "description": "The day read (China time): as_of, or today if it was omitted",
        "schema": {"type": "string", "format": "date"},
    },
    "ETag": {
        "description": 'The latest version, e.g. "3": send it in If-Match to record the next',
        "schema": {"type": "string"},
    },
}


def _add_routes(section: Section) -> None:
    create_model: Any = section.create
    out_model: Any = section.out
    tags: list[str | Any] = [f"{section.segment} · {section.tag}"]

    async def record(
        space_id: uuid.UUID,
        body: create_model,
        response: Response,
        session: Annotated[AsyncSession, Depends(get_session)],
        principal: Annotated[Principal, Depends(writers)],
        audit: Annotated[AuditNote, Depends(get_audit_note)],
        if_match: IfMatch = None,
    ) -> Any:
        recorded = await service.record_version(
            session, principal, space_id, section, body, if_match
        )
        row = recorded.row
        audit.about(
            section.segment,
            row.id,
            jurisdiction=recorded.space.jurisdiction_code,
            space_id=str(recorded.space.id),
            version=row.version,
            effective_on=row.effective_on.isoformat(),
        )
        response.headers["ETag"] = service.etag_for(row.version)
        response.headers["Location"] = f"/v1/spaces/{space_id}/{section.segment}"
        if row.version == 1:
            response.status_code = status.HTTP_201_CREATED
        return row

    async def read(
        space_id: uuid.UUID,
        response: Response,
        session: Annotated[AsyncSession, Depends(get_session)],
        principal: Annotated[Principal, Depends(readers)],
        as_of: Annotated[
            IsoDate | None,
            Query(
                description="The version in force at the end of this date (China time); "
                "today if omitted. The As-Of header names the day read"
            ),
        ] = None,
    ) -> Any:
        read = await service.read_version(session, principal, space_id, section, as_of)
        response.headers["ETag"] = service.etag_for(read.latest)
        response.headers[AS_OF_HEADER] = read.as_of.isoformat()
        return read.row

    async def versions(
        space_id: uuid.UUID,
        session: Annotated[AsyncSession, Depends(get_session)],
        principal: Annotated[Principal, Depends(readers)],
        page: Annotated[PageParams, Depends(page_params)],
    ) -> dict[str, Any]:
        rows = await service.list_versions(session, principal, space_id, section, page)
        items, cursor = page_of(rows, page, lambda row: [row.version])
        return {"items": items, "next_cursor": cursor}

    name = section.segment.replace("-", "_")
    path = f"/{section.segment}"
    router.add_api_route(
        path,
        record,
        methods=["PUT"],
        name=f"record_{name}",
        response_model=out_model,
        summary=f"Record a new version of the {section.noun} · 登记{section.tag}",
        description=(
            f"Adds a version of the space's {section.noun}, effective from `effective_on`; "
            "earlier versions are kept and still answer for earlier dates. 201 for the first "
            "version, 200 after; the ETag names the new version."
            + (" Specialised spaces only (409 otherwise)." if section.forms is not None else "")
        ),
        responses={
            201: {"model": out_model, "description": "The first version, recorded"},
            **_write_responses,
        },
        tags=tags,
    )
    router.add_api_route(
        path,
        read,
        methods=["GET"],
        name=f"read_{name}",
        response_model=out_model,
        summary=f"The space's {section.noun} · 查看{section.tag}",
        description=(
            f"The version of the {section.noun} in force at the end of `as_of` (China time), "
            "today if omitted, exactly as the PUT that recorded it answered; `As-Of` names the "
            "day read and the ETag the latest version, which a PUT names in If-Match."
        ),
        responses={200: {"description": "The version in force", "headers": _READ_HEADERS}},
        tags=tags,
    )
    router.add_api_route(
        f"{path}/versions",
        versions,
        methods=["GET"],
        name=f"list_{name}_versions",
        response_model=Page[out_model],
        summary=f"Every version of the {section.noun}, oldest first · {section.tag}变更记录",
        tags=tags,
    )


for _section in SECTIONS:
    _add_routes(_section)


__all__ = ["BaseModel", "router"]
