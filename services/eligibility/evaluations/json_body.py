"""Request bodies read straight from JSON into their models, for the bulk routes (up to 10,000
fact sets), and the cyclic garbage collector held off while they are judged.

FastAPI would first decode a body into Python dicts and lists and then validate those; pydantic's
own JSON parser builds the models in one pass (about half the time, and no throw-away dicts).
The errors are FastAPI's own: a field's 422 names ``body.<field>``, bad JSON is ``json_invalid``
at ``body.<position>``, a body that is not UTF-8 is the platform's 400, so nothing a caller sees
changes. The route keeps its documented request body (``documented_body``, ``body_schemas``).
Its route guard (``shared.route_guard``) has already refused a body that is not UTF-8 or nests
deeper than ``shared.limits.MAX_JSON_DEPTH``, before this reads it.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.errors import BodyTooDeep
from shared.limits import MAX_JSON_DEPTH, is_json_media

T = TypeVar("T")


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads ``model`` itself (see ``publish_bodies``)."""
    return {
        "requestBody": {
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
            "required": True,
        }
    }


def body_schemas(models: Sequence[type[BaseModel]]) -> dict[str, Any]:
    """The component schemas of bodies read by ``parse_json``, exactly as FastAPI publishes a
    body it reads itself (taken from a throw-away app whose routes take them as bodies).

    Only the models themselves: what they refer to is published by the routes FastAPI reads.
    """
    twin = FastAPI()
    for index, model in enumerate(models):

        async def endpoint(body: Any) -> None:  # pragma: no cover - never called
            return None

        endpoint.__annotations__ = {"body": model, "return": None}
        twin.add_api_route(f"/{index}", endpoint, methods=["POST"])
    published = twin.openapi()["components"]["schemas"]
    return {model.__name__: published[model.__name__] for model in models}


def _with_body_loc(errors: list[Any]) -> list[Any]:
    return [{**error, "loc": ("body", *error["loc"])} for error in errors]


def parse_json(raw: bytes, content_type: str | None, adapter: TypeAdapter[T]) -> T:
    """The body as ``adapter``'s type, or the error FastAPI would have raised for it."""
    if not raw:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    if not is_json_media(content_type):
        # FastAPI hands a body that is not declared JSON on as bytes, which the model refuses.
        raise RequestValidationError(
            [
                {
                    "type": "model_attributes_type",
                    "loc": ("body",),
                    "msg": "Input should be a valid dictionary or object to extract fields from",
                    "input": raw,
                }
            ]
        )
    try:
        return adapter.validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if not any(error["type"] == "json_invalid" for error in errors):
            raise RequestValidationError(_with_body_loc(errors)) from None
    # Not JSON to pydantic: report it as FastAPI does, from the standard library's reading.
    try:
        decoded = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", exc.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": exc.msg},
                }
            ]
        ) from None
    except ValueError:  # not UTF-8
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from None
    except RecursionError:  # the route guard refuses such nesting first; never a 500 here
        raise BodyTooDeep(
            f"The JSON body nests more than {MAX_JSON_DEPTH} levels deep", max_depth=MAX_JSON_DEPTH
        ) from None
    try:  # JSON the standard library reads and pydantic's parser does not (NaN, say)
        return adapter.validate_python(decoded)
    except ValidationError as exc:
        raise RequestValidationError(_with_body_loc(exc.errors(include_url=False))) from None


async def read_json(request: Request, adapter: TypeAdapter[T]) -> T:
    raw = await request.body()
    with collector_paused():
        return parse_json(raw, request.headers.get("content-type"), adapter)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector for a synchronous stretch of bulk work.

    Reading and judging 10,000 fact sets makes hundreds of thousands of objects that live
    until the answer is written; the collector would walk the whole heap again and again while
    they are made (more than half the time of a batch), only to find nothing to free: they go
    by reference counting when the request ends. Use it only around code that never awaits,
    so no other request runs while the collector waits.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
