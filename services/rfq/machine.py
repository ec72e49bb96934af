"""The RFQ and quote status machines.

An RFQ is drafted, opened to OEMs, negotiated once the first quote arrives, awarded and
closed; its timer expires it while it is open or negotiating, and the buyer may cancel it
until it is awarded. A quote is submitted, then superseded by a revision, withdrawn by
its OEM, accepted or rejected by the buyer, or expires with its RFQ.
"""

from __future__ import annotations

from services.errors import Conflict, Invalid

RFQ_STATUSES = ("draft", "open", "negotiating", "awarded", "closed", "expired", "cancelled")
RFQ_ALLOWED: dict[str, tuple[str, ...]] = {
    "draft": ("open", "cancelled"),
    "open": ("negotiating", "expired", "cancelled"),
    "negotiating": ("awarded", "expired", "cancelled"),
    "awarded": ("closed",),
    "closed": (),
    "expired": (),
    "cancelled": (),
}
# States in which OEMs may still quote and the expiry timer runs.
RFQ_LIVE = ("open", "negotiating")

QUOTE_STATUSES = ("submitted", "revised", "withdrawn", "accepted", "rejected", "expired")
QUOTE_ALLOWED: dict[str, tuple[str, ...]] = {
    "submitted": ("revised", "withdrawn", "accepted", "rejected", "expired"),
    "revised": (),
    "withdrawn": (),
    "accepted": (),
    "rejected": (),
    "expired": (),
}


def _check(
    kind: str,
    statuses: tuple[str, ...],
    allowed: dict[str, tuple[str, ...]],
    current: str,
    new: str,
) -> None:
    if new not in statuses:
        raise Invalid("status", f"must be one of {', '.join(statuses)}")
    options = allowed[current]
    if new not in options:
        names = ", ".join(options) if options else f"none (the {kind} is final)"
        raise Conflict(f"A {kind} that is {current} cannot become {new}; allowed: {names}")


def check_rfq_transition(current: str, new: str) -> None:
    """Raise Conflict naming the allowed next states unless an RFQ may go current -> new;
    Invalid for an unknown state."""
    _check("RFQ", RFQ_STATUSES, RFQ_ALLOWED, current, new)


def check_quote_transition(current: str, new: str) -> None:
    """Raise Conflict naming the allowed next states unless a quote may go current -> new;
    Invalid for an unknown state."""
    _check("quote", QUOTE_STATUSES, QUOTE_ALLOWED, current, new)
