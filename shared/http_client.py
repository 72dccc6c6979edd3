"""The typed inter-service HTTP client's base: one long-lived ``httpx.AsyncClient`` per peer.

It sends the service token and the current request id, times out, retries idempotent calls
with bounded exponential backoff, and turns the peer's failures into our problem types, so a
caller never sees a raw transport error.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Self

import httpx
import structlog
from fastapi import FastAPI

from shared.errors import NotFound, UpstreamFailed, UpstreamUnavailable
from shared.request_id import REQUEST_ID_HEADER, current_request_id
from shared.settings import BaseServiceSettings

log = structlog.get_logger(__name__)

_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRY_STATUSES = frozenset({429, 502, 503, 504})


class ServiceClient:
    def __init__(
        self,
        peer: str,
        base_url: str,
        token: Callable[[], str],
        *,
        timeout_seconds: float = 5.0,
        retries: int = 2,
        backoff_seconds: float = 0.1,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.peer = peer
        self._token = token
        self._retries = retries
        self._backoff = backoff_seconds
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
            headers={"Accept": "application/json"},
        )

    @classmethod
    def for_peer(
        cls, peer: str, base_url: str, settings: BaseServiceSettings, token: Callable[[], str]
    ) -> Self:
        """A client with this service's configured timeout and retries."""
        return cls(
            peer,
            base_url,
            token,
            timeout_seconds=settings.http_timeout_seconds,
            retries=settings.http_retries,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _headers(self, extra: httpx.Headers) -> httpx.Headers:
        headers = httpx.Headers({"Authorization": f"Bearer {self._token()}"})
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        headers.update(extra)
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send a request; a POST is retried only when it carries an Idempotency-Key."""
        method = method.upper()
        sent = httpx.Headers(headers or {})
        retryable = method in _IDEMPOTENT or "idempotency-key" in sent
        attempts = 1 + (self._retries if retryable else 0)
        last_error: str = ""
        reached_peer = False
        for attempt in range(1, attempts + 1):
            try:
                response = await self._client.request(
                    method, path, json=json, params=params, headers=self._headers(sent)
                )
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}"
                reached_peer = reached_peer or not isinstance(exc, httpx.ConnectError)
            else:
                reached_peer = True
                if response.status_code not in _RETRY_STATUSES:
                    return self._checked(method, path, response)
                last_error = f"HTTP {response.status_code}"
            if attempt < attempts:
                delay = self._backoff * 2 ** (attempt - 1)
                await asyncio.sleep(delay + random.uniform(0, delay))  # noqa: S311 - jitter
                log.info(
                    "peer_retry",
                    peer=self.peer,
                    method=method,
                    path=path,
                    attempt=attempt,
                    error=last_error,
                )
        outcome = (
            "the request may have been received; repeat it with the same Idempotency-Key"
            if reached_peer and method not in _IDEMPOTENT
            else "try again later"
        )
        raise UpstreamUnavailable(
            f"The {self.peer} service could not be reached ({last_error} after {attempts} "
            f"attempt{'s' if attempts > 1 else ''}); {outcome}",
            peer=self.peer,
        )

    def _checked(self, method: str, path: str, response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        detail = _peer_detail(response)
        if response.status_code == 404:
            raise NotFound(f"The {self.peer} service has no such object: {detail}", peer=self.peer)
        log.warning(
            "peer_error",
            peer=self.peer,
            method=method,
            path=path,
            status=response.status_code,
            detail=detail,
        )
        raise UpstreamFailed(
            f"The {self.peer} service refused {method} {path} with {response.status_code}: "
            f"{detail}",
            peer=self.peer,
            peer_status=response.status_code,
        )

    async def get_json(self, path: str, **params: Any) -> Any:
        return (await self.request("GET", path, params=params or None)).json()


def _peer_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no detail"
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or "no detail")[:500]
    return "no detail"


@asynccontextmanager
async def serving_clients(app: FastAPI, **clients: ServiceClient) -> AsyncIterator[None]:
    """Keep each client on ``app.state.<name>`` for the app's lifetime, and close them after."""
    for name, client in clients.items():
        setattr(app.state, name, client)
    try:
        yield
    finally:
        for client in clients.values():
            await client.aclose()
