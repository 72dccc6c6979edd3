"""The canonical JSON of a space's facts, written straight from the validated model.

``facts_json(facts)`` is exactly ``canonical_json(facts.model_dump(mode="json"))`` (sorted keys,
no spaces, UTF-8 as is), the text a receipt stores and the input hash is taken of, in about a
fifth of the time: the per-model writers are generated once, at import, from the models'
fields. A field of a type this module does not know stops the import, so a change to the facts
contract cannot silently change a hash; a test compares the two on varied facts.
"""

from __future__ import annotations

import itertools
import math
import types
import typing
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from hashlib import sha256
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) uses
from typing import Any, Literal

from pydantic import BaseModel, PlainSerializer

from shared.canonical import canonical_json
from shared.contracts.facts import SpaceFacts


def _optional(annotation: Any) -> tuple[Any, bool]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise TypeError(f"unsupported union {annotation!r}")
        return rest[0], True
    return annotation, False


def _plain_enum(enum: type[StrEnum]) -> None:
    # Enum values are written without escaping, so they must need none.
    for member in enum:
        if encode_basestring(member.value) != f'"{member.value}"':
            raise TypeError(f"{enum.__name__}.{member.name} needs JSON escaping")


# The most combinations of values a model may have to be written from a table of them all.
_MAX_GROUP_TEXTS = 5_000

# A date as JSON, '"2026-03-16"', is the text of its year and month (by year * 12 + month,
# 1900 to 2199) and of its day, with the quotes.
_MONTHS = {
    year * 12 + month: f'"{year:04d}-{month:02d}-'.encode()
    for year in range(1900, 2200)
    for month in range(1, 13)
}
_DAYS = [b""] + [f'{day:02d}"'.encode() for day in range(1, 32)]


def _month_text(day: date) -> bytes:
    """The year and month of a date outside ``_MONTHS``, as isoformat() writes them."""
    return f'"{day.isoformat()[:-2]}'.encode()


