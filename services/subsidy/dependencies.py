"""Request-scoped things the subsidy routers share."""

from __future__ import annotations

from fastapi import Request

from services.subsidy.clients.registry import RegistryClient


async def get_registry(request: Request) -> RegistryClient:
    client: RegistryClient = request.app.state.registry_client
    return client
