"""Loading the award policies strictly: a malformed file stops the service at start-up.

One file per fiscal year under this folder. An unknown key, a kind without an amount (or with
both a fixed amount and a cap), a missing space form, or two files for one year or one id is an
error, never a silent default. Each policy keeps the hash of what its file says (its TOML
document as canonical JSON: sorted keys, no spaces, UTF-8), which anyone holding the file can
recompute without this code, and which comments or layout do not change.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.subsidy.awards.models import AwardKind
from services.subsidy.money import MAX_FEN
from shared.canonical import canonical_json, sha256_hex
from shared.contracts.spaces import SpaceForm

POLICY_DIR = Path(__file__).parent
Amounts = Mapping[SpaceForm, int]


class PolicyError(Exception):
    """A policy file that must not be used, with what is wrong in it."""


class KindPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    proposed_on: str | None = Field(
        None,
        description="The registry event that proposes this award: 'space.recognised', "
        "'space.level_recorded:<level>' or 'space.assessed:<grade>'",
    )
    amount_fen: dict[SpaceForm, int] | None = None
    max_amount_fen: dict[SpaceForm, int] | None = None

    @model_validator(mode="after")
    def _one_amount_rule(self) -> Self:
        if (self.amount_fen is None) == (self.max_amount_fen is None):
            raise ValueError("give exactly one of amount_fen (fixed) and max_amount_fen (a cap)")
        amounts = self.amount_fen or self.max_amount_fen or {}
        missing = sorted(set(SpaceForm) - set(amounts))
        if missing:
            raise ValueError(f"no amount for the space forms {missing}")
        if any(not 0 < value <= MAX_FEN for value in amounts.values()):
            raise ValueError(f"amounts are whole fen above zero and at most {MAX_FEN}")
        if self.proposed_on is not None and self.amount_fen is None:
            raise ValueError("an award proposed on an event needs a fixed amount_fen")
        return self


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,59}$")
    fiscal_year: int = Field(ge=2015, le=2100)
    example: bool
    title: str = Field(min_length=1)
    basis: str = Field(
        min_length=1,
        description="What sets these amounts (依据): the bureau's document, or for an example "
        "policy a statement that it is none",
    )
    kinds: dict[AwardKind, KindPolicy]

    def kind(self, kind: AwardKind) -> KindPolicy | None:
        return self.kinds.get(kind)

    def proposed_by(self, trigger: str) -> list[tuple[AwardKind, KindPolicy]]:
        return [(k, p) for k, p in self.kinds.items() if p.proposed_on == trigger]


@dataclass(frozen=True)
class LoadedPolicy:
    """A validated policy file and the hash of what it says."""

    policy: Policy
    content_hash: str
    file_name: str


@dataclass(frozen=True)
class Policies:
    by_year: Mapping[int, LoadedPolicy]

    def for_year(self, year: int) -> Policy | None:
        loaded = self.by_year.get(year)
        return None if loaded is None else loaded.policy

    def loaded_for_year(self, year: int) -> LoadedPolicy | None:
        return self.by_year.get(year)

    def get(self, policy_id: str) -> LoadedPolicy | None:
        return next((p for p in self.by_year.values() if p.policy.id == policy_id), None)

    def all(self) -> list[LoadedPolicy]:
        """By fiscal year."""
        return [self.by_year[year] for year in sorted(self.by_year)]


def content_hash(document: Mapping[str, object]) -> str:
    return sha256_hex(canonical_json(document))


def load_file(path: Path) -> LoadedPolicy:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        policy = Policy.model_validate(document)
    except (tomllib.TOMLDecodeError, ValidationError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path.name}: {exc}") from exc
    return LoadedPolicy(policy, content_hash(document), path.name)


def load(paths: Iterable[Path]) -> Policies:
    by_year: dict[int, LoadedPolicy] = {}
    for path in sorted(paths):
        loaded = load_file(path)
        policy = loaded.policy
        if policy.fiscal_year in by_year:
            raise PolicyError(
                f"{path.name} and {by_year[policy.fiscal_year].file_name} are both for fiscal "
                f"year {policy.fiscal_year}; keep one"
            )
        twin = next((p for p in by_year.values() if p.policy.id == policy.id), None)
        if twin is not None:
            raise PolicyError(
                f"{path.name} and {twin.file_name} both define policy {policy.id!r}; give each "
                "its own id"
            )
        by_year[policy.fiscal_year] = loaded
    return Policies(by_year)


@cache
def shipped() -> Policies:
    """The policies in this folder (loaded once; a bad file fails the app's start-up)."""
    return load(POLICY_DIR.glob("*.toml"))
