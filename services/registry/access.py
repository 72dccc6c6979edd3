"""Who may read and write the registry's records (every router uses these two).

Districts write only within their own jurisdiction and the bureau everywhere; that narrowing is
done by each service through the caller's jurisdiction scope. Finance pays operators and the
eligibility and subsidy services read facts, so they read; experts get no blanket read until
review assignments give them the spaces they review.
"""

from __future__ import annotations

from shared.auth import Role, require_roles

writers = require_roles(Role.CITY_ADMIN, Role.DISTRICT_OFFICER)
readers = require_roles(
    Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.AUDITOR, Role.SERVICE, Role.FINANCE_OFFICER
)
