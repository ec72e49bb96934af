"""A contract's monthly statement as an A4 PDF: the coverage, each device's uptime
against the promise, the tickets resolved in the month with their lateness and penalty,
and the penalties due under the cap."""

from __future__ import annotations

import uuid
from datetime import datetime
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlmodel import Session

from services.actor import Actor
from services.common.clock import ist_text
from services.common.money import format_inr
from services.contracts.figures import tickets_of
from services.contracts.service import get_contract, parse_month, visible_contract
from services.rendering import pdf_text

GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F7")),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def rupees(paise: int | None) -> str:
    """Rs 12,34,567.00 (the PDF's base font has no rupee sign)."""
    return format_inr(paise or 0, symbol="Rs ")


def _cell(value: Any, style) -> Paragraph:
    return Paragraph(pdf_text(value), style)


def _table(rows: list[list[Any]], style, widths: list[float]) -> Table:
    table = Table([[_cell(v, style) for v in row] for row in rows], colWidths=widths)
    table.setStyle(GRID)
    return table


def statement_pdf(db: Session, actor: Actor, contract_id: uuid.UUID, month: str) -> bytes:
    """The statement of `month` (YYYY-MM) as PDF bytes, for either side of the contract.
    Every text from users prints as written (through `pdf_text`).

    Raises Forbidden, NotFound or Invalid (month)."""
    parse_month(month)
    visible_contract(db, actor, contract_id)
    detail = get_contract(db, actor, contract_id, month)
    tickets = _resolved_in(db, contract_id, detail)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Statement {detail['label']} {month}",
    )
    cover, sla = detail["coverage"], detail["sla"]
    story = [
        Paragraph(pdf_text(f"Service statement {detail['label']} for {month}"), styles["Title"]),
        Paragraph(
            pdf_text(
                f"{detail['kind'].upper()} between {detail['buyer']} (buyer) and "
                f"{detail['seller']} (service provider), {detail['startsOn'] or '?'} to "
                f"{detail['endsOn'] or '?'}, SLA tier {detail['slaTier'] or 'none'}."
            ),
            styles["BodyText"],
        ),
        Paragraph(
            pdf_text(
                f"Covers parts: {'yes' if cover['parts'] else 'no'}; labour: "
                f"{'yes' if cover['labour'] else 'no'}; preventive visits a year: "
                f"{cover['preventiveVisitsPerYear']}; promised uptime {cover['uptimePercent']:g}%."
            ),
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
        Paragraph("Devices", styles["Heading3"]),
        _devices_table(detail["devices"], small),
        Spacer(1, 4 * mm),
        Paragraph("Tickets resolved", styles["Heading3"]),
        _tickets_table(tickets, small),
        Spacer(1, 4 * mm),
        Paragraph(pdf_text(_totals(sla)), styles["BodyText"]),
    ]
    doc.build(story)
    return out.getvalue()


def _devices_table(devices: list[dict[str, Any]], style) -> Table:
    rows = [
        [
            d["name"],
            d["serial"],
            d["site"],
            "-" if d["uptimePercent"] is None else f"{d['uptimePercent']:.2f}%",
            f"{d['downtimeHours']:g}",
        ]
        for d in devices
    ]
    return _table(
        [["Device", "Serial", "Site", "Uptime", "Down (h)"], *rows],
        style,
        [55 * mm, 35 * mm, 50 * mm, 20 * mm, 18 * mm],
    )


def _tickets_table(tickets: list[dict[str, Any]], style) -> Table:
    rows = [
        [
            f"#{t['number']}",
            t["priority"],
            ist_text(t["openedAt"]),
            ist_text(t["resolvedAt"]),
            t["lateMinutes"],
            rupees(t["penaltyPaise"]),
        ]
        for t in tickets
    ]
    return _table(
        [["Ticket", "Priority", "Opened", "Resolved", "Late (min)", "Penalty"], *rows],
        style,
        [22 * mm, 18 * mm, 36 * mm, 36 * mm, 22 * mm, 44 * mm],
    )


def _resolved_in(db: Session, contract_id: uuid.UUID, detail: dict) -> list[dict[str, Any]]:
    """The contract's tickets resolved in the statement's period, oldest first."""
    start = datetime.fromisoformat(detail["periodStart"])
    end = datetime.fromisoformat(detail["periodEnd"])
    return [
        {
            "number": t.number,
            "priority": t.priority,
            "openedAt": t.opened_at,
            "resolvedAt": t.resolved_at,
            "lateMinutes": max(0, round((t.resolved_at - t.resolution_due_at).total_seconds() / 60))
            if t.resolution_due_at
            else 0,
            "penaltyPaise": t.penalty_paise,
        }
        for t in sorted(tickets_of(db, contract_id), key=lambda t: t.resolved_at or end)
        if t.resolved_at is not None and start <= t.resolved_at < end
    ]


def _totals(sla: dict[str, Any]) -> str:
    compliance = sla["slaCompliancePercent"]
    text = (
        f"{sla['ticketsResolved']} ticket(s) resolved, {sla['ticketsWithinSla']} within SLA"
        + (f" ({compliance:.2f}%)" if compliance is not None else "")
        + f". Penalties earned {rupees(sla['penaltyEarnedPaise'])}"
    )
    if sla["penaltyCapPaise"]:
        text += f", capped at {rupees(sla['penaltyCapPaise'])}"
    return text + f": due {rupees(sla['penaltyDuePaise'])}."
