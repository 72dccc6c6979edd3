"""What no route should see: a body over the ceiling, a query string carrying unstorable text."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import FieldError, PayloadTooLarge, RequestInvalid, response_for
from shared.text import unstorable_character

# A control character (but tab, line feed, carriage return) percent-encoded in a query string;
# the HTTP parser refuses them unencoded.
_ENCODED_CONTROL = re.compile(rb"%(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])")


def _query_problem(query: bytes) -> RequestInvalid | None:
    """A 422 naming each query parameter whose name or value carries a control character."""
    if b"%" not in query or _ENCODED_CONTROL.search(query) is None:
        return None
    errors = []
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        bad_name = unstorable_character(name)
        problem = bad_name or unstorable_character(value)
        if problem is not None:
            label = repr(name) if bad_name else name
            errors.append(
                FieldError(field=f"query.{label}"[:200], message=problem, type="value_error")
            )
    if not errors:
        return None
    return RequestInvalid(
        "The query string carries a control character; send parameters as plain text", errors
    )


class RequestLimitsMiddleware:
    """Refuses a request before any route runs:

    - 413 for a body over the limit, whether declared by Content-Length or streamed. A declared
      length is checked before anything is read (the server holds the caller to it); a chunked
      body is read up to the limit and handed on only if it fits.
    - 422 for a query string carrying a control character (``%00`` and the like), which no
      parameter may hold (``shared.text``; PostgreSQL cannot even compare with U+0000). A body's
      text is checked by its model (``shared.text.RequestBody``).
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = PayloadTooLarge(
            f"The request body is larger than {self.max_body_bytes} bytes; send less per request "
            "(split a batch, page through a list)",
            max_body_bytes=self.max_body_bytes,
        )
        await response_for(problem, scope.get("path"))(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query_problem = _query_problem(scope.get("query_string", b""))
        if query_problem is not None:
            await response_for(query_problem, scope.get("path"))(scope, receive, send)
            return
        declared: int | None = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
        if declared is not None:
            if declared > self.max_body_bytes:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
