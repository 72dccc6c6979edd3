"""Who may read and write the registry's records (every router uses these).

Districts write only within their own jurisdiction and the bureau everywhere; that narrowing is
done by each service through the caller's jurisdiction scope. Finance pays operators and the
eligibility and subsidy services read facts, so they read; experts get no blanket read until
review assignments give them the spaces they review. The bureau alone decides a space's
status, levels and assessment results; the event feed is for services and supervision.
"""

from __future__ import annotations

from shared.auth import Role, require_roles

writers = require_roles(Role.CITY_ADMIN, Role.DISTRICT_OFFICER)
readers = require_roles(
    Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.AUDITOR, Role.SERVICE, Role.FINANCE_OFFICER
)
bureau = require_roles(Role.CITY_ADMIN)
event_readers = require_roles(Role.CITY_ADMIN, Role.AUDITOR, Role.SERVICE)
