"""The device page's telemetry connection: its MQTT credentials (issue, shown once; rotate;
revoke; the list without secrets) for the device's manufacturer and owner's admin, and the
payloads the ingest refused, a page at a time with counts by kind of reason."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import Actor
from services.common.clock import ist_text
from services.common.roles import TELEMETRY_PROVISIONERS
from services.db import tenant_session
from services.errors import Invalid
from services.telemetry import broker
from services.telemetry.credentials import (
    issue_credential,
    list_credentials,
    may_provision,
    revoke_credentials,
)
from services.telemetry.quarantine import PAGE_SIZE, quarantine_page
from state.auth import AuthState
from state.guard import guarded

ROUTE = "/devices/detail"
REFUSED = "Only the device's manufacturer or its owner's admin manages its credentials"
WHEN = "%d %b %Y %H:%M"


def _credential_row(c: dict) -> dict[str, str]:
    return {
        "username": c["username"],
        "issued": ist_text(c["createdAt"], WHEN),
        "lastUsed": ist_text(c["lastUsedAt"], WHEN, empty="not yet"),
        "status": "revoked " + ist_text(c["revokedAt"], WHEN) if c["revokedAt"] else "live",
    }


def _refusal_row(r: dict) -> dict[str, str]:
    return {
        "at": ist_text(r["receivedAt"], "%d %b %H:%M:%S"),
        "kind": r["kind"],
        "reason": r["reason"],
        "excerpt": r["excerpt"],
    }


class DeviceConnectionState(AuthState):
    can_provision: bool = False
    credentials: list[dict[str, str]] = []
    live: int = 0
    # The credential just issued: shown once in its dialog, forgotten when it closes.
    issued: dict[str, str] = {}
    issued_open: bool = False
    refusals: list[dict[str, str]] = []
    refusal_kinds: list[dict[str, str]] = []
    refused_total: int = 0
    page: int = 1
    pages: int = 1

    def _device_id(self) -> uuid.UUID:
        try:
            return uuid.UUID(self.router.page.params.get("device_id", ""))
        except ValueError as exc:
            raise Invalid("device", "is not a device you can see") from exc

    @rx.event
    @guarded(ROUTE)
    def load(self, actor: Actor):
        """The credentials (for those who manage them) and the first page of refusals."""
        self.issued, self.issued_open, self.page = {}, False, 1
        self._fill(actor)

    @rx.event
    @guarded(ROUTE)
    def turn_page(self, actor: Actor, step: int):
        """Older (+1) or newer (-1) refused payloads."""
        self.page = min(max(1, self.page + (1 if step == 1 else -1)), self.pages)
        self._fill(actor)

    @rx.event
    @guarded(ROUTE, roles=TELEMETRY_PROVISIONERS, refused=REFUSED)
    def issue(self, actor: Actor):
        """Issue a credential (revoking any live one) and show it once."""
        with tenant_session(actor) as db:
            issued = issue_credential(db, actor, self._device_id())
        broker.credentials_changed()
        self.issued, self.issued_open = issued, True
        self._fill(actor)

    @rx.event
    @guarded(ROUTE, roles=TELEMETRY_PROVISIONERS, refused=REFUSED)
    def revoke(self, actor: Actor):
        """Revoke every live credential: the broker refuses them from now on."""
        with tenant_session(actor) as db:
            count = revoke_credentials(db, actor, self._device_id())
        broker.credentials_changed()
        self._fill(actor)
        if count == 0:
            return rx.toast.info("The device had no live credential")
        return rx.toast.success("Revoked: the broker refuses the device's credential from now on")

    @rx.event
    def close_issued(self, value: bool = False):
        """Closing the dialog forgets the password: it is never shown again."""
        if not value:
            self.issued, self.issued_open = {}, False

    def _fill(self, actor: Actor) -> None:
        device_id = self._device_id()
        with tenant_session(actor) as db:
            self.can_provision = may_provision(db, actor, device_id)
            listed = list_credentials(db, device_id) if self.can_provision else []
            refused = quarantine_page(db, device_id, self.page, PAGE_SIZE)
        self.credentials = [_credential_row(c) for c in listed]
        self.live = sum(c["revokedAt"] is None for c in listed)
        self.refusals = [_refusal_row(r) for r in refused["items"]]
        self.refusal_kinds = [
            {"kind": k["kind"], "count": f"{k['count']:,}"} for k in refused["byReason"]
        ]
        self.refused_total = refused["total"]
        self.pages = max(1, -(-refused["total"] // PAGE_SIZE))

    @rx.var
    def issued_text(self) -> str:
        """The issued credential as a device's configuration, for the copy button."""
        if not self.issued:
            return ""
        return "\n".join(
            f"{k}: {self.issued.get(k, '')}" for k in ("mqttUrl", "topic", "username", "password")
        )
