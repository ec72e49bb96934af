"""The dispatcher's plan: optimise in a worker with progress, see routes on the map,
accept to assign the tickets."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import reflex as rx
from sqlmodel import select

from app.maps import dispatch_map
from app.tasks import send_task
from services.db import tenant_session
from services.dispatch.models import DispatchPlan
from services.dispatch.service import accept_plan, plan_json, request_plan
from services.dispatch.travel import IST
from services.errors import DomainError
from state.auth import AuthState

ROUTE = "/dispatch"


def _hhmm(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %H:%M")


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

    def _show(self, body: dict) -> None:
        self.plan_id, self.status = body["planId"], body["status"]
        last = body["progress"][-1] if body["progress"] else None
        self.step = (f"{last['round']}: cost {last['objective']:,} after {last['seconds']} s"
                     if last else "")
        limit = float(body["params"].get("timeLimitSeconds", 10))
        self.percent = (100 if body["status"] not in ("queued", "running") else
                        min(99, int(100 * float(last["seconds"]) / limit)) if last else 0)
        self.summary = {k: str(v) for k, v in body["summary"].items()}
        self.stops = [{"technician": r["technician"], "order": str(i), "number": str(s["number"]),
                       "ticketId": s["ticketId"], "priority": s["priority"],
                       "device": s["deviceType"], "facility": s["facility"],
                       "eta": _hhmm(s["eta"]), "travel": f"{s['travelMinutes']} min",
                       "late": f"{s['lateMinutes']} min late" if s["lateMinutes"] else "on time"}
                      for r in body["routes"] for i, s in enumerate(r["stops"], start=1)]
        self.unassigned = [{"number": str(u["number"]), "priority": u["priority"],
                            "device": u["deviceType"], "facility": u["facility"],
                            "reason": u["reason"]} for u in body["unassigned"]]
        self.map_html = dispatch_map(body) if body["status"] in ("ready", "accepted") else ""

    def _refresh(self) -> bool:
        actor = self._allowed(ROUTE)
        if actor is None:
            return False
        with tenant_session(actor) as db:
            record = (db.get(DispatchPlan, uuid.UUID(self.plan_id)) if self.plan_id else
                      db.exec(select(DispatchPlan).order_by(DispatchPlan.created_at.desc())
                              ).first())
            if record is None:
                return False
            body = plan_json(record)
        self._show(body)
        return body["status"] in ("queued", "running")

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self.plan_id = ""
        if self._refresh():
            return DispatchState.watch

    @rx.event
    def optimise(self):
        actor = self._allowed(ROUTE)
        if actor is None:
            return
        try:
            with tenant_session(actor) as db:
                record = request_plan(db, actor, 10)
                plan_id = str(record.id)
        except DomainError as exc:
            return rx.toast.error(exc.message)
        send_task("dispatch.optimize", plan_id, str(actor.tenant_id), actor.tenant_kind.value)
        self.plan_id, self.status, self.step, self.map_html = plan_id, "queued", "", ""
        self.stops, self.unassigned, self.summary = [], [], {}
        return DispatchState.watch

    @rx.event(background=True)
    async def watch(self):
        async with self:
            if self.watching:
                return
            self.watching = True
        try:
            for _ in range(400):  # a few minutes at most
                await asyncio.sleep(0.5)
                async with self:
                    if not self._refresh():
                        break
        finally:
            async with self:
                self.watching = False

    @rx.event
    def accept(self):
        actor = self._allowed(ROUTE)
        if actor is None or not self.plan_id:
            return
        try:
            with tenant_session(actor) as db:
                moved = accept_plan(db, actor, uuid.UUID(self.plan_id))
        except DomainError as exc:
            return rx.toast.error(exc.message)
        self._refresh()
        return rx.toast.success(f"{moved} tickets assigned to their technicians")
