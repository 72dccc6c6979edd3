"""Law-as-data files (rulesets, assessment schemes): strict TOML loading and content hashes."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from shared.canonical import canonical_json, sha256_hex

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A validated file, with the hash of what it says (not of its layout or comments)."""

    content: M
    content_hash: str
    path: str

    @property
    def id(self) -> str:
        return str(getattr(self.content, "id"))  # noqa: B009 - every rule file model has an id


def content_hash(model: BaseModel) -> str:
    return sha256_hex(canonical_json(model.model_dump(mode="json")))


L = TypeVar("L", bound=Loaded[Any])


def load_toml(path: Path, model: type[BaseModel], loaded: type[L], error: type[Exception]) -> L:
    """Parse and validate one file; any fault becomes ``error`` naming the file."""
    try:
        content = model.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError, UnicodeDecodeError) as exc:
        raise error(f"{path.name}: {exc}") from exc
    return loaded(content, content_hash(content), path.name)
