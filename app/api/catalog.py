"""Catalog routes: search with facets and cursors for everyone signed in; adding,
changing, withdrawing and importing SKUs for OEM users."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from app.api.contract import GstSlab, page_cursor, page_limit, page_offset
from app.api.deps import current_actor, require_roles
from services.actor import Actor
from services.catalog import search
from services.catalog.filters import spec_filters
from services.catalog.importer import MAX_BYTES, import_catalog
from services.catalog.rules import MAX_PRICE_PAISE
from services.catalog.service import (
    create_sku,
    deactivate_sku,
    get_sku,
    list_skus,
    sku_json,
    update_sku,
)
from services.common.roles import SELLERS
from services.db import tenant_session
from services.errors import Invalid
from services.tenancy.service import directory
from services.uploads import body_limit, megabytes, read_file

router = APIRouter(tags=["catalog"])

# API names of the fields a PATCH may change, and their names in the service.
_PATCHABLE = {
    "name": "name",
    "category": "category",
    "imdrClass": "imdr_class",
    "listPricePaise": "list_price_paise",
    "gstRate": "gst_rate",
    "attrs": "attrs",
    "description": "description",
    "datasheetUrl": "datasheet_url",
    "isActive": "is_active",
    "specs": "specs",
}


class NewSku(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    category: str = Field(max_length=80)
    imdrClass: str = Field(max_length=1, description="A, B, C or D")
    listPricePaise: int = Field(
        ge=0, le=MAX_PRICE_PAISE, description="list price before GST, in paise"
    )
    gstRate: GstSlab = Field(Decimal("12"), description="0, 5, 12, 18 or 28")
    attrs: dict[str, Any] = Field(default_factory=dict)
    specs: dict[str, Any] = Field(
        default_factory=dict,
        description='the category\'s figures, e.g. {"fieldStrengthT": 1.5} for an MRI',
    )
    description: str = ""
    datasheetUrl: str | None = None


class SkuChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    category: str | None = None
    imdrClass: str | None = None
    listPricePaise: int | None = Field(None, ge=0, le=MAX_PRICE_PAISE)
    gstRate: GstSlab | None = None
    attrs: dict[str, Any] | None = None
    specs: dict[str, Any] | None = None
    description: str | None = None
    datasheetUrl: str | None = None
    isActive: bool | None = None


def _oem_ids(values: list[str]) -> tuple[uuid.UUID, ...]:
    try:
        return tuple(uuid.UUID(v) for v in values if v)
    except ValueError:
        raise Invalid("oemId", "must be an organisation id (UUID)") from None


@router.get("/skus", summary="SKUs the caller may see")
def skus(
    mine: bool = Query(False, description="only the caller's own SKUs (OEMs)"),
    limit: int = page_limit(50, 200),
    offset: int = page_offset(),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        items = list_skus(db, own_only=mine, actor=actor, limit=limit, offset=offset)
    return {"skus": items, "limit": limit, "offset": offset}


@router.get(
    "/skus/search",
    summary="Search the catalog: typos and synonyms forgiven, all words first, with facets",
)
def search_catalog(
    q: str = Query("", description="words, a model name or a SKU code; typos are forgiven"),
    category: list[str] = Query([], description="categories (any of them)"),
    riskClass: list[str] = Query([], description="A, B, C or D (any of them)"),  # noqa: N803
    oemId: list[str] = Query([], description="OEM organisation ids (any of them)"),  # noqa: N803
    priceBand: list[str] = Query(  # noqa: N803
        [], description="under_1l, 1l_10l, 10l_1cr or over_1cr (any of them)"
    ),
    spec: list[str] = Query(
        [], description="specification figures as name:figure, e.g. fieldStrengthT:1.5"
    ),
    first: int = page_limit(20, 100),
    after: str | None = page_cursor("pageInfo.endCursor of the previous page"),
    actor: Actor = Depends(current_actor),
) -> dict:
    filters = search.Filters(
        categories=tuple(category),
        risk_classes=tuple(riskClass),
        oem_ids=_oem_ids(oemId),
        price_bands=tuple(priceBand),
        specs=spec_filters(spec),
    )
    with tenant_session(actor) as db:
        return search.search_skus(db, q, filters, first=first, after=after or None).as_json()


@router.post(
    "/skus/import",
    summary="Import SKUs from a CSV price list (OEM users)",
    description=f"A CSV file of at most {megabytes(MAX_BYTES)}; a larger request is "
    "refused with 413 while it streams.",
    max_body_size=body_limit(MAX_BYTES),
)
def import_csv(
    file: UploadFile = File(...), actor: Actor = Depends(require_roles(*SELLERS))
) -> dict:
    data = read_file(file.file, MAX_BYTES, "price list")
    if not data:
        raise Invalid("file", "is empty")
    with tenant_session(actor) as db:
        return import_catalog(db, actor, data).as_json()


@router.post("/skus", status_code=201, summary="Add a SKU to the caller's catalog (OEM users)")
def add_sku(body: NewSku, actor: Actor = Depends(require_roles(*SELLERS))) -> dict:
    with tenant_session(actor) as db:
        sku = create_sku(
            db,
            actor,
            body.code,
            body.name,
            body.category,
            body.imdrClass,
            body.listPricePaise,
            body.gstRate,
            body.attrs,
            description=body.description,
            datasheet_url=body.datasheetUrl,
            specs=body.specs,
        )
        return sku_json(sku, directory(db).get(sku.tenant_id, ("", ""))[0])


@router.get("/skus/{sku_id}", summary="One SKU")
def one_sku(sku_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return get_sku(db, sku_id)


@router.patch("/skus/{sku_id}", summary="Change a SKU of the caller's catalog (OEM users)")
def change_sku(
    sku_id: uuid.UUID, body: SkuChanges, actor: Actor = Depends(require_roles(*SELLERS))
) -> dict:
    given = body.model_dump(exclude_unset=True)
    if any(value is None and key != "datasheetUrl" for key, value in given.items()):
        field = next(k for k, v in given.items() if v is None and k != "datasheetUrl")
        raise Invalid(field, "cannot be null")
    with tenant_session(actor) as db:
        sku = update_sku(db, actor, sku_id, {_PATCHABLE[k]: v for k, v in given.items()})
        return sku_json(sku, directory(db).get(sku.tenant_id, ("", ""))[0])


@router.delete("/skus/{sku_id}", summary="Withdraw a SKU from the marketplace (OEM users)")
def withdraw_sku(sku_id: uuid.UUID, actor: Actor = Depends(require_roles(*SELLERS))) -> dict:
    with tenant_session(actor) as db:
        sku = deactivate_sku(db, actor, sku_id)
        return sku_json(sku, directory(db).get(sku.tenant_id, ("", ""))[0])
