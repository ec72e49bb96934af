"""The dispatcher's plan: optimise in a worker with progress, see routes on the map,
accept to assign the tickets."""

from __future__ import annotations

import uuid
from datetime import datetime

import reflex as rx
from sqlmodel import select

from services.actor import Actor
from services.common.clock import IST
from services.db import tenant_session
from services.dispatch.flows import start_plan
from services.dispatch.freshness import change_lines, plan_changes
from services.dispatch.models import DispatchPlan
from services.dispatch.next_steps import apply_next_step, next_steps
from services.dispatch.override import apply_move, preview_move, sla_risk
from services.dispatch.picker import technician_choices
from services.dispatch.service import accept_plan, p1_at_risk, p1_words, plan_json
from services.dispatch.urgent import reject_proposal
from services.events.live import TooManyLive, hub
from services.geo.coverage import list_service_areas
from services.maps import dispatch_map
from state.auth import AuthState
from state.guard import guarded
from state.live import follow

ROUTE = "/dispatch"
LEAVE_OUT = "out"


def _stop_rows(routes: list[dict], only: list[str] | None = None) -> list[dict[str, str]]:
    return [
        {
            "technician": r["technician"],
            "order": str(i),
            "number": str(s["number"]),
            "ticketId": s["ticketId"],
            "priority": s["priority"],
            "device": s.get("deviceType") or "",
            "facility": s.get("facility") or "",
            "eta": _hhmm(s["eta"]),
            "travel": f"{s['travelMinutes']} min",
            "late": f"{s['lateMinutes']} min late" if s["lateMinutes"] else sla_risk(s),
            "violations": "; ".join(s.get("violations", [])) or "none",
        }
        for r in routes
        if only is None or r["technicianId"] in only
        for i, s in enumerate(r["stops"], start=1)
    ]


