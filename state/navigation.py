"""The pages of the app, who may open each, and the menu built from them.

Roles come from the one roles table (services/common/roles.py), the same groups the
services and routers check, so a page opens only for roles its buttons serve. What each
page draws and loads is in pages/registry.py, one entry per route here."""

from __future__ import annotations

from dataclasses import dataclass

from services.actor import Role
from services.common.roles import (
    ADMINS,
    BUYERS,
    CONTRACT_VIEWERS,
    COVERAGE_VIEWERS,
    CUSTOMERS,
    DEVICE_IMPORTERS,
    DEVICE_VIEWERS,
    DISPATCHERS,
    EVERYONE,
    FIELD_SERVICE,
    FLEET_WATCHERS,
    LAB_TEAM,
    MESSAGE_LOG_READERS,
    PLATFORM_ADMINS,
    REGISTRARS,
    SELLERS,
    SERVICE_DESK_USERS,
    SERVICE_PLANNERS,
    STOCK_KEEPERS,
    SUPPLIERS,
    TICKET_OPENERS,
    TICKET_VIEWERS,
)


@dataclass(frozen=True)
class Page:
    route: str
    label: str
    icon: str
    roles: frozenset[Role]
    in_menu: bool = True


PAGES = (
    Page("/", "Home", "house", EVERYONE),
    Page("/lab", "Lab console", "flask-conical", LAB_TEAM),
    Page("/lab/messages", "Lab messages", "inbox", LAB_TEAM),
    Page("/lab/messages/detail", "Lab message", "mail", LAB_TEAM, in_menu=False),
    Page("/lab/settings", "Lab settings", "sliders-horizontal", LAB_TEAM),
    Page("/catalog", "Catalog", "package", CUSTOMERS | SELLERS | PLATFORM_ADMINS),
    Page(
        "/catalog/detail",
        "Product",
        "package",
        CUSTOMERS | SELLERS | PLATFORM_ADMINS,
        in_menu=False,
    ),
    Page("/rfqs", "RFQs", "file-text", BUYERS | SELLERS),
    Page("/rfqs/new", "New RFQ", "file-plus", BUYERS, in_menu=False),
    Page("/rfqs/detail", "RFQ", "file-text", BUYERS | SELLERS, in_menu=False),
    Page("/orders", "Orders", "truck", BUYERS | SUPPLIERS),
    Page("/negotiation/room", "Negotiation", "messages-square", BUYERS | SELLERS, in_menu=False),
    Page("/facilities", "Facilities", "hospital", CUSTOMERS | FIELD_SERVICE),
    Page("/directory", "Directory", "map", EVERYONE),
    Page("/directory/detail", "Facility", "hospital", EVERYONE, in_menu=False),
    Page("/service-areas", "Service areas", "radius", COVERAGE_VIEWERS),
    Page("/ops", "Ops console", "radar", SERVICE_PLANNERS),
    Page("/fleet", "Fleet health", "activity", FLEET_WATCHERS),
    Page("/dispatch", "Dispatch", "route", DISPATCHERS),
    Page("/parts", "Parts", "package-open", STOCK_KEEPERS),
    Page("/report", "Report a fault", "siren", TICKET_OPENERS),
    Page("/service", "Service desk", "life-buoy", SERVICE_DESK_USERS),
    Page("/contracts", "Contracts", "file-check", CONTRACT_VIEWERS),
    Page("/tickets/detail", "Ticket", "ticket", TICKET_VIEWERS, in_menu=False),
    Page("/devices", "Devices", "cpu", DEVICE_VIEWERS),
    Page("/devices/register", "Register device", "circle-plus", REGISTRARS),
    Page("/devices/import", "Bulk import", "upload", DEVICE_IMPORTERS),
    Page("/devices/detail", "Device", "cpu", DEVICE_VIEWERS, in_menu=False),
    Page("/pincodes", "Pincode lookup", "map-pin", EVERYONE),
    Page("/admin/organisations", "Organisations", "building-2", PLATFORM_ADMINS),
    Page("/admin/users", "Accounts", "users", ADMINS),
    Page("/audit", "Audit trail", "shield-check", ADMINS),
    Page("/conversations", "WhatsApp", "message-circle", DISPATCHERS),
    Page("/profile", "Your profile", "circle-user", EVERYONE),
    Page("/messages", "Message log", "send", MESSAGE_LOG_READERS),
    Page("/profile/notifications", "Notification settings", "bell-ring", EVERYONE, in_menu=False),
)
BY_ROUTE = {page.route: page for page in PAGES}
# Apps served beside the Reflex pages (plain HTML, opened with a full page load): the
# technician's offline phone app.
APPS = {"/field": frozenset({Role.TECHNICIAN})}


def pages_for(roles: frozenset[Role]) -> list[Page]:
    return [page for page in PAGES if page.in_menu and page.roles & roles]
