"""Fresh organisations and accounts per test, so tests never depend on each other."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import select

from services.actor import Actor, Role, TenantKind
from services.db import tenant_session
from services.identity.models import User
from services.tenancy.models import Tenant
from services.tenancy.service import create_tenant

PASSWORD = "correct-horse-battery"


def platform_admin() -> Actor:
    from services.db import system_session

    with system_session() as db:
        platform = db.exec(select(Tenant).where(Tenant.kind == "platform")).one()
    return Actor(
        None, platform.id, TenantKind.PLATFORM, frozenset({Role.PLATFORM_ADMIN}), "test-admin"
    )


@dataclass
class Org:
    tenant: Tenant
    actor: Actor
    email: str


def make_org(kind: TenantKind, role: Role, name: str | None = None) -> Org:
    """A new organisation with one account holding `role`; `actor` acts as that account."""
    from services.identity.service import create_user

    admin = platform_admin()
    tag = uuid.uuid4().hex[:8]
    with tenant_session(admin) as db:
        tenant = create_tenant(db, admin, name or f"Test {kind.value} {tag}", kind.value)
        email = f"{role.value}.{tag}@test.yantra.in"
        create_user(db, admin, tenant, email, f"Test {role.value}", [role.value], PASSWORD)
    with tenant_session(admin) as db:
        user = db.exec(select(User).where(User.email == email)).one()
    actor = Actor(user.id, tenant.id, kind, frozenset({role}), email)
    return Org(tenant, actor, email)


@dataclass
class ServedDevice:
    site_id: uuid.UUID
    device_id: uuid.UUID
    label_id: uuid.UUID


def make_served_device(
    hospital: Org,
    partner: Org | None,
    sku_code: str,
    *,
    pincode: str = "110029",
    sla_tier: str | None = None,
    contract_id: uuid.UUID | None = None,
) -> ServedDevice:
    """A new site of `hospital` with one registered device, granted to `partner`."""
    from datetime import date

    from services.devices.registry import RegisterDevice, register_device
    from services.geo.models import HealthcareFacility
    from services.tenancy.models import AccessGrant
    from services.tenancy.service import grant_access

    with tenant_session(hospital.actor) as db:
        site = HealthcareFacility(
            tenant_id=hospital.tenant.id,
            name=f"Test site {pincode}",
            pincode=pincode,
            facility_type="hospital",
        )
        db.add(site)
        db.flush()
        device, label = register_device(
            db,
            hospital.actor,
            RegisterDevice(
                serial_number=f"T-{uuid.uuid4().hex[:10]}",
                sku_code=sku_code,
                facility_id=site.id,
                installation_date=date(2025, 1, 1),
                sla_tier=sla_tier,
            ),
        )
        if contract_id is not None:
            device.contract_id = contract_id
            db.add(device)
        if (
            partner is not None
            and not db.exec(
                select(AccessGrant).where(
                    AccessGrant.tenant_id == hospital.tenant.id,
                    AccessGrant.grantee_tenant_id == partner.tenant.id,
                    AccessGrant.entity_type == "equipment",
                    AccessGrant.entity_id.is_(None),
                )
            ).first()
        ):
            grant_access(db, hospital.actor, partner.tenant.id, "equipment")
    return ServedDevice(site.id, device.id, label.id)
