"""Closing a job in the field: the parts still held for it go back to stock at once, and a
service report (A4 PDF: site, device, fault, arrival, checklist with flagged readings, parts
used, notes, the customer's name and signature) is attached to the ticket, where the hospital
that owns the device reads it too.

The report is drawn after the resolve commits (`services/field/flows.py`, from the
`TicketStatusChanged` event), so a phone's sync batch never waits for ten PDFs."""

from __future__ import annotations

import uuid
from io import BytesIO
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.common.clock import ist_text
from services.errors import NotFound
from services.field.checklist import answers
from services.field.models import FieldVisit, FieldWorkflow
from services.parts.service import release_reservations
from services.rendering import pdf_text
from services.tickets.models import Ticket, TicketAttachment, TicketEvent

# Readings carry units such as Ω and µA; the PDF's base fonts lack some of them.
_FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
REPORT_TYPE = "application/pdf"


def _font() -> str:
    if "DejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return "DejaVuSans"
    if _FONT_FILE.exists():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(_FONT_FILE)))
        return "DejaVuSans"
    return "Helvetica"


def close_job(db: Session, actor: Actor, ticket: Ticket, visit: FieldVisit) -> None:
    """After a job is resolved: release the parts still reserved for it. The service
    report follows when the resolve has committed (`attach_report`)."""
    release_reservations(db, actor, ticket.id)


def attach_report(db: Session, ticket_id: uuid.UUID) -> uuid.UUID | None:
    """Draw the service report of a resolved field job and attach it to the ticket, once:
    a job that has one keeps it. Returns the attachment's id, or None when the ticket had
    no field visit or is no longer resolved."""
    ticket = db.get(Ticket, ticket_id, with_for_update=True)
    visit = db.exec(select(FieldVisit).where(FieldVisit.ticket_id == ticket_id)).first()
    if ticket is None or visit is None or ticket.status not in ("resolved", "closed"):
        return None
    if visit.report_attachment_id is not None:
        return visit.report_attachment_id
    pdf = render_report(db, ticket, visit)
    event = TicketEvent(
        tenant_id=visit.tenant_id,
        ticket_id=ticket.id,
        kind="comment",
        actor_id=visit.technician_user_id,
        actor_label="Service report",
        note="Service report attached",
    )
    report = TicketAttachment(
        tenant_id=visit.tenant_id,
        ticket_id=ticket.id,
        event_id=event.id,
        file_name=f"service-report-{ticket.number}.pdf",
        content_type=REPORT_TYPE,
        data=pdf,
    )
    db.add(event)
    db.flush()  # the event's row first, for the attachment's reference
    db.add(report)
    db.flush()
    visit.report_attachment_id = report.id
    db.add(visit)
    return report.id


def _facts(db: Session, ticket: Ticket) -> dict:
    row = db.execute(
        text("""
        SELECT f.name AS facility, f.address, f.pincode, s.name AS model,
               s.category AS device_type, e.serial_number
          FROM ticket t
          LEFT JOIN equipment e ON e.id = t.equipment_id
          LEFT JOIN sku s ON s.id = e.sku_id
          LEFT JOIN healthcare_facilities f ON f.id = t.facility_id
         WHERE t.id = :t"""),
        {"t": ticket.id},
    ).first()
    return dict(row._mapping) if row else {}


def _parts_used(db: Session, ticket_id: uuid.UUID) -> list[list[str]]:
    rows = db.execute(
        text(
            "SELECT p.code, p.name, sum(r.qty) AS qty FROM part_reservation r "
            "JOIN part p ON p.id = r.part_id WHERE r.ticket_id = :t AND r.status = 'consumed' "
            "GROUP BY p.code, p.name ORDER BY p.code"
        ),
        {"t": ticket_id},
    )
    return [[r.code, r.name, str(r.qty)] for r in rows]


def _answer_text(step: dict, kept) -> tuple[str, str]:
    if kept is None:
        return "not recorded", ""
    value = kept.value.get("value")
    if step["kind"] == "reading":
        shown = f"{value:g} {step.get('unit', '')}".strip()
        return shown, "OUT OF RANGE" if kept.out_of_range else "in range"
    return str(value), ""


