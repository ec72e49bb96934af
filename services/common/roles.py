"""Who may do what: the role groups in the words of the business, in one table.

Services check them (`actor.require(*BUYERS)`), routers guard with them
(`require_roles(*DISPATCHERS)`) and the page table opens pages with them, so a page and
the buttons on it agree on who may use them."""

from __future__ import annotations

from services.actor import Role

EVERYONE = frozenset(Role)
PLATFORM_ADMINS = frozenset({Role.PLATFORM_ADMIN})
# Admins of an organisation: manage its accounts and read its audit trail.
ADMINS = frozenset({Role.PLATFORM_ADMIN, Role.BUYER_ADMIN, Role.OEM_ADMIN})

# The hospital or lab side.
BUYERS = frozenset({Role.BUYER_ADMIN, Role.BUYER_USER})  # raise RFQs, negotiate, order
AWARDERS = frozenset({Role.BUYER_ADMIN})  # award an RFQ and sign the contract
CUSTOMERS = BUYERS | {Role.LAB_STAFF}  # the people who own and use the equipment
LAB_TEAM = frozenset({Role.LAB_STAFF})  # release results, acknowledge critical values, share

# The OEM side.
SELLERS = frozenset({Role.OEM_ADMIN, Role.OEM_SALES})  # quote, negotiate, edit the catalog
SUPPLIERS = SELLERS | {Role.OEM_SERVICE_MANAGER}  # follow sales orders to installation
FIELD_SERVICE = frozenset({Role.OEM_SERVICE_MANAGER, Role.DISPATCHER, Role.TECHNICIAN})
SERVICE_TEAM = FIELD_SERVICE | {Role.OEM_ADMIN}  # work tickets, reserve parts
SERVICE_PLANNERS = frozenset({Role.OEM_ADMIN, Role.OEM_SERVICE_MANAGER, Role.DISPATCHER})
DISPATCHERS = frozenset({Role.DISPATCHER, Role.OEM_SERVICE_MANAGER})  # plan and accept routes
STOCK_KEEPERS = DISPATCHERS  # receive, move and adjust parts stock at the hubs
INSTALLERS = frozenset({Role.TECHNICIAN, Role.OEM_SERVICE_MANAGER})  # scan a label on site
DEVICE_IMPORTERS = frozenset({Role.OEM_ADMIN, Role.OEM_SERVICE_MANAGER})  # bulk device files
SERVICE_DESK = frozenset({Role.OEM_SERVICE_MANAGER, Role.OEM_ADMIN})  # told of uncovered P1s

# Devices and tickets, across both sides.
REGISTRARS = CUSTOMERS | {Role.OEM_ADMIN, Role.OEM_SERVICE_MANAGER}  # register a device
LABEL_PRINTERS = REGISTRARS | {Role.DISPATCHER, Role.TECHNICIAN}  # reissue a QR label
TICKET_OPENERS = CUSTOMERS | FIELD_SERVICE  # report a fault
TICKET_CLOSERS = CUSTOMERS | {Role.DISPATCHER}  # close or reopen a resolved ticket
TICKET_CANCELLERS = TICKET_CLOSERS | {Role.OEM_SERVICE_MANAGER}
TICKET_VIEWERS = CUSTOMERS | SERVICE_TEAM
DEVICE_VIEWERS = TICKET_VIEWERS | {Role.OEM_SALES}
COVERAGE_VIEWERS = SERVICE_PLANNERS | {Role.BUYER_ADMIN, Role.PLATFORM_ADMIN}  # service areas
SERVICE_DESK_USERS = CUSTOMERS  # follow their tickets, comment, confirm or reopen (/service)
CONTRACT_VIEWERS = CUSTOMERS | SUPPLIERS  # contracts, both sides
RENEWERS = AWARDERS  # ask for a contract's renewal quote
DEVICE_KEEPERS = CUSTOMERS  # edit, move, take out of service or decommission their devices
# A device's failure prediction and the fleet health view (/fleet): the OEM's service
# managers, admins and dispatchers, and the owning hospital or lab.
FLEET_WATCHERS = SERVICE_PLANNERS | CUSTOMERS
# The lab's interface engine: read channels and the message store; set up analyzer
# channels, their test codes, and reprocess messages (a lab chain's admin or its staff).
LAB_READERS = frozenset({Role.LAB_STAFF, Role.BUYER_ADMIN})
LAB_ADMINS = frozenset({Role.LAB_STAFF, Role.BUYER_ADMIN})
# Read every WhatsApp and e-mail notice the organisation sent, and its status (/messages).
MESSAGE_LOG_READERS = ADMINS | SERVICE_DESK | {Role.DISPATCHER}
# Issue, rotate and revoke a device's telemetry credential: its OEM's service side or the
# owning organisation's admin.
TELEMETRY_PROVISIONERS = frozenset({Role.OEM_ADMIN, Role.OEM_SERVICE_MANAGER, Role.BUYER_ADMIN})
# Set an OEM's own alarm limits per device type or device: its service manager.
ALARM_RULE_EDITORS = frozenset({Role.OEM_SERVICE_MANAGER})
