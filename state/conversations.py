"""The service desk's WhatsApp threads: each with its ticket, the messages both ways with
their delivery status, and replying from the platform (which takes the thread over)."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import Actor
from services.common.clock import ist_text
from services.db import tenant_session
from services.errors import Invalid
from services.whatsapp import desk
from services.whatsapp.triage import LABELS
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/conversations"
_STATES = {
    "new": "reading the report",
    "awaiting_device": "asked which device",
    "awaiting_intent": "asked what kind of request",
    "ticket_open": "ticket open",
    "closed": "closed",
}


def _shown_phone(phone: str) -> str:
    """+919810000102 as Indians write it: +91 98100 00102."""
    if phone.startswith("+91") and len(phone) == 13:
        return f"+91 {phone[3:8]} {phone[8:]}"
    return phone


def _thread_row(t: dict) -> dict[str, str]:
    return {
        "id": t["id"],
        "phone": _shown_phone(t["phone"]),
        "state": _STATES.get(t["state"], t["state"]),
        "intent": LABELS.get(t["intent"] or "", ""),
        "ticket": f"#{t['ticketNumber']}" if t["ticketNumber"] else "",
        "ticket_id": t["ticketId"] or "",
        "ticket_status": t["ticketStatus"] or "",
        "priority": t["priority"] or "",
        "device": t["device"] or "device not known yet",
        "site": t["site"] or "",
        "when": ist_text(t["lastMessageAt"], "%d %b %H:%M"),
        "taken": "yes" if t["takenOver"] else "",
        "count": str(t["messages"]),
    }


def _message_row(m: dict) -> dict[str, str]:
    status = m["status"] if m["direction"] == "out" else ""
    if m["error"] and m["status"] in ("queued", "failed"):
        status = f"{m['status']} after {m['attempts']} tries: {m['error'][:80]}"
    return {
        "id": m["id"],
        "direction": m["direction"],
        "body": m["body"] or f"({m['kind']})",
        "status": status,
        "who": "Service desk" if m["byDesk"] else ("Yantra" if m["direction"] == "out" else ""),
        "when": ist_text(m["at"], "%d %b %H:%M"),
    }


class ConversationsState(AuthState):
    threads: list[dict[str, str]] = []
    selected: str = ""
    messages: list[dict[str, str]] = []
    reply_text: str = ""

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if actor is not None:
            self._refresh(actor)
        return redirect

    def _refresh(self, actor: Actor) -> None:
        with tenant_session(actor) as db:
            self.threads = [_thread_row(t) for t in desk.list_conversations(db, actor)]
            ids = {t["id"] for t in self.threads}
            if self.selected not in ids:
                self.selected = self.threads[0]["id"] if self.threads else ""
            self.messages = (
                [_message_row(m) for m in desk.thread(db, actor, uuid.UUID(self.selected))]
                if self.selected
                else []
            )

    @rx.event
    @guarded(ROUTE)
    def refresh(self, actor: Actor):
        self._refresh(actor)

    @rx.event
    @guarded(ROUTE)
    def open_thread(self, actor: Actor, thread_id: str):
        try:
            self.selected = str(uuid.UUID(str(thread_id)))
        except ValueError as exc:
            raise Invalid("thread", "is not a thread of this list") from exc
        self._refresh(actor)

    @rx.event
    def set_reply_text(self, value: str):
        self.reply_text = value[:4096]

    @rx.event
    @guarded(ROUTE)
    def send_reply(self, actor: Actor, form: dict):
        """Sends the reply to the selected thread's number as the service desk."""
        if not self.selected:
            raise Invalid("thread", "choose a thread first")
        with tenant_session(actor) as db:
            desk.reply(db, actor, uuid.UUID(self.selected), str(form.get("text") or ""))
        self.reply_text = ""
        self._refresh(actor)
        return rx.toast.success("Sent on WhatsApp; automatic answers stop for this thread")
