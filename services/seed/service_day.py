"""The demo's service day: the hospital chain's sites in Delhi NCR, Mumbai, Bengaluru and
Chennai (real pincodes), their devices under contract with the two OEMs, and about 150
open tickets across them (P1 to P4, opened over the last day and a half, a few past their
SLA deadline). `make run` writes it after the small demo the tests rely on; the day's plan
and the technicians' positions come from `services/seed/day_plan.py`.

Written once: a second run finds the sites and adds nothing. Rows go in by the batch (one
statement per table), so the whole day takes a second or two.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Role
from services.columns import utcnow
from services.common.clock import today_ist
from services.contracts.models import Contract
from services.db import system_session, tenant_session
from services.devices.models import Equipment
from services.geo.models import HealthcareFacility
from services.sla import service as sla
from services.sla.models import SlaPolicy
from services.tenancy.models import Tenant
from services.tickets.models import Ticket, TicketEvent

log = logging.getLogger("yantra.seed")

HOSPITAL = "Sanjeevani Hospitals (demo)"
OEMS = {"oem1": "Medivance Imaging (demo)", "oem2": "Pranavi Lifesciences (demo)"}
PARTNER = "Kaveri Biomedical Services (demo)"
DOMAIN = "demo.yantra.in"
OPEN_TICKETS = 150
DEVICES_PER_SITE = 10
IMAGING = ("MRI", "CT", "X-ray")

# metro -> (site name, street, pincode, facility type, beds)
SITES = {
    "Delhi NCR": (
        ("Sanjeevani Hospital, Dwarka", "Sector 12, Dwarka", "110075", "hospital", 220),
        ("Sanjeevani Hospital, Rohini", "Sector 6, Rohini", "110085", "hospital", 180),
        ("Sanjeevani Hospital, Gurugram", "Sector 44, Gurugram", "122001", "hospital", 240),
        ("Sanjeevani Heart Centre, Preet Vihar", "Vikas Marg", "110092", "cardiac_center", 90),
        ("Sanjeevani Imaging, Greater Kailash", "M Block Market", "110048", "imaging_center", 0),
    ),
    "Mumbai": (
        ("Sanjeevani Hospital, Andheri", "Veera Desai Road", "400053", "hospital", 260),
        ("Sanjeevani Hospital, Bandra", "Hill Road, Bandra West", "400050", "hospital", 150),
        ("Sanjeevani Hospital, Chembur", "Sion-Trombay Road", "400071", "hospital", 200),
        ("Sanjeevani Imaging, Chakala", "Andheri-Kurla Road", "400093", "imaging_center", 0),
        ("Sanjeevani Hospital, Thane", "Ghodbunder Road", "400601", "hospital", 210),
    ),
    "Bengaluru": (
        ("Sanjeevani Hospital, Whitefield", "ITPL Main Road", "560066", "hospital", 250),
        ("Sanjeevani Hospital, Jayanagar", "11th Main, 4th Block", "560041", "hospital", 160),
        ("Sanjeevani Hospital, Hebbal", "Bellary Road", "560024", "hospital", 190),
        ("Sanjeevani Imaging, Malleshwaram", "Sampige Road", "560003", "imaging_center", 0),
        (
            "Sanjeevani Heart Centre, Bannerghatta",
            "Bannerghatta Road",
            "560076",
            "cardiac_center",
            80,
        ),
    ),
    "Chennai": (
        ("Sanjeevani Hospital, Adyar", "Sardar Patel Road", "600020", "hospital", 230),
        ("Sanjeevani Hospital, Anna Nagar", "2nd Avenue, Anna Nagar", "600040", "hospital", 170),
        ("Sanjeevani Imaging, T Nagar", "Usman Road", "600017", "imaging_center", 0),
        ("Sanjeevani Hospital, Velachery", "Velachery Main Road", "600042", "hospital", 150),
        ("Sanjeevani Hospital, Kilpauk", "Poonamallee High Road", "600010", "hospital", 190),
    ),
}
# The device types each metro's technicians can service (see services/seed/network.py).
METRO_DEVICES = {
    "Delhi NCR": ("MRI", "CT", "X-ray", "Ultrasound", "Patient monitor", "Ventilator",
                  "Infusion pump", "Defibrillator", "Haematology analyzer"),
    "Mumbai": ("MRI", "CT", "X-ray", "Ultrasound", "Patient monitor", "Ventilator",
               "Infusion pump", "Defibrillator", "Biochemistry analyzer"),
    "Bengaluru": ("MRI", "CT", "X-ray", "Ultrasound", "Patient monitor", "Ventilator",
                  "Infusion pump", "Haematology analyzer"),
    "Chennai": ("MRI", "CT", "X-ray", "Ultrasound", "Patient monitor", "Ventilator",
                "Infusion pump"),
}  # fmt: skip
# device type -> (fault code, what the hospital reported)
FAULTS = {
    "MRI": (("MR-HE-LOW", "Helium level dropping; compressor alarm"),
            ("MR-RF-09", "RF coil error on knee coil, scans abort")),
    "CT": (("CT-TUBE-4", "Tube overheating warning after five scans"),
           ("CT-GAN-2", "Gantry tilt stuck at zero")),
    "X-ray": (("DR-DET-1", "Detector not ready; images not acquired"),
              ("DR-COL-5", "Collimator lamp not working")),
    "Ultrasound": (("US-PRB-7", "Probe shows dropout lines"),
                   ("US-BOOT-1", "System hangs at start-up")),
    "Patient monitor": (("PM-SPO2-2", "SpO2 reading drops out"),
                        ("PM-NIBP-4", "NIBP cuff does not inflate")),
    "Ventilator": (("VT-FLOW-3", "Flow sensor calibration fails"),
                   ("VT-O2-1", "Oxygen cell reading low")),
    "Infusion pump": (("IP-OCC-2", "False occlusion alarms"),
                      ("IP-DOOR-1", "Door sensor error")),
    "Defibrillator": (("DF-CHG-1", "Charging takes too long"),
                      ("DF-SELF-3", "Self-test fails")),
    "Haematology analyzer": (("HA-CLOG-2", "Aperture clog on WBC channel"),),
    "Biochemistry analyzer": (("BC-LAMP-1", "Photometer lamp energy low"),),
}  # fmt: skip
PRIORITIES = (("P1", 0.1), ("P2", 0.25), ("P3", 0.4), ("P4", 0.25))


@dataclass(frozen=True)
class Site:
    id: uuid.UUID
    metro: str
    city: str


def _tenants(db: Session) -> dict[str, Tenant] | None:
    names = {"hospital": HOSPITAL, "partner": PARTNER, **OEMS}
    found = {
        t.name: t for t in db.exec(select(Tenant).where(Tenant.name.in_(list(names.values()))))
    }
    if len(found) < len(names):
        return None
    return {key: found[name] for key, name in names.items()}


def seed_service_day(seed: int = 19) -> int:
    """Write the service day's sites, devices, contracts and open tickets unless they exist
    (or the demo organisations do not). Returns the number of tickets opened."""
    with system_session() as db:
        tenants = _tenants(db)
        first_site = SITES["Delhi NCR"][0][0]
        if (
            tenants is None
            or db.exec(
                select(HealthcareFacility.id).where(HealthcareFacility.name == first_site)
            ).first()
        ):
            return 0
        rng = random.Random(seed)
        sites = _sites(db, tenants["hospital"])
        devices = _devices(db, tenants, sites, rng)
        opened = _tickets(db, tenants, devices, rng)
    opened += _work_for_the_other_roles()
    log.info(
        "demo service day: %d sites, %d devices, %d open tickets", len(sites), len(devices), opened
    )
    return opened


def _sites(db: Session, hospital: Tenant) -> list[Site]:
    """The chain's new sites in the four metros (placed by their pincode's trigger)."""
    rows = [
        HealthcareFacility(
            tenant_id=hospital.id,
            name=name,
            address=street,
            pincode=pincode,
            facility_type=ftype,
            bed_count=beds or None,
            specialties=["radiology"] if ftype == "imaging_center" else ["general medicine"],
        )
        for metro, sites in SITES.items()
        for name, street, pincode, ftype, beds in sites
    ]
    db.add_all(rows)
    db.flush()
    metro_of = {name: metro for metro, sites in SITES.items() for name, *_ in sites}
    cities = dict(
        db.execute(
            text("SELECT pincode, city FROM indian_pincodes WHERE pincode = ANY(:p)"),
            {"p": [f.pincode for f in rows]},
        ).all()
    )
    return [Site(f.id, metro_of[f.name], cities.get(f.pincode, metro_of[f.name])) for f in rows]


def _skus(db: Session, tenants: dict[str, Tenant]) -> dict[str, tuple[uuid.UUID, uuid.UUID]]:
    """Device type -> (SKU, its OEM), from the two OEMs' demo SKUs."""
    found = {}
    for key in OEMS:
        for sku_id, category in db.execute(
            text("SELECT id, category FROM sku WHERE tenant_id = :t AND code ~ '^(MVI|PLS)-' "
                 "ORDER BY code"),
            {"t": tenants[key].id},
        ).all():  # fmt: skip
            found.setdefault(category, (sku_id, tenants[key].id))
    return found


