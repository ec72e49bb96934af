"""The ticket status machine."""

from __future__ import annotations

from services.errors import Conflict

STATUSES = (
    "open",
    "acknowledged",
    "assigned",
    "en_route",
    "on_site",
    "in_progress",
    "on_hold",
    "resolved",
    "closed",
    "reopened",
    "cancelled",
)
ACTIVE = ("open", "acknowledged", "assigned", "en_route", "on_site", "in_progress", "reopened")

# What each status may move to. on_hold returns to the work states; resolved tickets are
# closed by the customer or reopened; closed and cancelled are final.
ALLOWED: dict[str, tuple[str, ...]] = {
    "open": ("acknowledged", "assigned", "on_hold", "cancelled"),
    "acknowledged": ("assigned", "on_hold", "cancelled"),
    "assigned": ("en_route", "acknowledged", "on_hold", "cancelled"),
    "en_route": ("on_site", "assigned", "on_hold"),
    "on_site": ("in_progress", "on_hold"),
    "in_progress": ("resolved", "on_hold"),
    "on_hold": ("acknowledged", "assigned", "en_route", "on_site", "in_progress", "cancelled"),
    "resolved": ("closed", "reopened"),
    "reopened": ("acknowledged", "assigned", "on_hold", "cancelled"),
    "closed": (),
    "cancelled": (),
}

# Statuses that count as the provider having responded to the ticket.
RESPONDED = ("acknowledged", "assigned", "en_route", "on_site", "in_progress", "resolved", "closed")


def check_transition(current: str, new: str) -> None:
    """Raise Conflict naming the allowed next statuses unless current -> new is allowed."""
    if new not in STATUSES:
        from services.errors import Invalid

        raise Invalid("status", f"must be one of {', '.join(STATUSES)}")
    allowed = ALLOWED[current]
    if new not in allowed:
        options = ", ".join(allowed) if allowed else "none (the ticket is final)"
        raise Conflict(f"A ticket that is {current} cannot become {new}; allowed: {options}")
