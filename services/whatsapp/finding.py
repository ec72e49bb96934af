"""Which device a message is about: a label photo (its QR read on the server), a label's
short code, a serial number or UDI in the text, else the organisation's devices to choose
from. Every lookup runs in the writer's tenant session, so only their devices are found."""

from __future__ import annotations

import io
import logging
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from services.errors import Conflict, Invalid
from services.qr.codes import as_short_code, read_label
from services.whatsapp.cloud_api import download_media

log = logging.getLogger("yantra.whatsapp")

_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{6,10}")

_DEVICE_SQL = """
SELECT e.id, e.serial_number, e.udi, s.name, s.category, s.imdr_class, f.name AS site
  FROM equipment e JOIN sku s ON s.id = e.sku_id
  LEFT JOIN healthcare_facilities f ON f.id = e.facility_id
 WHERE e.tenant_id = :tenant AND e.decommissioned_at IS NULL {extra}
 ORDER BY f.name NULLS LAST, s.name, e.serial_number
 LIMIT :limit
"""


@dataclass(frozen=True)
class DeviceChoice:
    id: uuid.UUID
    serial: str
    name: str
    category: str
    risk_class: str
    site: str

    def label(self) -> str:
        return f"{self.name} (S/N {self.serial})" + (f" at {self.site}" if self.site else "")


def _rows(db: Session, tenant_id: uuid.UUID, extra: str, params: dict, limit: int):
    sql = text(_DEVICE_SQL.format(extra=extra))
    rows = db.execute(sql, {"tenant": tenant_id, "limit": limit, **params}).all()
    return [
        DeviceChoice(r.id, r.serial_number, r.name, r.category, r.imdr_class or "B", r.site or "")
        for r in rows
    ]


def device_by_id(db: Session, tenant_id: uuid.UUID, device_id: uuid.UUID) -> DeviceChoice | None:
    """The organisation's device with that id, or None."""
    found = _rows(db, tenant_id, "AND e.id = :id", {"id": device_id}, 1)
    return found[0] if found else None


def devices_of(db: Session, tenant_id: uuid.UUID, limit: int = 10) -> list[DeviceChoice]:
    """The organisation's devices in service, by site and name (at most `limit`)."""
    return _rows(db, tenant_id, "", {}, limit)


def device_in_text(db: Session, tenant_id: uuid.UUID, message: str) -> DeviceChoice | None:
    """The device whose serial number or UDI the text names (or whose label's short code
    it carries); None when none or several match."""
    body = (message or "").upper()
    if len(body) < 4:
        return None
    found = _rows(
        db,
        tenant_id,
        "AND ((length(e.serial_number) >= 4 AND strpos(:body, upper(e.serial_number)) > 0) "
        "OR (length(e.udi) >= 8 AND strpos(:body, upper(e.udi)) > 0))",
        {"body": body},
        2,
    )
    if len(found) == 1:
        return found[0]
    for word in _WORDS.findall(message or ""):
        if as_short_code(word) and any(c.isdigit() for c in word):
            device = _device_from_label(db, tenant_id, word)
            if device:
                return device
    return None


def device_in_photo(db: Session, tenant_id: uuid.UUID, media_id: str) -> DeviceChoice | None:
    """The device whose Yantra label is in the photo (QR decoded here), or None when the
    photo cannot be fetched or shows no readable label of the organisation."""
    from PIL import Image, UnidentifiedImageError
    from pyzbar.pyzbar import ZBarSymbol, decode

    try:
        image = Image.open(io.BytesIO(download_media(media_id)))
        symbols = decode(image, symbols=[ZBarSymbol.QRCODE])
    except (Invalid, UnidentifiedImageError, OSError) as exc:
        log.warning("whatsapp: photo %s not read: %s", media_id, exc)
        return None
    for symbol in symbols:
        device = _device_from_label(db, tenant_id, symbol.data.decode("utf-8", "replace"))
        if device:
            return device
    return None


def _device_from_label(db: Session, tenant_id: uuid.UUID, payload: str) -> DeviceChoice | None:
    try:
        claim = read_label(db, payload)
    except (Invalid, Conflict) as exc:
        log.info("whatsapp: not a label of this organisation: %s", exc)
        return None
    return device_by_id(db, tenant_id, claim.device_id)
