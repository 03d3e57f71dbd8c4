"""Every model, imported here so that Alembic sees every table."""

from portal.models.assessment import AttemptStatus, QuizAnswer, QuizAttempt, QuizStatistics, QuizVersion
from portal.models.audit import AuditEvent, LoginAttempt
from portal.models.authoring import (
    ContentKind,
    LocalContent,
    MediaFile,
    ReviewComment,
    ReviewVerdict,
    Revision,
    RevisionStatus,
    RoutineAcknowledgement,
)
from portal.models.certification import (
    Assignment,
    AssignmentSource,
    Certification,
    CertificationCycle,
    CertificationVersion,
    CycleState,
    ReminderSent,
)
from portal.models.imports import EmployeeImport
from portal.models.learning import (
    LastVisit,
    Module,
    ModuleCompletion,
    ModuleVersion,
    ProgressStatus,
    SectionKind,
    SectionProgress,
    SectionVersion,
    module_version_section,
)
from portal.models.organisation import Membership, Organisation, Position, Unit, UnitKind
from portal.models.simulation import InputKind, RunMode, SimulationInput, SimulationRun
from portal.models.types import utcnow
from portal.models.user import Role, User, managed_unit
from portal.models.verification import VerificationMiss

__all__ = [
    "ContentKind",
    "LocalContent",
    "MediaFile",
    "ReviewComment",
    "ReviewVerdict",
    "Revision",
    "RevisionStatus",
    "RoutineAcknowledgement",
    "InputKind",
    "RunMode",
    "SimulationInput",
    "SimulationRun",
    "Assignment",
    "AssignmentSource",
    "Certification",
    "CertificationCycle",
    "CertificationVersion",
    "CycleState",
    "ReminderSent",
    "AttemptStatus",
    "QuizAnswer",
    "QuizAttempt",
    "QuizStatistics",
    "QuizVersion",
    "LastVisit",
    "Module",
    "ModuleCompletion",
    "ModuleVersion",
    "ProgressStatus",
    "SectionKind",
    "SectionProgress",
    "SectionVersion",
    "module_version_section",
    "AuditEvent",
    "EmployeeImport",
    "LoginAttempt",
    "Membership",
    "Organisation",
    "Position",
    "Role",
    "Unit",
    "UnitKind",
    "User",
    "managed_unit",
    "VerificationMiss",
    "utcnow",
]
