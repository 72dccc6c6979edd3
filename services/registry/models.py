"""Every table of the registry, imported in one place for Alembic and the tests."""

from services.registry.activities.models import Activity
from services.registry.applications.models import (
    Application,
    ApplicationExpert,
    ApplicationStep,
    Objection,
    ObjectionResolution,
    PublicityNotice,
    RecognitionBatch,
)
from services.registry.assessments.models import SpaceAssessment
from services.registry.calendar.models import CalendarDay, CalendarYear
from services.registry.clocks.models import (
    ProcedureClock,
    ProcedureClockHistory,
    ProcedureClockSuspension,
    ProcedureTimeLimit,
)
from services.registry.compliance.models import ComplianceIncident, ComplianceListing
from services.registry.conditions.models import (
    FacilitiesVersion,
    FinancingVersion,
    ManagementRulesVersion,
    OnlinePlatformVersion,
    PremisesVersion,
    ServicesVersion,
    SpecialisationVersion,
)
from services.registry.documents.models import Document, DocumentContent
from services.registry.events.models import EventDelivery, RegistryEventRecord, SubscriberCursor
from services.registry.jurisdictions.models import Jurisdiction
from services.registry.levels.models import SpaceLevelEnd, SpaceLevelGrant
from services.registry.operators.models import Operator, OperatorVersion
from services.registry.spaces.models import Space, SpaceJurisdictionChange, SpaceVersion
from services.registry.staff.models import StaffMember
from services.registry.status.models import SpaceStatusChange, StatusActGround
from services.registry.teams.models import Team, TeamDayCount, TeamEvent

__all__ = [
    "Activity",
    "Application",
    "ApplicationExpert",
    "ApplicationStep",
    "CalendarDay",
    "CalendarYear",
    "ComplianceIncident",
    "ComplianceListing",
    "Document",
    "DocumentContent",
    "EventDelivery",
    "FacilitiesVersion",
    "FinancingVersion",
    "Jurisdiction",
    "ManagementRulesVersion",
    "Objection",
    "ObjectionResolution",
    "OnlinePlatformVersion",
    "Operator",
    "OperatorVersion",
    "PremisesVersion",
    "ProcedureClock",
    "ProcedureClockHistory",
    "ProcedureClockSuspension",
    "ProcedureTimeLimit",
    "PublicityNotice",
    "RecognitionBatch",
    "RegistryEventRecord",
    "ServicesVersion",
    "Space",
    "SpaceAssessment",
    "SpaceJurisdictionChange",
    "SpaceLevelEnd",
    "SpaceLevelGrant",
    "SpaceStatusChange",
    "SpaceVersion",
    "SpecialisationVersion",
    "StaffMember",
    "StatusActGround",
    "SubscriberCursor",
    "Team",
    "TeamDayCount",
    "TeamEvent",
]
