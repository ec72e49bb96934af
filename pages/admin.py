"""Administration: organisations, the accounts of an organisation and the audit trail."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table, record_table
from pages.components.layout import layout
from state.admin import AccountsState, AuditState, OrganisationsState


def organisations_page() -> rx.Component:
    return layout(
        "Organisations",
        rx.vstack(
            rx.hstack(
                rx.heading("Organisations", size="4"),
                rx.link(rx.button("Manage accounts", variant="soft"), href="/admin/users"),
                justify="between",
                width="100%",
            ),
            data_table(
                [("name", "Name"), ("kind", "Kind"), ("state", "State")],
                OrganisationsState.tenants,
                "No organisations yet.",
                "tenant-table",
            ),
            spacing="4",
            width="100%",
        ),
        "Every organisation on the platform.",
    )


def _role_picker(value, on_change, size: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(min_width="170px"),
        rx.select.content(
            rx.foreach(
                AccountsState.role_choices,
                lambda r: rx.select.item(r["label"], value=r["value"]),
            )
        ),
        value=value,
        on_change=on_change,
        size=size,
    )


def _invite_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Invite a person", size="3"),
            rx.flex(
                rx.input(
                    placeholder="E-mail",
                    type="email",
                    value=AccountsState.invite_email,
                    on_change=AccountsState.set_invite_email,
                    id="invite-email",
                    min_width="240px",
                ),
                rx.input(
                    placeholder="Full name",
                    value=AccountsState.invite_name,
                    on_change=AccountsState.set_invite_name,
                    id="invite-name",
                    min_width="200px",
                ),
                _role_picker(AccountsState.invite_role, AccountsState.set_invite_role, "2"),
                rx.button(
                    rx.icon("user-plus", size=16),
                    "Invite",
                    on_click=AccountsState.invite,
                    id="invite",
                ),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
            rx.text(
                "No e-mail is sent: you get a one-time link to hand over, with which they set "
                "their password.",
                size="1",
                color_scheme="gray",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _link_callout() -> rx.Component:
    return rx.cond(
        AccountsState.link != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("link")),
            rx.vstack(
                rx.text(AccountsState.link_note, size="2", weight="medium"),
                rx.code(AccountsState.link, id="issued-link", word_break="break-all"),
                rx.button(
                    rx.icon("copy", size=14),
                    "Copy link",
                    size="1",
                    variant="soft",
                    on_click=rx.set_clipboard(AccountsState.link),
                ),
                spacing="2",
            ),
            color_scheme="green",
            width="100%",
        ),
    )


def _account_row(u) -> rx.Component:
    return rx.table.row(
        rx.table.cell(u["email"]),
        rx.table.cell(u["name"]),
        rx.table.cell(
            _role_picker(u["role"], lambda role: AccountsState.change_role(u["id"], role), "1")
        ),
        rx.table.cell(
            rx.badge(
                u["status"],
                color_scheme=rx.match(
                    u["status"], ("active", "green"), ("invited", "blue"), "gray"
                ),
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    u["active"] == "yes",
                    rx.button(
                        "Disable",
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        on_click=AccountsState.ask_disable(u["id"], u["email"]),
                        id="disable-" + u["email"],
                    ),
                    rx.button(
                        "Enable",
                        size="1",
                        variant="soft",
                        on_click=AccountsState.enable(u["id"]),
                        id="enable-" + u["email"],
                    ),
                ),
                rx.button(
                    "Reset password",
                    size="1",
                    variant="outline",
                    on_click=AccountsState.reset_link(u["id"]),
                    disabled=u["active"] != "yes",
                    id="reset-" + u["email"],
                ),
                spacing="2",
            )
        ),
    )


def _disable_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Disable this account?"),
            rx.alert_dialog.description(
                rx.text(
                    AccountsState.confirm_email,
                    " is signed out everywhere at once: browser sessions, API tokens and open "
                    "links end. You can enable the account again later.",
                )
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Keep it", variant="soft", on_click=AccountsState.cancel_disable)
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Disable",
                        color_scheme="red",
                        on_click=AccountsState.disable,
                        id="confirm-disable",
                    )
                ),
                spacing="3",
                justify="end",
            ),
        ),
        open=AccountsState.confirm_id != "",
    )


def accounts_page() -> rx.Component:
    return layout(
        "Accounts",
        rx.vstack(
            rx.cond(
                AccountsState.orgs.length() > 1,
                rx.hstack(
                    rx.text("Organisation", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(min_width="280px", id="org-picker"),
                        rx.select.content(
                            rx.foreach(
                                AccountsState.orgs,
                                lambda o: rx.select.item(o["name"], value=o["id"]),
                            )
                        ),
                        value=AccountsState.org_id,
                        on_change=AccountsState.choose_org,
                    ),
                    align="center",
                    spacing="3",
                ),
            ),
            _invite_form(),
            _link_callout(),
            record_table(
                ["E-mail", "Name", "Role", "Status", ""],
                AccountsState.users,
                _account_row,
                "No accounts yet: invite the first person above.",
                "user-table",
            ),
            _disable_dialog(),
            spacing="4",
            width="100%",
        ),
        "Invite people, change their roles, disable them or hand out a password-reset link. "
        "Every change is written to the audit trail.",
    )


def _select(label: str, options, value, name: str, id_: str, key="id", text="name"):
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(min_width="180px", id=id_),
            rx.select.content(
                rx.select.item("All", value="all"),
                rx.foreach(options, lambda o: rx.select.item(o[text], value=o[key])),
            ),
            value=value,
            on_change=lambda v: AuditState.set_filter(name, v),
        ),
        spacing="1",
    )


def _audit_filters() -> rx.Component:
    return rx.flex(
        rx.cond(
            AuditState.orgs.length() > 1,
            _select("Organisation", AuditState.orgs, AuditState.f_org, "f_org", "audit-org"),
        ),
        _select("User", AuditState.people, AuditState.f_user, "f_user", "audit-user", text="label"),
        rx.vstack(
            rx.text("Action", size="1", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(min_width="180px", id="audit-action"),
                rx.select.content(
                    rx.select.item("All", value="all"),
                    rx.foreach(AuditState.actions, lambda a: rx.select.item(a, value=a)),
                ),
                value=AuditState.f_action,
                on_change=lambda v: AuditState.set_filter("f_action", v),
            ),
            spacing="1",
        ),
        *[
            rx.vstack(
                rx.text(label, size="1", color_scheme="gray"),
                rx.input(
                    type="date",
                    value=value,
                    on_change=lambda v, name=name: AuditState.set_filter(name, v),
                    id=f"audit-{name[2:]}",
                ),
                spacing="1",
            )
            for label, value, name in (
                ("From (IST)", AuditState.f_from, "f_from"),
                ("To (IST)", AuditState.f_to, "f_to"),
            )
        ],
        rx.button("Clear", variant="soft", on_click=AuditState.clear, id="audit-clear"),
        rx.button(
            rx.icon("download", size=16),
            "Export CSV",
            on_click=AuditState.export,
            id="audit-export",
        ),
        spacing="3",
        wrap="wrap",
        align="end",
    )


def audit_page() -> rx.Component:
    return layout(
        "Audit trail",
        rx.vstack(
            rx.cond(
                AuditState.can_verify,
                rx.hstack(
                    rx.button(
                        rx.icon("shield-check", size=16),
                        "Verify hash chain",
                        on_click=AuditState.verify,
                        id="verify-chain",
                    ),
                    rx.cond(
                        AuditState.verdict != "",
                        rx.badge(
                            AuditState.verdict,
                            color_scheme=rx.cond(AuditState.verdict_ok, "green", "red"),
                            size="2",
                            id="verdict",
                        ),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
            ),
            _audit_filters(),
            rx.cond(
                AuditState.error != "",
                rx.callout.root(rx.callout.text(AuditState.error), color_scheme="red", size="1"),
            ),
            data_table(
                [
                    ("seq", "#"),
                    ("at", "When (IST)"),
                    ("org", "Organisation"),
                    ("actor", "Who"),
                    ("action", "Action"),
                    ("entity", "Entity"),
                    ("summary", "Summary"),
                ],
                AuditState.entries,
                "Nothing matches these filters: widen the dates or clear the filters.",
                "audit-table",
            ),
            rx.hstack(
                rx.text(AuditState.showing, size="2", color_scheme="gray", id="audit-showing"),
                rx.button(
                    "Newer",
                    size="1",
                    variant="soft",
                    on_click=AuditState.page(-1),
                    disabled=AuditState.offset == 0,
                    id="audit-newer",
                ),
                rx.button(
                    "Older",
                    size="1",
                    variant="soft",
                    on_click=AuditState.page(1),
                    disabled=~AuditState.has_next,
                    id="audit-older",
                ),
                spacing="3",
                align="center",
            ),
            spacing="4",
            width="100%",
        ),
        "Append-only and hash-chained: entries cannot be changed or removed.",
    )
