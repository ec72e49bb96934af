"""The lab console: results arriving live (heard through the process's one listener,
services.events.live, on `lab_result`), critical values with a sound and an acknowledge
dialog, the verification queue with release, each analyzer's status and the error queue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import reflex as rx

from services.actor import Actor
from services.common.clock import ist_text
from services.common.roles import LAB_ADMINS, LAB_TEAM
from services.db import tenant_session
from services.errors import Invalid
from services.events.live import TooManyLive, hub
from services.lab import critical, verification
from services.lab.channels import ChannelIn, adopt_sender, analyzer_choices, unknown_senders
from services.lab.console import console
from services.lab.messages import reprocess
from state.auth import AuthState
from state.guard import guarded
from state.live import follow

ROUTE = "/lab"
STATUS_LABELS = {
    "ok": "receiving",
    "idle": "no message yet",
    "silent": "silent",
    "faults": "faults",
}


def _key(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise Invalid(field, "is not one of this console's") from exc


def _result(r: dict) -> dict[str, str]:
    return {
        **{k: str(v) for k, v in r.items() if not isinstance(v, bool)},
        "at": ist_text(r["at"], "%H:%M:%S"),
        "critical": "yes" if r["critical"] and not r["acknowledged"] else "",
        "value_units": f"{r['value']} {r['units']}".strip(),
    }


class LabState(AuthState):
    results: list[dict[str, str]] = []
    queue: list[dict[str, str]] = []
    criticals: list[dict[str, str]] = []
    analyzers: list[dict[str, str]] = []
    errors: list[dict[str, str]] = []
    auto_today: int = 0
    released_today: int = 0
    pending: int = 0
    results_today: int = 0
    live: bool = False
    last_change: str = ""
    ack_id: str = ""
    ack_what: str = ""
    ack_informed: str = ""
    ack_note: str = ""
    alarms: int = 0  # new critical values heard by this tab; each one sounds the alarm
    senders: list[dict[str, str]] = []
    devices: list[dict[str, str]] = []
    adopt_key: str = ""
    adopt_app: str = ""
    adopt_facility: str = ""
    adopt_name: str = ""
    adopt_device: str = ""
    _listening: bool = False
    _seen_criticals: set[str] = set()

    def _refresh(self, actor: Actor) -> None:
        """Reload what the console shows; a critical value new to this tab sounds."""
        with tenant_session(actor) as db:
            view = console(db)
        self.results = [_result(r) for r in view["results"]]
        self.queue = [_result(r) for r in view["queue"]]
        self.criticals = [
            {**{k: str(v) for k, v in c.items()}, "at": ist_text(c["foundAt"], "%H:%M")}
            for c in view["criticals"]
        ]
        self.analyzers = [
            {
                **{k: "" if v is None else str(v) for k, v in a.items()},
                "state": STATUS_LABELS.get(a["status"], a["status"]),
                "last": ist_text(a["lastMessageAt"], "%d %b %H:%M", empty="never"),
            }
            for a in view["analyzers"]
        ]
        self.errors = [
            {**{k: str(v) for k, v in e.items()}, "at": ist_text(e["at"], "%d %b %H:%M")}
            for e in view["errors"]
        ]
        counts = view["counts"]
        self.auto_today, self.released_today = counts["auto"], counts["released"]
        self.pending, self.results_today = counts["pending"], counts["today"]
        self._load_senders(actor)
        ids = {c["id"] for c in self.criticals}
        if ids - self._seen_criticals:
            self.alarms += 1
        self._seen_criticals = ids

    def _load_senders(self, actor: Actor) -> None:
        """Senders no channel knows, for those who may set up channels."""
        if not actor.roles & LAB_ADMINS:
            self.senders = []
            return
        self.senders = [
            {
                "key": f"{s['protocol']}|{s['sendingApplication']}|{s['sendingFacility']}",
                "application": s["sendingApplication"],
                "facility": s["sendingFacility"],
                "protocol": s["protocol"].upper(),
                "waiting": str(s["waiting"]),
                "last": ist_text(s["lastAt"], "%d %b %H:%M"),
                "sample": f"{s['sample']['messageType'] or '?'} · {s['sample']['controlId'] or '—'}",
            }
            for s in unknown_senders(actor)
        ]

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self._refresh(actor)
        return LabState.listen

    @rx.event
    @guarded(ROUTE, roles=LAB_TEAM, refused="Only lab staff release results")
    def release(self, actor: Actor, result_id: str):
        with tenant_session(actor) as db:
            done = verification.release(db, actor, [_key(result_id, "result")])
        self._refresh(actor)
        return rx.toast.success("Result released" if done else "Already released")

    @rx.event
    @guarded(ROUTE, roles=LAB_TEAM, refused="Only lab staff release results")
    def release_all(self, actor: Actor):
        ids = [_key(r["id"], "result") for r in self.queue if not r["critical"]]
        if not ids:
            return rx.toast.info("Nothing to release: critical values are released one by one")
        with tenant_session(actor) as db:
            done = verification.release(db, actor, ids)
        self._refresh(actor)
        return rx.toast.success(f"{done} result(s) released")

    @rx.event
    @guarded(ROUTE)
    def open_ack(self, actor: Actor, critical_id: str):
        match = [c for c in self.criticals if c["id"] == critical_id]
        if not match:
            return rx.toast.error("That critical value is no longer open")
        c = match[0]
        self.ack_id, self.ack_informed, self.ack_note = c["id"], "", ""
        self.ack_what = f"{c['test']} {c['value']} {c['units']} ({c['limit']}) · {c['patient']}"

    @rx.event
    def close_ack(self):
        self.ack_id = ""

    @rx.event
    def set_ack_informed(self, value: str):
        self.ack_informed = value[:300]

    @rx.event
    def set_ack_note(self, value: str):
        self.ack_note = value[:2000]

    @rx.event
    @guarded(ROUTE, roles=LAB_TEAM, refused="Only lab staff acknowledge critical values")
    def acknowledge(self, actor: Actor):
        with tenant_session(actor) as db:
            critical.acknowledge(
                db, actor, _key(self.ack_id, "critical value"), self.ack_informed, self.ack_note
            )
        self.ack_id = ""
        self._refresh(actor)
        return rx.toast.success("Critical value acknowledged")

    @rx.event
    @guarded(ROUTE, roles=LAB_TEAM, refused="Only lab staff reprocess messages")
    def reprocess(self, actor: Actor, message_id: str):
        with tenant_session(actor) as db:
            done = reprocess(db, actor, [_key(message_id, "message")])
        self._refresh(actor)
        if not done["queued"]:
            return rx.toast.error("That message cannot be processed again (no channel yet)")
        return rx.toast.success("Sent for processing again")

    @rx.event
    @guarded(ROUTE, roles=LAB_ADMINS, refused="Only lab admins set up analyzer channels")
    def open_adopt(self, actor: Actor, key: str):
        match = [s for s in self.senders if s["key"] == key]
        if not match:
            return rx.toast.error("That sender has a channel already")
        with tenant_session(actor) as db:
            self.devices = analyzer_choices(db)
        sender = match[0]
        self.adopt_key, self.adopt_device = key, ""
        self.adopt_app, self.adopt_facility = sender["application"], sender["facility"]
        self.adopt_name = f"{sender['application']} analyzer"[:120]

    @rx.event
    def close_adopt(self):
        self.adopt_key = ""

    @rx.event
    def set_adopt_name(self, value: str):
        self.adopt_name = value[:120]

    @rx.event
    def set_adopt_device(self, value: str):
        self.adopt_device = value[:36]

    @rx.event
    @guarded(ROUTE, roles=LAB_ADMINS, refused="Only lab admins set up analyzer channels")
    def adopt(self, actor: Actor):
        protocol = self.adopt_key.split("|", 1)[0]
        device = _key(self.adopt_device, "analyzer") if self.adopt_device else None
        done = adopt_sender(
            actor,
            ChannelIn(
                name=self.adopt_name.strip() or self.adopt_app,
                sendingApplication=self.adopt_app,
                sendingFacility=self.adopt_facility,
                protocol=protocol,
                deviceId=device,
            ),
        )
        self.adopt_key = ""
        self._refresh(actor)
        return rx.toast.success(
            f"Channel {done['name']} set up: {done['queued']} waiting message(s) sent for processing"
        )

    def _still_here(self) -> bool:
        return self.router.page.path == ROUTE and self._allowed(ROUTE) is not None

    @rx.event(background=True)
    async def listen(self):
        """Follow new results of this lab while the tab is on the console."""
        async with self:
            actor = self._allowed(ROUTE)
            if self._listening or actor is None:
                return
            self._listening = True
        mine = str(actor.tenant_id)
        try:
            sub = await hub().subscribe(
                "lab_result",
                lambda body: body.get("tenantId") in (mine, None),
                owner=str(actor.user_id),
            )
        except TooManyLive as exc:
            async with self:
                self._listening = False
            yield rx.toast.error(exc.message)
            return
        try:
            async with sub:
                async with self:
                    self._refresh(actor)
                    self.live = True
                await follow(self, sub, self._on_change)
        finally:
            async with self:
                self.live, self._listening = False, False

    async def _on_change(self, notices: list) -> bool:
        async with self:
            actor = self._allowed(ROUTE) if self.router.page.path == ROUTE else None
            if actor is None:
                return False
            self._refresh(actor)
            self.last_change = datetime.now(UTC).strftime("%H:%M:%S UTC")
        return True
