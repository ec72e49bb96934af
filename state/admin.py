"""The admin pages: organisations, the accounts of an organisation (invite, roles, disable,
reset links) and the audit trail with its filters and CSV export."""

from __future__ import annotations

import uuid

import reflex as rx

from services.actor import ROLE_LABELS, ROLES_BY_TENANT_KIND, Actor, Role, TenantKind
from services.audit import search
from services.audit import service as audit
from services.common.clock import IST, today_ist
from services.common.roles import ADMINS
from services.db import system_session, tenant_session
from services.errors import Invalid
from services.identity import admin as accounts
from services.identity.service import list_users
from services.tenancy.service import directory, list_tenants
from state.auth import AuthState
from state.guard import guarded

AUDIT_PAGE = 25


def _is_platform(actor: Actor) -> bool:
    return Role.PLATFORM_ADMIN in actor.roles


class OrganisationsState(AuthState):
    tenants: list[dict[str, str]] = []

    @rx.event
    def load(self):
        actor, redirect = self._enter("/admin/organisations")
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            self.tenants = [
                {"name": t.name, "kind": t.kind.replace("_", " "), "state": t.state or "—"}
                for t in list_tenants(db)
            ]


class AccountsState(AuthState):
    """/admin/users: the accounts an admin manages; a platform admin picks the organisation."""

    orgs: list[dict[str, str]] = []
    org_id: str = ""
    org_kind: str = ""
    users: list[dict[str, str]] = []
    invite_email: str = ""
    invite_name: str = ""
    invite_role: str = ""
    link: str = ""
    link_note: str = ""
    confirm_id: str = ""
    confirm_email: str = ""

    @rx.var
    def role_options(self) -> list[str]:
        if not self.org_kind:
            return []
        return sorted(r.value for r in ROLES_BY_TENANT_KIND[TenantKind(self.org_kind)])

    @rx.var
    def role_choices(self) -> list[dict[str, str]]:
        """The roles this organisation may hold, in words, for the pickers."""
        return [{"value": r, "label": ROLE_LABELS[Role(r)]} for r in self.role_options]

    @rx.event
    def load(self):
        actor, redirect = self._enter("/admin/users")
        if redirect or actor is None:
            return redirect
        self.link, self.link_note, self.confirm_id = "", "", ""
        with tenant_session(actor) as db:
            names = directory(db)
            self.orgs = [
                {"id": str(t.id), "name": t.name} for t in list_tenants(db) if t.kind != "platform"
            ]
        if not _is_platform(actor) or not self.org_id:
            self.org_id = str(actor.tenant_id)
        self._pick(names)
        self._fill(actor)

    def _pick(self, names: dict) -> None:
        self.org_kind = names.get(uuid.UUID(self.org_id), ("", ""))[1]
        if self.invite_role not in self.role_options:  # the least power by default
            plain = [r for r in self.role_options if not r.endswith("admin")]
            self.invite_role = (plain or self.role_options or [""])[0]

    def _fill(self, actor: Actor) -> None:
        org = uuid.UUID(self.org_id)
        with tenant_session(actor) as db:
            self.users = [
                {
                    "id": str(u.id),
                    "email": u.email,
                    "name": u.full_name or "—",
                    "roles": ", ".join(u.roles),
                    "role": u.roles[0] if u.roles else "",
                    "status": "active"
                    if u.is_active and u.password_hash
                    else ("invited" if u.is_active else "disabled"),
                    "active": "yes" if u.is_active else "",
                }
                for u in list_users(db, 1000)
                if u.tenant_id == org and not u.is_service_account
            ]

    @rx.event
    @guarded("/admin/users")
    def choose_org(self, actor: Actor, org_id: str):
        if not _is_platform(actor):
            return
        self.org_id, self.link = str(uuid.UUID(org_id)), ""
        with tenant_session(actor) as db:
            self._pick(directory(db))
        self._fill(actor)

    @rx.event
    def set_invite_email(self, value: str):
        self.invite_email = str(value)[:254]

    @rx.event
    def set_invite_name(self, value: str):
        self.invite_name = str(value)[:200]

    @rx.event
    def set_invite_role(self, value: str):
        self.invite_role = str(value)[:40]

    def _show(self, link: accounts.IssuedLink, note: str) -> None:
        origin = getattr(self.router.headers, "origin", "") or ""
        self.link, self.link_note = origin + link.path, note

    @rx.event
    @guarded("/admin/users", ADMINS)
    def invite(self, actor: Actor):
        with tenant_session(actor) as db:
            link = accounts.invite_user(
                db,
                actor,
                uuid.UUID(self.org_id),
                self.invite_email,
                self.invite_name,
                [self.invite_role],
            )
        self._show(link, f"Invitation for {link.user.email}: give them this link (valid 7 days).")
        self.invite_email, self.invite_name = "", ""
        self._fill(actor)
        return rx.toast.success(f"{link.user.email} invited")

    @rx.event
    @guarded("/admin/users", ADMINS)
    def change_role(self, actor: Actor, user_id: str, role: str):
        with tenant_session(actor) as db:
            user = accounts.change_roles(db, actor, uuid.UUID(user_id), [role])
        self._fill(actor)
        return rx.toast.success(f"{user.email} is now {ROLE_LABELS[Role(role)]}")

    @rx.event
    def ask_disable(self, user_id: str, email: str):
        """Open this tab's confirmation; nothing changes until it is confirmed."""
        self.confirm_id, self.confirm_email = str(user_id)[:40], str(email)[:254]

    @rx.event
    def cancel_disable(self):
        self.confirm_id = ""

    @rx.event
    @guarded("/admin/users", ADMINS)
    def disable(self, actor: Actor):
        target, self.confirm_id = self.confirm_id, ""
        with tenant_session(actor) as db:
            user = accounts.set_active(db, actor, uuid.UUID(target), False)
        self._fill(actor)
        return rx.toast.success(f"{user.email} disabled: signed out everywhere")

    @rx.event
    @guarded("/admin/users", ADMINS)
    def enable(self, actor: Actor, user_id: str):
        with tenant_session(actor) as db:
            user = accounts.set_active(db, actor, uuid.UUID(user_id), True)
        self._fill(actor)
        return rx.toast.success(f"{user.email} enabled")

    @rx.event
    @guarded("/admin/users", ADMINS)
    def reset_link(self, actor: Actor, user_id: str):
        with tenant_session(actor) as db:
            link = accounts.reset_password(db, actor, uuid.UUID(user_id))
        self._show(link, f"Password reset for {link.user.email}: give them this link (24 hours).")


