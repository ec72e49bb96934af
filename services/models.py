"""Every table of the platform, imported in one place for Alembic and tests."""

from sqlmodel import SQLModel

from services.audit.models import AuditEntry
from services.catalog.models import Sku
from services.contracts.models import Contract, ContractRenewalAlert, PreventiveVisit
from services.devices.models import (
    DeviceRegistrationBatch,
    Equipment,
    LabelPrintJob,
    ManufacturerDeviceFeed,
    QrCode,
    QrDeploymentLog,
    QrKit,
)
from services.dispatch.models import DispatchPlan, Technician
from services.events.models import EventDelivery, OutboxEvent
from services.field.models import FieldStep, FieldVisit, FieldWorkflow, SyncEvent
from services.geo.models import (
    HealthcareFacility,
    HealthcareFacilityEquipment,
    IndianPincode,
    Laboratory,
    ServiceArea,
    TechnicianCoverage,
)
from services.identity.models import AccountLink, User, UserSession
from services.lab.models import (
    LabChannel,
    LabMessage,
    LabOrder,
    LabPatient,
    LabResult,
    LabTestCode,
)
from services.notifications.models import (
    Notification,
    NotificationMessage,
    NotificationPreference,
)
from services.orders.models import OrderAttachment, PurchaseOrder, SalesOrder
from services.parts.models import (
    FaultPart,
    Part,
    PartMovement,
    PartReorder,
    PartReservation,
    PartStock,
    SkuPart,
)
from services.rfq.models import Quote, Rfq, RfqItem
from services.sla.models import SlaPolicy
from services.telemetry.models import (
    TelemetryAlarm,
    TelemetryCredential,
    TelemetryQuarantine,
    TelemetryRollup,
    TelemetryRule,
)
from services.telemetry.scores import FailurePrediction, PreemptiveWatch
from services.tenancy.models import AccessGrant, Tenant
from services.tickets.models import Ticket, TicketAttachment, TicketEvent
from services.whatsapp.models import WhatsappConversation, WhatsappInbound, WhatsappMessage

metadata = SQLModel.metadata

__all__ = [
    "AccessGrant",
    "AccountLink",
    "AuditEntry",
    "FailurePrediction",
    "PreemptiveWatch",
    "Contract",
    "ContractRenewalAlert",
    "PreventiveVisit",
    "DeviceRegistrationBatch",
    "Equipment",
    "EventDelivery",
    "HealthcareFacility",
    "HealthcareFacilityEquipment",
    "IndianPincode",
    "LabelPrintJob",
    "OrderAttachment",
    "Laboratory",
    "ManufacturerDeviceFeed",
    "OutboxEvent",
    "QrCode",
    "QrDeploymentLog",
    "QrKit",
    "Quote",
    "Rfq",
    "RfqItem",
    "PurchaseOrder",
    "SalesOrder",
    "ServiceArea",
    "Sku",
    "SlaPolicy",
    "Notification",
    "NotificationMessage",
    "NotificationPreference",
    "TicketAttachment",
    "TicketEvent",
    "WhatsappConversation",
    "WhatsappInbound",
    "WhatsappMessage",
    "TechnicianCoverage",
    "Tenant",
    "TelemetryAlarm",
    "TelemetryCredential",
    "TelemetryQuarantine",
    "TelemetryRollup",
    "TelemetryRule",
    "Ticket",
    "User",
    "Technician",
    "Part",
    "PartStock",
    "PartReservation",
    "PartMovement",
    "PartReorder",
    "SkuPart",
    "FaultPart",
    "FieldStep",
    "FieldVisit",
    "FieldWorkflow",
    "SyncEvent",
    "LabChannel",
    "LabTestCode",
    "LabMessage",
    "LabPatient",
    "LabOrder",
    "LabResult",
    "DispatchPlan",
    "UserSession",
    "metadata",
]
