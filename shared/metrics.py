"""Each request measured once: an access-log line, and Prometheus counts, latency and errors."""

from __future__ import annotations

import time
from typing import Any

import structlog
from fastapi import Request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = structlog.get_logger("access")


class Metrics:
    """One registry per app, so several apps in one process (the tests) never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ["method", "route", "status"]
        self.requests = Counter(
            "http_requests_total", "HTTP requests handled", labels, registry=self.registry
        )
        self.errors = Counter(
            "http_request_errors_total",
            "HTTP responses with status >= 500",
            ["method", "route"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        # The labelled series of each (method, route, status), looked up once: a route
        # template set is small and fixed, so this stays as small as the label sets do.
        self._series: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
                self.errors.labels(method, route) if status >= 500 else None,
            )
        requests, latency, errors = series
        requests.inc()
        latency.observe(seconds)
        if errors is not None:
            errors.inc()


def _route_template(scope: Scope) -> str:
    """The matched route's path template (``/v1/spaces/{space_id}``), never the raw path,
    so ids do not explode the label set. The router leaves the route in the scope."""
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


class RequestTelemetryMiddleware:
    """Logs and counts every request by its route template; sits inside the request-id one."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            elapsed = time.perf_counter() - started
            method = scope.get("method", "")
            route = _route_template(scope)
            self.metrics.observe(method, route, status, elapsed)
            access_log.info(
                "request",
                method=method,
                path=scope.get("path"),
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )


async def metrics_endpoint(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
