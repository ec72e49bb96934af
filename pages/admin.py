"""Platform administration: organisations, accounts and the audit trail."""

from __future__ import annotations

import reflex as rx

from pages.components.data_table import data_table
from pages.components.layout import layout
from state.admin import AuditState, OrganisationsState


def organisations_page() -> rx.Component:
    return layout(
        "Organisations",
        rx.vstack(
            rx.heading("Organisations", size="4"),
            data_table(
                [("name", "Name"), ("kind", "Kind"), ("state", "State")],
                OrganisationsState.tenants,
                "No organisations yet.",
                "tenant-table",
            ),
            rx.heading("Accounts", size="4"),
            data_table(
                [
                    ("email", "E-mail"),
                    ("name", "Name"),
                    ("org", "Organisation"),
                    ("roles", "Roles"),
                    ("status", "Status"),
                ],
                OrganisationsState.users,
                "No accounts yet.",
                "user-table",
            ),
            spacing="4",
            width="100%",
        ),
        "Every organisation on the platform and its accounts.",
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
            data_table(
                [
                    ("seq", "#"),
                    ("at", "When (IST)"),
                    ("actor", "Who"),
                    ("action", "Action"),
                    ("entity", "Entity"),
                    ("summary", "Summary"),
                ],
                AuditState.entries,
                "Nothing recorded yet.",
                "audit-table",
            ),
            spacing="4",
            width="100%",
        ),
        "Append-only and hash-chained: entries cannot be changed or removed.",
    )
