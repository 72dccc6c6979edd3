"""Text a caller may send: what every store and export can carry (shared.text)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import Field, ValidationError

from shared.request_body import RequestBody, unstorable_character


@pytest.mark.parametrize(
    ("character", "refused"),
    [
        ("\x00", True),  # PostgreSQL cannot store it
        ("\x01", True),
        ("\x08", True),
        ("\t", False),
        ("\n", False),
        ("\x0b", True),
        ("\x0c", True),
        ("\r", False),
        ("\x0e", True),
        ("\x1f", True),
        (" ", False),
        ("\x7f", False),  # DEL: storable, and XML 1.0 carries it
        ("\x85", False),
        (chr(0xD7FF), False),
        (chr(0xD800), True),  # a lone surrogate: not Unicode text
        (chr(0xDBFF), True),
        (chr(0xDC00), True),
        (chr(0xDFFF), True),
        (chr(0xE000), False),
        ("\U0001f600", False),
        ("众", False),
    ],
)
def test_each_edge_of_the_refused_ranges(character: str, refused: bool) -> None:
    problem = unstorable_character(f"西软{character}空间")
    assert (problem is not None) is refused
    if refused:
        assert f"U+{ord(character):04X} at position 2" in problem


class _Body(RequestBody):
    name: str
    tags: list[str] = Field(default_factory=list)
    notes: dict[str, str] = Field(default_factory=dict)


class _Mixin(RequestBody):
    inner: _Body | None = None


def test_a_request_body_refuses_unstorable_text_in_the_field_that_holds_it() -> None:
    assert _Body(name="西软众创空间\t(二期)\n").name == "西软众创空间\t(二期)\n"
    for data, field in (
        ({"name": "a\x00b"}, ("name",)),
        ({"name": "ok", "tags": ["fine", "bad\x1b"]}, ("tags",)),
        ({"name": "ok", "notes": {"k\x0c": "v"}}, ("notes",)),
        ({"name": "ok", "notes": {"k": "\udc80"}}, ("notes",)),
    ):
        with pytest.raises(ValidationError) as raised:
            _Body.model_validate(data)
        assert raised.value.errors()[0]["loc"] == field
        assert "cannot be stored" in raised.value.errors()[0]["msg"]
    with pytest.raises(ValidationError) as raised:
        _Mixin.model_validate({"inner": {"name": "\x00"}})
    assert raised.value.errors()[0]["loc"] == ("inner", "name")


def test_a_request_body_still_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError) as raised:
        _Body.model_validate({"name": "ok", "area_m2": 1})
    assert raised.value.errors()[0]["type"] == "extra_forbidden"


# --- JSON types as the contract gives them ---------------------------------------------------


class _Typed(RequestBody):
    count: int
    area: Decimal | None = None
    held_on: date | None = None
    flag: bool = False


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"count": True}, "count", "not true or false"),
        ({"count": "12"}, "count", "not text"),
        ({"count": 1, "area": False}, "area", "not true or false"),
        ({"count": 1, "held_on": 0}, "held_on", "YYYY-MM-DD"),
        ({"count": 1, "held_on": 1_700_000_000.5}, "held_on", "YYYY-MM-DD"),
    ],
)
def test_lax_guesses_are_refused(data: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _Typed.model_validate(data)
    (error,) = raised.value.errors()
    assert error["loc"] == (field,)
    assert words in error["msg"]


def test_what_the_contract_offers_is_taken() -> None:
    typed = _Typed.model_validate(
        {"count": 12, "area": "120.50", "held_on": "2026-03-01", "flag": True}
    )
    assert (typed.count, typed.area, typed.held_on, typed.flag) == (
        12,
        Decimal("120.50"),
        date(2026, 3, 1),
        True,
    )
    assert _Typed.model_validate({"count": 12, "area": 99.5}).area == Decimal("99.5")
    assert _Typed.model_validate({"count": 3, "held_on": None}).held_on is None


class _Dated(RequestBody):
    held_on: date
    at: datetime | None = None


@pytest.mark.parametrize(
    "value", ["0", "1709251200", "2024-3-1", "2024-03-01T00:00:00", " 2024-03-01"]
)
def test_a_date_is_only_yyyy_mm_dd(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _Dated.model_validate({"held_on": value})
    assert "YYYY-MM-DD" in raised.value.errors()[0]["msg"]


def test_a_date_time_is_not_a_number() -> None:
    assert _Dated.model_validate({"held_on": "2024-03-01"}).held_on == date(2024, 3, 1)
    at = _Dated.model_validate({"held_on": "2024-03-01", "at": "2024-03-01T09:30:00+08:00"}).at
    assert at is not None
    assert at.utcoffset() is not None
    for value in (1709251200, "1709251200"):
        with pytest.raises(ValidationError) as raised:
            _Dated.model_validate({"held_on": "2024-03-01", "at": value})
        assert raised.value.errors()[0]["loc"] == ("at",)