class AuditState(AuthState):
    entries: list[dict[str, str]] = []
    total: int = 0
    offset: int = 0
    orgs: list[dict[str, str]] = []
    people: list[dict[str, str]] = []
    actions: list[str] = []
    f_org: str = "all"
    f_user: str = "all"
    f_action: str = "all"
    f_from: str = ""
    f_to: str = ""
    error: str = ""
    verdict: str = ""
    verdict_ok: bool = True
    can_verify: bool = False

    @rx.var
    def showing(self) -> str:
        if not self.total:
            return "No entries match"
        last = min(self.offset + AUDIT_PAGE, self.total)
        return f"Entries {self.offset + 1:,}–{last:,} of {self.total:,}"

    @rx.var
    def has_next(self) -> bool:
        return self.offset + AUDIT_PAGE < self.total

    @rx.event
    def load(self):
        actor, redirect = self._enter("/audit")
        if redirect or actor is None:
            return redirect
        self.can_verify = _is_platform(actor)
        with tenant_session(actor) as db:
            names = directory(db)
            self.orgs = [{"id": str(t.id), "name": t.name} for t in list_tenants(db)]
            self.people = [
                {"id": str(u.id), "label": f"{u.email} · {names.get(u.tenant_id, ('', ''))[0]}"}
                for u in list_users(db, 1000)
            ]
            self.actions = search.action_names(db)
        self.offset = 0
        self._fill(actor)

    def _filter(self) -> search.AuditFilter:
        return search.AuditFilter.parse(
            self.f_org, self.f_user, self.f_action, self.f_from, self.f_to
        )

    def _fill(self, actor: Actor) -> None:
        try:
            found = self._filter()
        except Invalid as exc:
            self.error, self.entries, self.total = exc.message, [], 0
            return
        self.error = ""
        with tenant_session(actor) as db:
            names = directory(db)
            rows, self.total = search.search(db, found, AUDIT_PAGE, self.offset)
        self.entries = [
            {
                "seq": str(e.seq),
                "at": e.created_at.astimezone(IST).strftime("%d %b %Y %H:%M:%S"),
                "org": names.get(e.tenant_id, ("platform", ""))[0] if e.tenant_id else "platform",
                "actor": e.actor_label,
                "action": e.action,
                "entity": e.entity,
                "summary": e.summary,
            }
            for e in rows
        ]

    @rx.event
    @guarded("/audit")
    def set_filter(self, actor: Actor, name: str, value: str):
        if name not in ("f_org", "f_user", "f_action", "f_from", "f_to"):
            return
        setattr(self, name, str(value)[:80])
        self.offset = 0
        self._fill(actor)

    @rx.event
    @guarded("/audit")
    def clear(self, actor: Actor):
        self.f_org = self.f_user = self.f_action = "all"
        self.f_from = self.f_to = ""
        self.offset = 0
        self._fill(actor)

    @rx.event
    @guarded("/audit")
    def page(self, actor: Actor, step: int):
        self.offset = max(0, min(self.offset + int(step) * AUDIT_PAGE, max(self.total - 1, 0)))
        self._fill(actor)

    @rx.event
    @guarded("/audit")
    def export(self, actor: Actor):
        found = self._filter()
        with tenant_session(actor) as db:
            names = {k: v[0] for k, v in directory(db).items()}
            body = search.to_csv(db, found, names)
        return rx.download(data=body, filename=f"audit-{today_ist().isoformat()}.csv")

    @rx.event
    @guarded("/audit")
    def verify(self, actor: Actor):
        if not _is_platform(actor):
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


class AccountLinkState(rx.State):
    """/account/password/[secret]: whom a one-time link is for. The password itself goes
    from the form straight to the API, never through this state."""

    link_email: str = ""
    link_org: str = ""
    link_purpose: str = ""
    link_gone: bool = False
    link_error: str = ""
    link_done: bool = False

    @rx.event
    def load(self):
        secret = str(self.router.page.params.get("secret", ""))[:100]
        details = accounts.link_details(secret)
        self.link_done, self.link_error = False, ""
        self.link_gone = details is None
        if details:
            self.link_email, self.link_org = details["email"], details["organisation"]
            self.link_purpose = details["purpose"]

    @rx.event
    def answered(self, message: str):
        """What the API answered: "" when the password was set (this tab's own text)."""
        self.link_error = str(message or "")[:300]
        self.link_done = not self.link_error
