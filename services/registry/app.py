"""The registry service: operators, spaces, their jurisdiction, and what they report."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.registry.activities.router import router as activities_router
from services.registry.applications.router import batches_router
from services.registry.applications.router import router as applications_router
from services.registry.assessments.router import router as assessments_router
from services.registry.calendar.router import router as calendar_router
from services.registry.clients.eligibility import EligibilityClient
from services.registry.clocks.router import router as clocks_router
from services.registry.compliance.router import router as compliance_router
from services.registry.conditions.router import router as conditions_router
from services.registry.config import RegistrySettings, get_settings
from services.registry.documents.router import router as documents_router
from services.registry.events.dispatcher import run_dispatcher
from services.registry.events.router import router as events_router
from services.registry.exports.router import router as exports_router
from services.registry.facts.router import router as facts_router
from services.registry.jurisdictions.router import router as jurisdictions_router
from services.registry.levels.router import router as levels_router
from services.registry.operators.router import router as operators_router
from services.registry.spaces.router import router as spaces_router
from services.registry.staff.router import router as staff_router
from services.registry.statistics.router import router as statistics_router
from services.registry.status.router import rectifications_router
from services.registry.status.router import router as status_router
from services.registry.teams.router import router as teams_router
from shared.app_factory import create_service_app
from shared.http_client import ServiceClient


def _clients(app: FastAPI) -> dict[str, ServiceClient]:
    settings: RegistrySettings = app.state.settings
    token = app.state.service_token.token
    return {
        "eligibility_client": EligibilityClient.for_peer(
            "eligibility", settings.eligibility_url, settings, token
        ),
    }


def create_app(
    settings: RegistrySettings | None = None,
    *,
    event_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The app; ``event_transport`` replaces the network for event delivery (tests)."""
    settings = settings or get_settings()
    return create_service_app(
        settings,
        title="兰州市众创空间登记服务 · Lanzhou Maker-Space Registry",
        description=(
            "众创空间、运营主体及其属地的登记与认定流程。\n\n"
            "The system of record for municipal maker spaces (众创空间), their operators and "
            "jurisdictions (属地). A district officer sees only its own jurisdiction. Errors are "
            "RFC 9457 `application/problem+json`.\n\n"
            "A space's status (applicant, recognised, under rectification, revoked), levels and "
            "annual assessment results are recorded by the bureau. A space is recognised through "
            "the recognition procedure (`/v1/applications`: 申报, 初审, 受理, 复审, 审定, 公示, "
            "认定); the direct recognition act records only recognitions made before it. "
            "Each act emits an event that is pushed to the configured subscribers and served at "
            "`GET /v1/events`."
        ),
        # Matched in this order, one router after another: the hottest reads first.
        routers=[
            # Before the spaces router: /v1/spaces/export is not a space id.
            exports_router,
            spaces_router,
            facts_router,
            jurisdictions_router,
            operators_router,
            status_router,
            rectifications_router,
            applications_router,
            batches_router,
            levels_router,
            assessments_router,
            conditions_router,
            teams_router,
            staff_router,
            activities_router,
            compliance_router,
            documents_router,
            calendar_router,
            clocks_router,
            statistics_router,
            events_router,
        ],
        clients=_clients,
        state={"event_transport": event_transport},
        background=[run_dispatcher] if settings.event_subscribers else [],
    )
