"""The device page's lifecycle dialog: move the device to another site of its owner, take
it out of service or back, or decommission it with a reason."""

from __future__ import annotations

import uuid

import reflex as rx
from sqlalchemy import text

from services.actor import Actor
from services.common.roles import DEVICE_KEEPERS
from services.db import tenant_session
from services.devices.lifecycle import set_service_state, transfer_device
from services.devices.models import Equipment
from services.errors import Invalid
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/devices/detail"
ACTIONS = ("transfer", "out_of_service", "in_service", "decommissioned")


class DeviceLifecycleState(AuthState):
    can_change: bool = False
    state: str = ""
    reason_shown: str = ""
    sites: list[dict[str, str]] = []
    action: str = "transfer"
    site: str = ""
    reason: str = ""
    dialog_open: bool = False

    def _device_id(self) -> uuid.UUID:
        try:
            return uuid.UUID(self.router.page.params.get("device_id", ""))
        except ValueError as exc:
            raise Invalid("device", "is not a device you can see") from exc

    @rx.event
    @guarded(ROUTE)
    def load(self, actor: Actor):
        self.can_change = False
        with tenant_session(actor) as db:
            device = db.get(Equipment, self._device_id())
            if device is None or device.tenant_id != actor.tenant_id:
                return
            self.state = device.service_state.replace("_", " ")
            self.reason_shown = device.service_state_reason
            self.sites = [
                {"id": str(r.id), "name": r.name}
                for r in db.execute(
                    text(
                        "SELECT id, name FROM healthcare_facilities WHERE tenant_id = :t "
                        "AND id IS DISTINCT FROM :f ORDER BY name"
                    ),
                    {"t": actor.tenant_id, "f": device.facility_id},
                )
            ]
        self.can_change = bool(actor.roles & DEVICE_KEEPERS) and self.state != "decommissioned"

    @rx.event
    def set_action(self, value: str):
        self.action = value if value in ACTIONS else "transfer"

    @rx.event
    def set_site(self, value: str):
        self.site = str(value)[:40]

    @rx.event
    def set_reason(self, value: str):
        self.reason = value[:500]

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = bool(value)

    @rx.event
    @guarded(ROUTE, roles=DEVICE_KEEPERS, refused="Only the device's owner changes it")
    def apply(self, actor: Actor):
        device_id = self._device_id()
        with tenant_session(actor) as db:
            if self.action == "transfer":
                try:
                    site = uuid.UUID(self.site)
                except ValueError as exc:
                    raise Invalid("facilityId", "choose the site to move it to") from exc
                transfer_device(db, actor, device_id, site, self.reason)
                done = "Device moved; its label stays valid"
            else:
                set_service_state(db, actor, device_id, self.action, self.reason)
                done = "Device " + self.action.replace("_", " ")
        self.dialog_open, self.reason = False, ""
        return [rx.toast.success(done), rx.call_script("window.location.reload()")]
