"""A device's public page, opened by scanning its label with any phone, and faults
reported from it by people without an account.

Nothing here trusts the caller: the label's signature says which device it is, and only
what anyone standing at the device could see is shown (what it is, where, and its open
tickets by number, priority and status: no names, no descriptions). The functions take an
owner session (there is no signed-in organisation) and scope every query by the ids the
signed label names.

A report is throttled per label and client (3 an hour), per client (10 an hour) and per
label (20 an hour), counted in `public_report` under an advisory lock so the limits hold
across processes. With a code channel configured, WhatsApp (WHATSAPP_API_URL) or SMS
(SMS_API_URL), the reporter's phone gets a one-time code and the ticket opens once it is
typed back; SMS is used when WhatsApp is not configured or the reporter picks it. Without
either the ticket opens at once and says the phone is unconfirmed.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor, Role, TenantKind
from services.common.clock import IST
from services.errors import Conflict, Invalid, NotFound, TooManyAttempts
from services.identity.phones import normalise_phone
from services.notifications.sms import queue_sms, sms_configured
from services.qr.signing import verify_label
from services.settings import get_settings
from services.tickets.service import open_ticket

LIMITS = (("label_client", 3), ("client", 10), ("label", 20))  # reports an hour
WINDOW = timedelta(hours=1)
CODE_TTL = timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5
PRIORITY = {"down": "P2", "degraded": "P3"}


@dataclass(frozen=True)
class FaultReport:
    """What the reporter typed on the public page."""

    name: str
    phone: str
    description: str
    state: str = "degraded"  # "down" when the device cannot be used at all
    channel: str = ""  # how the code should come ("whatsapp" or "sms"); "" for the default


def client_key(address: str | None) -> str:
    """A stable key for a client address that does not keep the address itself."""
    return hashlib.sha256(f"yantra-public|{address or 'unknown'}".encode()).hexdigest()


def _label(db: Session, payload: str) -> Any:
    claim = verify_label(payload)
    row = db.execute(
        text(
            "SELECT q.id AS qr_id, q.status AS label_status, e.id AS device_id, e.tenant_id, "
            "e.serial_number, e.lifecycle_status, s.name AS model, s.category, "
            "m.name AS maker, f.name AS site, p.city, p.state, t.kind AS tenant_kind "
            "FROM qr_code q JOIN equipment e ON e.id = q.device_id "
            "JOIN sku s ON s.id = e.sku_id JOIN tenant t ON t.id = e.tenant_id "
            "LEFT JOIN tenant m ON m.id = e.manufacturer_tenant_id "
            "LEFT JOIN healthcare_facilities f ON f.id = e.facility_id "
            "LEFT JOIN indian_pincodes p ON p.pincode = f.pincode "
            "WHERE q.id = :q AND q.device_id = :d"
        ),
        {"q": claim.qr_id, "d": claim.device_id},
    ).first()
    if row is None:
        raise NotFound("This label belongs to no device on Yantra")
    if row.label_status != "active":
        raise Conflict("This label was replaced by a newer one; scan the label now on the device")
    return row


def device_page(db: Session, payload: str) -> dict[str, Any]:
    """What the public page of a label shows: the device (model, maker, serial, site and
    city) and its open tickets (number, priority, status, opened), nothing personal.
    Raises Invalid("qrPayload") for a label that is not genuine, NotFound or Conflict
    (label replaced)."""
    row = _label(db, payload)
    tickets = db.execute(
        text(
            "SELECT number, priority, status, opened_at FROM ticket WHERE equipment_id = :d "
            "AND status NOT IN ('resolved', 'closed', 'cancelled') ORDER BY opened_at DESC "
            "LIMIT 10"
        ),
        {"d": row.device_id},
    ).all()
    return {
        "model": row.model,
        "category": row.category,
        "maker": row.maker or "",
        "serial": row.serial_number,
        "site": row.site or "Not yet installed at a site",
        "city": ", ".join(x for x in (row.city, row.state) if x),
        "openTickets": [
            {
                "number": t.number,
                "priority": t.priority,
                "status": t.status.replace("_", " "),
                "opened": t.opened_at.astimezone(IST).strftime("%d %b %Y, %H:%M"),
            }
            for t in tickets
        ],
    }


def _throttle(db: Session, qr_id: uuid.UUID, client: str, now: datetime) -> None:
    db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"public-report:{qr_id}"})
    db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"public-client:{client}"})
    counts = db.execute(
        text(
            "SELECT count(*) FILTER (WHERE qr_id = :q AND client_key = :c) AS label_client, "
            "count(*) FILTER (WHERE client_key = :c) AS client, "
            "count(*) FILTER (WHERE qr_id = :q) AS label, min(created_at) AS oldest "
            "FROM public_report WHERE created_at > :since AND (qr_id = :q OR client_key = :c)"
        ),
        {"q": qr_id, "c": client, "since": now - WINDOW},
    ).one()
    for name, limit in LIMITS:
        if getattr(counts, name) >= limit:
            wait = int((counts.oldest + WINDOW - now).total_seconds()) + 1
            raise TooManyAttempts(
                wait,
                "This device's fault was reported several times just now. The service team "
                "has it; please try again later or call the biomedical department.",
            )


def _validate(report: FaultReport) -> tuple[str, str, str]:
    name = " ".join((report.name or "").split())
    if not 2 <= len(name) <= 120:
        raise Invalid("name", "write your name (2 to 120 characters)")
    phone = normalise_phone(report.phone, "phone")
    description = (report.description or "").strip()
    if not 5 <= len(description) <= 2000:
        raise Invalid("description", "say what is wrong with the device (5 to 2,000 characters)")
    if report.state not in PRIORITY:
        raise Invalid("state", "say whether the device can still be used")
    return name, phone, description


def code_channels() -> tuple[str, ...]:
    """The channels a one-time code can reach a phone by, the default first: WhatsApp when
    its Cloud API is configured, SMS when a gateway is."""
    whatsapp = bool(getattr(get_settings(), "whatsapp_api_url", None)) and (
        importlib.util.find_spec("services.whatsapp.outbound") is not None
    )
    return (("whatsapp",) if whatsapp else ()) + (("sms",) if sms_configured() else ())


def has_code_channel() -> bool:
    """Whether one-time codes can reach a phone (WhatsApp or SMS is configured)."""
    return bool(code_channels())


def _send_code(db: Session, row: Any, phone: str, code: str, picked: str) -> str:
    """Send the code by the reporter's pick when it is configured, else by the default
    channel; returns the channel used."""
    channels = code_channels()
    channel = picked if picked in channels else channels[0]
    words = (
        f"Yantra: {code} is your code to report the fault on {row.model}. "
        "It is valid for 10 minutes."
    )
    if channel == "sms":
        queue_sms(db, row.tenant_id, phone, words, "report_code")
    else:
        from services.whatsapp.outbound import send_text

        send_text(db, to_phone=phone, text=words, tenant_id=row.tenant_id)
    return channel


def _code_hash(report_id: uuid.UUID, code: str) -> str:
    key = get_settings().signing_key().encode()
    return hmac.new(key, f"{report_id}|{code}".encode(), hashlib.sha256).hexdigest()


def _open(db: Session, row: Any, report_id: uuid.UUID, confirmed: bool) -> dict[str, Any]:
    reporter = Actor(
        user_id=None,
        tenant_id=row.tenant_id,
        tenant_kind=TenantKind(row.tenant_kind),
        roles=frozenset({Role.BUYER_USER}),
        label=f"{row.name} (from the device's label)"[:200],
    )
    checked = "confirmed by a one-time code" if confirmed else "NOT confirmed (no code was sent)"
    description = (
        f"{row.description}\n\nReported from the device's label by {row.name}, "
        f"phone {row.phone} ({checked})."
    )
    ticket = open_ticket(
        db, reporter, row.device_id, row.priority, None, description[:4000], source="qr"
    )
    status = "confirmed" if confirmed else "unconfirmed"
    db.execute(
        text("UPDATE public_report SET status = :s, ticket_id = :t WHERE id = :r"),
        {"s": status, "t": ticket.id, "r": report_id},
    )
    return {"status": status, "reportId": str(report_id), "ticketNumber": ticket.number}


def report_fault(
    db: Session, payload: str, client: str, report: FaultReport, now: datetime
) -> dict[str, Any]:
    """Take a fault reported from a label's public page. With a code channel the reporter's
    phone is sent a one-time code (by `report.channel` when that one is configured) and
    {"status": "awaiting_code", "reportId", "channel", "phone"} is returned;
    without one the ticket (source `qr`) opens at once, marked unconfirmed, and
    {"status": "unconfirmed", "ticketNumber"} is returned.
    Raises Invalid (label, name, phone, description, state), NotFound, Conflict (label
    replaced, device out of service) or TooManyAttempts past the hourly limits."""
    name, phone, description = _validate(report)
    row = _label(db, payload)
    if row.lifecycle_status == "decommissioned":
        raise Conflict("This device was decommissioned; tell the biomedical department")
    _throttle(db, row.qr_id, client, now)
    channel = has_code_channel()
    report_id, code = uuid.uuid4(), f"{secrets.randbelow(10**6):06d}"
    db.execute(
        text(
            "INSERT INTO public_report (id, tenant_id, qr_id, device_id, client_key, name, "
            "phone, description, priority, status, code_hash, expires_at, created_at) VALUES "
            "(:id, :t, :q, :d, :c, :n, :p, :desc, :prio, :s, :h, :exp, :now)"
        ),
        {
            "id": report_id,
            "t": row.tenant_id,
            "q": row.qr_id,
            "d": row.device_id,
            "c": client,
            "n": name,
            "p": phone,
            "desc": description,
            "prio": PRIORITY[report.state],
            "s": "awaiting_code" if channel else "unconfirmed",
            "h": _code_hash(report_id, code) if channel else None,
            "exp": now + CODE_TTL if channel else None,
            "now": now,
        },
    )
    if not channel:
        return _open(db, _report(db, report_id), report_id, confirmed=False)
    channel = _send_code(db, row, phone, code, report.channel)
    return {
        "status": "awaiting_code",
        "reportId": str(report_id),
        "channel": channel,
        "phone": phone[:3] + "X" * (len(phone) - 7) + phone[-4:],
    }


def _report(db: Session, report_id: uuid.UUID) -> Any:
    return db.execute(
        text(
            "SELECT r.*, t.kind AS tenant_kind FROM public_report r "
            "JOIN tenant t ON t.id = r.tenant_id WHERE r.id = :r FOR UPDATE OF r"
        ),
        {"r": report_id},
    ).first()


def confirm_report(
    db: Session, payload: str, report_id: uuid.UUID, code: str, now: datetime
) -> dict[str, Any]:
    """Open the ticket of a report once the one-time code sent to the reporter's phone is
    typed back: {"status": "confirmed", "ticketNumber"}. A wrong code is counted and answered
    {"status": "wrong_code", "triesLeft"} (five tries). Raises NotFound, or Conflict when
    the code expired, was mistyped too often or the report was already confirmed."""
    row = _label(db, payload)
    report = _report(db, report_id)
    if report is None or report.qr_id != row.qr_id:
        raise NotFound("No such fault report for this device; report it again")
    if report.status != "awaiting_code":
        raise Conflict("This report was already confirmed; the service team has it")
    if report.expires_at <= now or report.code_attempts >= MAX_CODE_ATTEMPTS:
        db.execute(
            text("UPDATE public_report SET status = 'expired' WHERE id = :r"), {"r": report_id}
        )
        raise Conflict("The code expired or was mistyped too often; report the fault again")
    typed = "".join(ch for ch in (code or "") if ch.isdigit())
    if not hmac.compare_digest(_code_hash(report_id, typed), report.code_hash or ""):
        db.execute(
            text("UPDATE public_report SET code_attempts = code_attempts + 1 WHERE id = :r"),
            {"r": report_id},
        )
        # Returned, not raised: the failed try must be kept when the caller commits.
        left = MAX_CODE_ATTEMPTS - report.code_attempts - 1
        return {"status": "wrong_code", "reportId": str(report_id), "triesLeft": left}
    return _open(db, report, report_id, confirmed=True)