class _Writer:
    """Generates one Python function per model class, each returning the model's JSON text
    encoded as UTF-8 (what is hashed; joining bytes never widens the text to fit one Chinese
    character, as joining str does)."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_esc": encode_basestring,
            "_months": _MONTHS,
            "_month_text": _month_text,
            "_days": _DAYS,
        }
        self.done: set[type[BaseModel]] = set()
        self.sources: list[str] = []

    def table(self, name: str, texts: dict[Any, str]) -> str:
        """A constant table of the JSON texts of a type's few values, named in the code."""
        encoded = {value: text.encode() for value, text in texts.items()}
        if self.namespace.setdefault(name, encoded) != encoded:
            raise TypeError(f"two tables named {name}")
        return name

    def optional(self, annotation: Any, var: str) -> str:
        """An expression writing ``var`` (which may be None) as JSON."""
        inner = annotation
        if typing.get_origin(inner) is typing.Annotated:
            inner = typing.get_args(inner)[0]
        if (
            inner is bool
            or typing.get_origin(inner) is frozenset
            or (isinstance(inner, type) and issubclass(inner, StrEnum))
        ):
            # Few values, None among them: the text is looked up, not written.
            return f"{self.value(annotation, var, nullable=True)}"
        if inner is date:
            # The date's text from tables of months and days (a year and month, then a day);
            # a year outside them is written by isoformat(), as any date was before.
            return (
                f'(b"null" if {var} is None else '
                f"(_months.get({var}.year * 12 + {var}.month) or _month_text({var}))"
                f" + _days[{var}.day])"
            )
        return f'(b"null" if {var} is None else {self.value(annotation, var)})'

    def value(self, annotation: Any, var: str, *, nullable: bool = False) -> str:
        """An expression writing ``var`` as JSON (known not to be None unless ``nullable``,
        which only the types written from a table of their values accept)."""
        null = {None: "null"} if nullable else {}
        metadata: tuple[Any, ...] = ()
        if typing.get_origin(annotation) is typing.Annotated:
            annotation, *rest = typing.get_args(annotation)
            metadata = tuple(rest)
        origin = typing.get_origin(annotation)
        if annotation is bool:
            texts: dict[Any, str] = {True: "true", False: "false", **null}
            return f"{self.table('_bool' + ('_or_null' if nullable else ''), texts)}[{var}]"
        if annotation is int:
            return f"b'%d' % {var}"
        if annotation is Decimal:
            return f"f'\"{{{var}!s}}\"'.encode()"
        if annotation is date:
            return (
                f"(_months.get({var}.year * 12 + {var}.month) or _month_text({var}))"
                f" + _days[{var}.day]"
            )
        if annotation is str:
            return f"_esc({var}).encode()"
        if annotation is uuid.UUID:
            return f"f'\"{{{var}!s}}\"'.encode()"
        if origin is Literal:
            literals = typing.get_args(annotation)
            if all(type(v) is str for v in literals):
                texts = {v: encode_basestring(v) for v in literals} | null
                name = "_literal_" + "_".join(sorted(literals)) + ("_or_null" if nullable else "")
                if name.isidentifier():
                    return f"{self.table(name, texts)}[{var}]"
            return f"_esc({var}).encode()"
        if isinstance(annotation, type) and issubclass(annotation, StrEnum):
            _plain_enum(annotation)
            texts = {member: f'"{member.value}"' for member in annotation} | null
            name = f"_{annotation.__name__}" + ("_or_null" if nullable else "")
            return f"{self.table(name, texts)}[{var}]"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return f"{self.model(annotation)}({var})"
        if origin is frozenset:
            (item,) = typing.get_args(annotation)
            # The contract serialises these sets as their sorted values (EnumSet).
            if not (
                isinstance(item, type)
                and issubclass(item, StrEnum)
                and any(isinstance(m, PlainSerializer) for m in metadata)
            ):
                raise TypeError(f"unsupported set {annotation!r}")
            _plain_enum(item)
            # Every subset of the enumeration (a handful of members), written in advance.
            members = list(item)
            texts = {}
            for size in range(len(members) + 1):
                for subset in itertools.combinations(members, size):
                    texts[frozenset(subset)] = canonical_json(sorted(m.value for m in subset))
            name = f"_{item.__name__}_sets" + ("_or_null" if nullable else "")
            return f"{self.table(name, texts | null)}[{var}]"
        if origin is tuple:
            item, ellipsis = typing.get_args(annotation)
            if ellipsis is not Ellipsis:
                raise TypeError(f"unsupported tuple {annotation!r}")
            return (
                f"(b'[' + b','.join([{self.value(item, 'x')} for x in {var}]) + b']' "
                f"if {var} else b'[]')"
            )
        raise TypeError(f"no canonical JSON writer for {annotation!r}")

    def model(self, cls: type[BaseModel]) -> str:
        name = f"_write_{cls.__name__}"
        if cls in self.done:
            return name
        self.done.add(cls)
        lines = [f"def {name}(m):", "    d = m.__dict__"]
        parts: list[tuple[bool, str]] = []  # (is literal text, text or expression)
        self._fields(cls, "d", "v", lines, parts)
        parts.append((True, "}"))
        # One join over the whole text, adjacent literal text merged.
        merged: list[str] = []
        literal = ""
        for is_literal, text in parts:
            if is_literal:
                literal += text
                continue
            if literal:
                merged.append(repr(literal.encode()))
                literal = ""
            merged.append(text)
        if literal:
            merged.append(repr(literal.encode()))
        lines.append("    return b''.join((" + ", ".join(merged) + "))")
        self.sources.append("\n".join(lines))
        return name

    def group(self, cls: type[BaseModel], values: str) -> str | None:
        """For a model of yes/no and enumerated facts only (facilities, rules, the online
        platform), an expression looking up its whole text by its values in a table of every
        combination, built here; None for any other model."""
        fields = sorted(cls.model_fields)
        domains: list[list[Any]] = []
        for field in fields:
            annotation, optional = _optional(cls.model_fields[field].annotation)
            if annotation is bool:
                domain: list[Any] = [True, False]
            elif isinstance(annotation, type) and issubclass(annotation, StrEnum):
                _plain_enum(annotation)
                domain = list(annotation)
            else:
                return None
            domains.append([*domain, None] if optional else domain)
        if not fields or math.prod(len(d) for d in domains) > _MAX_GROUP_TEXTS:
            return None
        texts = {
            combination: canonical_json(dict(zip(fields, combination, strict=True)))
            for combination in itertools.product(*domains)
        }
        key = ", ".join(f"{values}[{field!r}]" for field in fields)
        return f"{self.table(f'_{cls.__name__}_texts', texts)}[({key},)]"

    def _fields(
        self,
        cls: type[BaseModel],
        values: str,
        prefix: str,
        lines: list[str],
        parts: list[tuple[bool, str]],
    ) -> None:
        """The parts writing ``cls``'s fields from the dict named ``values``; a nested model
        that is always present is written in line rather than by a call."""
        fields = sorted(cls.model_fields)
        if not fields:
            parts.append((True, "{"))
        for index, field in enumerate(fields):
            annotation, optional = _optional(cls.model_fields[field].annotation)
            parts.append((True, ("{" if index == 0 else ",") + encode_basestring(field) + ":"))
            if not optional and isinstance(annotation, type) and issubclass(annotation, BaseModel):
                nested = f"{prefix}m{index}_"
                lines.append(f"    {nested} = {values}[{field!r}].__dict__")
                group = self.group(annotation, nested)
                if group is not None:
                    parts.append((False, group))
                    continue
                self._fields(annotation, nested, nested, lines, parts)
                parts.append((True, "}"))
                continue
            var = f"{prefix}f{index}"
            lines.append(f"    {var} = {values}[{field!r}]")
            write = self.optional if optional else self.value
            parts.append((False, write(annotation, var)))


def _build() -> Callable[[SpaceFacts], bytes]:
    writer = _Writer()
    entry = writer.model(SpaceFacts)
    # Dependencies were generated first; define them in that order, then the entry point.
    exec("\n\n".join(writer.sources), writer.namespace)  # noqa: S102 - our own generated code
    return writer.namespace[entry]  # type: ignore[no-any-return]


facts_json_bytes: Callable[[SpaceFacts], bytes] = _build()


def facts_json(facts: SpaceFacts) -> str:
    """The facts' canonical JSON text (what a receipt stores)."""
    return facts_json_bytes(facts).decode()


def input_hash_of(
    facts_text: str | bytes, application_date: date, date_text: str | None = None
) -> str:
    """The input hash from the facts' canonical text (or its UTF-8): the same as hashing
    ``canonical_json({"application_date": ..., "facts": facts.model_dump(mode="json")})``.
    ``date_text`` is ``application_date.isoformat()`` when the caller has it."""
    if isinstance(facts_text, str):
        facts_text = facts_text.encode()
    if date_text is None:
        date_text = application_date.isoformat()
    # One buffer hashed at once: each update() of an OpenSSL hash costs far more than copying.
    text = b"".join((b'{"application_date":"', date_text.encode(), b'","facts":', facts_text, b"}"))
    return sha256(text).hexdigest()
