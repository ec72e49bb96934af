"""RFQ pages: a buyer's RFQs and the new-RFQ form; an OEM's inbox of RFQs sent to it; one
RFQ with the buyer's quote comparison or the OEM's quote form and revision history."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import reflex as rx
from sqlalchemy import text

from services.actor import Actor, TenantKind
from services.catalog.models import Sku
from services.common.clock import IST, today_ist
from services.common.money import format_inr, rupees_to_paise
from services.db import tenant_session
from services.errors import DomainError, Invalid
from services.rfq import quotes as quoting
from services.rfq import service as rfqs
from services.rfq.flows import schedule_expiry
from services.tenancy.service import directory
from state.auth import AuthState
from state.guard import guarded

LIST, NEW, DETAIL = "/rfqs", "/rfqs/new", "/rfqs/detail"
PAGE_SIZE = 50


def ist(stamp: str | None) -> str:
    if not stamp:
        return "—"
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %Y %H:%M")


def whole(text: str, field: str) -> int:
    try:
        return int((text or "0").strip())
    except ValueError as exc:
        raise Invalid(field, "enter a whole number") from exc


def _row(r: dict) -> dict[str, str]:
    return {
        "id": r["rfqId"],
        "number": r["number"],
        "title": r["title"],
        "status": r["status"],
        "buyer": r["buyerName"],
        "expires": ist(r["expiresAt"]),
        "requiredBy": r["requiredBy"] or "—",
        "href": f"/rfqs/{r['rfqId']}",
    }


class RfqListState(AuthState):
    rows: list[dict[str, str]] = []
    is_oem: bool = False
    status: str = "all"
    limit: int = PAGE_SIZE
    has_more: bool = False

    def _fill(self, actor) -> None:
        with tenant_session(actor) as db:
            found = rfqs.list_rfqs(
                db, actor, None if self.status == "all" else self.status, limit=self.limit + 1
            )
        self.has_more = len(found) > self.limit
        self.rows = [_row(r) for r in found[: self.limit]]
        self.is_oem = actor.tenant_kind == TenantKind.OEM

    @rx.event
    @guarded(LIST)
    def more(self, actor: Actor):
        self.limit += PAGE_SIZE
        self._fill(actor)

    @rx.event
    def load(self):
        actor, redirect = self._enter(LIST)
        if redirect or actor is None:
            return redirect
        self._fill(actor)

    @rx.event
    @guarded(LIST)
    def set_status(self, actor: Actor, value: str):
        self.status, self.limit = value, PAGE_SIZE
        self._fill(actor)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class RfqNewState(AuthState):
    sku_query: str = ""
    sku_results: list[dict[str, str]] = []
    lines: list[dict[str, str]] = []
    title: str = ""
    pincode: str = ""
    required_by: str = ""
    expires_on: str = ""
    terms: str = ""
    send_to_all: bool = True
    oems: list[dict[str, str]] = []
    chosen: list[str] = []

    @rx.event
    def load(self):
        actor, redirect = self._enter(NEW)
        if redirect or actor is None:
            return redirect
        with tenant_session(actor) as db:
            orgs = directory(db)
        self.oems = sorted(
            ({"id": str(k), "name": v[0]} for k, v in orgs.items() if v[1] == TenantKind.OEM.value),
            key=lambda o: o["name"],
        )
        self.expires_on = self.expires_on or (datetime.now(IST) + timedelta(days=7)).strftime(
            "%Y-%m-%dT17:00"
        )
        wanted = self.router.url.query_parameters.get("sku", "")
        if wanted:  # from the catalog's "Request a quote"
            with tenant_session(actor) as db:
                sku = db.get(Sku, uuid.UUID(wanted)) if _is_uuid(wanted) else None
                names = directory(db)
            if (
                sku is not None
                and sku.is_active
                and all(line["id"] != str(sku.id) for line in self.lines)
            ):
                self.lines = [
                    *self.lines,
                    {
                        "id": str(sku.id),
                        "code": sku.code,
                        "name": sku.name,
                        "oem": names.get(sku.tenant_id, ("", ""))[0],
                        "price": format_inr(sku.list_price_paise),
                        "qty": "1",
                    },
                ]

    @rx.event
    @guarded(NEW)
    def search(self, actor: Actor, value: str):
        self.sku_query = value[:80]
        if len(self.sku_query.strip()) < 2:
            self.sku_results = []
            return
        with tenant_session(actor) as db:
            found = rfqs.find_skus(db, self.sku_query)
        self.sku_results = [
            {
                "id": s["skuId"],
                "code": s["code"],
                "name": s["name"],
                "oem": s["oemName"],
                "price": format_inr(s["listPricePaise"]),
            }
            for s in found
        ]

    @rx.event
    def add_line(self, sku: dict[str, str]):
        if all(line["id"] != sku["id"] for line in self.lines):
            self.lines = [*self.lines, {**sku, "qty": "1"}]
        self.sku_results, self.sku_query = [], ""

    @rx.event
    def set_qty(self, sku_id: str, qty: str):
        self.lines = [
            {**line, "qty": qty[:6]} if line["id"] == sku_id else line for line in self.lines
        ]

    @rx.event
    def remove_line(self, sku_id: str):
        self.lines = [line for line in self.lines if line["id"] != sku_id]

    @rx.event
    def toggle_oem(self, oem_id: str, checked: bool):
        self.chosen = [o for o in self.chosen if o != oem_id] + ([oem_id] if checked else [])

    @rx.event
    def set_field(self, name: str, value: str):
        if name in ("title", "pincode", "required_by", "expires_on", "terms"):
            setattr(self, name, value[:10_000])

    @rx.event
    def set_send_to_all(self, value: str):
        self.send_to_all = value == "all"

    def _command(self) -> rfqs.NewRfq:
        try:
            expires = datetime.fromisoformat(self.expires_on).replace(tzinfo=IST)
        except ValueError as exc:
            raise Invalid("expiresAt", "pick the date and time the RFQ closes") from exc
        try:
            required = date.fromisoformat(self.required_by) if self.required_by else None
        except ValueError as exc:
            raise Invalid("requiredBy", "pick a date") from exc
        items = [
            rfqs.RfqLine(line["id"], whole(line["qty"], f"items.{i}.qty"))
            for i, line in enumerate(self.lines)
        ]
        return rfqs.NewRfq(
            items=items,
            expires_at=expires,
            title=self.title,
            delivery_pincode=self.pincode.strip() or None,
            required_by=required,
            terms=self.terms,
            oem_ids=None if self.send_to_all else [uuid.UUID(o) for o in self.chosen],
        )

    @rx.event
    @guarded(NEW)
    def submit(self, actor: Actor, publish: bool):
        cmd = self._command()
        cmd.publish = publish
        with tenant_session(actor) as db:
            rfq = rfqs.create_rfq(db, actor, cmd)
        if rfq.status == "open":
            schedule_expiry(rfq)
        self.lines, self.title, self.terms, self.chosen = [], "", "", []
        return rx.redirect(f"/rfqs/{rfq.id}")


QUOTE_FIELDS = ("discount", "lead", "warranty", "cmc_years", "cmc_annual", "valid_until", "notes")


def _ranked(q: dict) -> dict[str, str]:
    return {
        "rank": str(q["rank"] or "—"),
        "oem": q["oemName"],
        "revision": str(q["revision"]),
        "quoteId": q["quoteId"],
        "oemId": q["oemId"],
        "status": q["status"],
        "net": format_inr(q["netPaise"]),
        "gst": format_inr(q["gstPaise"]),
        "cmc": f"{q['cmcYears']} y × {format_inr(q['cmcAnnualPaise'])}",
        "total": format_inr(q["totalPaise"]),
        "lead": f"{q['leadTimeDays']} days",
        "warranty": f"{q['warrantyYears']} y",
        "valid": q["validUntil"] or "—",
        "lowest": "yes" if q["isLowest"] else "",
        "above": "" if not q["aboveLowestPaise"] else "+" + format_inr(q["aboveLowestPaise"]),
    }


def _offers(lines: list[dict]) -> list[dict[str, str]]:
    return [
        {
            "sku": f"{line['skuCode']} × {line['qty']}",
            "oem": o["oemName"],
            "unit": format_inr(o["unitPricePaise"]),
            "discount": f"{o['discountPct']} %",
            "total": format_inr(o["totalPaise"]),
            "lowest": "yes" if o["isLowest"] else "",
        }
        for line in lines
        for o in line["offers"]
    ]


def _revision(q: dict) -> dict[str, str]:
    return {
        "revision": str(q["revision"]),
        "oem": q["oemName"],
        "status": q["status"],
        "total": format_inr(q["totalPaise"]),
        "submitted": ist(q["submittedAt"]),
        "valid": q["validUntil"] or "—",
    }


class RfqDetailState(AuthState):
    info: dict[str, str] = {}
    items: list[dict[str, str]] = []
    recipients: list[dict[str, str]] = []
    is_buyer: bool = False
    missing: bool = False
    ranking: list[dict[str, str]] = []
    offers: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    own_status: str = ""
    prices: dict[str, str] = {}
    form: dict[str, str] = {}
    own_oem: str = ""  # an OEM's own tenant id: its room in the negotiation
    sites: list[dict[str, str]] = []  # the buyer's sites, for the award
    award_quote: str = ""
    award_tier: str = "gold"
    award_site: str = ""

    @rx.var
    def can_quote(self) -> bool:
        return (
            not self.is_buyer
            and self.info.get("status", "") in ("open", "negotiating")
            and self.own_status not in ("accepted", "rejected", "expired")
        )

    @rx.var
    def can_cancel(self) -> bool:
        return self.is_buyer and self.info.get("status", "") in ("draft", "open", "negotiating")

    def _rfq_id(self) -> uuid.UUID:
        return uuid.UUID(self.router.page.params.get("rfq_id", ""))

    def _fill(self, actor) -> None:
        try:
            with tenant_session(actor) as db:
                detail = rfqs.get_rfq(db, actor, self._rfq_id())
                view = quoting.quotes_view(db, actor, self._rfq_id(), history=True)
        except (ValueError, DomainError):
            self.missing = True
            return
        self.missing, self.is_buyer = False, detail["buyerId"] == str(actor.tenant_id)
        self.info = {
            "id": detail["rfqId"],
            "number": detail["number"],
            "title": detail["title"],
            "status": detail["status"],
            "buyer": detail["buyerName"],
            "pincode": detail["deliveryPincode"] or "—",
            "terms": detail["terms"],
            "requiredBy": detail["requiredBy"] or "—",
            "expires": ist(detail["expiresAt"]),
        }
        self.items = [
            {
                "id": i["itemId"],
                "code": i["skuCode"],
                "name": i["skuName"],
                "qty": str(i["qty"]),
                "gst": f"{i['gstRate']} %",
            }
            for i in detail["items"]
        ]
        self.recipients = [
            {"oem": r["oemName"], "seen": ist(r["seenAt"]) if r["seenAt"] else "not yet"}
            for r in detail.get("recipients", [])
        ]
        self.history = [_revision(q) for q in view["quotes"]]
        comparison = view.get("comparison") or {"quotes": [], "lines": []}
        self.ranking = [_ranked(q) for q in comparison["quotes"]]
        self.offers = _offers(comparison["lines"])
        current = next((q for q in view["quotes"] if q["isCurrent"]), None)
        self.own_status = current["status"] if current and not self.is_buyer else ""
        self.own_oem = "" if self.is_buyer else str(actor.tenant_id)
        if self.is_buyer and not self.sites:
            with tenant_session(actor) as db:
                self.sites = [
                    {"id": str(r.id), "label": f"{r.name} ({r.pincode})"}
                    for r in db.execute(
                        text(
                            "SELECT id, name, pincode FROM healthcare_facilities "
                            "WHERE tenant_id = :t ORDER BY name"
                        ),
                        {"t": actor.tenant_id},
                    )
                ]
            self.award_site = self.sites[0]["id"] if self.sites else ""
        self._prefill(current)

    def _prefill(self, current: dict | None) -> None:
        """The quote form starts from the OEM's current quote, so a revision changes only
        what moved."""
        lines = {line["itemId"]: line for line in (current or {}).get("lines", [])}
        self.prices = {
            i["id"]: str(Decimal(lines[i["id"]]["unitPricePaise"]) / 100)
            if i["id"] in lines
            else ""
            for i in self.items
        }
        valid = (today_ist() + timedelta(days=30)).isoformat()
        self.form = {
            "discount": "0",
            "lead": "30",
            "warranty": "1",
            "cmc_years": "0",
            "cmc_annual": "0",
            "valid_until": valid,
            "notes": "",
        }
        if current:
            self.form = {
                "discount": current["discountPct"],
                "lead": str(current["leadTimeDays"]),
                "warranty": str(current["warrantyYears"]),
                "cmc_years": str(current["cmcYears"]),
                "cmc_annual": str(Decimal(current["cmcAnnualPaise"]) / 100),
                "valid_until": current["validUntil"] or valid,
                "notes": current["notes"],
            }

    @rx.event
    def load(self):
        actor, redirect = self._enter(DETAIL)
        if redirect or actor is None:
            return redirect
        self._fill(actor)

    @rx.event
    def set_price(self, item_id: str, value: str):
        self.prices = {**self.prices, item_id: value[:20]}

    @rx.event
    def set_form(self, name: str, value: str):
        if name in QUOTE_FIELDS:
            self.form = {**self.form, name: value[:4000]}

    def _act(self, actor: Actor, action):
        """Do `action(db, actor)` on this RFQ, then show the RFQ as it now stands."""
        with tenant_session(actor) as db:
            done = action(db, actor)
        self._fill(actor)
        return done

    @rx.event
    def choose_award(self, quote_id: str):
        self.award_quote = quote_id

    @rx.event
    def set_award_tier(self, value: str):
        self.award_tier = value

    @rx.event
    def set_award_site(self, value: str):
        self.award_site = value

    @rx.event
    @guarded(DETAIL)
    def award(self, actor: Actor):
        from services.orders.service import Award, award_quote

        done = self._act(
            actor,
            lambda db, actor: award_quote(
                db,
                actor,
                self._rfq_id(),
                Award(
                    uuid.UUID(self.award_quote),
                    self.award_tier,
                    uuid.UUID(self.award_site) if self.award_site else None,
                ),
            ),
        )
        return [
            rx.toast.success(
                f"Awarded: {done['contract']}, {done['purchaseOrder']} and {done['order']}"
            ),
            rx.redirect("/orders"),
        ]

    @rx.event
    @guarded(DETAIL)
    def cancel(self, actor: Actor):
        self._act(actor, lambda db, actor: rfqs.cancel_rfq(db, actor, self._rfq_id()))

    @rx.event
    @guarded(DETAIL)
    def open_draft(self, actor: Actor):
        schedule_expiry(
            self._act(actor, lambda db, actor: rfqs.open_rfq(db, actor, self._rfq_id()))
        )

    @rx.event
    @guarded(DETAIL)
    def withdraw(self, actor: Actor):
        self._act(actor, lambda db, actor: quoting.withdraw_quote(db, actor, self._rfq_id()))

    def _terms(self) -> quoting.QuoteTerms:
        f = self.form
        try:
            valid = date.fromisoformat(f["valid_until"])
            discount = Decimal(f["discount"] or "0")
        except (ValueError, InvalidOperation) as exc:
            raise Invalid(
                "validUntil / discount", "check the validity date and discount %"
            ) from exc
        lines = [
            quoting.QuoteLine(
                i["id"],
                rupees_to_paise(self.prices.get(i["id"], ""), f"price of {i['code']}", blank=0),
            )
            for i in self.items
        ]
        return quoting.QuoteTerms(
            lines=lines,
            valid_until=valid,
            discount_pct=discount,
            lead_time_days=whole(f["lead"], "lead time"),
            warranty_years=whole(f["warranty"], "warranty years"),
            cmc_years=whole(f["cmc_years"], "CMC years"),
            cmc_annual_paise=rupees_to_paise(f["cmc_annual"], "annual CMC price", blank=0),
            notes=f["notes"],
        )

    @rx.event
    @guarded(DETAIL)
    def submit_quote(self, actor: Actor):
        terms = self._terms()
        self._act(actor, lambda db, actor: quoting.submit_quote(db, actor, self._rfq_id(), terms))
        return rx.toast.success("Quote sent to the buyer")