def _hhmm(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %H:%M")


def _pick_label(c: dict) -> str:
    """One line of the technician picker: who, where from, what they know, load, ETA."""
    late = f"{c['lateMinutes']} min late" if c["lateMinutes"] else "on time"
    breaks = f" · breaks {len(c['breaks'])} rule(s)" if c["breaks"] else ""
    hub = "" if c["hub"] in c["name"] else f" · {c['hub']}"
    return (
        f"{c['name']}{hub} · {', '.join(c['skills']) or 'no skills'} · "
        f"{c['load']} jobs · ETA {c['eta']} ({late}){breaks}"
    )


def _step_rows(steps: list[dict]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The left-out P1s, and every next step open for them, as rows the page shows."""
    p1s = [
        {
            "ticketId": p["ticketId"],
            "title": f"P1 #{p['number']} {p['deviceType']} at {p['facility']}",
            "reason": p["reason"],
        }
        for p in steps
    ]
    options = [
        {
            "ticketId": p["ticketId"],
            "number": f"P1 #{p['number']}",
            "action": o["action"],
            "technicianId": o["technicianId"],
            "title": o["title"],
            "eta": f"ETA {o['eta']}" if o["eta"] else "",
            "late": o["late"],
            "moves": "; ".join(o["moves"]),
            "breaks": "; ".join(o["breaks"]) or "no rule broken",
            "done": f"told {o['told']}" if o.get("told") else "",
        }
        for p in steps
        for o in p["options"]
    ]
    return p1s, options


class DispatchState(AuthState):
    plan_id: str = ""
    status: str = ""
    step: str = ""
    summary: dict[str, str] = {}
    stops: list[dict[str, str]] = []
    unassigned: list[dict[str, str]] = []
    map_html: str = ""
    watching: bool = False
    percent: int = 0
    # Manual override: a ticket, where it goes, and what that would do before it is applied.
    ticket_options: list[dict[str, str]] = []
    tech_options: list[dict[str, str]] = []
    move_ticket: str = ""
    move_tech: str = ""
    preview_stops: list[dict[str, str]] = []
    preview_violations: list[str] = []
    previewing: bool = False
    overrides: int = 0
    # Is the plan still the truth? When it was made and what changed since.
    made_at: str = ""
    stale: bool = False
    changes: list[str] = []
    left_out_empty: str = ""
    # P1s the plan does not keep: asked about before accepting; next steps for left-out ones.
    p1_risk: str = ""
    confirming: bool = False
    step_p1s: list[dict[str, str]] = []
    step_options: list[dict[str, str]] = []
    # A plan proposed by itself when a P1 or P2 opened: what it changes, in words.
    proposal: str = ""

    def _show(self, body: dict, hubs: list[dict] | None = None) -> None:
        self.plan_id, self.status = body["planId"], body["status"]
        self.proposal = (body["params"].get("proposal") or {}).get("text", "")
        last = body["progress"][-1] if body["progress"] else None
        self.step = (
            f"{last['round']}: cost {last['objective']:,} after {last['seconds']} s" if last else ""
        )
        limit = float(body["params"].get("timeLimitSeconds", 10))
        self.percent = (
            100
            if body["status"] not in ("queued", "running")
            else min(99, int(100 * float(last["seconds"]) / limit))
            if last
            else 0
        )
        self.summary = {k: str(v) for k, v in body["summary"].items()}
        self.stops = _stop_rows(body["routes"])
        self.unassigned = [
            {
                "number": str(u["number"]),
                "priority": u["priority"],
                "device": u.get("deviceType") or "",
                "facility": u.get("facility") or "",
                "reason": u.get("reason") or "",
            }
            for u in body["unassigned"]
        ]
        self.map_html = dispatch_map(body, hubs) if body["status"] in ("ready", "accepted") else ""
        self.overrides = len(body["params"].get("overrides", []))
        self.ticket_options = [
            {
                "value": s["ticketId"],
                "label": f"#{s['number']} {s['priority']} {s['device']} · {s['technician']}",
            }
            for s in self.stops
        ] + [
            {
                "value": u["ticketId"],
                "label": f"#{u['number']} {u['priority']} {u.get('deviceType') or ''} · left out",
            }
            for u in body["unassigned"]
        ]
        self.tech_options = [{"value": LEAVE_OUT, "label": "Leave it out of the plan"}]

    def _refresh(self) -> bool:
        actor = self._allowed(ROUTE)
        if actor is None:
            return False
        with tenant_session(actor) as db:
            record = (
                db.get(DispatchPlan, uuid.UUID(self.plan_id))
                if self.plan_id
                else db.exec(  # the newest plan still standing (never a set-aside one)
                    select(DispatchPlan)
                    .where(DispatchPlan.status != "superseded")
                    .order_by(DispatchPlan.created_at.desc())
                ).first()
            )
            if record is None:
                return False
            body = plan_json(record)
            hubs = list_service_areas(db, actor.tenant_id)
            changes = plan_changes(db, record)
            risk = p1_words(p1_at_risk(record)) if record.status == "ready" else ""
            steps = next_steps(db, actor, record.id) if record.status == "ready" else []
        self._show(body, hubs)
        self._show_changes(changes)
        self.p1_risk = risk
        self.step_p1s, self.step_options = _step_rows(steps)
        return body["status"] in ("queued", "running")

    def _show_changes(self, changes: dict) -> None:
        self.made_at, self.stale = changes["madeAt"], changes["stale"]
        self.changes = change_lines(changes)
        if self.stale:
            self.left_out_empty = (
                "Nothing was left out when this plan was made, but it is stale: "
                "see what changed since above and optimise again."
            )
        else:
            self.left_out_empty = "Every open ticket has a technician in this plan."

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self.plan_id = ""
        if self._refresh():
            return DispatchState.watch

    @rx.event
    @guarded(ROUTE)
    def optimise(self, actor: Actor):
        plan_id = start_plan(actor, 10)
        self.plan_id, self.status, self.step, self.map_html = plan_id, "queued", "", ""
        self.stops, self.unassigned, self.summary = [], [], {}
        self._clear_preview()
        return DispatchState.watch

    def _still_here(self) -> bool:
        """Keep following? Only on the page, signed in, while the plan is still running (it
        is re-read, so a plan whose worker never came shows as failed)."""
        return self.router.page.path == ROUTE and self._refresh()

    @rx.event(background=True)
    async def watch(self):
        """Follow the plan's progress (announced by the worker) until it is ready or failed."""
        async with self:
            actor = self._allowed(ROUTE)  # the session first: nothing runs for a stranger
            if self.watching or actor is None:
                return
            self.watching = True
        mine = str(actor.tenant_id)
        try:
            sub = await hub().subscribe(
                "dispatch_plan_changed",
                lambda body: body.get("tenantId") == mine,
                owner=str(actor.user_id),
            )
        except TooManyLive as exc:
            async with self:
                self.watching = False
            yield rx.toast.error(exc.message)
            return
        try:
            async with sub:
                async with self:
                    running = self._refresh()  # progress written before subscribing
                if running:
                    await follow(self, sub, self._on_progress)
        finally:
            async with self:
                self.watching = False

    async def _on_progress(self, notices: list) -> bool:
        async with self:
            return self._still_here()

    @rx.event
    @guarded(ROUTE)
    def set_move_ticket(self, actor: Actor, value: str):
        """Choose the ticket to move; the picker then lists who could take it, best first."""
        self.move_ticket, self.move_tech = str(value), ""
        self._clear_preview()
        if not self.plan_id or self.status != "ready":
            return
        with tenant_session(actor) as db:
            choices = technician_choices(db, actor, uuid.UUID(self.plan_id), self.move_ticket)
        self.tech_options = [
            {"value": c["technicianId"], "label": _pick_label(c)} for c in choices
        ] + [{"value": LEAVE_OUT, "label": "Leave it out of the plan"}]

    @rx.event
    def set_move_tech(self, value: str):
        self.move_tech = value
        self._clear_preview()

    def _clear_preview(self) -> None:
        self.previewing, self.preview_stops, self.preview_violations = False, [], []

    def _move(self, actor: Actor, apply: bool) -> dict | None:
        if not self.plan_id:
            return None
        target = None if self.move_tech == LEAVE_OUT else self.move_tech
        do = apply_move if apply else preview_move
        with tenant_session(actor) as db:
            result = do(db, actor, uuid.UUID(self.plan_id), self.move_ticket, target)
            hubs = list_service_areas(db, actor.tenant_id)
        return {**result, "hubs": hubs}

    @rx.event
    @guarded(ROUTE)
    def preview(self, actor: Actor):
        if not self.move_ticket or not self.move_tech:
            return rx.toast.error("Choose a ticket and where it should go")
        result = self._move(actor, apply=False)
        if result is None:
            return
        self.previewing = True
        self.preview_stops = _stop_rows(result["routes"], result["changed"])
        self.preview_violations = [
            (f"#{v['number']}: " if v["number"] else "") + f"{v['technician']}: {v['message']}"
            for v in result["violations"]
        ]
        self.map_html = dispatch_map(
            {"routes": result["routes"], "unassigned": result["unassigned"]}, result["hubs"]
        )

    @rx.event
    @guarded(ROUTE)
    def apply(self, actor: Actor):
        result = self._move(actor, apply=True)
        if result is None:
            return
        self._clear_preview()
        self.move_ticket = self.move_tech = ""
        self._refresh()
        moved = result["moved"]
        return rx.toast.success(
            f"Ticket #{moved['number']} moved to {moved['toName'] or 'the left-out list'}"
        )

    @rx.event
    @guarded(ROUTE)
    def cancel_move(self, actor: Actor):
        self._clear_preview()
        self._refresh()

    @rx.event
    @guarded(ROUTE)
    def accept(self, actor: Actor):
        """Accept the plan; one that does not keep every P1 asks first."""
        if not self.plan_id:
            return
        if self.p1_risk:
            self.confirming = True
            return
        return self._accept(actor, acknowledge=False)

    @rx.event
    @guarded(ROUTE)
    def accept_anyway(self, actor: Actor):
        """Accept after the dispatcher has read which P1s the plan does not keep."""
        self.confirming = False
        if self.plan_id:
            return self._accept(actor, acknowledge=True)

    @rx.event
    @guarded(ROUTE)
    def keep_planning(self, actor: Actor):
        self.confirming = False

    @rx.event
    @guarded(ROUTE)
    def reject(self, actor: Actor):
        """Set the ready plan aside; today's accepted plan stays."""
        if not self.plan_id:
            return
        with tenant_session(actor) as db:
            reject_proposal(db, actor, uuid.UUID(self.plan_id))
        self.plan_id = ""  # back to the newest plan
        self._refresh()
        return rx.toast.info("Proposal rejected: today's accepted plan stays as it was")

    def _accept(self, actor: Actor, acknowledge: bool):
        with tenant_session(actor) as db:
            moved = accept_plan(db, actor, uuid.UUID(self.plan_id), acknowledge)
        self._refresh()
        return rx.toast.success(f"{moved} tickets assigned to their technicians")

    @rx.event
    @guarded(ROUTE)
    def take_step(self, actor: Actor, ticket_id: str, action: str, technician_id: str):
        """Apply one next step to a P1 the plan leaves out (the service checks them all)."""
        if not self.plan_id:
            return
        with tenant_session(actor) as db:
            said = apply_next_step(
                db,
                actor,
                uuid.UUID(self.plan_id),
                str(ticket_id),
                str(action),
                str(technician_id) or None,
            )
        self._clear_preview()
        self._refresh()
        return rx.toast.success(said)
