"""Every dependency and endpoint of the three services is a coroutine function (or an object
with an async ``__call__``): FastAPI runs a plain ``def`` one in a worker thread, a thread hop
per request for what is usually an attribute read."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tests.conftest import _create_app, _settings

SERVICES = ("registry", "eligibility", "subsidy")


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, including those of included routers (kept nested by FastAPI)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def _is_async(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004 - an instance with an async __call__
    )


@pytest.mark.parametrize("service", SERVICES)
def test_no_route_runs_a_dependency_or_endpoint_in_a_thread(service: str) -> None:
    app = _create_app(service, _settings(service, "sqlite+aiosqlite:///:memory:"))
    sync: set[str] = set()
    routes = list(_api_routes(app.routes))
    for route in routes:
        for call in (route.endpoint, *_calls(route.dependant)):
            if not _is_async(call):
                sync.add(f"{route.path}: {getattr(call, '__qualname__', call)!r}")
    assert len(routes) > 10
    assert sorted(sync) == []
