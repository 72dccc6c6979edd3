"""Who may read and write the registry's records (every router uses these).

Districts write only within their own jurisdiction and the bureau everywhere; that narrowing is
done by each service through the caller's jurisdiction scope. Finance pays operators and the
eligibility and subsidy services read facts, so they read. The bureau alone decides a space's
status, levels and assessment results; the event feed is for services and supervision.

Experts (专家) read only what a review needs: the records of a space (every read under
``/v1/spaces/{space_id}/...``: the space, its facts, documents and their content, conditions,
teams, staff, activities, standing) while they are assigned to the current round of an
application of that space that is under review (复审). For any other space an expert gets the
same 404 as for an unknown space, so an expert learns nothing of spaces outside their reviews;
every read that is not about one space (lists, exports, statistics, operators) stays 403 for
them, as their role has no such right at all.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from services.registry.applications import repository as applications
from services.registry.spaces.service import SpaceNotFound
from shared.auth import Principal, Role, require_roles
from shared.errors import Forbidden
from shared.unit_of_work import get_session

writers = require_roles(Role.CITY_ADMIN, Role.DISTRICT_OFFICER)
bureau = require_roles(Role.CITY_ADMIN)
event_readers = require_roles(Role.CITY_ADMIN, Role.AUDITOR, Role.SERVICE)

# The procedure of an application (认定申报): the district files, submits, gives 初审 and may
# withdraw; a return for correction (补正) is the district's in 初审 and the bureau's later.
application_filers = require_roles(Role.DISTRICT_OFFICER)
application_returners = require_roles(Role.CITY_ADMIN, Role.DISTRICT_OFFICER)
experts = require_roles(Role.EXPERT)
bureau_and_auditors = require_roles(Role.CITY_ADMIN, Role.AUDITOR, Role.SERVICE)
application_readers = require_roles(
    Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.EXPERT, Role.AUDITOR, Role.SERVICE
)

_readers = require_roles(
    Role.CITY_ADMIN,
    Role.DISTRICT_OFFICER,
    Role.AUDITOR,
    Role.SERVICE,
    Role.FINANCE_OFFICER,
    Role.EXPERT,
)
_NOT_AN_EXPERTS_READ = "Role 'expert' reads only the records of a space under their review"


async def readers(
    request: Request, principal: Annotated[Principal, Depends(_readers)]
) -> Principal:
    """Readers of the registry: every role but an expert everywhere, an expert only on the
    reads of a space whose review they are assigned to (see the module's docstring)."""
    if principal.role is not Role.EXPERT:
        return principal
    raw = request.path_params.get("space_id")
    if raw is None:
        raise Forbidden(_NOT_AN_EXPERTS_READ)
    try:
        space_id = uuid.UUID(str(raw))
    except ValueError:
        return principal  # the route's own validation answers a malformed id
    session = await get_session(request)
    if not await applications.expert_reviews_space(session, principal.subject, space_id):
        # The very answer an unknown space gets.
        raise SpaceNotFound(f"No space {space_id} within your jurisdiction; check the id")
    return principal
