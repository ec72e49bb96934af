"""The hospital's or lab's service desk (/service): their tickets with filters, one ticket
opened in a panel to comment on, confirm or reopen, and their devices by site with
uptime."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import Actor
from services.common.clock import ist_text
from services.db import tenant_session
from services.errors import Invalid
from services.tickets import desk
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/service"
ALL = "all"


def _when(stamp: str | None, empty: str = "") -> str:
    return ist_text(stamp, "%d %b %H:%M", empty=empty)


def _row(t: dict) -> dict[str, str]:
    return {
        "id": t["ticketId"],
        "number": str(t["number"]),
        "priority": t["priority"],
        "status": t["status"].replace("_", " "),
        "site": t["site"],
        "device": t["device"] + (f" ({t['serial']})" if t["serial"] else ""),
        "description": t["description"],
        "opened": _when(t["openedAt"]),
        "clock": (f"{t['clock']} due {_when(t['clockDueAt'])}" if t["clockDueAt"] else "stopped"),
        "breached": "yes" if t["breached"] else "",
        "engineer": t["engineer"] or ("—" if t["clockDueAt"] is None else "not yet assigned"),
        "eta": _when(t["etaAt"], "—"),
    }


class ServiceDeskState(AuthState):
    tickets: list[dict[str, str]] = []
    sites: list[dict[str, str]] = []  # (id, name) for the filter
    device_types: list[str] = []
    fleet: list[dict[str, str]] = []  # devices by site, with uptime
    site: str = ALL
    device_type: str = ALL
    status: str = ALL
    ticket: dict[str, str] = {}
    history: list[dict[str, str]] = []
    can_confirm: bool = False
    can_reopen: bool = False
    panel_open: bool = False
    comment: str = ""
    reason: str = ""

    def _refresh(self, actor: Actor) -> None:
        site = None if self.site == ALL else uuid.UUID(self.site)
        with tenant_session(actor) as db:
            choices = desk.desk_choices(db, actor)
            rows = desk.desk_tickets(
                db,
                actor,
                site=site,
                device_type=None if self.device_type == ALL else self.device_type,
                status=None if self.status == ALL else self.status,
            )
            self.fleet = [
                {
                    "site": group["site"],
                    "id": d["deviceId"],
                    "device": d["name"],
                    "serial": d["serial"],
                    "state": d["serviceState"].replace("_", " "),
                    "uptime": f"{d['uptimePercent']:.2f}%",
                    "low": "yes" if d["uptimePercent"] < 95 else "",
                    "open": str(d["openTickets"]),
                    "cover": d["cover"].upper() if d["cover"] != "none" else "none",
                }
                for group in desk.devices_by_site(db, actor)
                for d in group["devices"]
            ]
        self.sites = [{"id": s["id"], "name": s["name"]} for s in choices["sites"]]
        self.device_types = choices["deviceTypes"]
        self.tickets = [_row(t) for t in rows]

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self.panel_open = False
        self._refresh(actor)

    @rx.event
    @guarded(ROUTE)
    def filter_site(self, actor: Actor, value: str):
        if value != ALL and value not in {s["id"] for s in self.sites}:
            raise Invalid("site", "is not one of your sites")
        self.site = value
        self._refresh(actor)

    @rx.event
    @guarded(ROUTE)
    def filter_type(self, actor: Actor, value: str):
        self.device_type = str(value)[:80]
        self._refresh(actor)

    @rx.event
    @guarded(ROUTE)
    def filter_status(self, actor: Actor, value: str):
        if value not in (ALL, *desk.STATUS_GROUPS):
            raise Invalid("status", "must be open, resolved or closed")
        self.status = value
        self._refresh(actor)

    def _show(self, actor: Actor, ticket_id: str) -> None:
        try:
            key = uuid.UUID(str(ticket_id))
        except ValueError as exc:
            raise Invalid("ticket", "is not one of your tickets") from exc
        with tenant_session(actor) as db:
            d = desk.desk_ticket(db, actor, key)
        sla = d["sla"]
        self.ticket = {
            "id": d["ticketId"],
            "number": str(d["number"]),
            "priority": d["priority"],
            "status": d["status"].replace("_", " "),
            "description": d["description"],
            "engineer": d["engineer"] or "not yet assigned",
            "eta": _when(d["etaAt"], "—"),
            "response": _when(sla["responseDueAt"], "—"),
            "resolution": _when(sla["resolutionDueAt"], "—"),
            "resolved": _when(sla["resolvedAt"], "—"),
        }
        self.history = [
            {
                "at": _when(h["at"]),
                "what": h["kind"] if h["kind"] != "status" else f"{h['from']} → {h['to']}",
                "by": h["by"] or "",
                "note": h["note"] or "",
            }
            for h in reversed(d["history"])
        ]
        self.can_confirm, self.can_reopen = d["canConfirm"], d["canReopen"]

    @rx.event
    @guarded(ROUTE)
    def open_panel(self, actor: Actor, ticket_id: str):
        self._show(actor, ticket_id)
        self.comment, self.reason, self.panel_open = "", "", True

    @rx.event
    def close_panel(self):
        self.panel_open = False

    @rx.event
    def set_comment(self, value: str):
        self.comment = value[:4000]

    @rx.event
    def set_reason(self, value: str):
        self.reason = value[:2000]

    @rx.event
    @guarded(ROUTE)
    def post_comment(self, actor: Actor):
        with tenant_session(actor) as db:
            desk.comment(db, actor, uuid.UUID(self.ticket["id"]), self.comment)
        self.comment = ""
        self._show(actor, self.ticket["id"])
        return rx.toast.success("Comment added")

    @rx.event
    @guarded(ROUTE)
    def confirm(self, actor: Actor):
        with tenant_session(actor) as db:
            desk.confirm(db, actor, uuid.UUID(self.ticket["id"]))
        self._show(actor, self.ticket["id"])
        self._refresh(actor)
        return rx.toast.success(f"Ticket #{self.ticket['number']} confirmed and closed")

    @rx.event
    @guarded(ROUTE)
    def reopen(self, actor: Actor):
        with tenant_session(actor) as db:
            desk.reopen(db, actor, uuid.UUID(self.ticket["id"]), self.reason)
        self.reason = ""
        self._show(actor, self.ticket["id"])
        self._refresh(actor)
        return rx.toast.success(f"Ticket #{self.ticket['number']} reopened")
