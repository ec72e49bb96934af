"""Reporting a fault: from a scanned label (device, facility and contract filled in) or
from a device page."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import Actor
from services.db import tenant_session
from services.devices.models import Equipment
from services.devices.scanning import device_context, log_refused_scan, scan
from services.errors import DomainError
from services.tickets.service import open_ticket
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/report"
SHOWN = ("deviceId", "serialNumber", "model", "facilityName", "pincode", "slaTier", "contract")


class ReportState(AuthState):
    device: dict[str, str] = dict.fromkeys(SHOWN, "")
    source: str = "portal"
    priority: str = "P3"
    error: str = ""

    def _show(self, context: dict) -> None:
        contract = context.get("contract")
        self.device = {k: str(context.get(k) or "") for k in SHOWN}
        self.device["contract"] = (
            f"{contract['kind'].upper()} · {contract['status']}" if contract else "none on record"
        )

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self.error, self.device, self.source = "", dict.fromkeys(SHOWN, ""), "portal"
        device_id = self.router.page.params.get("device", "")
        if device_id:
            try:
                with tenant_session(actor) as db:
                    device = db.get(Equipment, uuid.UUID(device_id))
                    if device is not None:
                        self._show(device_context(db, device))
            except ValueError:
                self.error = "That link does not name a device"

    @rx.event
    @guarded(ROUTE)
    def read_label(self, actor: Actor, form: dict):
        self.error = ""
        try:
            with tenant_session(actor) as db:
                context = scan(db, actor, form.get("payload", ""))
        except DomainError as exc:
            with tenant_session(actor) as db:
                log_refused_scan(db, actor, exc.message)
            self.error = exc.message
            return
        self._show(context)
        self.source = "qr_scan"

    @rx.event
    def set_priority(self, value: str | list[str]):
        self.priority = value if isinstance(value, str) else value[0]

    @rx.event
    @guarded(ROUTE)
    def submit(self, actor: Actor, form: dict):
        if not self.device["deviceId"]:
            self.error = "Scan the device's label first"
            return
        try:
            with tenant_session(actor) as db:
                ticket = open_ticket(
                    db,
                    actor,
                    uuid.UUID(self.device["deviceId"]),
                    self.priority,
                    form.get("error_code"),
                    form.get("description", ""),
                    self.source,
                )
        except DomainError as exc:
            self.error = exc.message
            return
        return rx.redirect(f"/tickets/{ticket.id}")
