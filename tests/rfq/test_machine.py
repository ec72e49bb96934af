"""Every pair of RFQ and quote states: allowed moves pass, all others are refused with the
allowed ones named."""

from __future__ import annotations

import itertools

import pytest

from services.errors import Conflict, Invalid
from services.rfq.machine import (
    QUOTE_STATUSES,
    RFQ_STATUSES,
    check_quote_transition,
    check_rfq_transition,
)

RFQ_MOVES = {
    ("draft", "open"),
    ("draft", "cancelled"),
    ("open", "negotiating"),
    ("open", "expired"),
    ("open", "cancelled"),
    ("negotiating", "awarded"),
    ("negotiating", "expired"),
    ("negotiating", "cancelled"),
    ("awarded", "closed"),
}
QUOTE_MOVES = {
    ("submitted", s) for s in ("revised", "withdrawn", "accepted", "rejected", "expired")
}


def _allowed_from(moves: set, current: str) -> list[str]:
    return sorted(new for old, new in moves if old == current)


@pytest.mark.parametrize("current,new", list(itertools.product(RFQ_STATUSES, RFQ_STATUSES)))
def test_rfq_transition(current, new):
    if (current, new) in RFQ_MOVES:
        check_rfq_transition(current, new)
        return
    with pytest.raises(Conflict) as refused:
        check_rfq_transition(current, new)
    allowed = _allowed_from(RFQ_MOVES, current)
    message = refused.value.message
    assert f"{current} cannot become {new}" in message
    if allowed:
        assert all(state in message.split("allowed:")[1] for state in allowed)
    else:
        assert "final" in message


@pytest.mark.parametrize("current,new", list(itertools.product(QUOTE_STATUSES, QUOTE_STATUSES)))
def test_quote_transition(current, new):
    if (current, new) in QUOTE_MOVES:
        check_quote_transition(current, new)
        return
    with pytest.raises(Conflict) as refused:
        check_quote_transition(current, new)
    allowed = _allowed_from(QUOTE_MOVES, current)
    tail = refused.value.message.split("allowed:")[1]
    assert all(state in tail for state in allowed) if allowed else "final" in tail


def test_unknown_states_are_bad_input_not_conflicts():
    with pytest.raises(Invalid) as rfq:
        check_rfq_transition("open", "won")
    with pytest.raises(Invalid) as quote:
        check_quote_transition("submitted", "won")
    assert rfq.value.field == quote.value.field == "status"
