"""Every page of the app: its URL, what it draws, its title and what it loads.

Who may open a page and its menu entry are in state/navigation.py (the states guard with
them); each entry here names that row, and app/app.py adds the pages from this table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from pages.account_link import account_link_page
from pages.admin import accounts_page, audit_page, organisations_page
from pages.catalog import catalog_page
from pages.contracts import contracts_page
from pages.conversations import conversations_page
from pages.devices import device_page, import_page, register_page, registry_page
from pages.directory import directory_page, facility_page
from pages.dispatch import dispatch_page
from pages.facilities import facilities_page
from pages.fleet import fleet_page
from pages.geo import pincodes_page
from pages.home import home_page
from pages.lab import lab_page
from pages.lab_messages import lab_message_page, lab_messages_page
from pages.lab_settings import lab_settings_page
from pages.login import login_page
from pages.negotiation import negotiation_page
from pages.notifications import messages_page, preferences_page
from pages.ops import ops_page
from pages.orders import orders_page
from pages.parts import parts_page
from pages.product import product_page
from pages.profile import profile_page
from pages.report import report_page
from pages.rfq import rfq_list_page, rfq_new_page
from pages.rfq_detail import rfq_detail_page
from pages.service_areas import service_areas_page
from pages.service_desk import service_desk_page
from pages.tickets import ticket_page
from state.admin import AccountLinkState, AccountsState, AuditState, OrganisationsState
from state.alarm_rules import AlarmRulesState
from state.auth import AuthState
from state.catalog import CatalogState
from state.contracts import ContractsState
from state.conversations import ConversationsState
from state.device_edit import DeviceEditState
from state.device_lifecycle import DeviceLifecycleState
from state.device_telemetry import DeviceConnectionState
from state.devices import DevicesState, DeviceState, ImportState, RegisterState
from state.directory import DirectoryImportState, DirectoryState, FacilityState
from state.dispatch import DispatchState
from state.facilities import FacilitiesState
from state.geo import PincodeState
from state.home import HomeState
from state.lab import LabState
from state.lab_messages import LabMessagesState, LabMessageState
from state.lab_settings import LabSettingsState
from state.navigation import BY_ROUTE, Page
from state.negotiation import NegotiationState
from state.notifications import MessagesState, PreferencesState
from state.ops import OpsState
from state.orders import OrdersState
from state.parts import PartsState
from state.product import ProductState
from state.profile import ProfileState
from state.report import ReportState
from state.rfq import RfqListState, RfqNewState
from state.rfq_detail import RfqDetailState
from state.service_areas import ServiceAreaState
from state.service_desk import ServiceDeskState
from state.telemetry import DeviceTelemetryState, FleetState
from state.tickets import TicketState


@dataclass(frozen=True)
class Screen:
    page: Page | None  # who may open it; None: open to all (sign-in)
    path: str  # the URL Reflex serves, with its [parameters]
    component: Callable[[], rx.Component]
    title: str
    on_load: Any


def _screen(route: str | None, path: str, component, title: str, on_load) -> Screen:
    return Screen(BY_ROUTE[route] if route else None, path, component, title, on_load)


SCREENS = (
    _screen(None, "/login", login_page, "Sign in", AuthState.login_page_load),
    _screen("/", "/", home_page, "Home", HomeState.load),
    _screen("/catalog", "/catalog", catalog_page, "Catalog", CatalogState.load),
    _screen("/catalog/detail", "/catalog/[sku_id]", product_page, "Product", ProductState.load),
    _screen("/facilities", "/facilities", facilities_page, "Facilities", FacilitiesState.load),
    _screen(
        "/directory",
        "/directory",
        directory_page,
        "Directory",
        [DirectoryState.load, DirectoryImportState.load],
    ),
    _screen(
        "/directory/detail",
        "/directory/[facility_id]",
        facility_page,
        "Facility",
        FacilityState.load,
    ),
    _screen(
        "/service-areas",
        "/service-areas",
        service_areas_page,
        "Service areas",
        ServiceAreaState.load,
    ),
    _screen("/dispatch", "/dispatch", dispatch_page, "Dispatch", DispatchState.load),
    _screen(
        "/conversations",
        "/conversations",
        conversations_page,
        "WhatsApp",
        ConversationsState.load,
    ),
    _screen("/parts", "/parts", parts_page, "Parts", PartsState.load),
    _screen("/report", "/report", report_page, "Report a fault", ReportState.load),
    _screen("/service", "/service", service_desk_page, "Service desk", ServiceDeskState.load),
    _screen("/contracts", "/contracts", contracts_page, "Contracts", ContractsState.load),
    _screen("/ops", "/ops", ops_page, "Ops console", OpsState.load),
    _screen(
        "/fleet", "/fleet", fleet_page, "Fleet health", [FleetState.load, AlarmRulesState.load]
    ),
    _screen("/lab", "/lab", lab_page, "Lab console", LabState.load),
    _screen(
        "/lab/messages", "/lab/messages", lab_messages_page, "Lab messages", LabMessagesState.load
    ),
    _screen(
        "/lab/messages/detail",
        "/lab/messages/[message_id]",
        lab_message_page,
        "Lab message",
        LabMessageState.load,
    ),
    _screen(
        "/lab/settings", "/lab/settings", lab_settings_page, "Lab settings", LabSettingsState.load
    ),
    _screen("/tickets/detail", "/tickets/[ticket_id]", ticket_page, "Ticket", TicketState.load),
    _screen("/devices", "/devices", registry_page, "Devices", DevicesState.load),
    _screen(
        "/devices/register",
        "/devices/register",
        register_page,
        "Register a device",
        RegisterState.load,
    ),
    _screen("/devices/import", "/devices/import", import_page, "Bulk import", ImportState.load),
    _screen(
        "/devices/detail",
        "/devices/[device_id]",
        device_page,
        "Device",
        # the page's own facts first, then its lifecycle badge, telemetry charts and connection
        [
            DeviceState.load,
            DeviceLifecycleState.load,
            DeviceEditState.load,
            DeviceTelemetryState.load_charts,
            DeviceConnectionState.load,
        ],
    ),
    _screen("/pincodes", "/pincodes", pincodes_page, "Pincodes", PincodeState.load),
    _screen("/profile", "/profile", profile_page, "Your profile", ProfileState.load),
    _screen(
        "/admin/organisations",
        "/admin/organisations",
        organisations_page,
        "Organisations",
        OrganisationsState.load,
    ),
    _screen("/admin/users", "/admin/users", accounts_page, "Accounts", AccountsState.load),
    _screen(
        None,
        "/account/password/[secret]",
        account_link_page,
        "Set your password",
        AccountLinkState.load,
    ),
    _screen("/audit", "/audit", audit_page, "Audit trail", AuditState.load),
    _screen("/messages", "/messages", messages_page, "Message log", MessagesState.load),
    _screen(
        "/profile/notifications",
        "/profile/notifications",
        preferences_page,
        "Notification preferences",
        PreferencesState.load,
    ),
    _screen("/rfqs", "/rfqs", rfq_list_page, "RFQs", RfqListState.load),
    _screen("/rfqs/new", "/rfqs/new", rfq_new_page, "New RFQ", RfqNewState.load),
    _screen("/rfqs/detail", "/rfqs/[rfq_id]", rfq_detail_page, "RFQ", RfqDetailState.load),
    _screen(
        "/negotiation/room",
        "/negotiation/[rfq_id]/[oem_id]",
        negotiation_page,
        "Negotiation",
        NegotiationState.load,
    ),
    _screen("/orders", "/orders", orders_page, "Orders", OrdersState.load),
)
