"""The demo lab's analyzer link: a 5-part haematology analyzer registered at the demo
laboratory, its MLLP channel (sender `HEMIX5`, facility left empty as analyzers often do)
and its complete blood count test codes with LOINC, units, adult reference ranges and
critical limits. Written once (idempotent)."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import text
from sqlmodel import select

from services.actor import Actor, Role, TenantKind
from services.db import system_session, tenant_session
from services.devices.models import Equipment
from services.geo.models import Laboratory
from services.lab.channels import AnalyzerCodeIn, ChannelIn, claim_unknown_messages, create_channel
from services.tenancy.models import Tenant

log = logging.getLogger("yantra.seed")

LAB = "Arogya Diagnostics Network (demo)"
OEM = "Pranavi Lifesciences (demo)"
SKU = "PLS-HA5"
SERIAL = "PLS-HA5-25-001207"
SENDER = "HEMIX5"
# analyzer code, LOINC, name, unit (UCUM), reference low/high, critical low/high
CBC = (
    ("WBC", "6690-2", "Leukocytes", "10*3/uL", 4.0, 11.0, 2.0, 30.0),
    ("RBC", "789-8", "Erythrocytes", "10*6/uL", 4.5, 5.9, None, None),
    ("HGB", "718-7", "Haemoglobin", "g/dL", 13.0, 17.0, 7.0, 20.0),
    ("HCT", "4544-3", "Haematocrit", "%", 40.0, 52.0, 20.0, 60.0),
    ("MCV", "787-2", "MCV", "fL", 80.0, 100.0, None, None),
    ("MCH", "785-6", "MCH", "pg", 27.0, 33.0, None, None),
    ("MCHC", "786-4", "MCHC", "g/dL", 32.0, 36.0, None, None),
    ("PLT", "777-3", "Platelets", "10*3/uL", 150.0, 450.0, 50.0, 1000.0),
    ("RDW", "788-0", "RDW", "%", 11.5, 14.5, None, None),
    ("MPV", "32623-1", "MPV", "fL", 7.5, 11.5, None, None),
)


def seed_lab() -> bool:
    """Registers the demo lab's haematology analyzer and its channel once. Returns False
    when they exist already (or the demo organisations do not)."""
    with system_session() as db:
        lab = db.exec(select(Tenant).where(Tenant.name == LAB)).first()
        oem = db.exec(select(Tenant).where(Tenant.name == OEM)).first()
        if lab is None or oem is None:
            return False
        if db.execute(
            text("SELECT 1 FROM lab_channel WHERE sending_application = :s"), {"s": SENDER}
        ).first():
            return False
        sku = db.execute(
            text("SELECT id FROM sku WHERE tenant_id = :t AND code = :c"), {"t": oem.id, "c": SKU}
        ).scalar()
        laboratory = db.exec(
            select(Laboratory).where(Laboratory.tenant_id == lab.id).order_by(Laboratory.name)
        ).first()
        if sku is None or laboratory is None:
            return False
    channel = _connect_analyzer(lab, oem, sku, laboratory)
    claim_unknown_messages(channel)
    log.info("demo lab: haematology analyzer %s on channel %s", SERIAL, SENDER)
    return True


def _connect_analyzer(lab: Tenant, oem: Tenant, sku, laboratory: Laboratory):
    """The analyzer registered at the laboratory and its channel with the CBC codes."""
    actor = Actor(None, lab.id, TenantKind.LAB_CHAIN, frozenset({Role.LAB_STAFF}), "seed")
    with tenant_session(actor) as db:
        device = Equipment(
            tenant_id=lab.id,
            manufacturer_tenant_id=oem.id,
            sku_id=sku,
            facility_id=laboratory.facility_id,
            serial_number=SERIAL,
            install_date=date(2025, 6, 2),
            amc_status="warranty",
            current_sla="silver",
            lifecycle_status="active",
        )
        db.add(device)
        db.flush()
        channel = create_channel(
            db,
            actor,
            ChannelIn(
                name="Hemix 5-part haematology",
                sendingApplication=SENDER,
                laboratoryId=laboratory.id,
                deviceId=device.id,
                testCodes=[
                    AnalyzerCodeIn(
                        analyzerCode=code,
                        loinc=loinc,
                        name=name,
                        units=units,
                        referenceLow=low,
                        referenceHigh=high,
                        criticalLow=c_low,
                        criticalHigh=c_high,
                    )
                    for code, loinc, name, units, low, high, c_low, c_high in CBC
                ],
            ),
        )
    return channel
