"""The demo's service contracts: a CMC ending within 60 days on the hospital's MRI and CT,
an AMC on its ultrasound and X-ray, and a month of resolved tickets on them, so uptime,
SLA compliance and penalties show real figures. Written once (idempotent)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import text
from sqlmodel import select

from services.columns import utcnow
from services.common.clock import IST, today_ist
from services.contracts.models import Contract
from services.db import system_session
from services.tenancy.models import Tenant

log = logging.getLogger("yantra.seed")

HOSPITAL = "Sanjeevani Hospitals (demo)"
OEM = "Medivance Imaging (demo)"
PARTNER = "Kaveri Biomedical Services (demo)"
# kind, devices (serials), days since start, days to the end, terms, value in rupees
CONTRACTS = (
    (
        "cmc",
        ("MVI-MR15-24-000117", "MVI-CT128-23-000642"),
        320,
        45,
        {
            "parts": True,
            "labour": True,
            "preventiveVisitsPerYear": 4,
            "uptimePercent": 97,
            "penaltyCapPaise": 5_00_000_00,
            "reopenWindowDays": 7,
        },
        48_00_000,
    ),
    (
        "amc",
        ("MVI-US9-24-004410", "MVI-DR2-22-000301"),
        100,
        265,
        {
            "parts": False,
            "labour": True,
            "preventiveVisitsPerYear": 2,
            "uptimePercent": 95,
            "penaltyCapPaise": 1_00_000_00,
            "reopenWindowDays": 7,
        },
        6_40_000,
    ),
)
# serial, priority, days ago opened, hours to resolve, hours late (penalty), description
PAST_TICKETS = (
    ("MVI-MR15-24-000117", "P1", 24, 6, 0, "Gradient amplifier fault; scans aborted"),
    ("MVI-MR15-24-000117", "P2", 12, 14, 6, "Coil not detected on head channel"),
    ("MVI-CT128-23-000642", "P1", 18, 9, 1, "Tube arcing; CT down"),
    ("MVI-CT128-23-000642", "P3", 6, 20, 0, "Table drifts during long scans"),
    ("MVI-US9-24-004410", "P2", 9, 5, 0, "Linear probe shows dead elements"),
    ("MVI-DR2-22-000301", "P3", 3, 10, 0, "Detector calibration reminder keeps appearing"),
)


def _tenant(db, name: str) -> Tenant | None:
    return db.exec(select(Tenant).where(Tenant.name == name)).first()


def seed_service_desk() -> bool:
    """Write the demo's contracts and their past tickets unless they exist. Returns
    whether anything was written."""
    with system_session() as db:
        hospital, oem, partner = (_tenant(db, n) for n in (HOSPITAL, OEM, PARTNER))
        if hospital is None or oem is None:
            return False
        if db.exec(
            select(Contract).where(
                Contract.tenant_id == hospital.id, Contract.kind.in_(("amc", "cmc"))
            )
        ).first():
            return False
        devices = dict(
            db.execute(
                text("SELECT serial_number, id FROM equipment WHERE tenant_id = :t"),
                {"t": hospital.id},
            ).all()
        )
        today = today_ist()
        for kind, serials, since, left, terms, rupees in CONTRACTS:
            contract = Contract(
                tenant_id=hospital.id,
                seller_tenant_id=oem.id,
                kind=kind,
                status="active",
                sla_tier="gold" if kind == "cmc" else "silver",
                starts_on=today - timedelta(days=since),
                ends_on=today + timedelta(days=left),
                terms=terms,
                value_paise=rupees * 100,
                signed_at=utcnow() - timedelta(days=since),
            )
            db.add(contract)
            db.flush()
            db.execute(
                text(
                    "UPDATE equipment SET contract_id = :c, amc_status = :k, amc_start = :s, "
                    "amc_end = :e WHERE id = ANY(:ids)"
                ),
                {
                    "c": contract.id,
                    "k": kind,
                    "s": contract.starts_on,
                    "e": contract.ends_on,
                    "ids": [devices[s] for s in serials if s in devices],
                },
            )
        _past_tickets(db, hospital, partner or oem, devices)
        _past_visits(db, partner or oem, today)
    log.info("demo service contracts and a month of resolved tickets written")
    return True


def _past_tickets(db, hospital: Tenant, partner: Tenant, devices: dict) -> None:
    now = utcnow()
    for serial, priority, days_ago, hours, late, what in PAST_TICKETS:
        if serial not in devices:
            continue
        opened = now - timedelta(days=days_ago)
        resolved = opened + timedelta(hours=hours)
        db.execute(
            text(
                "INSERT INTO ticket (id, tenant_id, equipment_id, contract_id, facility_id, "
                "service_partner_tenant_id, priority, status, source, description, opened_at, "
                "updated_at, responded_at, response_due_at, resolution_due_at, resolved_at, "
                "closed_at, penalty_paise) SELECT :id, e.tenant_id, e.id, e.contract_id, "
                "e.facility_id, :p, :prio, 'closed', 'portal', :what, :o, :r, "
                ":o + interval '20 minutes', :o + interval '1 hour', :due, :r, :r, :pen "
                "FROM equipment e WHERE e.id = :e"
            ),
            {
                "id": uuid.uuid4(),
                "e": devices[serial],
                "p": partner.id,
                "prio": priority,
                "what": what,
                "o": opened,
                "r": resolved,
                "due": resolved - timedelta(hours=late),
                "pen": late * 5_000_00,
            },
        )


def _past_visits(db, partner: Tenant, today) -> None:
    """Each contract's preventive visits already due, done on their day as closed P4 jobs."""
    from services.tickets.preventive import visit_dates

    contracts = db.execute(
        text(
            "SELECT id, tenant_id, starts_on, ends_on, terms FROM contract WHERE kind IN ('amc', 'cmc')"
        )
    ).all()
    for c in contracts:
        per_year = int((c.terms or {}).get("preventiveVisitsPerYear") or 0)
        devices = (
            db.execute(text("SELECT id FROM equipment WHERE contract_id = :c"), {"c": c.id})
            .scalars()
            .all()
        )
        for due in [d for d in visit_dates(c.starts_on, c.ends_on, per_year) if d <= today]:
            for device in devices:
                ticket_id = uuid.uuid4()
                done = datetime.combine(due, time(10, 0), IST)
                db.execute(
                    text(
                        "INSERT INTO ticket (id, tenant_id, equipment_id, contract_id, facility_id, "
                        "service_partner_tenant_id, priority, status, source, description, "
                        "opened_at, updated_at, responded_at, resolved_at, closed_at) "
                        "SELECT :id, e.tenant_id, e.id, e.contract_id, e.facility_id, :p, 'P4', "
                        "'closed', 'preventive', 'Preventive maintenance visit', :o, :r, :o, :r, :r "
                        "FROM equipment e WHERE e.id = :e"
                    ),
                    {
                        "id": ticket_id,
                        "e": device,
                        "p": partner.id,
                        "o": done - timedelta(days=3),
                        "r": done,
                    },
                )
                db.execute(
                    text(
                        "INSERT INTO preventive_visit (tenant_id, contract_id, equipment_id, due_on, "
                        "ticket_id) VALUES (:t, :c, :e, :d, :k)"
                    ),
                    {"t": c.tenant_id, "c": c.id, "e": device, "d": due, "k": ticket_id},
                )
