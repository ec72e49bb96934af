"""The figures on each role's home page, counted from the database, each with the page
that lists what it counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor, Role
from services.common.roles import CUSTOMERS, FIELD_SERVICE, SELLERS


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    hint: str
    href: str = ""  # the page listing what is counted


def _count(db: Session, sql: str, **params) -> int:
    return int(db.execute(text(sql), params).scalar_one())


def home_figures(db: Session, actor: Actor) -> list[Figure]:
    """What the actor's role watches, as counts under row-level security."""
    figures: list[Figure] = []
    tid = actor.tenant_id
    if actor.has_any(Role.PLATFORM_ADMIN):
        figures += [
            Figure(
                "Organisations",
                _count(db, "SELECT count(*) FROM tenant"),
                "on the platform",
                "/admin/organisations",
            ),
            Figure(
                "Accounts",
                _count(db, "SELECT count(*) FROM users"),
                "across organisations",
                "/admin/organisations",
            ),
            Figure(
                "Audit entries",
                _count(db, "SELECT count(*) FROM audit_log"),
                "in the chain",
                "/audit",
            ),
            Figure(
                "Pincodes",
                _count(db, "SELECT count(*) FROM indian_pincodes"),
                "India Post reference",
                "/pincodes",
            ),
        ]
    if actor.has_any(*CUSTOMERS):
        figures += [
            Figure(
                "Facilities",
                _count(
                    db, "SELECT count(*) FROM healthcare_facilities WHERE tenant_id = :t", t=tid
                ),
                "in your organisation",
                "/facilities",
            ),
            Figure(
                "Devices",
                _count(db, "SELECT count(*) FROM equipment WHERE tenant_id = :t", t=tid),
                "registered",
                "/devices",
            ),
            Figure(
                "Devices under AMC/CMC",
                _count(
                    db,
                    "SELECT count(*) FROM equipment WHERE tenant_id = :t "
                    "AND amc_status IN ('amc', 'cmc')",
                    t=tid,
                ),
                "with a service contract",
                "/devices",
            ),
            Figure(
                "Open RFQs",
                _count(
                    db,
                    "SELECT count(*) FROM rfq WHERE tenant_id = :t "
                    "AND status IN ('open', 'negotiating')",
                    t=tid,
                ),
                "awaiting quotes",
                "/rfqs",
            ),
        ]
    if actor.has_any(Role.LAB_STAFF):
        figures.append(
            Figure(
                "Laboratories",
                _count(db, "SELECT count(*) FROM laboratories WHERE tenant_id = :t", t=tid),
                "in your network",
                "/directory",
            )
        )
    if actor.has_any(*SELLERS):
        figures += [
            Figure(
                "Your SKUs",
                _count(db, "SELECT count(*) FROM sku WHERE tenant_id = :t", t=tid),
                "in the catalog",
                "/catalog",
            ),
            Figure(
                "Marketplace SKUs", _count(db, "SELECT count(*) FROM sku"), "all OEMs", "/catalog"
            ),
            Figure(
                "RFQs sent to you",
                _count(db, "SELECT count(*) FROM rfq WHERE tenant_id <> :t", t=tid),
                "shared with you",
                "/rfqs",
            ),
        ]
    if actor.has_any(*FIELD_SERVICE):
        figures += [
            Figure(
                "Devices in your care",
                _count(db, "SELECT count(*) FROM equipment WHERE tenant_id <> :t", t=tid),
                "shared by customers or built by you",
                "/devices",
            ),
            Figure(
                "Open tickets",
                _count(
                    db,
                    "SELECT count(*) FROM ticket WHERE status NOT IN ('resolved', 'closed', "
                    "'cancelled')",
                ),
                "yours and your customers'",
                "/ops",
            ),
            Figure(
                "Service areas",
                _count(db, "SELECT count(*) FROM service_areas WHERE tenant_id = :t", t=tid),
                "hubs",
                "/service-areas",
            ),
            Figure(
                "Technicians",
                _count(
                    db,
                    "SELECT count(*) FROM users WHERE tenant_id = :t AND 'technician' = ANY(roles)",
                    t=tid,
                ),
                "in your organisation",
                "/dispatch",
            ),
        ]
    return figures