def _contracts(db: Session, tenants: dict[str, Tenant], today: date) -> dict[str, Contract]:
    """One service contract per OEM over the chain's metro sites: a CMC (gold, round the
    clock) with the imaging OEM and an AMC (silver, business hours) with the other."""
    made = {}
    for key, kind, tier, value, uptime in (
        ("oem1", "cmc", "gold", 1_85_00_000, 97),
        ("oem2", "amc", "silver", 24_00_000, 95),
    ):
        contract = Contract(
            tenant_id=tenants["hospital"].id,
            seller_tenant_id=tenants[key].id,
            kind=kind,
            status="active",
            sla_tier=tier,
            starts_on=today - timedelta(days=200),
            ends_on=today + timedelta(days=165),
            terms={
                "parts": kind == "cmc",
                "labour": True,
                "preventiveVisitsPerYear": 2,
                "uptimePercent": uptime,
                "penaltyCapPaise": value * 10,
                "reopenWindowDays": 7,
            },
            value_paise=value * 100,
            signed_at=utcnow() - timedelta(days=200),
        )
        db.add(contract)
        made[key] = contract
    db.flush()
    return made


def _devices(db: Session, tenants: dict[str, Tenant], sites: list[Site], rng) -> list[dict]:
    """Ten devices a site, of the types the metro's technicians service, under contract."""
    skus, today = _skus(db, tenants), today_ist()
    contracts = _contracts(db, tenants, today)
    oem_key = {tenants[k].id: k for k in OEMS}
    rows, made = [], []
    for n, site in enumerate(sites):
        kinds = [t for t in METRO_DEVICES[site.metro] if t in skus]
        for k in range(DEVICES_PER_SITE):
            kind = kinds[(n + k) % len(kinds)] if k < len(kinds) else rng.choice(kinds)
            sku_id, oem_id = skus[kind]
            contract = contracts[oem_key[oem_id]]
            device = {
                "id": uuid.uuid4(),
                "tenant_id": tenants["hospital"].id,
                "manufacturer_tenant_id": oem_id,
                "sku_id": sku_id,
                "facility_id": site.id,
                "serial_number": f"SD-{kind[:3].upper().replace(' ', '')}-26-{n * 100 + k:05d}",
                "install_date": today - timedelta(days=rng.randint(300, 1500)),
                "amc_status": contract.kind,
                "amc_start": contract.starts_on,
                "amc_end": contract.ends_on,
                "contract_id": contract.id,
                "current_sla": contract.sla_tier,
                "lifecycle_status": "active",
            }
            rows.append(device)
            made.append({**device, "kind": kind, "metro": site.metro, "city": site.city})
    db.execute(Equipment.__table__.insert(), rows)
    return made


