"""Hostile JSON bodies on every service: nesting beyond the limit, lone surrogates, bytes that are
not UTF-8. Each is a problem naming what is wrong (never a 500), with or without an
Idempotency-Key, and nothing is recorded."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import Role
from shared.auth.tokens import issue_token
from shared.limits import MAX_JSON_DEPTH, json_depth
from tests.conftest import client_for, space_body
from tests.eligibility.factories import request as evaluation_body

pytestmark = pytest.mark.backends("sqlite", "postgresql")

SURROGATE = "\ud800"


@dataclass(frozen=True)
class Target:
    """A route that takes a JSON body, a valid body for it and where text sits in it."""

    service: str
    path: str
    role: str
    body: Callable[[str], dict[str, Any]]  # a valid body carrying the given text
    text_field: str  # where that text is, as a problem names it
    listing: str | None  # what would show a stored record
    needs_key: bool = False  # a money route: without a key, 428 comes before the body

    def expect(self, key: bool, status: int) -> int:
        """The status a body problem gets: a money route asks for its key first."""
        return 428 if self.needs_key and not key else status

    def __str__(self) -> str:
        return f"{self.service} {self.path}"


def _appropriation(text: str) -> dict[str, Any]:
    return {"amount_fen": 100_000, "document_no": text, "appropriated_on": "2026-01-05"}


def _evaluation(text: str) -> dict[str, Any]:
    return evaluation_body(specialisation={"strategic_emerging_industry_subfield": text})


def _impact(text: str) -> dict[str, Any]:
    return {
        "baseline_ruleset_id": "lz-measures-2018",
        "candidate_ruleset_id": "lz-measures-draft-stricter",
        "items": [_evaluation(text)],
    }


SUBFIELD = "facts.specialisation.strategic_emerging_industry_subfield"
TARGETS = [
    Target(
        "registry",
        "/v1/spaces",
        "city_admin",
        lambda text: space_body(name=f"众创空间{text}"),
        "body.name",
        "/v1/spaces",
    ),
    Target(
        "eligibility",
        "/v1/evaluations",
        "expert",
        _evaluation,
        f"body.{SUBFIELD}",
        "/v1/evaluations",
    ),
    Target(
        "eligibility",
        "/v1/evaluations/batch",
        "expert",
        lambda text: {"items": [_evaluation(text)]},
        f"body.items.0.{SUBFIELD}",
        None,
    ),
    Target("eligibility", "/v1/impact", "expert", _impact, f"body.items.0.{SUBFIELD}", None),
    Target(
        "subsidy",
        "/v1/budgets/2026/appropriations",
        "finance_officer",
        _appropriation,
        "body.document_no",
        "/v1/budgets",
        needs_key=True,
    ),
]


def _headers(app: FastAPI, role: str, key: bool) -> dict[str, str]:
    token = issue_token(app.state.settings, role=Role(role), subject=f"hostile-{role}")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers


async def _stored(client: httpx.AsyncClient, app: FastAPI, target: Target) -> Any:
    if target.listing is None:
        return None
    response = await client.get(target.listing, headers=_headers(app, "city_admin", key=False))
    assert response.status_code == 200, response.text
    return response.json()


def _nested(depth: int) -> str:
    """JSON text of ``depth`` arrays, one inside the other: ``[[[]]]`` is 3 deep."""
    return "[" * depth + "]" * depth


async def _post(
    client: httpx.AsyncClient, app: FastAPI, target: Target, content: bytes, key: bool
) -> httpx.Response:
    return await client.post(target.path, content=content, headers=_headers(app, target.role, key))


@pytest.fixture(params=TARGETS, ids=str)
def target(request: pytest.FixtureRequest) -> Target:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def service(make_app, target: Target) -> FastAPI:
    app: FastAPI = await make_app(target.service)
    return app


@pytest.mark.parametrize("key", [False, True], ids=["without key", "with key"])
async def test_a_body_nested_beyond_the_limit_is_a_400_naming_the_limit(
    service: FastAPI, target: Target, key: bool
) -> None:
    async with client_for(service) as client:
        before = await _stored(client, service, target)
        for depth in (MAX_JSON_DEPTH + 1, 1000, 100_000):
            # The nesting sits inside the body's own object: the object is one level more.
            content = b'{"x": ' + _nested(depth).encode() + b"}"
            response = await _post(client, service, target, content, key)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.status_code == target.expect(key, 400), (depth, response.text[:500])
            if response.status_code == 428:
                continue
            problem = response.json()
            assert problem["type"] == "urn:lzms:problem:body-too-deep"
            assert problem["max_depth"] == MAX_JSON_DEPTH
            assert f"{MAX_JSON_DEPTH} levels" in problem["detail"]
        # Unclosed nesting is as deep for a parser, and refused alike.
        response = await _post(client, service, target, b"[" * 5000, key)
        assert response.status_code == target.expect(key, 400), response.text[:500]
        if response.status_code == 400:
            assert response.json()["type"] == "urn:lzms:problem:body-too-deep"
        assert await _stored(client, service, target) == before


@pytest.mark.parametrize("key", [False, True], ids=["without key", "with key"])
async def test_nesting_at_the_limit_is_read_and_judged_by_the_model(
    service: FastAPI, target: Target, key: bool
) -> None:
    """Exactly the limit is parsed: the model then refuses the unknown field, a 422 naming it.
    Brackets inside a string are text, not nesting."""
    async with client_for(service) as client:
        body = json.loads(json.dumps(target.body("正常文本")))
        body["x"] = json.loads(_nested(MAX_JSON_DEPTH - 1))  # the body's object is the first
        body["y"] = "[" * 100
        response = await _post(client, service, target, json.dumps(body).encode(), key)
        assert response.status_code == target.expect(key, 422), response.text[:500]
        if response.status_code == 422:
            assert "body.x" in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize("key", [False, True], ids=["without key", "with key"])
async def test_a_lone_surrogate_is_a_422_naming_the_field(
    service: FastAPI, target: Target, key: bool
) -> None:
    async with client_for(service) as client:
        before = await _stored(client, service, target)
        content = json.dumps(target.body(SURROGATE)).encode()  # ASCII JSON: "\ud800"
        assert b"\\ud800" in content
        response = await _post(client, service, target, content, key)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.status_code == target.expect(key, 422), response.text[:500]
        if response.status_code == 422:
            (error,) = [e for e in response.json()["errors"] if e["field"] == target.text_field]
            assert "U+D800" in error["message"]
        assert await _stored(client, service, target) == before


@pytest.mark.parametrize("key", [False, True], ids=["without key", "with key"])
async def test_bytes_that_are_not_utf8_are_a_400(
    service: FastAPI, target: Target, key: bool
) -> None:
    async with client_for(service) as client:
        before = await _stored(client, service, target)
        text = json.dumps(target.body(SURROGATE)).encode()
        for raw in (b"\xed\xa0\x80", b"\xff", b"\xc3"):  # an encoded surrogate, stray bytes
            response = await _post(client, service, target, text.replace(b"\\ud800", raw), key)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.status_code == target.expect(key, 400), (raw, response.text[:500])
            if response.status_code == 400:
                assert response.json()["type"] == "urn:lzms:problem:malformed-body"
                assert "UTF-8" in response.json()["detail"]
        assert await _stored(client, service, target) == before


# --- the depth count itself, against Python's own reading ----------------------------------------


def _depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth_of(v) for v in value), default=0)
    return 0


def _random_json(rng: random.Random, depth: int) -> Any:
    """A document nested exactly ``depth`` deep, with text full of brackets, quotes and escapes."""
    text = "".join(rng.choice('[]{}"\\/ab中\n\t\u00e9') for _ in range(rng.randrange(6)))
    leaves: list[Any] = [text, 1, 2.5, True, None, "", "\\", '"', "]]]", "{["]
    if depth == 0:
        return rng.choice(leaves)
    siblings = [_random_json(rng, rng.randrange(min(depth, 3))) for _ in range(rng.randrange(3))]
    inner = _random_json(rng, depth - 1)
    items = [*siblings, inner]
    rng.shuffle(items)
    if rng.random() < 0.5:
        return items
    return {f"{text}{index}": item for index, item in enumerate(items)}


def test_the_depth_count_agrees_with_python_reading_the_text() -> None:
    rng = random.Random(18)
    for _ in range(400):
        document = _random_json(rng, rng.randrange(1, MAX_JSON_DEPTH + 8))
        expected = _depth_of(document)
        for text in (
            json.dumps(document),
            json.dumps(document, ensure_ascii=False, indent=1),
        ):
            counted = json_depth(text.encode())
            if expected <= MAX_JSON_DEPTH:
                assert counted == expected, text
            else:
                assert counted > MAX_JSON_DEPTH, text


def test_the_depth_count_takes_unclosed_and_stray_brackets_as_a_parser_would() -> None:
    assert json_depth(b"[" * (MAX_JSON_DEPTH + 1)) > MAX_JSON_DEPTH
    assert json_depth(b'"' + b"[" * 100) == 0  # an unclosed string holds no nesting
    assert json_depth(b'["\\"' + b"[" * 100 + b'"]') == 1
    assert json_depth(b'["\\\\"' + b", []" * 3 + b"]") == 2
