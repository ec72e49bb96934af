"""The platform's admin pages: organisations and their users, and the audit trail."""

from __future__ import annotations

import reflex as rx

from services.actor import Actor
from services.audit import service as audit
from services.common.clock import IST
from services.db import system_session, tenant_session
from services.identity.service import list_users
from services.tenancy.service import directory, list_tenants
from state.auth import AuthState
from state.guard import guarded


class OrganisationsState(AuthState):
    tenants: list[dict[str, str]] = []
    users: list[dict[str, str]] = []

    @rx.event
    def load(self):
        actor, redirect = self._enter("/admin/organisations")
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            names = directory(db)
            self.tenants = [
                {"name": t.name, "kind": t.kind.replace("_", " "), "state": t.state or "—"}
                for t in list_tenants(db)
            ]
            self.users = [
                {
                    "email": u.email,
                    "name": u.full_name,
                    "org": names.get(u.tenant_id, ("", ""))[0],
                    "roles": ", ".join(u.roles),
                    "status": "active" if u.is_active else "disabled",
                }
                for u in list_users(db)
            ]


class AuditState(AuthState):
    entries: list[dict[str, str]] = []
    verdict: str = ""
    verdict_ok: bool = True
    can_verify: bool = False

    @rx.event
    def load(self):
        actor, redirect = self._enter("/audit")
        if redirect or actor is None:
            return redirect
        self.can_verify = "platform_admin" in {r.value for r in actor.roles}
        with tenant_session(actor) as db:
            self.entries = [
                {
                    "seq": str(e.seq),
                    "at": e.created_at.astimezone(IST).strftime("%d %b %Y %H:%M:%S"),
                    "actor": e.actor_label,
                    "action": e.action,
                    "entity": e.entity,
                    "summary": e.summary,
                }
                for e in audit.recent(db, 100)
            ]

    @rx.event
    @guarded("/audit")
    def verify(self, actor: Actor):
        if "platform_admin" not in {r.value for r in actor.roles}:
            self.verdict, self.verdict_ok = "Only a platform admin can verify the chain.", False
            return
        with system_session() as db:
            report = audit.verify_chain(db)
        self.verdict_ok = report.is_intact
        self.verdict = (
            f"Chain intact: {report.checked:,} entries checked."
            if report.is_intact
            else f"Tampering found at entry {report.first_bad_seq}: {report.reason}."
        )
