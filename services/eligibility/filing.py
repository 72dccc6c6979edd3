"""Which space and jurisdiction a receipt is filed under: the registry's word, never the facts'.

Facts name a space (``space_id``) and claim a jurisdiction; whoever sends them chooses both. A
receipt is filed under a space only if the registry has that space, and for a district only if
the registry puts the space in the district's own jurisdiction: another district's space is
"no such space", the same 404 as a space the registry lacks. The receipt's jurisdiction is then
the registry's. Facts naming no space are decided and kept under the jurisdiction they claim (a
district's own, which ``check_scope`` has already required), filed under no space.

A service caller is the platform itself: the registry submits facts it assembled from its own
records, so they are filed as given, and asking the registry back would make every submission
wait on a call to itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.eligibility.clients.registry import RegistryClient
from shared.auth import Principal, Role
from shared.contracts.jurisdictions import JurisdictionCode
from shared.contracts.spaces import SpaceSummary
from shared.errors import FieldError, NotFound, RequestInvalid


class SpaceNotFound(NotFound):
    slug = "space-not-found"


class JurisdictionNotTheRegistrys(RequestInvalid):
    slug = "jurisdiction-not-the-registrys"


@dataclass(frozen=True)
class Filing:
    space_id: uuid.UUID | None
    jurisdiction_code: str | None


async def filing_for(
    registry: RegistryClient,
    principal: Principal,
    space_id: uuid.UUID | None,
    claimed: JurisdictionCode | None,
) -> Filing:
    """Where a receipt of these facts is filed; refuses a space the caller may not file under."""
    claimed_code = claimed.value if claimed is not None else None
    if space_id is None or principal.role is Role.SERVICE:
        return Filing(space_id, claimed_code)
    space: SpaceSummary | None
    try:
        space = await registry.get_space(space_id)
    except NotFound:
        space = None
    scope = principal.jurisdiction_scope
    if space is None or (scope is not None and space.jurisdiction_code.value != scope):
        raise SpaceNotFound(
            f"The registry has no space {space_id} within your jurisdiction: facts.space_id "
            "must name a registered space of yours, or be left out to decide without filing "
            "the receipt under a space",
            space_id=str(space_id),
        )
    actual = space.jurisdiction_code.value
    if claimed_code is not None and claimed_code != actual:
        message = (
            f"is {claimed_code}, but the registry puts space {space_id} in {actual}; give "
            f"{actual} or leave it out"
        )
        raise JurisdictionNotTheRegistrys(
            f"facts.jurisdiction_code {message}",
            [FieldError(field="body.facts.jurisdiction_code", message=message, type="value_error")],
        )
    return Filing(space_id, actual)