def _partner_for(device: dict, tenants: dict[str, Tenant], n: int) -> Tenant:
    """Imaging is serviced by its maker in the metros where it has a hub (half of it in
    Delhi NCR, where the partner has imaging engineers too); the rest by the partner."""
    if device["kind"] in IMAGING and device["metro"] in ("Mumbai", "Bengaluru"):
        return tenants["oem1"]
    if device["kind"] in IMAGING and device["metro"] == "Delhi NCR" and n % 2 == 0:
        return tenants["oem1"]
    return tenants["partner"]


def _tickets(db: Session, tenants: dict[str, Tenant], devices: list[dict], rng) -> int:
    """Open tickets on distinct devices, opened over the last 36 hours; some P1 and P2 of
    yesterday are already past their response deadline."""
    policies = {
        (p.tenant_id, p.tier): p
        for p in db.exec(select(SlaPolicy).where(SlaPolicy.tenant_id == tenants["partner"].id))
    }
    now, tickets = utcnow(), []
    chosen = rng.sample(devices, min(OPEN_TICKETS, len(devices)))
    for n, device in enumerate(chosen):
        priority = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
        late = n % 25 == 0  # a few from yesterday, already breached
        minutes = rng.randint(600, 1800) if late else int(rng.triangular(5, 1440, 60))
        partner = _partner_for(device, tenants, n)
        policy = policies.get((partner.id, device["current_sla"]))
        code, what = rng.choice(FAULTS[device["kind"]])
        ticket = Ticket(
            tenant_id=device["tenant_id"],
            equipment_id=device["id"],
            facility_id=device["facility_id"],
            service_partner_tenant_id=partner.id,
            contract_id=device["contract_id"],
            sla_policy_id=policy.id if policy else None,
            city=device["city"],
            priority="P2" if late and priority in ("P3", "P4") else priority,
            status="open",
            source=rng.choice(("portal", "portal", "whatsapp", "qr", "telemetry")),
            error_code=code,
            description=what,
            opened_at=now - timedelta(minutes=minutes),
            updated_at=now - timedelta(minutes=minutes),
        )
        sla.start_clocks(ticket, policy, device["current_sla"], ticket.opened_at)
        tickets.append(ticket)
    db.add_all(tickets)
    db.flush()
    db.execute(
        TicketEvent.__table__.insert(),
        [
            {
                "id": uuid.uuid4(),
                "tenant_id": t.tenant_id,
                "ticket_id": t.id,
                "kind": "opened",
                "to_status": "open",
                "actor_label": "Sanjeevani Hospitals (demo)",
                "note": f"{t.priority} via {t.source}",
                "created_at": t.opened_at,
            }
            for t in tickets
        ],
    )
    return len(tickets)


