"""The alarm rules on /fleet: an OEM's service manager picks a device type, sees each rule's
numbers beside the defaults, and changes them or goes back to the defaults."""

from __future__ import annotations

import reflex as rx

from services.actor import Actor, TenantKind
from services.common.roles import ALARM_RULE_EDITORS
from services.db import tenant_session
from services.errors import Invalid
from services.telemetry.rule_limits import Limits
from services.telemetry.rule_settings import (
    RuleChange,
    device_types,
    reset_rule,
    rules_view,
    set_rule,
)
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/fleet"
REFUSED = "Only the OEM's service manager changes alarm rules"
SOURCES = {"default": "Default", "type": "Your numbers", "device": "Per device"}


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:g}"


def _row(r: dict) -> dict[str, str]:
    d = r["default"]
    numbers = r["kind"] != "silence"
    return {
        "rule": r["rule"],
        "kind": r["kind"],
        "says": r["says"],
        "limit": f"{r['limit']:g}" if numbers else "—",
        "clear": f"{r['clear']:g}" if numbers else "—",
        "minutes": _minutes(r["minDurationS"]),
        "priority": r["priority"],
        "source": SOURCES[r["source"]],
        "changed": "yes" if r["source"] != "default" else "",
        "default": f"{d['says']}; clears at {d['clear']:g}; {_minutes(d['minDurationS'])} min; "
        f"{d['priority']}"
        if numbers
        else f"{d['says']}; {d['priority']}",
    }


def _number(raw: str, field: str) -> float:
    try:
        return float(str(raw).strip().replace(",", ""))
    except ValueError:
        raise Invalid(field, "must be a number") from None


class AlarmRulesState(AuthState):
    may_edit: bool = False
    types: list[str] = []
    device_type: str = "MRI"
    rules: list[dict[str, str]] = []
    editing: str = ""
    kind: str = ""
    limit: str = ""
    clear: str = ""
    minutes: str = ""
    priority: str = "P2"
    dialog_open: bool = False

    @rx.event
    @guarded(ROUTE)
    def load(self, actor: Actor):
        """The rules of the chosen type, for an OEM's service manager."""
        self.may_edit = bool(actor.roles & ALARM_RULE_EDITORS) and (
            actor.tenant_kind == TenantKind.OEM
        )
        if self.may_edit:
            self.types = device_types()
            self._fill(actor)

    @rx.event
    @guarded(ROUTE, roles=ALARM_RULE_EDITORS, refused=REFUSED)
    def choose_type(self, actor: Actor, value: str):
        if value not in device_types():
            return rx.toast.error("Choose a device type from the list")
        self.device_type = value
        self._fill(actor)

    @rx.event
    @guarded(ROUTE, roles=ALARM_RULE_EDITORS, refused=REFUSED)
    def edit(self, actor: Actor, rule: str):
        """Open the dialog with the rule's numbers in force."""
        row = next((r for r in self.rules if r["rule"] == rule), None)
        if row is None:
            return rx.toast.error("No such rule for this device type")
        self.editing, self.kind = row["rule"], row["kind"]
        self.limit, self.clear = row["limit"], row["clear"]
        self.minutes, self.priority = row["minutes"], row["priority"]
        self.dialog_open = True

    @rx.event
    @guarded(ROUTE, roles=ALARM_RULE_EDITORS, refused=REFUSED)
    def save(self, actor: Actor):
        numbers = self.kind != "silence"
        limits = Limits(
            _number(self.limit, "limit") if numbers else 0.0,
            _number(self.clear, "clear") if numbers else 0.0,
            round(_number(self.minutes, "minutes") * 60),
            self.priority,
        )
        with tenant_session(actor) as db:
            saved = set_rule(db, actor, RuleChange(self.device_type, self.editing, limits))
        self.dialog_open = False
        self._fill(actor)
        return rx.toast.success(f"Saved: {saved['says']}. The ingest applies it within a minute.")

    @rx.event
    @guarded(ROUTE, roles=ALARM_RULE_EDITORS, refused=REFUSED)
    def restore_default(self, actor: Actor):
        with tenant_session(actor) as db:
            reset_rule(db, actor, self.device_type, self.editing)
        self.dialog_open = False
        self._fill(actor)
        return rx.toast.success("Back to the default numbers")

    @rx.event
    def set_limit(self, value: str):
        self.limit = str(value)[:20]

    @rx.event
    def set_clear(self, value: str):
        self.clear = str(value)[:20]

    @rx.event
    def set_minutes(self, value: str):
        self.minutes = str(value)[:20]

    @rx.event
    def set_priority(self, value: str):
        self.priority = value if value in ("P1", "P2", "P3", "P4") else "P2"

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = bool(value)

    def _fill(self, actor: Actor) -> None:
        with tenant_session(actor) as db:
            self.rules = [_row(r) for r in rules_view(db, actor.tenant_id, self.device_type)]
