"""The ticket page: timeline, SLA clocks, comments and field photos, next steps."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

import reflex as rx
from sqlmodel import select

from services.actor import Actor
from services.common.clock import IST
from services.common.money import format_inr
from services.db import tenant_session
from services.errors import DomainError
from services.tickets.machine import ALLOWED
from services.tickets.models import TicketAttachment
from services.tickets.service import add_comment, change_status, get_ticket
from services.uploads import PHOTO_BYTES, read_upload
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/tickets/detail"
FIELDS = (
    "ticketId",
    "number",
    "status",
    "priority",
    "source",
    "errorCode",
    "description",
    "deviceId",
    "city",
    "openedAt",
    "responseDueAt",
    "resolutionDueAt",
    "penalty",
    "policy",
    "escalationLevel",
    "contractId",
)


def _ist(stamp: str | None) -> str:
    if not stamp:
        return "—"
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %Y %H:%M")


class TicketState(AuthState):
    info: dict[str, str] = dict.fromkeys(FIELDS, "")
    history: list[dict[str, str]] = []
    photos: list[dict[str, str]] = []
    next_steps: list[str] = []
    missing: bool = False
    comment: str = ""

    def _fill(self, actor) -> None:
        try:
            ticket_id = uuid.UUID(self.router.page.params.get("ticket_id", ""))
            with tenant_session(actor) as db:
                detail = get_ticket(db, ticket_id)
                photos = list(
                    db.exec(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket_id))
                )
        except (ValueError, DomainError):
            self.missing = True
            return
        self.missing = False
        sla = detail["sla"]
        self.info = {
            **{k: str(detail.get(k) or "") for k in FIELDS},
            "openedAt": _ist(detail["openedAt"]),
            "responseDueAt": _ist(sla["responseDueAt"]),
            "resolutionDueAt": _ist(sla["resolutionDueAt"]),
            "policy": sla["policy"],
            "penalty": format_inr(detail["penaltyPaise"]),
            "escalationLevel": str(sla["escalationLevel"]),
        }
        self.history = [
            {
                "at": _ist(h["at"]),
                "kind": h["kind"],
                "by": h["by"] or "",
                "change": f"{h['from']} → {h['to']}" if h["from"] else (h["to"] or ""),
                "note": h["note"] or "",
            }
            for h in reversed(detail["history"])
        ]
        self.photos = [
            {
                "name": p.file_name,
                "src": f"data:{p.content_type};base64," + base64.b64encode(p.data).decode(),
            }
            for p in photos
        ]
        self.next_steps = list(ALLOWED[detail["status"]])

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self._fill(actor)

    @rx.event
    @guarded(ROUTE)
    def move(self, actor: Actor, status: str):
        with tenant_session(actor) as db:
            change_status(db, actor, uuid.UUID(self.info["ticketId"]), status)
        self._fill(actor)

    @rx.event
    def set_comment(self, value: str):
        self.comment = value[:4000]

    @rx.event
    @guarded(ROUTE)
    async def post_comment(self, actor: Actor, files: list[rx.UploadFile]):
        photo = None
        if files:
            upload = files[0]
            data = await read_upload(upload, PHOTO_BYTES, "photo")
            photo = (upload.name or "photo", upload.content_type or "", data)
        with tenant_session(actor) as db:
            add_comment(db, actor, uuid.UUID(self.info["ticketId"]), self.comment, photo)
        self.comment = ""
        self._fill(actor)
        return rx.clear_selected_files("ticket-photo")
