"""All models, importable from one place (Alembic and the app need them all loaded)."""

from carflow.models.assignment import (
    AssignmentRule,
    AutoReply,
    BranchAssignment,
    LeadAlert,
    LeadEscalation,
)
from carflow.models.contact import Contact
from carflow.models.data_import import DataImport, DataImportError, ImportStatus
from carflow.models.documents import Communication, Document
from carflow.models.enums import (
    CommunicationStatus,
    ContactKind,
    ContactOutcome,
    DeadlineKind,
    Edition,
    Fuel,
    Gearbox,
    LeadStatus,
    OfferStatus,
    Salutation,
    VehicleStatus,
)
from carflow.models.intake import ApiKey, LeadIntake
from carflow.models.lead import Event, Lead, LeadContact
from carflow.models.login_failure import LoginFailure
from carflow.models.mailbox import EmailRejection, IntakeMailbox
from carflow.models.privacy import ConsentRecord, PrivacyLog, PrivacySettings
from carflow.models.report import ReportLead, ReportLostReason, ReportRollup
from carflow.models.sales import Offer, TestDrive, TradeIn, TradeInPhoto
from carflow.models.search import LeadSearchTerm
from carflow.models.settings import AccountSettings, LeadSource, LeadType, LostReason
from carflow.models.task import Deadline, Task
from carflow.models.types import utcnow
from carflow.models.user import AuditLog, Branch, User
from carflow.models.vehicle import Vehicle

__all__ = [
    "AssignmentRule",
    "AutoReply",
    "BranchAssignment",
    "LeadAlert",
    "LeadEscalation",
    "AccountSettings",
    "ApiKey",
    "AuditLog",
    "Branch",
    "Communication",
    "CommunicationStatus",
    "Contact",
    "ContactKind",
    "ContactOutcome",
    "DataImport",
    "DataImportError",
    "Deadline",
    "DeadlineKind",
    "Document",
    "Edition",
    "EmailRejection",
    "Event",
    "Fuel",
    "Gearbox",
    "IntakeMailbox",
    "ImportStatus",
    "Lead",
    "LeadContact",
    "LeadIntake",
    "LeadSearchTerm",
    "LeadSource",
    "LeadStatus",
    "LeadType",
    "LoginFailure",
    "LostReason",
    "Offer",
    "OfferStatus",
    "Salutation",
    "Task",
    "TestDrive",
    "TradeIn",
    "TradeInPhoto",
    "User",
    "ReportLead",
    "ReportLostReason",
    "ReportRollup",
    "Vehicle",
    "VehicleStatus",
    "utcnow",
    "ConsentRecord",
    "PrivacyLog",
    "PrivacySettings",
]
