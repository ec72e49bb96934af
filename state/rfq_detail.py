"""One RFQ: the buyer's comparison over the service horizon, each OEM's terms beside its
quote and the award dialog (what is awarded, to which site, under which service tier); the
OEM's quote form with the catalog's list price, a running total and the lead-time warning."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import reflex as rx
from sqlalchemy import text

from services.actor import Actor
from services.common.clock import today_ist
from services.common.money import format_inr, rupees_to_paise
from services.db import tenant_session
from services.errors import DomainError, Invalid
from services.orders.deals import award_preview
from services.rfq import quotes as quoting
from services.rfq import service as rfqs
from services.rfq.compare import HORIZON_TEXT
from services.rfq.flows import schedule_expiry
from state.auth import AuthState
from state.guard import guarded
from state.rfq import DETAIL, ist, whole

QUOTE_FIELDS = (
    "discount",
    "lead",
    "warranty",
    "cmc_years",
    "cmc_annual",
    "valid_until",
    "notes",
    "installation",
    "training",
    "uptime",
    "credit",
)


def _ranked(q: dict) -> dict[str, str]:
    uncovered = q.get("uncoveredYears", 0)
    return {
        "rank": str(q["rank"] or "—"),
        "oem": q["oemName"],
        "revision": str(q["revision"]) + (" (agreed)" if q.get("isAgreed") else ""),
        "quoteId": q["quoteId"],
        "oemId": q["oemId"],
        "status": q["status"],
        "net": format_inr(q["netPaise"]),
        "gst": format_inr(q["gstPaise"]),
        "cmc": f"{q['cmcYears']} y × {format_inr(q['cmcAnnualPaise'])}",
        "uncovered": f"{uncovered} y" if uncovered else "none",
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
        "revision": str(q["revision"]) + (" (agreed)" if q.get("isAgreed") else ""),
        "oem": q["oemName"],
        "status": q["status"],
        "total": format_inr(q["totalPaise"]),
        "submitted": ist(q["submittedAt"]),
        "valid": q["validUntil"] or "—",
    }


def _service_terms(terms: dict) -> str:
    parts = [
        f"Installation: {terms['installation']}" if terms.get("installation") else "",
        f"Training: {terms['training']}" if terms.get("training") else "",
        f"Uptime {terms['uptimePct']} %" if terms.get("uptimePct") else "",
        f"{terms['paymentDays']} days' credit" if terms.get("paymentDays") is not None else "",
    ]
    return " · ".join(p for p in parts if p)


def _terms_card(q: dict) -> dict[str, str]:
    """What an OEM offers beside its price, for the buyer."""
    return {
        "oem": q["oemName"],
        "revision": f"revision {q['revision']}" + (", agreed" if q["isAgreed"] else ""),
        "terms": _service_terms(q.get("serviceTerms") or {}) or "No service terms stated",
        "notes": q["notes"],
        "warning": q.get("leadTimeWarning", ""),
    }


def _preview(p: dict) -> dict[str, str]:
    agreed = "the agreed offer" if p["isAgreed"] else "the OEM's quote"
    return {
        "oem": p["oemName"],
        "revision": f"Quote revision {p['revision']} ({agreed})",
        "net": format_inr(p["netPaise"]),
        "gst": format_inr(p["gstPaise"]),
        "total": format_inr(p["totalPaise"]),
        "terms": (
            f"{p['warrantyYears']} y warranty, {p['cmcYears']} y CMC "
            + (
                f"at {format_inr(p['cmcAnnualPaise'])} a year"
                if p["cmcAnnualPaise"] or not p["cmcYears"]
                else "(no CMC price quoted)"
            )
            + f", delivery in {p['leadTimeDays']} days"
        ),
        "service": _service_terms(p.get("serviceTerms") or {}),
    }


def _money(typed: str) -> Decimal:
    try:
        return Decimal((typed or "0").replace(",", "").replace("₹", "").strip() or "0")
    except InvalidOperation:
        return Decimal(0)


class RfqDetailState(AuthState):
    info: dict[str, str] = {}
    items: list[dict[str, str]] = []
    recipients: list[dict[str, str]] = []
    is_buyer: bool = False
    missing: bool = False
    horizon: str = HORIZON_TEXT
    ranking: list[dict[str, str]] = []
    offers: list[dict[str, str]] = []
    terms_cards: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    own_status: str = ""
    prices: dict[str, str] = {}
    form: dict[str, str] = {}
    own_oem: str = ""  # an OEM's own tenant id: its room in the negotiation
    sites: list[dict[str, str]] = []  # the buyer's sites, for the award
    tiers: list[dict[str, str]] = []
    award_quote: str = ""
    award_info: dict[str, str] = {}
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

    @rx.var
    def running_total(self) -> str:
        """The quote as typed: total before and after GST."""
        discount = min(max(_money(self.form.get("discount", "0")), Decimal(0)), Decimal(100))
        net = gst = Decimal(0)
        for item in self.items:
            line = _money(self.prices.get(item["id"], "")) * int(item["qty"] or 0)
            line -= line * discount / 100
            net += line
            gst += line * Decimal(item["rate"]) / 100
        return f"{format_inr(int(net * 100))} before GST · {format_inr(int((net + gst) * 100))} with GST"

    @rx.var
    def lead_warning(self) -> str:
        """Said before sending when the typed lead time misses the RFQ's required-by date."""
        try:
            required = date.fromisoformat(self.info.get("requiredByIso", ""))
            days = int((self.form.get("lead") or "0").strip())
        except ValueError:
            return ""
        return quoting.lead_time_warning(required, days, today_ist())

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
            "requiredByIso": detail["requiredBy"] or "",
            "expires": ist(detail["expiresAt"]),
        }
        self.items = [
            {
                "id": i["itemId"],
                "code": i["skuCode"],
                "name": i["skuName"],
                "qty": str(i["qty"]),
                "gst": f"{i['gstRate']} %",
                "rate": i["gstRate"],
                "list": format_inr(i["listPricePaise"]),
                "listPaise": str(i["listPricePaise"]),
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
        self.terms_cards = [_terms_card(q) for q in view["quotes"] if q["isCurrent"]]
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
        self._prefill(current)

    def _prefill(self, current: dict | None) -> None:
        """The quote form starts from the OEM's current quote, so a revision changes only
        what moved; a first quote starts from the catalog's list price."""
        lines = {line["itemId"]: line for line in (current or {}).get("lines", [])}
        self.prices = {
            i["id"]: str(Decimal(lines[i["id"]]["unitPricePaise"]) / 100)
            if i["id"] in lines
            else str(Decimal(i["listPaise"]) / 100)
            for i in self.items
        }
        valid = (today_ist() + timedelta(days=30)).isoformat()
        self.form = dict.fromkeys(QUOTE_FIELDS, "") | {
            "discount": "0",
            "lead": "30",
            "warranty": "1",
            "cmc_years": "0",
            "cmc_annual": "0",
            "valid_until": valid,
        }
        if current:
            terms = current.get("serviceTerms") or {}
            self.form = {
                "discount": current["discountPct"],
                "lead": str(current["leadTimeDays"]),
                "warranty": str(current["warrantyYears"]),
                "cmc_years": str(current["cmcYears"]),
                "cmc_annual": str(Decimal(current["cmcAnnualPaise"]) / 100),
                "valid_until": current["validUntil"] or valid,
                "notes": current["notes"],
                "installation": terms.get("installation", ""),
                "training": terms.get("training", ""),
                "uptime": terms.get("uptimePct", ""),
                "credit": str(terms.get("paymentDays", "")),
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
    @guarded(DETAIL)
    def choose_award(self, actor: Actor, quote_id: str):
        """Open the award dialog on one quote: what it awards, and the RFQ's own site."""
        with tenant_session(actor) as db:
            preview = award_preview(db, actor, self._rfq_id(), uuid.UUID(quote_id))
        self.award_quote, self.award_info = quote_id, _preview(preview)
        self.award_site = preview["facilityId"] or ""
        self.tiers = preview["tiers"]

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

        if not self.award_site:
            raise Invalid("facilityId", "choose the site the devices go to")
        done = self._act(
            actor,
            lambda db, actor: award_quote(
                db,
                actor,
                self._rfq_id(),
                Award(uuid.UUID(self.award_quote), self.award_tier, uuid.UUID(self.award_site)),
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
        return rx.toast.info("Quote withdrawn; the buyer sees it out of the running")

    def _price(self, item: dict) -> int:
        typed = self.prices.get(item["id"], "").strip()
        where = f"price of {item['code']}"
        if not typed:
            raise Invalid(where, "enter the unit price; a line at ₹0 is not a quote")
        paise = rupees_to_paise(typed, where)
        if paise <= 0:
            raise Invalid(where, "enter the unit price; a line at ₹0 is not a quote")
        return paise

    def _terms(self) -> quoting.QuoteTerms:
        f = self.form
        try:
            valid = date.fromisoformat(f["valid_until"])
        except ValueError as exc:
            raise Invalid("validUntil", "pick the date the quote is valid until") from exc
        try:
            discount = Decimal(f["discount"] or "0")
            uptime = Decimal(f["uptime"]) if f.get("uptime", "").strip() else None
        except InvalidOperation as exc:
            raise Invalid("discount / uptime", "enter a number of per cent") from exc
        lead = (f["lead"] or "").strip()
        if not lead:
            raise Invalid("leadTimeDays", "enter the lead time in days, 1 to 365")
        return quoting.QuoteTerms(
            lines=[quoting.QuoteLine(i["id"], self._price(i)) for i in self.items],
            valid_until=valid,
            discount_pct=discount,
            lead_time_days=whole(lead, "leadTimeDays"),
            warranty_years=whole(f["warranty"], "warranty years"),
            cmc_years=whole(f["cmc_years"], "CMC years"),
            cmc_annual_paise=rupees_to_paise(f["cmc_annual"], "annual CMC price", blank=0),
            notes=f["notes"],
            installation=f.get("installation", ""),
            training=f.get("training", ""),
            uptime_pct=uptime,
            payment_days=whole(f["credit"], "credit days") if f.get("credit") else None,
        )

    @rx.event
    @guarded(DETAIL)
    def submit_quote(self, actor: Actor):
        terms = self._terms()
        self._act(actor, lambda db, actor: quoting.submit_quote(db, actor, self._rfq_id(), terms))
        return rx.toast.success("Quote sent to the buyer")
