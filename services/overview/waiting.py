"""What waits for the signed-in person, by role: the home page's to-do lists.

Each list is read under the reader's row-level security and names things by what users
call them (RFQ-1001, SO-1002, ticket #1043), each with the page to act on it. A list
that is empty says what to do next instead.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor, Role
from services.common.clock import ist_text
from services.common.money import format_inr
from services.common.roles import (
    ADMINS,
    BUYERS,
    CUSTOMERS,
    DISPATCHERS,
    LAB_TEAM,
    SELLERS,
    SUPPLIERS,
)
from services.lab.console import lab_todo
from services.overview.lists import Item, Listed, Section, read_rows, total_of
from services.overview.service_work import (
    customer_sections,
    dispatcher_sections,
    technician_sections,
)

LIVE_RFQ = "('open', 'negotiating')"
__all__ = ["Item", "Section", "waiting_for"]


def _rfq_name(row) -> str:
    return f"RFQ-{row['number']}" + (f" · {row['title']}" if row["title"] else "")


def _quotes_to_answer(db: Session, actor: Actor, limit: int) -> Listed:
    rows = read_rows(
        db,
        f"""SELECT r.id, r.number, r.title, count(q.id) AS quotes,
                   min(q.amount_paise) AS best, r.expires_at, count(*) OVER () AS total
              FROM rfq r JOIN quote q ON q.rfq_id = r.id AND q.is_current
                                      AND q.status = 'submitted'
             WHERE r.tenant_id = :t AND r.status IN {LIVE_RFQ}
             GROUP BY r.id ORDER BY max(q.created_at) DESC LIMIT :n""",
        t=actor.tenant_id,
        n=limit,
    )
    return total_of(rows), [
        Item(
            _rfq_name(r),
            f"{r['quotes']} quote{'s' if r['quotes'] != 1 else ''}, lowest "
            f"{format_inr(r['best'])} before GST: compare, counter or award",
            f"/rfqs/{r['id']}",
        )
        for r in rows
    ]


def _counters_to_answer(db: Session, actor: Actor, limit: int, side: str) -> Listed:
    """Rooms whose latest word is a counter-offer from the other side of `side`."""
    mine = "buyer_tenant_id" if side == "buyer" else "oem_tenant_id"
    rows = read_rows(
        db,
        f"""SELECT *, count(*) OVER () AS total FROM (
              SELECT DISTINCT ON (m.rfq_id, m.oem_tenant_id) m.rfq_id, m.oem_tenant_id,
                     m.buyer_tenant_id, m.side, m.kind, m.offer, m.created_at,
                     r.number, r.title
                FROM negotiation_message m JOIN rfq r ON r.id = m.rfq_id
               WHERE m.{mine} = :t AND m.side <> 'coach' AND r.status IN {LIVE_RFQ}
               ORDER BY m.rfq_id, m.oem_tenant_id, m.seq DESC) last
             WHERE last.kind = 'counter' AND last.side <> :side
             ORDER BY last.created_at DESC LIMIT :n""",
        t=actor.tenant_id,
        side=side,
        n=limit,
    )
    names = _names(db)
    items = []
    for r in rows:
        sender = r["oem_tenant_id"] if side == "buyer" else r["buyer_tenant_id"]
        total = (r["offer"] or {}).get("totalPaise")
        offered = f"{format_inr(int(total))} offered" if total is not None else "An offer"
        items.append(
            Item(
                _rfq_name(r),
                f"{offered} by {names.get(sender, 'the other side')} "
                f"{ist_text(r['created_at'], '%d %b %H:%M')}: accept or counter",
                f"/negotiation/{r['rfq_id']}/{r['oem_tenant_id']}",
            )
        )
    return total_of(rows), items


def _names(db: Session) -> dict:
    return {r.id: r.name for r in db.execute(text("SELECT id, name FROM tenant_directory()"))}


def _orders(db: Session, actor: Actor, limit: int, status: str, party: str, ask: str) -> Listed:
    rows = read_rows(
        db,
        f"""SELECT id, number, tenant_id, seller_tenant_id, updated_at,
                   count(*) OVER () AS total FROM sales_order
             WHERE {party} = :t AND status = :s ORDER BY updated_at LIMIT :n""",
        t=actor.tenant_id,
        s=status,
        n=limit,
    )
    names = _names(db)
    other = "seller_tenant_id" if party == "tenant_id" else "tenant_id"
    return total_of(rows), [
        Item(
            f"SO-{r['number']}",
            f"{names.get(r[other], '')} · {status} {ist_text(r['updated_at'], '%d %b')}: {ask}",
            f"/orders?order={r['id']}",
        )
        for r in rows
    ]


def _rfqs_to_quote(db: Session, actor: Actor, limit: int) -> Listed:
    rows = read_rows(
        db,
        f"""SELECT r.id, r.number, r.title, r.tenant_id, r.expires_at,
                   count(*) OVER () AS total FROM rfq r
             WHERE r.tenant_id <> :t AND r.status IN {LIVE_RFQ}
               AND NOT EXISTS (SELECT 1 FROM quote q WHERE q.rfq_id = r.id
                                  AND q.tenant_id = :t AND q.is_current
                                  AND q.status IN ('submitted', 'accepted'))
             ORDER BY r.expires_at NULLS LAST LIMIT :n""",
        t=actor.tenant_id,
        n=limit,
    )
    names = _names(db)
    return total_of(rows), [
        Item(
            _rfq_name(r),
            f"{names.get(r['tenant_id'], 'A buyer')} · quote by "
            f"{ist_text(r['expires_at'], '%d %b %H:%M') or 'the expiry'}",
            f"/rfqs/{r['id']}",
        )
        for r in rows
    ]


def _buyer_sections(db: Session, actor: Actor, n: int) -> list[Section]:
    return [
        Section(
            "quotes",
            "Quotes to answer",
            "No quote waits for you. Raise an RFQ from the catalog; quotes show here.",
            "Find equipment",
            "/catalog",
            *_quotes_to_answer(db, actor, n),
        ),
        Section(
            "buyer-counters",
            "Counter-offers to answer",
            "No counter-offer waits for you. Counter a quote from its RFQ's room.",
            "Your RFQs",
            "/rfqs",
            *_counters_to_answer(db, actor, n, "buyer"),
        ),
        Section(
            "deliveries",
            "Deliveries to confirm",
            "Nothing is on its way. Orders show here once the OEM ships them.",
            "Your orders",
            "/orders",
            *_orders(db, actor, n, "shipped", "tenant_id", "confirm delivery"),
        ),
        Section(
            "installations",
            "Installations to sign off",
            "No installation waits for your sign-off.",
            "Your orders",
            "/orders",
            *_orders(db, actor, n, "delivered", "tenant_id", "sign off installation"),
        ),
    ]


def _seller_sections(db: Session, actor: Actor, n: int) -> list[Section]:
    sections = []
    if actor.has_any(*SELLERS):
        sections += [
            Section(
                "rfqs",
                "RFQs to quote",
                "No RFQ waits for your quote. Keep your catalog current so buyers find you.",
                "Your catalog",
                "/catalog",
                *_rfqs_to_quote(db, actor, n),
            ),
            Section(
                "oem-counters",
                "Counter-offers to answer",
                "No buyer's counter-offer waits for you.",
                "RFQs",
                "/rfqs",
                *_counters_to_answer(db, actor, n, "oem"),
            ),
        ]
    return [
        *sections,
        Section(
            "to-ship",
            "Orders to ship",
            "No order waits to be shipped. Awarded RFQs become orders here.",
            "Orders",
            "/orders",
            *_orders(db, actor, n, "confirmed", "seller_tenant_id", "ship it"),
        ),
    ]


def _admin_sections(db: Session, actor: Actor, n: int) -> list[Section]:
    where = "tenant_id = :t AND is_active AND NOT is_service_account AND last_login_at IS NULL"
    rows = read_rows(
        db,
        f"SELECT email, full_name, created_at, count(*) OVER () AS total FROM users "
        f"WHERE {where} ORDER BY created_at DESC LIMIT :n",
        t=actor.tenant_id,
        n=n,
    )
    items = [
        Item(
            r["full_name"] or r["email"],
            f"{r['email']} · account made {ist_text(r['created_at'], '%d %b %Y')}",
            "/admin/users",
        )
        for r in rows
    ]
    return [
        Section(
            "accounts",
            "Accounts not signed in yet",
            "Everyone in your organisation has signed in.",
            "Accounts",
            "/admin/users",
            total_of(rows),
            items,
        )
    ]


def _lab_sections(db: Session, n: int) -> list[Section]:
    todo = lab_todo(db, n)

    def listed(key: str) -> tuple[int, list[Item]]:
        total, rows = todo[key]
        return total, [Item(title, detail, "/lab") for title, detail in rows]

    return [
        Section(
            "lab-criticals",
            "Critical values to acknowledge",
            "No critical value waits. New ones sound on the lab console.",
            "Lab console",
            "/lab",
            *listed("criticals"),
        ),
        Section(
            "lab-verify",
            "Results to verify",
            "Every result so far was verified. Held results wait on the lab console.",
            "Lab console",
            "/lab",
            *listed("verify"),
        ),
    ]


def waiting_for(db: Session, actor: Actor, limit: int = 5) -> list[Section]:
    """What waits for the actor, one list per thing to do for each role they hold, each
    with at most `limit` items (the most pressing first) and how many there are in all."""
    sections: list[Section] = []
    if actor.has_any(*CUSTOMERS):
        sections += customer_sections(db, actor, limit)
    if actor.has_any(*BUYERS):
        sections += _buyer_sections(db, actor, limit)
    if actor.has_any(*SUPPLIERS):
        sections += _seller_sections(db, actor, limit)
    if actor.has_any(*DISPATCHERS):
        sections += dispatcher_sections(db, actor, limit)
    if actor.has_any(Role.TECHNICIAN) and actor.user_id is not None:
        sections += technician_sections(db, actor, limit)
    if actor.has_any(*LAB_TEAM):
        sections += _lab_sections(db, limit)
    if actor.has_any(*ADMINS):
        sections += _admin_sections(db, actor, limit)
    return sections
