"""The pages of the app and the roles that may open each; the menu is built from this."""

from __future__ import annotations

from dataclasses import dataclass

from services.actor import Role

EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Page:
    route: str
    label: str
    icon: str
    roles: frozenset[Role]
    in_menu: bool = True


DEVICE_VIEWERS = frozenset({
    Role.BUYER_ADMIN, Role.BUYER_USER, Role.LAB_STAFF, Role.OEM_ADMIN, Role.OEM_SALES,
    Role.OEM_SERVICE_MANAGER, Role.DISPATCHER, Role.TECHNICIAN})
TICKET_VIEWERS = frozenset({
    Role.BUYER_ADMIN, Role.BUYER_USER, Role.LAB_STAFF, Role.OEM_ADMIN,
    Role.OEM_SERVICE_MANAGER, Role.DISPATCHER, Role.TECHNICIAN})
REGISTRARS = frozenset({Role.BUYER_ADMIN, Role.BUYER_USER, Role.LAB_STAFF, Role.OEM_ADMIN,
                        Role.OEM_SERVICE_MANAGER})

PAGES = (
    Page("/", "Home", "house", EVERYONE),
    Page("/catalog", "Catalog", "package", frozenset({
        Role.BUYER_ADMIN, Role.BUYER_USER, Role.LAB_STAFF, Role.OEM_ADMIN, Role.OEM_SALES,
        Role.PLATFORM_ADMIN})),
    Page("/rfqs", "RFQs", "file-text", frozenset({
        Role.BUYER_ADMIN, Role.BUYER_USER, Role.OEM_ADMIN, Role.OEM_SALES})),
    Page("/rfqs/new", "New RFQ", "file-plus", frozenset({Role.BUYER_ADMIN, Role.BUYER_USER}),
         in_menu=False),
    Page("/rfqs/detail", "RFQ", "file-text", frozenset({
        Role.BUYER_ADMIN, Role.BUYER_USER, Role.OEM_ADMIN, Role.OEM_SALES}), in_menu=False),
    Page("/orders", "Orders", "truck", frozenset({
        Role.BUYER_ADMIN, Role.BUYER_USER, Role.OEM_ADMIN, Role.OEM_SALES,
        Role.OEM_SERVICE_MANAGER})),
    Page("/negotiation/room", "Negotiation", "messages-square", frozenset({
        Role.BUYER_ADMIN, Role.BUYER_USER, Role.OEM_ADMIN, Role.OEM_SALES}), in_menu=False),
    Page("/facilities", "Facilities", "hospital", frozenset({
        Role.BUYER_ADMIN, Role.BUYER_USER, Role.LAB_STAFF, Role.OEM_SERVICE_MANAGER,
        Role.DISPATCHER, Role.TECHNICIAN})),
    Page("/directory", "Directory", "map", EVERYONE),
    Page("/directory/detail", "Facility", "hospital", EVERYONE, in_menu=False),
    Page("/service-areas", "Service areas", "radius", frozenset({
        Role.OEM_ADMIN, Role.OEM_SERVICE_MANAGER, Role.DISPATCHER, Role.BUYER_ADMIN,
        Role.PLATFORM_ADMIN})),
    Page("/ops", "Ops console", "radar", frozenset({
        Role.DISPATCHER, Role.OEM_SERVICE_MANAGER, Role.OEM_ADMIN})),
    Page("/dispatch", "Dispatch", "route", frozenset({
        Role.DISPATCHER, Role.OEM_SERVICE_MANAGER})),
    Page("/report", "Report a fault", "siren", frozenset({
        Role.BUYER_ADMIN, Role.BUYER_USER, Role.LAB_STAFF, Role.DISPATCHER, Role.TECHNICIAN,
        Role.OEM_SERVICE_MANAGER})),
    Page("/tickets/detail", "Ticket", "ticket", TICKET_VIEWERS, in_menu=False),
    Page("/devices", "Devices", "cpu", DEVICE_VIEWERS),
    Page("/devices/register", "Register device", "circle-plus", REGISTRARS),
    Page("/devices/import", "Bulk import", "upload", frozenset({
        Role.OEM_ADMIN, Role.OEM_SERVICE_MANAGER})),
    Page("/devices/detail", "Device", "cpu", DEVICE_VIEWERS, in_menu=False),
    Page("/pincodes", "Pincode lookup", "map-pin", EVERYONE),
    Page("/admin/organisations", "Organisations", "building-2", frozenset({
        Role.PLATFORM_ADMIN})),
    Page("/audit", "Audit trail", "shield-check", frozenset({
        Role.PLATFORM_ADMIN, Role.BUYER_ADMIN, Role.OEM_ADMIN})),
)
BY_ROUTE = {page.route: page for page in PAGES}


def pages_for(roles: frozenset[Role]) -> list[Page]:
    return [page for page in PAGES if page.in_menu and page.roles & roles]
