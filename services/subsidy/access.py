"""Who may do what with the money.

The bureau (city_admin) and finance staff keep the budgets, approve awards, instruct and
confirm payments and recover funds. A district officer may prepare an award for a space of its
own jurisdiction (it still needs a second person of the bureau or finance to approve) and reads
its own spaces' awards, payments, recoveries and figures, nothing else. Auditors read all. The
registry delivers its events as a service.
"""

from __future__ import annotations

from shared.auth import Role, require_roles

treasurers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER)
award_preparers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER, Role.DISTRICT_OFFICER)
readers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER, Role.AUDITOR, Role.DISTRICT_OFFICER)
ledger_readers = require_roles(Role.CITY_ADMIN, Role.FINANCE_OFFICER, Role.AUDITOR)
event_senders = require_roles(Role.SERVICE, Role.CITY_ADMIN)
