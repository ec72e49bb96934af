"""The lab's message store on screen: a paged list filtered by channel, state, control id
and day (IST), and one message with each segment and field named, its state, error, ACK
sent and result count, and a Reprocess button."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import reflex as rx

from services.actor import Actor
from services.common.clock import IST, ist_text
from services.common.roles import LAB_ADMINS
from services.db import tenant_session
from services.errors import DomainError, Invalid
from services.lab.channels import list_channels
from services.lab.messages import get_message, reprocess, search_messages
from services.lab.models import MESSAGE_STATES
from state.auth import AuthState
from state.guard import guarded

LIST_ROUTE = "/lab/messages"
VIEW_ROUTE = "/lab/messages/detail"
PAGE = 25
ANY = "any"


def _uuid(raw: str, field: str) -> uuid.UUID | None:
    if not raw or raw == ANY:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise Invalid(field, "is not one of this lab's") from exc


def _day(raw: str) -> tuple[datetime | None, datetime | None]:
    if not raw:
        return None, None
    try:
        start = datetime.combine(datetime.strptime(raw, "%Y-%m-%d").date(), time(), IST)
    except ValueError as exc:
        raise Invalid("day", "must be a date") from exc
    return start, start + timedelta(days=1)


def _row(m: dict) -> dict[str, str]:
    return {
        "id": m["id"],
        "at": ist_text(m["receivedAt"], "%d %b %H:%M:%S"),
        "controlId": m["controlId"] or "—",
        "channel": m["channel"] or f"{m['sendingApplication']} (no channel)",
        "type": m["messageType"],
        "state": m["state"],
        "ack": m["ackSent"],
        "results": "" if m["resultCount"] is None else str(m["resultCount"]),
        "error": m["error"],
    }


class LabMessagesState(AuthState):
    rows: list[dict[str, str]] = []
    channels: list[dict[str, str]] = []
    states: list[dict[str, str]] = [
        {"value": ANY, "label": "Any state"},
        *({"value": s, "label": s} for s in MESSAGE_STATES),
    ]
    channel: str = ANY
    state: str = ANY
    control_id: str = ""
    day: str = ""
    offset: int = 0
    has_more: bool = False

    def _search(self, actor: Actor) -> None:
        since, until = _day(self.day)
        with tenant_session(actor) as db:
            found = search_messages(
                db,
                control_id=self.control_id.strip() or None,
                channel_id=_uuid(self.channel, "channel"),
                state=None if self.state == ANY else self.state,
                since=since,
                until=until,
                limit=PAGE,
                offset=self.offset,
            )
        self.rows = [_row(m) for m in found["messages"]]
        self.has_more = found["hasMore"]

    @rx.event
    def load(self):
        actor, redirect = self._enter(LIST_ROUTE)
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            self.channels = [
                {"id": ANY, "name": "All channels"},
                *({"id": c["id"], "name": c["name"]} for c in list_channels(db)),
            ]
        self.offset = 0
        self._search(actor)

    @rx.event
    def set_channel(self, value: str):
        self.channel = value[:36]

    @rx.event
    def set_state(self, value: str):
        self.state = value if value in MESSAGE_STATES else ANY

    @rx.event
    def set_control_id(self, value: str):
        self.control_id = value[:199]

    @rx.event
    def set_day(self, value: str):
        self.day = value[:10]

    @rx.event
    @guarded(LIST_ROUTE)
    def apply(self, actor: Actor):
        self.offset = 0
        self._search(actor)

    @rx.event
    @guarded(LIST_ROUTE)
    def clear(self, actor: Actor):
        self.channel, self.state, self.control_id, self.day, self.offset = ANY, ANY, "", "", 0
        self._search(actor)

    @rx.event
    @guarded(LIST_ROUTE)
    def page(self, actor: Actor, step: int):
        self.offset = max(0, self.offset + (PAGE if int(step) > 0 else -PAGE))
        self._search(actor)


class LabMessageState(AuthState):
    info: dict[str, str] = {}
    fields: list[dict[str, str]] = []
    raw: str = ""
    missing: bool = False

    def _fill(self, actor: Actor) -> None:
        try:
            message_id = uuid.UUID(self.router.page.params.get("message_id", ""))
            with tenant_session(actor) as db:
                message = get_message(db, message_id)
        except (ValueError, DomainError):
            self.missing, self.info, self.fields, self.raw = True, {}, [], ""
            return
        self.missing = False
        self.info = {
            **{k: "" if v is None else str(v) for k, v in message.items() if k != "segments"},
            "receivedAt": ist_text(message["receivedAt"], "%d %b %Y %H:%M:%S IST"),
            "processedAt": ist_text(message["processedAt"], "%d %b %Y %H:%M:%S IST", "—"),
            "sender": " / ".join(
                x for x in (message["sendingApplication"], message["sendingFacility"]) if x
            ),
        }
        self.raw = message["raw"].replace("\r", "\n")
        self.fields = []
        counts: dict[str, int] = {}
        for segment in message["segments"]:
            counts[segment["name"]] = counts.get(segment["name"], 0) + 1
            title = segment["title"] if segment["title"] != segment["name"] else ""
            label = f"{segment['name']} #{counts[segment['name']]}"
            self.fields.append({"kind": "segment", "position": label, "name": title, "value": ""})
            self.fields.extend({"kind": "field", **f} for f in segment["fields"])

    @rx.event
    def load(self):
        actor, redirect = self._enter(VIEW_ROUTE)
        if redirect or actor is None:
            return redirect
        self._fill(actor)

    @rx.event
    @guarded(VIEW_ROUTE, roles=LAB_ADMINS, refused="Only lab admins reprocess messages")
    def reprocess(self, actor: Actor):
        message_id = _uuid(self.info.get("id", ""), "message")
        if message_id is None:
            return rx.toast.error("No message to reprocess")
        with tenant_session(actor) as db:
            done = reprocess(db, actor, [message_id])
        self._fill(actor)
        if not done["queued"]:
            return rx.toast.error("This message cannot be processed again: no channel knows it")
        return rx.toast.success("Sent for processing again: reload in a moment to see the outcome")

    @rx.event
    @guarded(VIEW_ROUTE)
    def reload(self, actor: Actor):
        self._fill(actor)
