"""Subscribers to domain events, registered in code.

A subscriber is a function `(db, event) -> None`; `db` is a session scoped to the
event's tenant. It is called at least once per event it accepts, so it must be
idempotent. A subscriber that raises is retried on its own schedule and never holds
up the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

# Every domain event name the platform emits.
EVENT_NAMES = frozenset(
    {
        "TenantCreated",
        "UserCreated",
        "AccessGranted",
        "CatalogUpdated",
        "RFQCreated",
        "RFQStatusChanged",
        "QuoteSubmitted",
        "ContractSigned",
        "OrderShipped",
        "DeviceOnboarded",
        "BatchProcessed",
        "QRScanned",
        "QRDeployed",
        "TicketOpened",
        "TicketStatusChanged",
        "SLABreached",
        "DispatchAssigned",
        "DispatchP1Acknowledged",
        "DispatchCalledOut",
        "DispatchOemAlerted",
        "DispatchProposed",
        "PartReserved",
        "FacilityImported",
        "LocationResolved",
        "WhatsAppMessageReceived",
        "TriageCompleted",
        "PreemptiveTicket",
        "InsightCreated",
        "ServiceAreaSaved",
        "CounterOffered",
        "OfferAccepted",
        "RFQOpened",
        "RFQExpired",
        "QuoteRevised",
        "QuoteWithdrawn",
        "QuoteAccepted",
        "PurchaseOrderIssued",
        "OrderStatusChanged",
        "DeviceTransferred",
        "DeviceStateChanged",
        "ContractRenewalDue",
        "LabResultsVerified",
    }
)


@dataclass(frozen=True)
class EventView:
    id: str
    name: str
    tenant_id: str
    entity: str
    entity_id: str
    payload: dict[str, Any]


Handler = Callable[[Session, EventView], None]


@dataclass(frozen=True)
class Subscriber:
    name: str
    handler: Handler
    events: frozenset[str] | None  # None: every event

    def accepts(self, event_name: str) -> bool:
        return self.events is None or event_name in self.events


_SUBSCRIBERS: dict[str, Subscriber] = {}

# Modules that hold the platform's own subscribers; workers import them at start.
BUILTIN_MODULES = (
    "services.events.builtin",
    "services.negotiation.flows",
    "services.notifications.subscribers",
    "services.notifications.news",
    "services.field.flows",
    "services.lab.flows",
    "services.dispatch.urgent",
)


def subscriber(name: str, events: Iterable[str] | None = None) -> Callable[[Handler], Handler]:
    """Register `handler` under a stable `name` (deliveries are tracked by it)."""
    wanted = frozenset(events) if events is not None else None
    unknown = (wanted or frozenset()) - EVENT_NAMES
    if unknown:
        raise ValueError(f"unknown event names: {sorted(unknown)}")

    def register(handler: Handler) -> Handler:
        _SUBSCRIBERS[name] = Subscriber(name, handler, wanted)
        return handler

    return register


def subscribers() -> dict[str, Subscriber]:
    return dict(_SUBSCRIBERS)


def load_modules(extra: str = "") -> None:
    """Import the built-in subscriber modules and any listed in `extra` (comma separated)."""
    for module in (*BUILTIN_MODULES, *[m.strip() for m in extra.split(",") if m.strip()]):
        importlib.import_module(module)