def _work_for_the_other_roles() -> int:
    """What the lab and the OEM's sales side have on the day: the lab's haematology
    analyzer reported as faulty (serviced by its maker), and the hospital asking the
    imaging OEM to quote the renewal of its CMC that ends within two months. Returns the
    tickets opened (0 or 1)."""
    from services.contracts.renewals import request_renewal
    from services.seed.day_plan import demo_actor
    from services.seed.lab import LAB, SERIAL
    from services.tickets.service import open_ticket

    opened = 0
    with system_session() as db:
        lab = demo_actor(db, LAB, f"{Role.LAB_STAFF.value}@{DOMAIN}", Role.LAB_STAFF)
        buyer = demo_actor(db, HOSPITAL, f"{Role.BUYER_ADMIN.value}@{DOMAIN}", Role.BUYER_ADMIN)
        cmc = db.execute(
            text("SELECT c.id FROM contract c JOIN tenant t ON t.id = c.tenant_id "
                 "WHERE t.name = :h AND c.kind = 'cmc' ORDER BY c.ends_on LIMIT 1"),
            {"h": HOSPITAL},
        ).scalar()  # fmt: skip
        analyzer = db.execute(
            text("SELECT id FROM equipment WHERE serial_number = :s"), {"s": SERIAL}
        ).scalar()
    if lab is not None and analyzer is not None:
        with tenant_session(lab) as db:
            what = "WBC count flagged on every run; aperture clog suspected"
            open_ticket(db, lab, analyzer, "P2", "HA-CLOG-2", what, "portal")
            opened = 1
    if buyer is not None and cmc is not None:
        with tenant_session(buyer) as db:
            request_renewal(db, buyer, cmc)
    return opened
