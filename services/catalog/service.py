"""Reading and writing the SKU catalog: OEM users add, change and withdraw their SKUs.

Every signed-in organisation reads the whole catalog; only the OEM that lists a SKU
changes it (row-level security enforces it, and the checks here say so clearly first).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from services.actor import Actor
from services.audit import service as audit
from services.catalog.models import Sku
from services.catalog.rules import (
    check_attrs,
    check_category,
    check_code,
    check_datasheet_url,
    check_description,
    check_gst_rate,
    check_name,
    check_price_paise,
    check_risk_class,
)
from services.catalog.specs import check_specs, spec_lines
from services.common.roles import SELLERS
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.events.service import emit
from services.tenancy.service import directory

# What update_sku may change, with the check each new value goes through.
_CHANGEABLE = {
    "name": check_name,
    "category": check_category,
    "imdr_class": check_risk_class,
    "list_price_paise": check_price_paise,
    "gst_rate": check_gst_rate,
    "attrs": check_attrs,
    "description": check_description,
    "datasheet_url": check_datasheet_url,
    "is_active": lambda value: _check_bool("isActive", value),
    "specs": lambda value: value,  # checked against the SKU's category in update_sku
}


def _check_bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(field, "must be true or false")
    return value


def create_sku(
    db: Session,
    actor: Actor,
    code: str,
    name: str,
    category: str,
    imdr_class: str,
    list_price_paise: int,
    gst_rate: Decimal = Decimal("12"),
    attrs: dict[str, Any] | None = None,
    *,
    description: str = "",
    datasheet_url: str | None = None,
    specs: dict[str, Any] | None = None,
) -> Sku:
    """Add a SKU to the actor's (OEM's) catalog, with its specifications (the figures its
    category states, services/catalog/specs.py). Raises Forbidden (not an OEM editor),
    Invalid (naming the field) or Conflict (the code is already listed)."""
    actor.require(*SELLERS)
    code = check_code(code)
    category = check_category(category)
    sku = Sku(
        tenant_id=actor.tenant_id,
        code=code,
        name=check_name(name),
        category=category,
        specs=check_specs(category, specs),
        imdr_class=check_risk_class(imdr_class),
        list_price_paise=check_price_paise(list_price_paise),
        gst_rate=check_gst_rate(gst_rate),
        attrs=check_attrs(attrs or {}),
        description=check_description(description),
        datasheet_url=check_datasheet_url(datasheet_url),
    )
    exists = db.exec(select(Sku.id).where(Sku.tenant_id == actor.tenant_id, Sku.code == code))
    if exists.first():
        raise Conflict(f"SKU {code} is already in your catalog")
    db.add(sku)
    db.flush()
    audit.record(db, actor, "sku.create", "sku", sku.id, f"SKU {code} added")
    emit(db, actor, "CatalogUpdated", "sku", sku.id, {"code": code})
    return sku


def _own_sku(db: Session, actor: Actor, sku_id: uuid.UUID) -> Sku:
    """The SKU if the actor's OEM lists it. NotFound when no such SKU is visible;
    Forbidden when another OEM lists it."""
    actor.require(*SELLERS)
    sku = db.get(Sku, sku_id)
    if sku is None:
        raise NotFound("No such SKU")
    if sku.tenant_id != actor.tenant_id:
        raise Forbidden("Only the OEM that lists this SKU can change it")
    return sku


def update_sku(db: Session, actor: Actor, sku_id: uuid.UUID, changes: dict[str, Any]) -> Sku:
    """Change some fields of the actor's SKU (name, category, imdr_class, list_price_paise,
    gst_rate, attrs, description, datasheet_url, is_active, specs). The code stays: it is
    what buyers and devices refer to. The specifications are checked against the category
    the SKU has after the change. Raises Invalid, NotFound or Forbidden."""
    unknown = sorted(set(changes) - set(_CHANGEABLE))
    if unknown:
        raise Invalid(unknown[0], "cannot be changed (the code is fixed; add a new SKU)")
    if not changes:
        raise Invalid("body", "give at least one field to change")
    sku = _own_sku(db, actor, sku_id)
    for key, value in changes.items():
        setattr(sku, key, _CHANGEABLE[key](value))
    sku.specs = check_specs(sku.category, sku.specs)
    db.add(sku)
    db.flush()
    db.refresh(sku)
    fields = ", ".join(sorted(changes))
    audit.record(db, actor, "sku.update", "sku", sku.id, f"SKU {sku.code} changed: {fields}")
    emit(db, actor, "CatalogUpdated", "sku", sku.id, {"code": sku.code, "fields": sorted(changes)})
    return sku


def deactivate_sku(db: Session, actor: Actor, sku_id: uuid.UUID) -> Sku:
    """Withdraw the actor's SKU from the marketplace (kept for the devices and quotes that
    refer to it). Idempotent. Raises NotFound or Forbidden."""
    sku = _own_sku(db, actor, sku_id)
    if sku.is_active:
        sku.is_active = False
        db.add(sku)
        db.flush()
        audit.record(db, actor, "sku.deactivate", "sku", sku.id, f"SKU {sku.code} withdrawn")
        emit(db, actor, "CatalogUpdated", "sku", sku.id, {"code": sku.code, "active": False})
    return sku


def sku_json(sku: Sku, oem_name: str) -> dict[str, Any]:
    """The public shape of a SKU, as the API and the pages show it."""
    return {
        "id": str(sku.id),
        "code": sku.code,
        "name": sku.name,
        "category": sku.category,
        "imdrClass": sku.imdr_class,
        "listPricePaise": sku.list_price_paise,
        "gstRate": str(sku.gst_rate),
        "attrs": sku.attrs,
        "specs": sku.specs,
        "specLines": spec_lines(sku.specs),
        "description": sku.description,
        "datasheetUrl": sku.datasheet_url,
        "isActive": sku.is_active,
        "oemId": str(sku.tenant_id),
        "oemName": oem_name,
        "updatedAt": sku.updated_at.isoformat() if sku.updated_at else None,
    }


def get_sku(db: Session, sku_id: uuid.UUID) -> dict[str, Any]:
    """One SKU with its OEM's name. Raises NotFound."""
    sku = db.get(Sku, sku_id)
    if sku is None:
        raise NotFound("No such SKU")
    return sku_json(sku, directory(db).get(sku.tenant_id, ("", ""))[0])


def list_skus(
    db: Session,
    *,
    own_only: bool = False,
    actor: Actor | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Active SKUs the caller may see (the whole marketplace, or only its own), with OEM
    names, by category and name."""
    stmt = select(Sku).where(Sku.is_active).order_by(Sku.category, Sku.name, Sku.id)
    if own_only and actor is not None:
        stmt = stmt.where(Sku.tenant_id == actor.tenant_id)
    names = directory(db)
    return [
        sku_json(s, names.get(s.tenant_id, ("", ""))[0])
        for s in db.exec(stmt.offset(offset).limit(limit))
    ]
