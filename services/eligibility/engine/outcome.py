"""What a rule finds: structured first; the bilingual text is generated from the structure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")


class Verdict(StrEnum):
    MET = "met"  # 符合
    NOT_MET = "not_met"  # 不符合
    NEEDS_REVIEW = "needs_review"  # 需人工审核
    MISSING_FACTS = "missing_facts"  # 缺少事实
    NOT_APPLICABLE = "not_applicable"  # 不适用


class OverallVerdict(StrEnum):
    ELIGIBLE = "eligible"  # 符合认定条件
    NOT_ELIGIBLE = "not_eligible"  # 不符合认定条件
    NEEDS_REVIEW = "needs_review"  # 无不符合项，但需人工审核
    INCOMPLETE = "incomplete"  # 事实不全


@dataclass(frozen=True, slots=True)
class ParameterUsed:
    name: str
    value: Any
    unit: str


@dataclass(frozen=True, slots=True)
class Shortfall:
    """How far a fact falls from its threshold, in the threshold's unit.

    ``gap`` is required − actual: a number, the days or the items lacking.
    """

    actual: Any
    required: Any
    unit: str
    gap: Any


@dataclass(frozen=True, slots=True)
class Finding:
    """One test inside a condition: which facts, which parameter, what came out.

    Plain dataclasses (not validated models): the engine builds hundreds of thousands of them
    in a batch, from values its own typed code produced.
    """

    code: str
    verdict: Verdict
    facts: dict[str, Any] = field(default_factory=dict)
    parameter: ParameterUsed | None = None
    shortfall: Shortfall | None = None
    missing_facts: list[str] = field(default_factory=list)
    explanation_zh: str = ""
    explanation_en: str = ""


def constructor(cls: type[T]) -> Callable[..., T]:
    """A positional constructor for a frozen slots dataclass, taking every field in order.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, about
    four times the cost of plain attribute stores. This makes the instance as a twin class
    with the same slots (no ``__setattr__`` of its own, so each store is a plain slot store,
    and no ``__init__`` call) and then gives it its real class: the instances are the same
    (equal, hashed and serialised alike) and stay frozen. The engine builds tens of findings
    per decision, so this is most of the cost of building them.
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    slots = cls.__dict__.get("__slots__")
    if tuple(slots or ()) != tuple(names) or cls.__bases__ != (object,):
        raise TypeError(f"{cls.__name__} must be a slots dataclass directly on object")
    twin = type(f"_{cls.__name__}Builder", (), {"__slots__": tuple(names)})
    namespace: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls}
    stores = "".join(f"    o.{name} = {name}\n" for name in names)
    source = (
        f"def make({', '.join(names)}):\n"
        f"    o = _new(_twin)\n{stores}"
        "    o.__class__ = _cls\n"
        "    return o"
    )
    exec(source, namespace)  # noqa: S102 - generated from the dataclass's own field names
    return namespace["make"]  # type: ignore[no-any-return]


# code, verdict, facts, parameter, shortfall, missing_facts, explanation_zh, explanation_en
new_finding: Callable[
    [str, Verdict, dict[str, Any], ParameterUsed | None, Shortfall | None, list[str], str, str],
    Finding,
] = constructor(Finding)
new_shortfall: Callable[[Any, Any, str, Any], Shortfall] = constructor(Shortfall)


def combine(verdicts: list[Verdict]) -> Verdict:
    """A condition's verdict from its findings: any miss decides, then any gap, then any doubt."""
    for verdict in (Verdict.NOT_MET, Verdict.MISSING_FACTS, Verdict.NEEDS_REVIEW):
        if verdict in verdicts:
            return verdict
    return Verdict.MET


def jsonable(value: Any) -> Any:
    """Facts as they are recorded in a receipt: decimals as plain strings, sets sorted."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