def _table(rows: list[list], widths: list[float], font: str, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e2e8f0")))
    table.setStyle(TableStyle(style))
    return table


def render_report(db: Session, ticket: Ticket, visit: FieldVisit) -> bytes:
    """The service report as PDF bytes; every text from users goes through `pdf_text`."""
    font, styles = _font(), getSampleStyleSheet()
    for name in ("Title", "Normal", "Heading3"):
        styles[name].fontName = font
    para = lambda value, style="Normal": Paragraph(pdf_text(value), styles[style])  # noqa: E731
    facts = _facts(db, ticket)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Service report, ticket {ticket.number}",
    )
    story = [
        para(f"Service report · ticket #{ticket.number}", "Title"),
        _table(
            [
                [
                    "Site",
                    para(
                        ", ".join(
                            str(facts[k])
                            for k in ("facility", "address", "pincode")
                            if facts.get(k)
                        )
                        or "-"
                    ),
                ],
                [
                    "Device",
                    para(
                        f"{facts.get('device_type') or ''} {facts.get('model') or ''}, "
                        f"serial {facts.get('serial_number') or '-'}"
                    ),
                ],
                ["Fault", para(f"{ticket.error_code or ''} {ticket.description}")],
                ["Priority", ticket.priority],
                ["Arrived", _arrival(visit)],
                ["Resolved", ist_text(ticket.resolved_at, empty="-") + " IST"],
            ],
            [32 * mm, 146 * mm],
            font,
            header=False,
        ),
        Spacer(1, 5 * mm),
    ]
    story += _checklist_part(db, ticket, visit, para, font)
    parts = _parts_used(db, ticket.id)
    story += [
        para("Parts used", "Heading3"),
        _table(
            [["Part", "Name", "Qty"], *[[c, para(n), q] for c, n, q in parts]],
            [40 * mm, 118 * mm, 20 * mm],
            font,
        )
        if parts
        else para("None"),
    ]
    story += _notes_part(db, ticket, para)
    story += _signoff_part(visit, para)
    doc.build(story)
    return out.getvalue()


def _arrival(visit: FieldVisit) -> str:
    if visit.checked_in_at is None:
        return "not checked in"
    how = "label code typed" if visit.check_in_method == "short_code" else "label scanned"
    where = (
        ""
        if visit.check_in_distance_m is None
        else f", {visit.check_in_distance_m:.0f} m from site"
    )
    return f"{ist_text(visit.checked_in_at)} IST ({how}{where})"


def _checklist_part(db: Session, ticket: Ticket, visit: FieldVisit, para, font) -> list:
    workflow = db.get(FieldWorkflow, visit.workflow_id) if visit.workflow_id else None
    if workflow is None:
        return [para("Checklist", "Heading3"), para("No checklist was recorded.")]
    kept = answers(db, ticket.id)
    rows = [["Step", "Result", "Check"]]
    for step in workflow.steps:
        shown, check = _answer_text(step, kept.get(step["id"]))
        rows.append([para(step["label"]), para(shown), check])
    table = _table(rows, [100 * mm, 48 * mm, 30 * mm], font)
    flagged = [i for i, row in enumerate(rows) if row[2] == "OUT OF RANGE"]
    table.setStyle(
        TableStyle([("TEXTCOLOR", (1, i), (2, i), colors.HexColor("#b91c1c")) for i in flagged])
    )
    return [
        para(f"Checklist: {workflow.name} v{workflow.version}", "Heading3"),
        table,
        Spacer(1, 4 * mm),
    ]


def _notes_part(db: Session, ticket: Ticket, para) -> list:
    notes = db.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(("comment", "status")))
        .order_by(TicketEvent.created_at)
    )
    lines = [f"{ist_text(e.created_at)} · {e.actor_label}: {e.note}" for e in notes if e.note]
    return [para("Work notes", "Heading3"), *[para(line) for line in lines[-30:]]]


def _signoff_part(visit: FieldVisit, para) -> list:
    if not visit.signer_name:
        return [para("Customer sign-off", "Heading3"), para("Not signed")]
    part = [
        para("Customer sign-off", "Heading3"),
        para(f"Signed by {visit.signer_name} at {ist_text(visit.signed_at)} IST"),
    ]
    if visit.signature:
        part.append(Image(BytesIO(visit.signature), width=60 * mm, height=22 * mm))
    return part


def report_pdf(db: Session, ticket_id: uuid.UUID) -> tuple[str, bytes]:
    """The newest service report on a ticket the caller sees: (file name, bytes).
    Raises NotFound."""
    report = db.exec(
        select(TicketAttachment)
        .where(
            TicketAttachment.ticket_id == ticket_id, TicketAttachment.content_type == REPORT_TYPE
        )
        .order_by(TicketAttachment.created_at.desc())
    ).first()
    if report is None:
        raise NotFound(
            "No service report on this ticket yet: it is drawn within a minute of the job "
            "being resolved"
        )
    return report.file_name, report.data
