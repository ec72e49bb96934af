"""Lab settings (/lab/settings): the working hours of each laboratory, how each analyzer
is watched (its own hours or its laboratory's, silence threshold, fault limit) and
patients' consents to share results (list, record, revoke; audited in the service)."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import Actor
from services.common.clock import ist_text
from services.common.roles import LAB_ADMINS, LAB_TEAM
from services.db import tenant_session
from services.errors import Invalid
from services.lab import consent
from services.lab.watch import DAYS, laboratory_hours, set_laboratory_hours, set_watch, watches
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/lab/settings"
PURPOSES = [{"value": k, "label": v} for k, v in consent.PURPOSES.items()]


def _id(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise Invalid(field, "is not one of this lab's") from exc


def _whole(raw: str, field: str) -> int:
    try:
        return int(str(raw).strip())
    except ValueError as exc:
        raise Invalid(field, "must be a whole number") from exc


def _text(row: dict) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in row.items() if k != "workdays"}


class LabSettingsState(AuthState):
    laboratories: list[dict[str, str]] = []
    channels: list[dict[str, str]] = []
    day_names: list[str] = list(DAYS)
    purposes: list[dict[str, str]] = PURPOSES
    # the hours editor, for a laboratory ("lab") or a channel ("channel")
    edit_kind: str = ""
    edit_id: str = ""
    edit_title: str = ""
    e_opens: str = "08:00"
    e_closes: str = "20:00"
    e_days: list[bool] = [True] * 6 + [False]
    e_always: bool = False
    e_own: bool = True
    e_silent: str = "30"
    e_faults: str = "5"
    # consents
    patient: str = ""
    consents: list[dict[str, str]] = []
    c_purpose: str = "treatment"
    c_recipient: str = ""
    c_version: str = ""
    revoke_id: str = ""

    def _reload(self, actor: Actor) -> None:
        with tenant_session(actor) as db:
            self.laboratories = [_text(h) for h in laboratory_hours(db)]
            self.channels = [_text(w) for w in watches(db)]
        self._load_consents(actor)

    def _load_consents(self, actor: Actor) -> None:
        if not self.patient.strip():
            self.consents = []
            return
        with tenant_session(actor) as db:
            found = consent.list_consents(db, self.patient)
        self.consents = [
            {
                **_text(c),
                "purposeLabel": consent.PURPOSES.get(c["purpose"], c["purpose"]),
                "given": ist_text(c["givenAt"], "%d %b %Y %H:%M"),
                "revoked": ist_text(c["revokedAt"], "%d %b %Y %H:%M"),
            }
            for c in found
        ]

    @rx.event
    def load(self):
        actor, redirect = self._enter(ROUTE)
        if redirect or actor is None:
            return redirect
        self.edit_kind = self.revoke_id = ""
        self._reload(actor)

    def _edit(self, kind: str, row: dict, days: str) -> None:
        self.edit_kind, self.edit_id = kind, row.get("channelId") or row["laboratoryId"]
        self.edit_title = row["name"]
        self.e_opens, self.e_closes = row["opens"], row["closes"]
        chosen = {int(d) for d in days.split(",") if d}
        self.e_days = [d in chosen for d in range(7)]
        self.e_always = row["roundTheClock"] == "True"

    @rx.event
    @guarded(ROUTE, roles=LAB_ADMINS, refused="Only lab admins change working hours")
    def edit_lab(self, actor: Actor, laboratory_id: str):
        with tenant_session(actor) as db:
            rows = [h for h in laboratory_hours(db) if h["laboratoryId"] == laboratory_id]
        if not rows:
            return rx.toast.error("No such laboratory")
        self._edit("lab", _text(rows[0]), ",".join(map(str, rows[0]["workdays"])))

    @rx.event
    @guarded(ROUTE, roles=LAB_ADMINS, refused="Only lab admins change how analyzers are watched")
    def edit_channel(self, actor: Actor, channel_id: str):
        with tenant_session(actor) as db:
            row = watches(db, _id(channel_id, "channel"))
        if not row:
            return rx.toast.error("No such channel")
        self._edit("channel", _text(row[0]), ",".join(map(str, row[0]["workdays"])))
        self.e_own = row[0]["ownHours"]
        self.e_silent, self.e_faults = (
            str(row[0]["silentAfterMinutes"]),
            str(row[0]["faultsPerHour"]),
        )

    @rx.event
    def close_edit(self):
        self.edit_kind = ""

    @rx.event
    def set_e_opens(self, value: str):
        self.e_opens = value[:5]

    @rx.event
    def set_e_closes(self, value: str):
        self.e_closes = value[:5]

    @rx.event
    def toggle_day(self, day: int):
        days = list(self.e_days)
        if 0 <= int(day) < 7:
            days[int(day)] = not days[int(day)]
        self.e_days = days

    @rx.event
    def set_e_always(self, value: bool):
        self.e_always = bool(value)

    @rx.event
    def set_e_own(self, value: bool):
        self.e_own = bool(value)

    @rx.event
    def set_e_silent(self, value: str):
        self.e_silent = value[:6]

    @rx.event
    def set_e_faults(self, value: str):
        self.e_faults = value[:6]

    def _hours(self) -> dict:
        return {
            "opens": self.e_opens,
            "closes": self.e_closes,
            "workdays": [d for d, on in enumerate(self.e_days) if on],
            "roundTheClock": self.e_always,
        }

    @rx.event
    @guarded(ROUTE, roles=LAB_ADMINS, refused="Only lab admins change working hours")
    def save_edit(self, actor: Actor):
        with tenant_session(actor) as db:
            if self.edit_kind == "lab":
                set_laboratory_hours(db, actor, _id(self.edit_id, "laboratory"), self._hours())
            elif self.edit_kind == "channel":
                settings = {
                    "silentAfterMinutes": _whole(self.e_silent, "silentAfterMinutes"),
                    "faultsPerHour": _whole(self.e_faults, "faultsPerHour"),
                }
                if self.e_own:
                    settings |= self._hours()
                set_watch(db, actor, _id(self.edit_id, "channel"), settings)
            else:
                return None
        self.edit_kind = ""
        self._reload(actor)
        return rx.toast.success("Saved")

    @rx.event
    def set_patient(self, value: str):
        self.patient = value[:80]

    @rx.event
    def set_c_purpose(self, value: str):
        self.c_purpose = value if value in consent.PURPOSES else "treatment"

    @rx.event
    def set_c_recipient(self, value: str):
        self.c_recipient = value[:200]

    @rx.event
    def set_c_version(self, value: str):
        self.c_version = value[:30]

    @rx.event
    @guarded(ROUTE)
    def find_consents(self, actor: Actor):
        self._load_consents(actor)

    @rx.event
    @guarded(ROUTE, roles=LAB_TEAM, refused="Only lab staff record consents")
    def record(self, actor: Actor):
        with tenant_session(actor) as db:
            consent.record_consent(
                db, actor, self.patient, self.c_purpose, self.c_recipient, self.c_version
            )
        self.c_recipient = self.c_version = ""
        self._load_consents(actor)
        return rx.toast.success("Consent recorded")

    @rx.event
    def ask_revoke(self, consent_id: str):
        self.revoke_id = consent_id[:36]

    @rx.event
    def cancel_revoke(self):
        self.revoke_id = ""

    @rx.event
    @guarded(ROUTE, roles=LAB_TEAM, refused="Only lab staff revoke consents")
    def revoke(self, actor: Actor):
        with tenant_session(actor) as db:
            consent.revoke_consent(db, actor, _id(self.revoke_id, "consent"), "revoked at the lab")
        self.revoke_id = ""
        self._load_consents(actor)
        return rx.toast.success("Consent revoked: results no longer go to that recipient")
