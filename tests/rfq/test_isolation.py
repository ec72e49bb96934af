"""Competing OEMs never see each other's quotes: not through the API, not through the
services, not with raw SQL in their own tenant's transaction. PostgreSQL enforces it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from services.db import app_engine, tenant_session
from services.errors import NotFound
from services.rfq.quotes import list_quotes, submit_quote
from tests.rfq.conftest import raise_rfq, send_quote, terms


@contextmanager
def _as_tenant(tenant_id: uuid.UUID) -> Iterator[Connection]:
    """A transaction as the application role with the tenant set as the app sets it."""
    with app_engine().connect() as con, con.begin():
        con.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        yield con


@pytest.fixture
def quoted(client, market) -> tuple[str, dict, dict]:
    """An RFQ sent to both OEMs, each with a quote (A has revised once)."""
    rfq_id = raise_rfq(client, market)
    send_quote(client, market, "oem_a", rfq_id, 10_00_000_00, 4_00_000_00)
    quote_a = send_quote(client, market, "oem_a", rfq_id, 9_00_000_00, 4_00_000_00)
    quote_b = send_quote(client, market, "oem_b", rfq_id, 9_50_000_00, 3_00_000_00)
    return rfq_id, quote_a, quote_b


def test_an_oem_reads_only_its_own_quotes_through_the_api(client, market, quoted):
    rfq_id, quote_a, quote_b = quoted
    for history in ("false", "true"):
        seen_by_b = client.get(
            f"/api/v1/rfqs/{rfq_id}/quotes?history={history}", headers=market.headers["oem_b"]
        ).json()
        assert {q["oemId"] for q in seen_by_b["quotes"]} == {str(market.oem_b.tenant.id)}
        assert "comparison" not in seen_by_b
    seen_by_buyer = client.get(
        f"/api/v1/rfqs/{rfq_id}/quotes", headers=market.headers["buyer"]
    ).json()
    assert {q["quoteId"] for q in seen_by_buyer["quotes"]} == {
        quote_a["quoteId"],
        quote_b["quoteId"],
    }


def test_an_oem_reads_only_its_own_quotes_through_the_service(market, quoted):
    rfq_id, quote_a, _quote_b = quoted
    with tenant_session(market.oem_b.actor) as db:
        quotes = list_quotes(db, market.oem_b.actor, uuid.UUID(rfq_id), history=True)
    assert quotes and {q.tenant_id for q in quotes} == {market.oem_b.tenant.id}
    assert uuid.UUID(quote_a["quoteId"]) not in {q.id for q in quotes}


def test_raw_sql_in_an_oems_tenant_shows_no_competitor_quote(market, quoted):
    rfq_id, quote_a, quote_b = quoted
    with _as_tenant(market.oem_b.tenant.id) as con:
        rows = con.execute(text("SELECT * FROM quote WHERE rfq_id = :r"), {"r": rfq_id}).all()
        everything = con.execute(text("SELECT tenant_id FROM quote")).scalars().all()
        recipients = (
            con.execute(
                text("SELECT oem_tenant_id FROM rfq_recipient WHERE rfq_id = :r"), {"r": rfq_id}
            )
            .scalars()
            .all()
        )
    assert [str(r.id) for r in rows] == [quote_b["quoteId"]]
    assert set(everything) == {market.oem_b.tenant.id}
    assert recipients == [market.oem_b.tenant.id]  # nor who else was invited
    with _as_tenant(market.oem_a.tenant.id) as con:  # the same query works for A's own rows
        own = con.execute(
            text("SELECT count(*) FROM quote WHERE rfq_id = :r"), {"r": rfq_id}
        ).scalar_one()
    assert own == 2  # A's revision 1 and 2
    assert quote_a["revision"] == 2


def test_an_oem_cannot_change_a_competitors_quote_with_raw_sql(market, quoted):
    _rfq_id, quote_a, _quote_b = quoted
    with _as_tenant(market.oem_b.tenant.id) as con:
        changed = con.execute(
            text("UPDATE quote SET amount_paise = 1 WHERE id = :q"), {"q": quote_a["quoteId"]}
        ).rowcount
        deleted = con.execute(
            text("DELETE FROM quote WHERE id = :q"), {"q": quote_a["quoteId"]}
        ).rowcount
    assert (changed, deleted) == (0, 0)


def test_an_uninvited_oem_cannot_quote_even_with_raw_sql(client, market):
    rfq_id = raise_rfq(client, market, oemIds=[str(market.oem_a.tenant.id)])
    with tenant_session(market.oem_b.actor) as db, pytest.raises(NotFound):
        submit_quote(db, market.oem_b.actor, uuid.UUID(rfq_id), terms(market, 1, 1))
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        _as_tenant(market.oem_b.tenant.id) as con,
    ):
        con.execute(
            text(
                "INSERT INTO quote (tenant_id, rfq_id, buyer_tenant_id, revision, "
                "status, amount_paise) VALUES (:o, :r, :b, 1, 'submitted', 1)"
            ),
            {"o": market.oem_b.tenant.id, "r": rfq_id, "b": market.buyer.tenant.id},
        )


def test_an_oem_cannot_show_its_quote_to_another_buyer(client, market, auth):
    rfq_id = raise_rfq(client, market)
    quote = send_quote(client, market, "oem_a", rfq_id, 1_00_000_00, 1_00_000_00)
    other_buyer = client.get("/api/v1/me", headers=auth("buyer_admin")).json()
    other_id = other_buyer["tenantId"]
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        _as_tenant(market.oem_a.tenant.id) as con,
    ):
        con.execute(
            text("UPDATE quote SET buyer_tenant_id = :b WHERE id = :q"),
            {"b": other_id, "q": quote["quoteId"]},
        )
