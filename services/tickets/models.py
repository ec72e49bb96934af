"""Service tickets, their timeline and photos."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, LargeBinary, Sequence
from sqlmodel import Field, SQLModel

from services.columns import id_field, ref_field, tenant_field, timestamp_field

TICKET_NUMBER = Sequence("ticket_number_seq", start=1001)


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # the device owner
    number: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger, TICKET_NUMBER, server_default=TICKET_NUMBER.next_value(), unique=True
        ),
    )
    equipment_id: uuid.UUID | None = ref_field("equipment.id")
    facility_id: uuid.UUID | None = ref_field("healthcare_facilities.id")
    service_partner_tenant_id: uuid.UUID | None = ref_field("tenant.id")
    technician_id: uuid.UUID | None = ref_field("technician.id")
    contract_id: uuid.UUID | None = ref_field("contract.id")
    sla_policy_id: uuid.UUID | None = ref_field("sla_policy.id")
    city: str | None = Field(default=None, max_length=120)
    priority: str = Field(default="P3", max_length=2)
    status: str = Field(default="open", max_length=20)
    source: str = Field(default="portal", max_length=20)
    error_code: str | None = Field(default=None, max_length=40)
    description: str = Field(default="")
    opened_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    response_due_at: datetime | None = timestamp_field(nullable=True)
    resolution_due_at: datetime | None = timestamp_field(nullable=True)
    # Working minutes left on each clock while the ticket is on hold (clocks paused).
    response_left_min: float | None = None
    resolution_left_min: float | None = None
    responded_at: datetime | None = timestamp_field(nullable=True)
    resolved_at: datetime | None = timestamp_field(nullable=True)
    closed_at: datetime | None = timestamp_field(nullable=True)
    response_breached_at: datetime | None = timestamp_field(nullable=True)
    resolution_breached_at: datetime | None = timestamp_field(nullable=True)
    escalation_level: int = 0
    penalty_paise: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )
    reopen_count: int = 0  # reopened by the customer: not fixed the first time


class TicketEvent(SQLModel, table=True):
    __tablename__ = "ticket_event"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()  # whose person or process wrote it
    ticket_id: uuid.UUID = ref_field("ticket.id", nullable=False)
    kind: str = Field(max_length=20)  # opened | status | comment | breach | escalation
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    actor_id: uuid.UUID | None = None
    actor_label: str = Field(default="", max_length=254)
    note: str = Field(default="")
    created_at: datetime = timestamp_field()


class TicketAttachment(SQLModel, table=True):
    __tablename__ = "ticket_attachment"

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    ticket_id: uuid.UUID = ref_field("ticket.id", nullable=False)
    event_id: uuid.UUID | None = ref_field("ticket_event.id")
    file_name: str = Field(max_length=200)
    content_type: str = Field(max_length=80)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = timestamp_field()
