"""Loading the ruleset files strictly, and choosing the one in force on a date."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from services.eligibility.rulefiles import Loaded, load_toml
from services.eligibility.rulesets.model import Ruleset, RulesetStatus
from shared.errors import NotFound, UnprocessableRequest

DATA_DIR = Path(__file__).resolve().parent / "data"
# Days whose ruleset in force is kept (the book never changes once loaded); about a century.
_MAX_DAYS_KEPT = 40_000


class RulesetError(Exception):
    """A ruleset file is malformed, or the files contradict each other. Fatal at start-up."""


class NoRulesetInForce(UnprocessableRequest):
    slug, title = "no-ruleset-in-force", "No ruleset is in force on that date"


class RulesetNotFound(NotFound):
    slug = "ruleset-not-found"


class LoadedRuleset(Loaded[Ruleset]):
    @property
    def rules(self) -> Ruleset:
        return self.content


def load_file(path: Path) -> LoadedRuleset:
    return load_toml(path, Ruleset, LoadedRuleset, RulesetError)


class RulesetBook:
    """Every ruleset the service knows, checked together."""

    def __init__(self, rulesets: Iterable[LoadedRuleset]) -> None:
        self._by_id: dict[str, LoadedRuleset] = {}
        # The ruleset in force on each day asked about (a decision asks once per request).
        self._in_force: dict[date, LoadedRuleset] = {}
        for loaded in rulesets:
            if loaded.id in self._by_id:
                raise RulesetError(f"two files define ruleset {loaded.id!r}")
            self._by_id[loaded.id] = loaded
        in_force = sorted(
            (r for r in self._by_id.values() if r.rules.status is RulesetStatus.IN_FORCE),
            key=lambda r: r.rules.valid_from,
        )
        for earlier, later in itertools.pairwise(in_force):
            end = earlier.rules.valid_to
            if end is None or end >= later.rules.valid_from:
                raise RulesetError(
                    f"rulesets {earlier.id!r} and {later.id!r} are both in force on "
                    f"{later.rules.valid_from.isoformat()}; close {earlier.id!r} with valid_to"
                )

    @classmethod
    def load(cls, directory: Path | None = None) -> RulesetBook:
        directory = directory or DATA_DIR
        files = sorted(directory.glob("*.toml"))
        if not files:
            raise RulesetError(f"no ruleset files in {directory}")
        return cls(load_file(path) for path in files)

    def all(self) -> list[LoadedRuleset]:
        return sorted(self._by_id.values(), key=lambda r: (r.rules.valid_from, r.id))

    def get(self, ruleset_id: str) -> LoadedRuleset:
        try:
            return self._by_id[ruleset_id]
        except KeyError:
            raise RulesetNotFound(
                f"No ruleset {ruleset_id!r}; GET /v1/rulesets lists them", ruleset_id=ruleset_id
            ) from None

    def in_force_on(self, day: date) -> LoadedRuleset:
        found = self._in_force.get(day)
        if found is not None:
            return found
        for loaded in self._by_id.values():
            if loaded.rules.status is RulesetStatus.IN_FORCE and loaded.rules.in_force_on(day):
                if len(self._in_force) < _MAX_DAYS_KEPT:
                    self._in_force[day] = loaded
                return loaded
        known = ", ".join(
            f"{r.id} ({r.rules.valid_from.isoformat()}.."
            f"{r.rules.valid_to.isoformat() if r.rules.valid_to else ''})"
            for r in self.all()
            if r.rules.status is RulesetStatus.IN_FORCE
        )
        raise NoRulesetInForce(
            f"No ruleset of the Measures is in force on {day.isoformat()}, so no decision can be "
            f"made for that date; rulesets in force: {known}",
            application_date=day.isoformat(),
        )
