"""The subsidy service."""

from __future__ import annotations

from fastapi import FastAPI

from services.subsidy.clients.registry import RegistryClient
from services.subsidy.config import SubsidySettings, get_settings
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
    return create_service_app(
        settings or get_settings(),
        title="兰州市众创空间奖补资金服务 · Lanzhou Maker-Space Subsidies",
        description=(
            "财政奖补资金的预算、奖补决定、分批拨付与追回，记入只增不改的复式账本。\n\n"
            "Budgets, awards, disbursement in tranches and clawback on an append-only "
            "double-entry ledger. Errors are RFC 9457 `application/problem+json`."
        ),
        routers=[],
        clients=_clients,
    )
