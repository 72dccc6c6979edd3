"""Every table of the subsidy service, imported so that Alembic sees them all."""

from services.subsidy.awards.models import Award, AwardProposal
from services.subsidy.budgets.models import Budget
from services.subsidy.disbursements.models import Disbursement
from services.subsidy.events.models import ReceivedEvent, SpaceMove
from services.subsidy.ledger.models import Account, JournalEntry, Transfer
from services.subsidy.recoveries.models import RecoveryCase, Settlement

__all__ = [
    "Account",
    "Award",
    "AwardProposal",
    "Budget",
    "Disbursement",
    "JournalEntry",
    "ReceivedEvent",
    "RecoveryCase",
    "Settlement",
    "SpaceMove",
    "Transfer",
]
