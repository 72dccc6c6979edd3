"""The base of every request body a service keeps: what the contract says, taken as it says it.

Pydantic's lax mode, which FastAPI validates parsed JSON bodies in, turns ``true`` into 1 for a
count, ``"12"`` into 12, and a number into a date (seconds since 1970: ``"occurred_on": 0`` was
1 January 1970). A registry of legal facts takes none of these guesses: a count is a JSON
integer, an amount a JSON number (or a decimal string, where the contract offers one), a date
a ``YYYY-MM-DD`` string. Text is checked too (``shared.text``), and a field the model does not
know is refused. Each refusal is the usual 422 naming the field.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    ValidationInfo,
    WrapValidator,
    field_validator,
)

from shared.text import unstorable_character

_INTEGER, _NUMBER, _DATE, _DATETIME = "integer", "number", "date", "datetime"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_WORDS = "a date is written as text, YYYY-MM-DD (e.g. 2026-03-01)"
_OWN_CHECKS = (BeforeValidator, PlainValidator, WrapValidator)


def _members(annotation: Any) -> list[Any]:
    """The types a field may hold, with ``Annotated`` and ``None`` taken off."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _members(a)]
    return [] if annotation is type(None) else [annotation]


_KIND_NAMES = {
    _INTEGER: "integer",
    _NUMBER: "number",
    _DATE: "date string (YYYY-MM-DD)",
    _DATETIME: "date-time string",
}


def _json_kind(annotation: Any) -> str | None:
    members = _members(annotation)
    if not members:
        return None
    if all(m is int for m in members):
        return _INTEGER
    if all(m in (int, float, Decimal) for m in members):
        return _NUMBER
    if all(m is date for m in members):
        return _DATE
    if all(m is datetime for m in members):
        return _DATETIME
    return None


def iso_date(value: Any) -> Any:
    """A date as text, ``YYYY-MM-DD`` and nothing else: Pydantic would also read a number, or a
    string of digits, as seconds since 1970."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and not _ISO_DATE.fullmatch(value)
    ):
        raise ValueError(_DATE_WORDS)
    return value


def instant_text(value: Any) -> Any:
    """A date and time as text: Pydantic would also read a number as seconds since 1970."""
    if isinstance(value, bool | int | float) or (isinstance(value, str) and value.isdigit()):
        raise ValueError("a date and time is written as text, e.g. 2026-03-01T09:30:00+08:00")
    return value


# A date parameter of a query or a path: ``as_of=2026-03-01``, never ``as_of=0``.
IsoDate = Annotated[date, BeforeValidator(iso_date)]


def _check_text(value: Any) -> None:
    if isinstance(value, str):
        problem = unstorable_character(value)
        if problem is not None:
            raise ValueError(problem)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)


class RequestBody(BaseModel):
    """A request body (see the module): JSON types as the contract gives them, storable text,
    no unknown field. A nested model checks itself."""

    model_config = ConfigDict(extra="forbid")

    # Field name -> the JSON kind it must arrive as (integer, number, date, date-time).
    _json_kinds: ClassVar[dict[str, str]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._json_kinds = {
            name: kind
            for name, field in cls.model_fields.items()
            if (kind := _json_kind(field.annotation)) is not None
            # A field that checks its own input first (money in fen) keeps its own words.
            and not any(isinstance(m, _OWN_CHECKS) for m in field.metadata)
        }

    @field_validator("*", mode="before")
    @classmethod
    def _json_types(cls, value: Any, info: ValidationInfo) -> Any:
        kind = cls._json_kinds.get(info.field_name or "")
        if kind is None or value is None:
            return value
        if isinstance(value, bool):
            raise ValueError(f"must be a JSON {_KIND_NAMES[kind]}, not true or false")
        if kind == _INTEGER and isinstance(value, str):
            raise ValueError("must be a JSON integer (e.g. 12), not text")
        if kind == _DATE:
            return iso_date(value)
        if kind == _DATETIME:
            return instant_text(value)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        _check_text(value)
        return value
