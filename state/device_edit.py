"""The device page's Edit dialog: the owner changes a device's site and details (serial,
installation date, UDI, AMC or CMC cover, SLA tier) with the checks of registration; a
mistake is shown under the field it concerns, and every change is audited."""

from __future__ import annotations

import uuid
from datetime import date

import reflex as rx
from sqlalchemy import text

from services.actor import Actor
from services.common.roles import DEVICE_KEEPERS
from services.db import tenant_session
from services.devices.lifecycle import DeviceEdit, update_device
from services.devices.models import Equipment
from services.devices.registry import AMC_STATUSES, SLA_TIERS
from services.errors import Conflict, Invalid
from state.auth import AuthState
from state.device_lifecycle import DeviceLifecycleState
from state.devices import DeviceState
from state.guard import guarded

ROUTE = "/devices/detail"
FIELDS = ("facilityId", "serialNumber", "installationDate", "udi", "amcStatus", "amcStart")
FIELDS += ("amcEnd", "slaTier")
COVER_WORDS = {"none": "None", "warranty": "Warranty"}  # AMC and CMC stay as people say them


def _day(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid(field, "give a date as YYYY-MM-DD") from exc


class DeviceEditState(AuthState):
    can_edit: bool = False
    dialog_open: bool = False
    sites: list[dict[str, str]] = []
    amc_choices: list[dict[str, str]] = [
        {"value": c, "label": COVER_WORDS.get(c, c.upper())} for c in AMC_STATUSES
    ]
    sla_choices: list[str] = list(SLA_TIERS)
    form: dict[str, str] = {}
    saved: dict[str, str] = {}
    errors: dict[str, str] = {f: "" for f in FIELDS}

    def _device_id(self) -> uuid.UUID:
        try:
            return uuid.UUID(self.router.page.params.get("device_id", ""))
        except ValueError as exc:
            raise Invalid("device", "is not a device you can see") from exc

    @rx.event
    @guarded(ROUTE)
    def load(self, actor: Actor):
        self.can_edit, self.dialog_open = False, False
        self.errors = {f: "" for f in FIELDS}
        with tenant_session(actor) as db:
            device = db.get(Equipment, self._device_id())
            if device is None or device.tenant_id != actor.tenant_id:
                return
            self.sites = [
                {"id": str(r.id), "name": r.name}
                for r in db.execute(
                    text(
                        "SELECT id, name FROM healthcare_facilities WHERE tenant_id = :t "
                        "ORDER BY name"
                    ),
                    {"t": actor.tenant_id},
                )
            ]
            self.saved = {
                "facilityId": str(device.facility_id or ""),
                "serialNumber": device.serial_number,
                "installationDate": device.install_date.isoformat() if device.install_date else "",
                "udi": device.udi or "",
                "amcStatus": device.amc_status,
                "amcStart": device.amc_start.isoformat() if device.amc_start else "",
                "amcEnd": device.amc_end.isoformat() if device.amc_end else "",
                "slaTier": device.current_sla or "",
            }
            live = device.service_state != "decommissioned"
        self.form = dict(self.saved)
        self.can_edit = bool(actor.roles & DEVICE_KEEPERS) and live

    @rx.event
    @guarded(ROUTE)
    def set_field(self, actor: Actor, field: str, value: str):
        if field in FIELDS:
            self.form = {**self.form, field: str(value)[:200]}
            self.errors = {**self.errors, field: ""}

    @rx.event
    @guarded(ROUTE)
    def set_dialog_open(self, actor: Actor, value: bool):
        self.dialog_open = bool(value)
        if self.dialog_open:  # a fresh start each time it opens
            self.form, self.errors = dict(self.saved), {f: "" for f in FIELDS}

    def _edit(self) -> DeviceEdit:
        """Only what the owner changed, so the audit names it."""
        f, was = self.form, self.saved
        changed = {k for k in FIELDS if f.get(k, "") != was.get(k, "")}
        site = f["facilityId"] if "facilityId" in changed else ""
        return DeviceEdit(
            serial_number=f["serialNumber"] if "serialNumber" in changed else None,
            installation_date=(
                _day(f["installationDate"], "installationDate")
                if "installationDate" in changed
                else None
            ),
            udi=f["udi"] if "udi" in changed else None,
            amc_status=f["amcStatus"] or None,
            amc_start=_day(f["amcStart"], "amcStart"),
            amc_end=_day(f["amcEnd"], "amcEnd"),
            sla_tier=f["slaTier"] or None,
            facility_id=uuid.UUID(site) if site else None,
        )

    @rx.event
    @guarded(ROUTE, roles=DEVICE_KEEPERS, refused="Only the device's owner changes it")
    def save(self, actor: Actor):
        try:
            edit = self._edit()
            with tenant_session(actor) as db:
                update_device(db, actor, self._device_id(), edit)
        except Invalid as exc:
            field = {"gtin": "udi"}.get(exc.field, exc.field)
            if field not in FIELDS:
                raise
            self.errors = {**self.errors, field: exc.reason}
            return None
        except Conflict as exc:
            if "serial" not in exc.message.lower():
                raise
            self.errors = {**self.errors, "serialNumber": exc.message}
            return None
        self.dialog_open = False
        # the page's facts and lifecycle badge read again, the toast stays in view
        return [
            rx.toast.success("Device details saved"),
            DeviceState.load,
            DeviceLifecycleState.load,
            DeviceEditState.load,
        ]
