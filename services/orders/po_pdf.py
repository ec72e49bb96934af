"""The purchase order as a printable A4 PDF: parties, place of supply, lines with taxable
value and GST, the CGST/SGST or IGST split, the total, and the contract's terms."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.common.clock import IST
from services.common.money import format_inr
from services.contracts.models import Contract
from services.orders.acceptance import lead_time
from services.orders.models import PurchaseOrder
from services.rendering import pdf_text


def rupees(paise: int) -> str:
    """Rs 12,34,567.89 (Indian grouping; the PDF's base font has no rupee sign)."""
    return format_inr(paise, symbol="Rs ")


def _delivery(terms: dict, issued_on: date) -> str:
    """The lead time with the date it falls due, the required-by date, and a miss said
    plainly: a PO never quietly promises later than the buyer needs."""
    lead = lead_time(terms, issued_on)
    text = f"Delivery within {terms.get('leadTimeDays', 0)} days of this order"
    if lead["dueBy"]:
        text += f" (by {date.fromisoformat(lead['dueBy']):%d %b %Y})"
    if lead["requiredBy"]:
        text += f"; required by {date.fromisoformat(lead['requiredBy']):%d %b %Y}"
    if lead["daysLate"]:
        text += f". The lead time misses the required-by date by {lead['daysLate']} days"
    return text + "."


def render_po(po: PurchaseOrder, contract: Contract, buyer: str, seller: str) -> bytes:
    """The order as PDF bytes. Text from users (RFQ title and terms, SKU names) goes into
    paragraphs through `pdf_text`, so it prints as written and is never read as markup."""
    styles = getSampleStyleSheet()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Purchase order {po.label}",
    )
    issued = po.issued_at.astimezone(IST).strftime("%d %b %Y")
    story = [
        Paragraph(pdf_text(f"Purchase order {po.label}"), styles["Title"]),
        Paragraph(
            pdf_text(
                f"Issued {issued} under contract {contract.label} ({po.terms.get('rfq', '')})"
            ),
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    parties = Table(
        [
            ["Buyer", buyer],
            ["Seller", seller],
            ["Place of supply", po.place_of_supply or "-"],
            ["Seller registered in", po.seller_state or "-"],
            ["Deliver to pincode", po.terms.get("deliveryPincode") or "-"],
        ],
        colWidths=[45 * mm, 130 * mm],
    )
    parties.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story += [parties, Spacer(1, 6 * mm)]
    rows = [["SKU", "Description", "Qty", "Unit price", "Disc. %", "Taxable value", "GST %", "GST"]]
    for line in po.lines:
        rows.append(
            [
                line["skuCode"],
                Paragraph(pdf_text(line["skuName"]), styles["BodyText"]),
                str(line["qty"]),
                rupees(line["unitPricePaise"]),
                line["discountPct"],
                rupees(line["netPaise"]),
                line["gstRate"],
                rupees(line["gstPaise"]),
            ]
        )
    table = Table(
        rows,
        colWidths=[22 * mm, 42 * mm, 10 * mm, 26 * mm, 13 * mm, 26 * mm, 12 * mm, 24 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6f4f1")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    totals = [["Taxable value", rupees(po.subtotal_paise)]]
    if po.igst_paise:
        totals.append(["IGST", rupees(po.igst_paise)])
    else:
        totals += [["CGST", rupees(po.cgst_paise)], ["SGST", rupees(po.sgst_paise)]]
    totals.append(["Total payable", rupees(po.total_paise)])
    summary = Table(totals, colWidths=[40 * mm, 40 * mm], hAlign="RIGHT")
    summary.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
            ]
        )
    )
    story += [summary, Spacer(1, 6 * mm)]
    terms = po.terms
    cmc = (
        f"{terms.get('cmcYears', 0)} years at {rupees(terms.get('cmcAnnualPaise', 0))} a "
        "year (GST included), after the warranty"
        if terms.get("cmcYears")
        else "none"
    )
    lines = [
        f"Warranty: {terms.get('warrantyYears', 0)} years from installation.",
        f"Comprehensive maintenance contract: {cmc}.",
        _delivery(terms, po.issued_at.astimezone(IST).date()),
        f"Service level after installation: {contract.sla_tier or 'silver'} tier.",
        "Installation is complete when the buyer signs it off; the devices then join "
        "the buyer's registry under this contract.",
    ]
    if terms.get("rfqTerms"):
        lines.append(f"Buyer's terms: {terms['rfqTerms']}")
    story.append(Paragraph("Terms", styles["Heading3"]))
    story += [Paragraph(pdf_text(text), styles["BodyText"]) for text in lines]
    doc.build(story)
    return out.getvalue()
