"""The demo's spare parts: the imaging OEM's and the service partner's catalogues, stock
received at their hubs (so the movement ledger has deliveries in it) and reorder points,
with a few lines already at or below them so the parts page and the bell show low stock.
Written once (idempotent)."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlmodel import select

from services.actor import Actor, Role, TenantKind
from services.db import system_session, tenant_session
from services.parts.models import Part
from services.parts.movements import ReceiptLine, receive_stock
from services.parts.stock_levels import set_reorder_point
from services.tenancy.models import Tenant

log = logging.getLogger("yantra.seed")

OEM = "Medivance Imaging (demo)"
PARTNER = "Kaveri Biomedical Services (demo)"
# code, name, device type, unit cost in rupees
CATALOGUES = {
    OEM: (
        ("MVI-CT-TUBE-8M", "CT X-ray tube, 8 MHU", "CT", 38_00_000),
        ("MVI-MR-COLDHEAD", "MRI cold head assembly", "MRI", 22_50_000),
        ("MVI-MR-HE-SENSOR", "Helium level sensor", "MRI", 1_85_000),
        ("MVI-DR-DETECTOR", "Flat-panel detector, 43 x 43 cm", "X-ray", 14_20_000),
        ("MVI-US-PROBE-C5", "Convex ultrasound probe C5-1", "Ultrasound", 3_40_000),
    ),
    PARTNER: (
        ("KBS-SPO2-PROBE", "SpO2 finger probe, adult", "Patient monitor", 4_800),
        ("KBS-ECG-LEADS-5", "ECG lead set, 5 wire", "ECG", 6_500),
        ("KBS-VT-FLOW-SNS", "Ventilator flow sensor", "Ventilator", 18_000),
        ("KBS-INF-DOOR", "Infusion pump door assembly", "Infusion pump", 9_200),
    ),
}
# hub, code, received, reorder point: the lines marked low are at or below their point.
STOCK = {
    OEM: (
        ("Medivance Delhi NCR", "MVI-CT-TUBE-8M", 2, 1),
        ("Medivance Delhi NCR", "MVI-MR-HE-SENSOR", 1, 3),  # low
        ("Medivance Delhi NCR", "MVI-US-PROBE-C5", 4, 2),
        ("Medivance Mumbai", "MVI-MR-COLDHEAD", 1, 0),
        ("Medivance Mumbai", "MVI-DR-DETECTOR", 3, 1),
        ("Medivance Bengaluru", "MVI-CT-TUBE-8M", 1, 0),
        ("Medivance Bengaluru", "MVI-US-PROBE-C5", 5, 2),
    ),
    PARTNER: (
        ("Delhi South hub", "KBS-SPO2-PROBE", 40, 15),
        ("Delhi South hub", "KBS-VT-FLOW-SNS", 3, 5),  # low
        ("Gurugram hub", "KBS-ECG-LEADS-5", 12, 5),
        ("Mumbai Parel hub", "KBS-SPO2-PROBE", 8, 10),  # low
        ("Mumbai Parel hub", "KBS-INF-DOOR", 6, 2),
        ("Bengaluru Koramangala hub", "KBS-VT-FLOW-SNS", 7, 3),
        ("Chennai Egmore hub", "KBS-SPO2-PROBE", 25, 10),
    ),
}


def seed_parts() -> bool:
    """Write the demo parts once: catalogues, receipts at the hubs and reorder points.
    Returns False when they exist already (or the demo organisations do not)."""
    with system_session() as db:
        tenants = {t.name: t for t in db.exec(select(Tenant).where(Tenant.name.in_(list(STOCK))))}
        if len(tenants) < len(STOCK):
            return False
        if db.execute(
            text("SELECT 1 FROM part WHERE tenant_id = :t LIMIT 1"), {"t": tenants[OEM].id}
        ).first():
            return False
    for name, tenant in tenants.items():
        _seed_tenant(tenant, CATALOGUES[name], STOCK[name])
    log.info("demo parts stock received at the hubs, some below their reorder points")
    return True


def _seed_tenant(tenant: Tenant, catalogue: tuple, stock: tuple) -> None:
    keeper = Actor(
        None,
        tenant.id,
        TenantKind(tenant.kind),
        frozenset({Role.OEM_SERVICE_MANAGER}),
        "Stores (demo seed)",
    )
    with tenant_session(keeper) as db:
        for code, name, device_type, rupees in catalogue:
            db.add(
                Part(
                    tenant_id=tenant.id,
                    code=code,
                    name=name,
                    device_type=device_type,
                    unit_cost_paise=rupees * 100,
                )
            )
        db.flush()
        hubs = dict(
            db.execute(
                text("SELECT name, id FROM service_areas WHERE tenant_id = :t"), {"t": tenant.id}
            ).all()
        )
        for n, (hub, code, qty, point) in enumerate(stock):
            if hub not in hubs:
                continue
            line = ReceiptLine(code, qty, batch=f"B26-{11 + n:02d}")
            receive_stock(db, keeper, hubs[hub], [line], f"DN-2026-{1040 + n}")
            set_reorder_point(db, keeper, hubs[hub], code, point)
