"""What no route should see: a body over its route's limit, a query string carrying unstorable
text, a JSON body that is not UTF-8 or nests deeper than any of our documents.

The size is refused here, before routing reads anything; the body's form is refused by the
route (``shared.route_guard``), after the caller's token, role and preconditions, and before
any parser reads it.
"""

from __future__ import annotations

import re
from itertools import accumulate, count
from operator import sub
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import (
    BodyTooDeep,
    FieldError,
    MalformedBody,
    PayloadTooLarge,
    ProblemError,
    RequestInvalid,
    response_for,
)
from shared.text import unstorable_character

# A control character (but tab, line feed, carriage return) percent-encoded in a query string;
# the HTTP parser refuses them unencoded.
_ENCODED_CONTROL = re.compile(rb"%(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])")

# How deeply a JSON body may nest arrays and objects (the body's own object is the first level).
# Our deepest document (a batch of fact sets) nests 7; Python's own JSON reader recurses on the
# stack and fails near 1,000.
MAX_JSON_DEPTH = 32

# The contract's extension naming a route's body limit in bytes (``openapi_extra``); a route
# without one takes the service's ``max_body_bytes`` (1 MiB).
BODY_LIMIT_EXTENSION = "x-max-body-bytes"


def body_limit(max_bytes: int, **openapi_extra: Any) -> dict[str, Any]:
    """``openapi_extra`` for a route whose body may be larger (or must be smaller) than the
    service's default: enforced by ``RequestLimitsMiddleware`` and published in the contract."""
    return {**openapi_extra, BODY_LIMIT_EXTENSION: max_bytes}


# The escapes that could hide a quote (``\"``) or pair with the next backslash (``\\``); any
# other escape (``\n``, ``\u4e2d``) is followed by neither and may stay as it is.
_ESCAPE = re.compile(rb'\\[\\"]')
# Openers become 2 and closers 0 (so a running sum less the count is the depth); a quote stays.
_BRACKETS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b'[]{}"')


def json_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply a parser reading ``body`` as JSON would nest, as far as it matters: exact up
    to ``limit``, and some figure above ``limit`` beyond it.

    Counted without parsing (and without recursion), with bytes methods that run in C: escapes
    are dropped, then everything but brackets and quotes, then the strings (brackets in text
    are not nesting), and the deepest point is the running sum of what is left. An opener
    never closed counts as it would for a parser that reads on until the text ends.
    """
    if b"\\" in body:
        body = _ESCAPE.sub(b"", body)
    marks = body.translate(_BRACKETS, _NOT_BRACKETS)
    outside = marks.replace(b'""', b"")  # strings holding no bracket
    if b'"' in outside:  # some string holds one: take every other stretch between quotes
        outside = b"".join(marks.split(b'"')[::2])
    if b"\x02" * (limit + 1) in outside:
        return limit + 1
    deepest: int = max(map(sub, accumulate(outside), count(1)), default=0)
    return max(0, deepest)


def is_json_media(content_type: str | None) -> bool:
    """Whether a Content-Type declares JSON (``application/json``, ``application/*+json``), as
    FastAPI reads it: a body without one is not read as JSON."""
    if content_type is None:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    main, _, subtype = media.partition("/")
    return main == "application" and (subtype == "json" or subtype.endswith("+json"))


def json_body_problem(body: bytes, content_type: str | None) -> ProblemError | None:
    """Why a body declared JSON may not be read at all (not UTF-8, nested too deeply), or None.

    Python's JSON reader would take a lone surrogate's UTF-8 form (it decodes "surrogatepass")
    and recurse until the stack runs out; neither reaches it.
    """
    if not body or not is_json_media(content_type):
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return MalformedBody(
            f"The body is not UTF-8 (byte {exc.start} cannot start or continue a character): "
            "send UTF-8 JSON with 'Content-Type: application/json'",
            position=exc.start,
        )
    if json_depth(body) > MAX_JSON_DEPTH:
        return BodyTooDeep(
            f"The JSON body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep "
            "(the body's own object is the first); no document of this API needs more",
            max_depth=MAX_JSON_DEPTH,
        )
    return None


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

    - 413 for a body over its route's limit (``BODY_LIMIT_EXTENSION``, else ``max_body_bytes``),
      whether declared by Content-Length or streamed. A declared length is checked before
      anything is read (the server holds the caller to it); a chunked body is read up to the
      limit and handed on only if it fits. The operation is looked up only for a body larger
      than the smallest limit, so small requests pay nothing for it.
    - 422 for a query string carrying a control character (``%00`` and the like), which no
      parameter may hold (``shared.text``; PostgreSQL cannot even compare with U+0000). A body's
      text is checked by its model (``shared.text.RequestBody``).
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # (path parameters, path pattern, method, limit) of each operation the contract gives a
        # limit, read from the contract on the first request, when every route is in place.
        self._limits: list[tuple[int, re.Pattern[str], str, int]] | None = None
        self._smallest = max_body_bytes

    def _table(self, scope: Scope) -> list[tuple[int, re.Pattern[str], str, int]]:
        if self._limits is None:
            app: Any = scope.get("app")
            paths = app.openapi().get("paths", {}) if hasattr(app, "openapi") else {}
            limits = []
            for template, operations in paths.items():
                parts = re.split(r"(\{[^}]+\})", template)
                regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
                pattern = re.compile(f"^{regex}$")
                parameters = sum(p.startswith("{") for p in parts)
                for method, operation in operations.items():
                    if isinstance(operation, dict) and BODY_LIMIT_EXTENSION in operation:
                        limit = int(operation[BODY_LIMIT_EXTENSION])
                        limits.append((parameters, pattern, method.upper(), limit))
            self._smallest = min([self.max_body_bytes, *(limit for *_, limit in limits)])
            self._limits = limits
        return self._limits

    def limit_for(self, scope: Scope) -> int:
        """The body limit of the operation this request is for, as the contract states it.

        Where a literal path and a template both match (``/v1/evaluations/batch`` and
        ``/v1/evaluations/{receipt_id}``), the operation is the one with fewer parameters, as
        the router chooses."""
        method, path = scope.get("method", ""), scope.get("path", "")
        found = [
            (parameters, limit)
            for parameters, pattern, operation_method, limit in self._table(scope)
            if operation_method == method and pattern.match(path)
        ]
        return min(found)[1] if found else self.max_body_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        problem = PayloadTooLarge(
            f"The request body is larger than {limit} bytes, the limit of {scope.get('method')} "
            f"{scope.get('path')}; send less per request (split a batch, page through a list)",
            max_body_bytes=limit,
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
        self._table(scope)
        declared: int | None = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
        if declared is not None:
            if declared > self._smallest:
                limit = self.limit_for(scope)
                if declared > limit:
                    await self._refuse(scope, receive, send, limit)
                    return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        limit = self._smallest
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit and limit == self._smallest:
                limit = self.limit_for(scope)
            if size > limit:
                await self._refuse(scope, receive, send, limit)
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
