"""The eligibility service."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.eligibility.assessments.router import router as assessments_router
from services.eligibility.assessments.service import SchemeBook
from services.eligibility.clients.registry import RegistryClient
from services.eligibility.config import EligibilitySettings, get_settings
from services.eligibility.evaluations.json_body import body_schemas
from services.eligibility.evaluations.router import BODIES_READ_DIRECTLY, analysis_router
from services.eligibility.evaluations.router import router as evaluations_router
from services.eligibility.rulesets.router import router as rulesets_router
from services.eligibility.rulesets.service import RulesetBook
from shared.app_factory import create_service_app
from shared.http_client import ServiceClient


def _clients(app: FastAPI) -> dict[str, ServiceClient]:
    settings: EligibilitySettings = app.state.settings
    token = app.state.service_token.token
    return {
        "registry_client": RegistryClient.for_peer(
            "registry", settings.registry_url, settings, token
        ),
    }


def create_app(settings: EligibilitySettings | None = None) -> FastAPI:
    app = create_service_app(
        settings or get_settings(),
        title="兰州市众创空间认定条件服务 · Lanzhou Maker-Space Eligibility",
        description=(
            "依据《兰州市众创空间认定管理办法》九项认定条件进行可解释的资格判定与年度考核评分。\n\n"
            "Decides, against the versioned Measures, whether a space meets the nine recognition "
            "conditions, and explains each verdict with its clause. Errors are RFC 9457 "
            "`application/problem+json`."
        ),
        routers=[rulesets_router, evaluations_router, analysis_router, assessments_router],
        clients=_clients,
        # Load and cross-check every ruleset and scheme now: a malformed one stops the start.
        state={"rulesets": RulesetBook.load(), "assessment_schemes": SchemeBook.load()},
    )
    _publish_bodies(app)
    return app


def _publish_bodies(app: FastAPI) -> None:
    """Put the request bodies the bulk routes read themselves in the contract's components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {}).update(
            body_schemas(BODIES_READ_DIRECTLY)
        )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
