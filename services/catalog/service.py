"""Reading and writing the SKU catalog."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from services.actor import Actor, Role
from services.audit import service as audit
from services.catalog.models import RISK_CLASSES, Sku
from services.errors import Conflict, Invalid
from services.events.service import emit
from services.tenancy.service import directory


def create_sku(db: Session, actor: Actor, code: str, name: str, category: str, imdr_class: str,
               list_price_paise: int, gst_rate: Decimal = Decimal("12"),
               attrs: dict[str, Any] | None = None) -> Sku:
    """Add a SKU to the actor's (OEM's) catalog. Raises Forbidden, Invalid or Conflict."""
    actor.require(Role.OEM_ADMIN, Role.OEM_SALES)
    code = code.strip().upper()
    if not code or len(code) > 64:
        raise Invalid("code", "is required (at most 64 characters)")
    if not name.strip():
        raise Invalid("name", "is required")
    if imdr_class not in RISK_CLASSES:
        raise Invalid("imdrClass", "must be A, B, C or D")
    if list_price_paise < 0:
        raise Invalid("listPrice", "cannot be negative")
    if not Decimal(0) <= Decimal(gst_rate) <= Decimal(28):
        raise Invalid("gstRate", "must be between 0 and 28 per cent")
    exists = db.exec(select(Sku).where(Sku.tenant_id == actor.tenant_id, Sku.code == code)).first()
    if exists:
        raise Conflict(f"SKU {code} is already in your catalog")
    sku = Sku(tenant_id=actor.tenant_id, code=code, name=name.strip(), category=category.strip(),
              imdr_class=imdr_class, list_price_paise=list_price_paise,
              gst_rate=Decimal(gst_rate), attrs=attrs or {})
    db.add(sku)
    db.flush()
    audit.record(db, actor, "sku.create", "sku", sku.id, f"SKU {code} added")
    emit(db, actor, "CatalogUpdated", "sku", sku.id, {"code": code})
    return sku


def list_skus(db: Session, *, own_only: bool = False, actor: Actor | None = None,
              limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """SKUs the caller may see (the whole marketplace, or only its own), with OEM names."""
    stmt = select(Sku).where(Sku.is_active).order_by(Sku.category, Sku.name)
    if own_only and actor is not None:
        stmt = stmt.where(Sku.tenant_id == actor.tenant_id)
    names = directory(db)
    return [
        {"id": str(s.id), "code": s.code, "name": s.name, "category": s.category,
         "imdrClass": s.imdr_class, "listPricePaise": s.list_price_paise,
         "gstRate": str(s.gst_rate), "oemId": str(s.tenant_id),
         "oemName": names.get(s.tenant_id, ("", ""))[0], "attrs": s.attrs}
        for s in db.exec(stmt.offset(offset).limit(limit))
    ]
