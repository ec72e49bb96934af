"""The demo service network: the service partner's hubs in the eight metros and a few
tier-2 cities, the imaging OEM's own hubs, and technicians mapped to them with device
skills and availability. Deterministic, so coverage answers are the same on every run."""

from __future__ import annotations

import random

from sqlmodel import select

from services.actor import Actor, Role, TenantKind
from services.db import tenant_session
from services.dispatch.models import Technician
from services.geo.coverage import save_service_area
from services.geo.models import TechnicianCoverage
from services.identity.models import User
from services.identity.service import create_user
from services.tenancy.models import Tenant

# (hub name, hub pincode, radius km, promised response hours)
PARTNER_HUBS = (
    ("Delhi South hub", "110016", 25, 4),
    ("Gurugram hub", "122002", 20, 4),
    ("Mumbai Parel hub", "400012", 25, 4),
    ("Bengaluru Koramangala hub", "560034", 25, 4),
    ("Chennai Egmore hub", "600008", 25, 4),
    ("Kolkata Park Street hub", "700016", 25, 4),
    ("Hyderabad Ameerpet hub", "500016", 25, 4),
    ("Ahmedabad Navrangpura hub", "380009", 20, 4),
    ("Pune Shivajinagar hub", "411005", 20, 4),
    ("Jaipur hub", "302001", 40, 8),
    ("Lucknow hub", "226001", 40, 8),
    ("Kochi hub", "682011", 40, 8),
)
OEM_HUBS = (
    ("Medivance Delhi NCR", "110001", 45, 6),
    ("Medivance Mumbai", "400001", 45, 6),
    ("Medivance Bengaluru", "560001", 45, 6),
)
SKILL_SETS = (
    ("MRI", "CT", "X-ray"),
    ("CT", "X-ray", "Ultrasound", "Mammography"),
    ("Patient monitor", "Ventilator", "Defibrillator", "Infusion pump", "ECG"),
    ("Haematology analyzer", "Biochemistry analyzer", "Immunoassay analyzer"),
    ("Ventilator", "Anaesthesia workstation", "Patient monitor"),
    ("Ultrasound", "ECG", "Patient monitor"),
    ("Dialysis machine", "Infusion pump"),
)
FIRST = (
    "Arjun",
    "Kavya",
    "Rahul",
    "Sneha",
    "Imran",
    "Divya",
    "Karthik",
    "Pooja",
    "Manoj",
    "Lakshmi",
    "Sandeep",
    "Ritu",
    "Vivek",
    "Anjali",
    "Suresh",
    "Fatima",
    "Rohan",
    "Meena",
)
LAST = (
    "Yadav",
    "Nair",
    "Sharma",
    "Reddy",
    "Khan",
    "Iyer",
    "Patil",
    "Das",
    "Singh",
    "Menon",
    "Gupta",
    "Banerjee",
    "Joshi",
    "Pillai",
    "Chauhan",
    "Bhat",
)


def _actor(tenant: Tenant) -> Actor:
    return Actor(
        None, tenant.id, TenantKind(tenant.kind), frozenset({Role.OEM_SERVICE_MANAGER}), "seed"
    )


def seed_service_network(partner: Tenant, oem: Tenant, admin: Actor, seed: int = 7) -> int:
    """Create the hubs and their technicians; returns the number of technicians mapped."""
    rng = random.Random(seed)
    mapped = 0
    for owner, hubs, per_hub in ((partner, PARTNER_HUBS, 4), (oem, OEM_HUBS, 3)):
        actor = _actor(owner)
        for index, (name, pincode, radius, hours) in enumerate(hubs):
            with tenant_session(actor) as db:
                area = save_service_area(
                    db,
                    actor,
                    name=name,
                    hub_pincode=pincode,
                    radius_km=radius,
                    max_response_time_hours=hours,
                )
                area_id = area.id
            technicians = _technicians(owner, admin, name, index, per_hub, rng)
            with tenant_session(actor) as db:
                for position, (user_id, skills) in enumerate(technicians):
                    status = (
                        "busy"
                        if position == 1 and index % 3 == 0
                        else "off"
                        if position == 2 and index % 4 == 1
                        else "available"
                    )
                    db.add(
                        TechnicianCoverage(
                            tenant_id=owner.id,
                            technician_id=user_id,
                            service_area_id=area_id,
                            specialties=list(skills),
                            availability={
                                "status": status,
                                "shift": "09:00-18:00",
                                "days": "Mon-Sat",
                            },
                        )
                    )
                    # The dispatcher plans with the same people, from the same hub.
                    db.add(
                        Technician(
                            tenant_id=owner.id,
                            user_id=user_id,
                            home_area_id=area_id,
                            skills=list(skills),
                            pincode=pincode,
                            status=status,
                        )
                    )
                    mapped += 1
    return mapped


def _technicians(
    owner: Tenant, admin: Actor, hub: str, index: int, count: int, rng: random.Random
) -> list[tuple]:
    """Technician accounts of the hub (the demo technician leads Delhi South)."""
    people = []
    with tenant_session(admin) as db:
        if index == 0 and owner.kind == TenantKind.SERVICE_PARTNER.value:
            lead = db.exec(
                select(User).where(User.email == f"{Role.TECHNICIAN.value}@demo.yantra.in")
            ).first()
            if lead is not None:
                people.append((lead.id, SKILL_SETS[0]))
        slug = "kaveri" if owner.kind == TenantKind.SERVICE_PARTNER.value else "medivance"
        while len(people) < count:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{first.lower()}.{last.lower()}.{index}{len(people)}@{slug}.demo.yantra.in"
            user = create_user(
                db, admin, owner, email, f"{first} {last}", [Role.TECHNICIAN.value], None
            )
            skills = SKILL_SETS[(index + len(people)) % len(SKILL_SETS)]
            people.append((user.id, skills if slug == "kaveri" else SKILL_SETS[0]))
    return people
