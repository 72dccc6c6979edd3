"""The subsidy service: budgets, awards, disbursement and recovery on a double-entry ledger."""

from __future__ import annotations

from fastapi import FastAPI

from services.subsidy.awards.router import router as awards_router
from services.subsidy.budgets.router import router as budgets_router
from services.subsidy.clients.registry import RegistryClient
from services.subsidy.config import SubsidySettings, get_settings
from services.subsidy.disbursements.router import router as disbursements_router
from services.subsidy.events.router import router as events_router
from services.subsidy.ledger.router import router as ledger_router
from services.subsidy.ledger.service import keep_sealing
from services.subsidy.policies.loader import shipped
from services.subsidy.policies.router import router as policies_router
from services.subsidy.recoveries.router import router as recoveries_router
from services.subsidy.reports.router import router as reports_router
from shared.app_factory import create_service_app
from shared.http_client import ServiceClient


def _clients(app: FastAPI) -> dict[str, ServiceClient]:
    settings: SubsidySettings = app.state.settings
    token = app.state.service_token.token
    return {
        "registry_client": RegistryClient.for_peer(
            "registry", settings.registry_url, settings, token
        ),
    }


def create_app(settings: SubsidySettings | None = None) -> FastAPI:
    shipped()  # a malformed award policy stops the service here, not at the first award
    return create_service_app(
        settings or get_settings(),
        title="兰州市众创空间奖补资金服务 · Lanzhou Maker-Space Subsidies",
        description=(
            "财政奖补资金的预算、奖补决定、分批拨付与追回，记入只增不改的复式账本。\n\n"
            "Budgets, awards, disbursement in tranches and clawback on an append-only, "
            "hash-chained double-entry ledger. Amounts are integer fen (分). Every POST that "
            "moves money takes an `Idempotency-Key`. Errors are RFC 9457 "
            "`application/problem+json`."
        ),
        routers=[
            budgets_router,
            awards_router,
            policies_router,
            disbursements_router,
            recoveries_router,
            events_router,
            ledger_router,
            reports_router,
        ],
        clients=_clients,
        background=[keep_sealing],
    )
