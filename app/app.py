"""The Reflex entry: pages, theme, and the REST API on the same port."""

from __future__ import annotations

import reflex as rx

from app.api import create_api
from pages.admin import audit_page, organisations_page
from pages.catalog import catalog_page
from pages.devices import device_page, import_page, register_page, registry_page
from pages.directory import directory_page, facility_page
from pages.dispatch import dispatch_page
from pages.facilities import facilities_page
from pages.geo import pincodes_page
from pages.home import home_page
from pages.login import login_page
from pages.negotiation import negotiation_page
from pages.ops import ops_page
from pages.orders import orders_page
from pages.report import report_page
from pages.rfq import rfq_detail_page, rfq_list_page, rfq_new_page
from pages.service_areas import service_areas_page
from pages.tickets import ticket_page
from state.admin import AuditState, OrganisationsState
from state.auth import AuthState
from state.catalog import CatalogState
from state.devices import DevicesState, DeviceState, ImportState, RegisterState
from state.dispatch import DispatchState
from state.facilities import FacilitiesState
from state.geo import (
    DirectoryImportState,
    DirectoryState,
    FacilityState,
    PincodeState,
    ServiceAreaState,
)
from state.home import HomeState
from state.negotiation import NegotiationState
from state.ops import OpsState
from state.orders import OrdersState
from state.report import ReportState
from state.rfq import RfqDetailState, RfqListState, RfqNewState
from state.tickets import TicketState

app = rx.App(
    api_transformer=create_api(),
    head_components=[rx.el.meta(name="theme-color", content="#0f766e")],
)
app.add_page(login_page, route="/login", title="Sign in · Yantra",
             on_load=AuthState.login_page_load)
app.add_page(home_page, route="/", title="Home · Yantra", on_load=HomeState.load)
app.add_page(catalog_page, route="/catalog", title="Catalog · Yantra", on_load=CatalogState.load)
app.add_page(facilities_page, route="/facilities", title="Facilities · Yantra",
             on_load=FacilitiesState.load)
app.add_page(directory_page, route="/directory", title="Directory · Yantra",
             on_load=[DirectoryState.load, DirectoryImportState.load])
app.add_page(facility_page, route="/directory/[facility_id]", title="Facility · Yantra",
             on_load=FacilityState.load)
app.add_page(service_areas_page, route="/service-areas", title="Service areas · Yantra",
             on_load=ServiceAreaState.load)
app.add_page(dispatch_page, route="/dispatch", title="Dispatch · Yantra",
             on_load=DispatchState.load)
app.add_page(report_page, route="/report", title="Report a fault · Yantra",
             on_load=ReportState.load)
app.add_page(ops_page, route="/ops", title="Ops console · Yantra", on_load=OpsState.load)
app.add_page(ticket_page, route="/tickets/[ticket_id]", title="Ticket · Yantra",
             on_load=TicketState.load)
app.add_page(registry_page, route="/devices", title="Devices · Yantra", on_load=DevicesState.load)
app.add_page(register_page, route="/devices/register", title="Register a device · Yantra",
             on_load=RegisterState.load)
app.add_page(import_page, route="/devices/import", title="Bulk import · Yantra",
             on_load=ImportState.load)
app.add_page(device_page, route="/devices/[device_id]", title="Device · Yantra",
             on_load=DeviceState.load)
app.add_page(pincodes_page, route="/pincodes", title="Pincodes · Yantra",
             on_load=PincodeState.load)
app.add_page(organisations_page, route="/admin/organisations", title="Organisations · Yantra",
             on_load=OrganisationsState.load)
app.add_page(audit_page, route="/audit", title="Audit trail · Yantra", on_load=AuditState.load)
app.add_page(rfq_list_page, route="/rfqs", title="RFQs · Yantra", on_load=RfqListState.load)
app.add_page(rfq_new_page, route="/rfqs/new", title="New RFQ · Yantra", on_load=RfqNewState.load)
app.add_page(rfq_detail_page, route="/rfqs/[rfq_id]", title="RFQ · Yantra",
             on_load=RfqDetailState.load)
app.add_page(negotiation_page, route="/negotiation/[rfq_id]/[oem_id]",
             title="Negotiation · Yantra", on_load=NegotiationState.load)
app.add_page(orders_page, route="/orders", title="Orders · Yantra", on_load=OrdersState.load)
