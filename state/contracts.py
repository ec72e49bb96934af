"""Contracts (/contracts): the buyer's own and, for the OEM, every customer's; one
contract opened in a panel with its coverage, devices' uptime against the promise, SLA
compliance, penalties under the cap, preventive visits, the monthly statement and, for
the buyer's admin, a renewal quote asked of the OEM."""

from __future__ import annotations

import uuid
from datetime import timedelta

import reflex as rx

from services.actor import Actor
from services.common.clock import today_ist
from services.common.money import format_inr
from services.common.roles import RENEWERS
from services.contracts.renewals import request_renewal
from services.contracts.service import get_contract, list_contracts
from services.db import tenant_session
from services.errors import Invalid
from services.rfq.flows import schedule_expiry
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/contracts"


def _pct(value) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _last_month() -> str:
    """The last whole month (YYYY-MM, IST): the one a statement is usually asked for."""
    first = today_ist().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def _summary(c: dict) -> dict[str, str]:
    days = c["daysLeft"]
    return {
        "id": c["contractId"],
        "label": c["label"],
        "kind": c["kind"].upper(),
        "party": c["seller"] + " → " + c["buyer"],
        "tier": (c["slaTier"] or "—").title(),
        "dates": f"{c['startsOn'] or '?'} to {c['endsOn'] or '?'}",
        "left": "" if days is None else (f"{days} days left" if days >= 0 else "ended"),
        "soon": "yes" if days is not None and 0 <= days <= 90 else "",
        "devices": str(c.get("deviceCount", "")),
        "value": format_inr(c["valuePaise"]),
    }


class ContractsState(AuthState):
    contracts: list[dict[str, str]] = []
    contract: dict[str, str] = {}
    devices: list[dict[str, str]] = []
    panel_open: bool = False
    can_renew: bool = False

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            self.contracts = [_summary(c) for c in list_contracts(db, actor)]
        self.can_renew = bool(actor.roles & RENEWERS)
        self.panel_open = False
        wanted = self.router.page.params.get("id")
        if wanted:
            self._show(actor, wanted)

    def _show(self, actor: Actor, contract_id: str) -> None:
        try:
            key = uuid.UUID(str(contract_id))
        except ValueError as exc:
            raise Invalid("contract", "is not one of your contracts") from exc
        with tenant_session(actor) as db:
            d = get_contract(db, actor, key)
        cover, sla, visits = d["coverage"], d["sla"], d["preventive"]
        self.contract = _summary(d) | {
            "month": d["month"],
            "covers": ", ".join(k for k in ("parts", "labour") if cover[k]) or "—",
            "visits": f"{visits['done']} done, {visits['due']} due of {cover['preventiveVisitsPerYear']} a year"
            + (f"; next {visits['nextDueOn']}" if visits["nextDueOn"] else ""),
            "promise": f"{cover['uptimePercent']:g}%",
            "compliance": _pct(sla["slaCompliancePercent"]),
            "ftf": _pct(sla["firstTimeFixPercent"]),
            "resolved": f"{sla['ticketsWithinSla']} of {sla['ticketsResolved']} within SLA",
            "penalty": format_inr(sla["penaltyDuePaise"])
            + (f" (cap {format_inr(sla['penaltyCapPaise'])})" if sla["penaltyCapPaise"] else ""),
            "statement": f"/api/v1/contracts/{d['contractId']}/statement.pdf?month={_last_month()}",
            "statement_label": f"Statement PDF ({_last_month()})",
            "renewal": d["renewalRfqId"] or "",
        }
        self.devices = [
            {
                "device": x["name"],
                "serial": x["serial"],
                "site": x["site"],
                "uptime": _pct(x["uptimePercent"]),
                "down": f"{x['downtimeHours']:g} h",
                "low": "" if x["meetsPromise"] else "yes",
            }
            for x in d["devices"]
        ]
        self.panel_open = True

    @rx.event
    @guarded(ROUTE)
    def open_panel(self, actor: Actor, contract_id: str):
        self._show(actor, contract_id)

    @rx.event
    def close_panel(self):
        self.panel_open = False

    @rx.event
    @guarded(ROUTE, roles=RENEWERS, refused="Only the buyer's admin asks for a renewal")
    def renew(self, actor: Actor):
        with tenant_session(actor) as db:
            rfq = request_renewal(db, actor, uuid.UUID(self.contract["id"]))
        schedule_expiry(rfq)
        self._show(actor, self.contract["id"])
        return rx.toast.success(f"Renewal quote asked for in RFQ-{rfq.number}")
