"""Who may do what with the money.

The bureau (city_admin) and finance staff keep the budgets, approve awards, instruct and
confirm payments and recover funds. A district officer may prepare an award for a space of its
own jurisdiction (it still needs a second person of the bureau or finance to approve) and reads
its own spaces' awards, payments, recoveries and figures, nothing else. Auditors read all. The
registry delivers its events as a service.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, require_roles
from shared.errors import Forbidden

treasurers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER)
award_preparers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER, Role.DISTRICT_OFFICER)
readers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER, Role.AUDITOR, Role.DISTRICT_OFFICER)
ledger_readers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER, Role.AUDITOR)
REGISTRY_SERVICE = "service:registry"


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
