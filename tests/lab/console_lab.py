"""A laboratory with one analyzer channel and results arranged row by row, for the
console, verification, health and FHIR tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select

from services.actor import Role, TenantKind
from services.columns import utcnow
from services.db import tenant_session
from services.lab.models import LabChannel, LabMessage, LabOrder, LabPatient, LabResult, LabTestCode
from tests.factories import Org, make_org, make_served_device

# Haemoglobin (LOINC 718-7): reference 13-17 g/dL, critical below 7 or above 20.
HGB = dict(
    analyzer_code="HGB",
    loinc="718-7",
    name="Hemoglobin",
    units="g/dL",
    reference_low=13.0,
    reference_high=17.0,
    reference_text="13.0-17.0",
    critical_low=7.0,
    critical_high=20.0,
)
PLT = dict(
    analyzer_code="PLT",
    loinc="777-3",
    name="Platelets",
    units="10*3/uL",
    reference_low=150.0,
    reference_high=450.0,
    reference_text="150-450",
    critical_low=20.0,
    critical_high=1000.0,
)


@dataclass
class Lab:
    org: Org
    partner: Org
    device_id: uuid.UUID
    channel_id: uuid.UUID


def make_lab(silent_after: int = 30, beside: Lab | None = None) -> Lab:
    """A lab organisation with a lab staff account, its analyzer (serviced by a partner)
    and a channel for it with haemoglobin and platelet test codes; `beside`: another
    analyzer of that lab and partner, not a new organisation."""
    if beside is None:
        lab = make_org(TenantKind.LAB_CHAIN, Role.LAB_STAFF)
        partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    else:
        lab, partner = beside.org, beside.partner
    device = make_served_device(lab, partner, "MVI-US9").device_id
    tag = uuid.uuid4().hex[:8]
    with tenant_session(lab.actor) as db:
        channel = LabChannel(
            tenant_id=lab.tenant.id,
            device_id=device,
            name=f"XN-550 {tag}",
            sending_application=f"XN{tag}",
            silent_after_minutes=silent_after,
        )
        db.add(channel)
        db.flush()
        for code in (HGB, PLT):
            db.add(LabTestCode(tenant_id=lab.tenant.id, channel_id=channel.id, **code))
    return Lab(lab, partner, device, channel.id)


def add_message(lab: Lab, *, state: str = "processed", at: datetime | None = None) -> uuid.UUID:
    with tenant_session(lab.org.actor) as db:
        message = LabMessage(
            tenant_id=lab.org.tenant.id,
            channel_id=lab.channel_id,
            control_id=uuid.uuid4().hex[:12],
            message_type="ORU^R01",
            raw="MSH|^~\\&|",
            state=state,
            received_at=at or utcnow(),
            error="unknown test code" if state == "error" else "",
        )
        db.add(message)
    return message.id


def add_results(
    lab: Lab,
    patient: str,
    values: list[tuple[str, float, str]],
    *,
    status: str = "F",
    at: datetime | None = None,
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """One message and order with a result per (code, value, flag) for `patient`; returns
    the order id and the result ids."""
    codes = {"HGB": HGB, "PLT": PLT}
    at = at or utcnow()
    message_id = add_message(lab, at=at)
    ids = []
    with tenant_session(lab.org.actor) as db:
        person = db.exec(select(LabPatient).where(LabPatient.identifier == patient)).first()
        if person is None:
            person = LabPatient(
                tenant_id=lab.org.tenant.id,
                identifier=patient,
                family_name="Sharma",
                given_name="Asha",
                sex="F",
            )
            db.add(person)
            db.flush()
        order = LabOrder(
            tenant_id=lab.org.tenant.id,
            channel_id=lab.channel_id,
            patient_id=person.id,
            placer_order_number=uuid.uuid4().hex[:8],
            test_code="CBC",
            test_name="Complete blood count",
            status="resulted",
        )
        db.add(order)
        db.flush()
        for n, (code, value, flag) in enumerate(values, 1):
            c = codes[code]
            result = LabResult(
                tenant_id=lab.org.tenant.id,
                message_id=message_id,
                channel_id=lab.channel_id,
                device_id=lab.device_id,
                patient_id=person.id,
                order_id=order.id,
                sequence=n,
                analyzer_code=code,
                loinc=c["loinc"],
                name=c["name"],
                value=f"{value:g}",
                value_numeric=value,
                units=c["units"],
                reference_range=c["reference_text"],
                reference_low=c["reference_low"],
                reference_high=c["reference_high"],
                abnormal_flag=flag,
                result_status=status,
                observed_at=at - timedelta(minutes=5),
                created_at=at,
            )
            db.add(result)
            ids.append(result.id)
    return order.id, ids
