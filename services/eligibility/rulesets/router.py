"""HTTP for rulesets: what the law-as-code says, with its citations and content hash."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from services.eligibility.rulesets.model import Ruleset
from services.eligibility.rulesets.service import RulesetBook
from shared.auth import Principal, authenticated
from shared.contracts.facts import SpaceFacts
from shared.errors import problem_responses
from shared.unit_of_work import TransactionalRoute

router = APIRouter(
    prefix="/v1",
    tags=["rulesets · 认定规则"],
    route_class=TransactionalRoute,
    responses=problem_responses(401),
)


class RulesetSummary(BaseModel):
    id: str
    title_zh: str
    title_en: str
    status: str
    valid_from: date
    valid_to: date | None
    content_hash: str


class RulesetDetail(Ruleset):
    content_hash: str


async def book_of(request: Request) -> RulesetBook:
    return request.app.state.rulesets  # type: ignore[no-any-return]


@router.get(
    "/rulesets", response_model=list[RulesetSummary], summary="Rulesets, by validity · 认定规则版本"
)
async def list_rulesets(
    book: Annotated[RulesetBook, Depends(book_of)],
    _principal: Annotated[Principal, Depends(authenticated)],
) -> list[RulesetSummary]:
    return [
        RulesetSummary(
            id=r.id,
            title_zh=r.rules.title_zh,
            title_en=r.rules.title_en,
            status=r.rules.status.value,
            valid_from=r.rules.valid_from,
            valid_to=r.rules.valid_to,
            content_hash=r.content_hash,
        )
        for r in book.all()
    ]


@router.get(
    "/rulesets/{ruleset_id}",
    response_model=RulesetDetail,
    summary="A ruleset with clauses and parameters · 认定规则详情",
    responses=problem_responses(404),
)
async def get_ruleset(
    ruleset_id: str,
    book: Annotated[RulesetBook, Depends(book_of)],
    _principal: Annotated[Principal, Depends(authenticated)],
) -> dict[str, Any]:
    loaded = book.get(ruleset_id)
    return {**loaded.rules.model_dump(), "content_hash": loaded.content_hash}


@router.get("/facts-schema", summary="JSON Schema of the facts an evaluation takes · 事实模型")
async def facts_schema(_principal: Annotated[Principal, Depends(authenticated)]) -> dict[str, Any]:
    return SpaceFacts.model_json_schema()
