"""The ops console's field view: where each technician was last seen and when their phone
last synced, today's arrivals at devices, parts requests from site, and the changes made
offline that no longer fit (sync conflicts), each answered by the dispatcher."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import Actor
from services.common.clock import ist_text
from services.common.roles import DISPATCHERS
from services.db import tenant_session
from services.errors import Invalid
from services.field.dispatcher import field_overview, list_conflicts, resolve_conflict
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/ops"
_METHODS = {"qr": "QR scanned", "short_code": "code typed"}
_CHANGES = {
    "ticket.status": "status",
    "checkin": "check-in",
    "checklist.step": "checklist step",
    "part.used": "part used",
    "ticket.note": "note",
    "photo.added": "photo",
    "signoff": "sign-off",
}


def _when(stamp: str | None) -> str:
    return ist_text(stamp, "%d %b %H:%M", empty="never")


def _what(conflict: dict) -> str:
    payload = conflict.get("payload") or {}
    change = _CHANGES.get(conflict["type"], conflict["type"])
    return f"{change} → {payload['status']}" if payload.get("status") else change


class FieldDeskState(AuthState):
    technicians: list[dict[str, str]] = []
    arrivals: list[dict[str, str]] = []
    waiting: list[dict[str, str]] = []
    conflicts: list[dict[str, str]] = []
    quiet: str = ""  # technicians whose phones have sent nothing yet

    def refresh_desk(self, actor: Actor) -> None:
        """Reads the field's state as `actor` (a dispatcher or service manager) sees it."""
        if not actor.roles & DISPATCHERS:
            return
        with tenant_session(actor) as db:
            overview = field_overview(db, actor)
            conflicts = list_conflicts(db, actor)
        self.technicians = [
            {
                "name": t["name"] or "",
                "seen": _when(t["lastFixAt"]),
                "synced": _when(t["lastSyncAt"]),
                "where": "" if t["lat"] is None else f"{t['lat']:.4f}, {t['lon']:.4f}",
            }
            for t in overview["technicians"]
            if t["lastSyncAt"] or t["lastFixAt"]
        ]
        silent = len(overview["technicians"]) - len(self.technicians)
        self.quiet = (
            f"{silent} more technician(s) have not used the field app yet." if silent else ""
        )
        self.arrivals = [
            {
                "number": str(a["number"]),
                "ticket": a["ticketId"],
                "technician": a["technician"] or "",
                "at": _when(a["at"]),
                "how": _METHODS.get(a["method"] or "", a["method"] or ""),
                "distance": "" if a["distanceM"] is None else f"{a['distanceM']} m from the site",
            }
            for a in overview["arrivals"]
        ]
        self.waiting = [
            {
                "number": str(w["number"]),
                "ticket": w["ticketId"],
                "technician": w.get("technician") or "",
                "reason": w.get("reason") or "",
                "at": _when(w.get("at")),
            }
            for w in overview["waitingParts"]
        ]
        self.conflicts = [
            {
                "id": c["id"],
                "number": str(c["ticketNumber"] or ""),
                "ticket": c["ticketId"] or "",
                "technician": c["technician"] or "",
                "what": _what(c),
                "made": _when(c["clientTime"]),
                "reason": c["reason"] or "",
            }
            for c in conflicts
        ]

    @rx.event
    @guarded(ROUTE)
    def show(self, actor: Actor, value: str | list[str]):
        if (value if isinstance(value, str) else value[0]) == "field":
            self.refresh_desk(actor)

    @rx.event
    @guarded(ROUTE, roles=DISPATCHERS, refused="Only a dispatcher answers sync conflicts")
    def resolve(self, actor: Actor, conflict_id: str, action: str):
        try:
            key = uuid.UUID(str(conflict_id))
        except ValueError as exc:
            raise Invalid("conflict", "is not a conflict of this console") from exc
        with tenant_session(actor) as db:
            resolve_conflict(db, actor, key, action)
        self.refresh_desk(actor)
        done = "applied" if action == "apply" else "dismissed"
        return rx.toast.success(f"The technician's change was {done}")
