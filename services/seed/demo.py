"""The demo organisation set: one account per role, a few SKUs, facilities and devices.

All names are invented for the demo and do not stand for real companies or branches.
Running it again changes nothing (it stops if the platform tenant exists).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import select

from services.actor import Actor, Role, TenantKind
from services.audit import service as audit
from services.catalog.service import create_sku
from services.db import system_session, tenant_session
from services.devices.models import Equipment
from services.field.demo import prepare_field_day
from services.geo.models import HealthcareFacility, Laboratory
from services.identity.service import create_user
from services.seed.lab import seed_lab
from services.seed.network import seed_service_network
from services.seed.parts import seed_parts
from services.seed.service_desk import seed_service_desk
from services.tenancy.models import Tenant
from services.tenancy.service import create_tenant, grant_access
from services.whatsapp.demo import seed_whatsapp

log = logging.getLogger("yantra.seed")

PLATFORM_NAME = "Yantra Platform"
DEMO_DOMAIN = "demo.yantra.in"


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    kind: TenantKind
    state: str
    roles: tuple[Role, ...]


ORGS = (
    DemoOrg(
        "hospital",
        "Sanjeevani Hospitals (demo)",
        TenantKind.HOSPITAL_CHAIN,
        "Delhi",
        (Role.BUYER_ADMIN, Role.BUYER_USER),
    ),
    DemoOrg(
        "lab",
        "Arogya Diagnostics Network (demo)",
        TenantKind.LAB_CHAIN,
        "Telangana",
        (Role.LAB_STAFF,),
    ),
    DemoOrg(
        "oem1",
        "Medivance Imaging (demo)",
        TenantKind.OEM,
        "Karnataka",
        (Role.OEM_ADMIN, Role.OEM_SALES, Role.OEM_SERVICE_MANAGER),
    ),
    DemoOrg("oem2", "Pranavi Lifesciences (demo)", TenantKind.OEM, "Maharashtra", ()),
    DemoOrg(
        "partner",
        "Kaveri Biomedical Services (demo)",
        TenantKind.SERVICE_PARTNER,
        "Delhi",
        (Role.DISPATCHER, Role.TECHNICIAN),
    ),
)

# (code, name, category, risk class, list price in rupees, GST %)
SKUS = {
    "oem1": [
        ("MVI-MR15", "Aurora 1.5T MRI System", "MRI", "C", 6_50_00_000, "12"),
        ("MVI-CT128", "Zenith 128-slice CT Scanner", "CT", "C", 3_20_00_000, "12"),
        ("MVI-US9", "Clarus 9 Ultrasound", "Ultrasound", "B", 28_50_000, "12"),
        ("MVI-DR2", "Lumen DR Digital X-ray", "X-ray", "B", 42_00_000, "12"),
        ("MVI-PM12", "Vitalis 12 Patient Monitor", "Patient monitor", "B", 3_85_000, "12"),
    ],
    "oem2": [
        (
            "PLS-HA5",
            "Hemix 5-part Haematology Analyzer",
            "Haematology analyzer",
            "B",
            14_75_000,
            "12",
        ),
        (
            "PLS-BC400",
            "Chemora 400 Biochemistry Analyzer",
            "Biochemistry analyzer",
            "B",
            22_40_000,
            "12",
        ),
        ("PLS-VT7", "Respira ICU Ventilator", "Ventilator", "C", 11_90_000, "12"),
        ("PLS-IP2", "Flowsafe Infusion Pump", "Infusion pump", "C", 1_65_000, "12"),
        ("PLS-DF3", "Pulsar AED Defibrillator", "Defibrillator", "D", 2_95_000, "12"),
    ],
}

# (name, address, pincode, facility type, beds, specialties)
FACILITIES = {
    "hospital": [
        (
            "Sanjeevani Multispeciality, Safdarjung",
            "Ring Road, Safdarjung Enclave",
            "110029",
            "hospital",
            420,
            ["cardiology", "neurology", "oncology"],
        ),
        (
            "Sanjeevani Heart Centre, Parel",
            "Dr E Borges Road, Parel",
            "400012",
            "cardiac_center",
            160,
            ["cardiology", "cardiac surgery"],
        ),
        (
            "Sanjeevani Hospital, Koramangala",
            "80 Feet Road, Koramangala",
            "560034",
            "hospital",
            300,
            ["orthopaedics", "nephrology"],
        ),
        (
            "Sanjeevani Imaging, Egmore",
            "Pantheon Road, Egmore",
            "600008",
            "imaging_center",
            None,
            ["radiology"],
        ),
        (
            "Sanjeevani Hospital, Shivajinagar",
            "Jangli Maharaj Road",
            "411005",
            "hospital",
            250,
            ["general medicine", "paediatrics"],
        ),
        # Two smaller Delhi sites near Safdarjung: the demo technician's day crosses town.
        (
            "Sanjeevani Imaging, Saket",
            "Press Enclave Marg, Saket",
            "110017",
            "imaging_center",
            0,
            ["radiology", "obstetrics"],
        ),
        (
            "Sanjeevani Hospital, Lajpat Nagar",
            "Ring Road, Lajpat Nagar IV",
            "110024",
            "hospital",
            60,
            ["critical care", "cardiology"],
        ),
    ],
    "lab": [
        (
            "Arogya Reference Lab, Banjara Hills",
            "Road No. 12, Banjara Hills",
            "500034",
            "diagnostic_lab",
            None,
            ["pathology", "biochemistry"],
        ),
        (
            "Arogya Lab, Connaught Place",
            "Barakhamba Road",
            "110001",
            "pathology_lab",
            None,
            ["pathology", "haematology"],
        ),
        (
            "Arogya Lab, Ballygunge",
            "Gariahat Road",
            "700019",
            "pathology_lab",
            None,
            ["microbiology", "serology"],
        ),
        (
            "Arogya Lab, Navrangpura",
            "C G Road, Navrangpura",
            "380009",
            "diagnostic_lab",
            None,
            ["biochemistry", "immunoassay"],
        ),
    ],
}

# (sku code, serial, facility index of the hospital chain, AMC status)
DEVICES = [
    ("MVI-MR15", "MVI-MR15-24-000117", 0, "cmc"),
    ("MVI-CT128", "MVI-CT128-23-000642", 0, "amc"),
    ("MVI-PM12", "MVI-PM12-25-010233", 1, "warranty"),
    ("MVI-US9", "MVI-US9-24-004410", 2, "amc"),
    ("PLS-VT7", "PLS-VT7-25-000981", 2, "warranty"),
    ("MVI-DR2", "MVI-DR2-22-000301", 4, "amc"),
    ("MVI-US9", "MVI-US9-25-006120", 5, "amc"),
    ("MVI-PM12", "MVI-PM12-24-008841", 6, "amc"),
]


def demo_email(role: Role) -> str:
    return f"{role.value}@{DEMO_DOMAIN}"


def seed_demo(password: str) -> bool:
    """Create the demo set once, and the demo technician's route for today every time.
    Returns False when the set already exists."""
    with system_session() as db:
        if db.exec(select(Tenant).where(Tenant.kind == "platform")).first():
            seed_service_desk()
            seed_parts()
            prepare_field_day()
            seed_lab()
            seed_whatsapp()
            return False
        platform = Tenant(name=PLATFORM_NAME, kind=TenantKind.PLATFORM.value)
        db.add(platform)
    admin = Actor(None, platform.id, TenantKind.PLATFORM, frozenset({Role.PLATFORM_ADMIN}), "seed")
    tenants: dict[str, Tenant] = {}
    with tenant_session(admin) as db:
        create_user(
            db,
            admin,
            platform,
            demo_email(Role.PLATFORM_ADMIN),
            "Asha Menon",
            [Role.PLATFORM_ADMIN.value],
            password,
        )
        for org in ORGS:
            tenants[org.key] = create_tenant(db, admin, org.name, org.kind.value, org.state)
        for org in ORGS:
            for role in org.roles:
                create_user(
                    db,
                    admin,
                    tenants[org.key],
                    demo_email(role),
                    _person(role),
                    [role.value],
                    password,
                )
    skus = {key: _seed_catalog(tenants[key], key) for key in ("oem1", "oem2")}
    facilities = {key: _seed_facilities(tenants[key], key) for key in ("hospital", "lab")}
    _seed_devices(tenants, skus, facilities["hospital"])
    seed_service_network(tenants["partner"], tenants["oem1"], admin)
    _seed_sla_policies(tenants["partner"])
    _seed_tickets(tenants["hospital"])
    seed_service_desk()
    seed_parts()
    prepare_field_day()
    seed_lab()
    seed_whatsapp()
    log.info("demo organisations, accounts, SKUs, facilities and devices created")
    return True


def _person(role: Role) -> str:
    return {
        Role.BUYER_ADMIN: "Rohit Malhotra",
        Role.BUYER_USER: "Neha Kapoor",
        Role.LAB_STAFF: "Farah Siddiqui",
        Role.OEM_ADMIN: "Vikram Rao",
        Role.OEM_SALES: "Priya Iyer",
        Role.OEM_SERVICE_MANAGER: "Sandeep Kulkarni",
        Role.DISPATCHER: "Meera Joshi",
        Role.TECHNICIAN: "Arjun Yadav",
    }.get(role, role.value)


def _org_actor(tenant: Tenant, *roles: Role) -> Actor:
    return Actor(None, tenant.id, TenantKind(tenant.kind), frozenset(roles), "seed")


def _seed_catalog(oem: Tenant, key: str) -> dict[str, str]:
    actor = _org_actor(oem, Role.OEM_ADMIN)
    codes = {}
    with tenant_session(actor) as db:
        for code, name, category, risk, rupees, gst in SKUS[key]:
            sku = create_sku(
                db,
                actor,
                code,
                name,
                category,
                risk,
                rupees * 100,
                Decimal(gst),
                {"warrantyMonths": 12, "cdscoLicensed": True},
            )
            codes[code] = sku.id
    return codes


def _seed_facilities(owner: Tenant, key: str) -> list[HealthcareFacility]:
    actor = _org_actor(owner, Role.BUYER_ADMIN)
    created = []
    with tenant_session(actor) as db:
        for name, address, pincode, ftype, beds, specialties in FACILITIES[key]:
            facility = HealthcareFacility(
                tenant_id=owner.id,
                name=name,
                address=address,
                pincode=pincode,
                facility_type=ftype,
                bed_count=beds,
                specialties=specialties,
            )
            db.add(facility)
            db.flush()
            audit.record(
                db,
                actor,
                "facility.create",
                "facility",
                facility.id,
                f"{ftype.replace('_', ' ')} at pincode {pincode} added",
            )
            created.append(facility)
            if key == "lab":
                db.add(
                    Laboratory(
                        tenant_id=owner.id,
                        facility_id=facility.id,
                        name=name,
                        address=address,
                        pincode=pincode,
                        test_categories=specialties,
                        accreditations=["NABL"],
                    )
                )
    return created


def _seed_devices(tenants: dict[str, Tenant], skus: dict[str, dict], hospital_sites: list) -> None:
    hospital, partner = tenants["hospital"], tenants["partner"]
    actor = _org_actor(hospital, Role.BUYER_ADMIN)
    by_code = {code: (key, sku_id) for key, codes in skus.items() for code, sku_id in codes.items()}
    with tenant_session(actor) as db:
        for code, serial, site, amc in DEVICES:
            oem_key, sku_id = by_code[code]
            audit.record(
                db,
                actor,
                "device.create",
                "equipment",
                serial,
                f"{code} installed at a hospital site",
            )
            db.add(
                Equipment(
                    tenant_id=hospital.id,
                    manufacturer_tenant_id=tenants[oem_key].id,
                    sku_id=sku_id,
                    facility_id=hospital_sites[site].id,
                    serial_number=serial,
                    install_date=date(2024, 4, 15),
                    amc_status=amc,
                    current_sla="gold" if amc == "cmc" else "silver",
                    lifecycle_status="active",
                )
            )
        db.flush()
        grant_access(db, actor, partner.id, "equipment")
        grant_access(db, actor, partner.id, "facility")
        # The imaging OEM installs and services devices at the hospital's sites.
        grant_access(db, actor, tenants["oem1"].id, "facility")
        device_ids = list(db.exec(select(Equipment.id).where(Equipment.tenant_id == hospital.id)))
        from services.devices.labels import issue_labels_bulk

        issue_labels_bulk(db, actor, device_ids)


def _seed_sla_policies(partner: Tenant) -> None:
    from services.sla.models import SlaPolicy
    from services.sla.service import default_targets

    actor = _org_actor(partner, Role.OEM_SERVICE_MANAGER)
    with tenant_session(actor) as db:
        for tier, round_the_clock, per_hour, cap in (
            ("gold", True, 5_000_00, 2_00_000_00),
            ("silver", False, 2_000_00, 50_000_00),
        ):
            db.add(
                SlaPolicy(
                    tenant_id=partner.id,
                    name=f"{tier.title()} AMC",
                    tier=tier,
                    round_the_clock=round_the_clock,
                    targets=default_targets(tier),
                    penalty_per_hour_paise=per_hour,
                    penalty_cap_paise=cap,
                )
            )
        audit.record(db, actor, "sla_policy.create", "sla_policy", "", "gold and silver policies")


def _seed_tickets(hospital: Tenant) -> None:
    from services.tickets.service import open_ticket

    actor = _org_actor(hospital, Role.BUYER_ADMIN)
    with tenant_session(actor) as db:
        devices = {
            d.serial_number: d.id
            for d in db.exec(select(Equipment).where(Equipment.tenant_id == hospital.id))
        }
        for serial, priority, code, text in (
            ("MVI-MR15-24-000117", "P1", "E-HE-042", "Helium level alarm; scanning stopped"),
            ("PLS-VT7-25-000981", "P2", "VT-OCC-7", "Occlusion alarm repeats on patient circuit"),
            ("MVI-US9-24-004410", "P3", "US-PRB-2", "Probe image shows vertical line dropout"),
        ):
            open_ticket(db, actor, devices[serial], priority, code, text, "portal")
