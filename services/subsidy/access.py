"""Who may do what with the money.

The bureau (city_admin) and finance staff keep the budgets, decide and approve awards (four
eyes: never the one who decided), instruct and confirm payments and recover funds. The
Measures give awards to the bureau: a district officer may only request an award (奖补申请) for
a space of its own jurisdiction, which reserves no budget until the bureau or finance decides
it; it reads its own spaces' awards, payments, recoveries and figures,
nothing else. Auditors read all. The registry delivers its events as a service.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, authenticated, require_roles
from shared.errors import Forbidden

treasurers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER)
award_requesters = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER, Role.DISTRICT_OFFICER)
readers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER, Role.AUDITOR, Role.DISTRICT_OFFICER)
ledger_readers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER, Role.AUDITOR)
REGISTRY_SERVICE = "service:registry"
DECIDERS = (Role.CITY_ADMIN, Role.FINANCE_OFFICER)


async def award_deciders(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
    """The bureau or finance: deciding an award reserves the city's budget. A district is told
    where its request goes instead."""
    if principal.role in DECIDERS:
        return principal
    hint = (
        "; a district requests one with POST /v1/award-requests, which reserves no budget "
        "until the bureau or finance decides it"
        if principal.role is Role.DISTRICT_OFFICER
        else ""
    )
    raise Forbidden(
        f"Role {principal.role.value!r} may not decide an award: awards are decided by the "
        f"bureau or finance (city_admin, finance_officer){hint}"
    )


async def event_senders(
    principal: Annotated[Principal, Depends(require_roles(Role.SERVICE, Role.CITY_ADMIN))],
) -> Principal:
    """The registry itself (its service token), or the bureau redelivering by hand: another
    service's token may not speak for the registry."""
    if principal.role is Role.SERVICE and principal.subject != REGISTRY_SERVICE:
        raise Forbidden(
            f"Registry events come from the registry ({REGISTRY_SERVICE}); "
            f"{principal.subject} may not send them"
        )
    return principal
