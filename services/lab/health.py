"""Analyzer health: an analyzer that falls silent during its lab's working hours for
longer than its channel allows, or reports faults, gets a service ticket (source `lab`)
for its device, under the device's contract and SLA; the alarm closes, with a note on the
ticket, when messages flow again.

Faults are what the analyzer's own messages say went wrong in the last hour: messages
that could not be processed, and results it reported as not obtainable (status `X`).
`check_analyzers` runs every minute in the workers (workers/lab.py) over every lab."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.actor import Actor, Role, TenantKind
from services.columns import utcnow
from services.common.calendar import Calendar, business_calendar
from services.common.clock import IST, ist_text
from services.db import system_session, tenant_session
from services.lab.watch import HOURS_SQL
from services.tickets.service import add_comment, open_ticket

log = logging.getLogger("yantra.lab.health")
WATCHER = "Analyzer watch"

_CHANNELS = text(
    """
    SELECT ch.id, ch.tenant_id, ch.name, ch.device_id, ch.silent_after_minutes,
           ch.created_at, t.kind AS tenant_kind,
           """
    + HOURS_SQL
    + """,
           (SELECT max(m.received_at) FROM lab_message m WHERE m.channel_id = ch.id) AS last_at,
           (SELECT count(*) FROM lab_message m WHERE m.channel_id = ch.id
               AND m.state = 'error' AND m.received_at > :hour_ago) AS errors,
           (SELECT count(*) FROM lab_result r WHERE r.channel_id = ch.id
               AND r.result_status = 'X' AND r.created_at > :hour_ago) AS not_obtained,
           a.id AS alarm_id, a.kind AS alarm_kind, a.ticket_id, a.opened_at AS alarm_at
      FROM lab_channel ch JOIN tenant t ON t.id = ch.tenant_id
      LEFT JOIN lab_watch w ON w.channel_id = ch.id
      LEFT JOIN lab_hours h ON h.laboratory_id = ch.laboratory_id
      LEFT JOIN lab_alarm a ON a.channel_id = ch.id AND a.closed_at IS NULL
     WHERE ch.is_active AND ch.device_id IS NOT NULL
       AND (CAST(:tenant AS uuid) IS NULL OR ch.tenant_id = :tenant)
    """
)


@dataclass(frozen=True)
class Outcome:
    opened: list[uuid.UUID]  # tickets opened
    closed: list[uuid.UUID]  # alarms closed


def lab_calendar(row) -> Calendar:
    """The working hours the channel's lab keeps (round the clock, or business hours)."""
    if row.round_the_clock:
        return Calendar()
    year = utcnow().astimezone(IST).year
    opens, closes = row.opens, row.closes
    return business_calendar(
        opens if isinstance(opens, time) else time.fromisoformat(str(opens)),
        closes if isinstance(closes, time) else time.fromisoformat(str(closes)),
        row.workdays,
        (),
        range(year - 1, year + 2),
    )


def silent_minutes(row, now: datetime) -> float | None:
    """Working minutes the analyzer has been silent, or None outside working hours and for
    an analyzer that never sent anything (not yet connected is no fault of the device)."""
    if row.last_at is None:
        return None
    calendar = lab_calendar(row)
    hours = calendar.hours_on(now.astimezone(IST).date())
    if hours is None or not hours[0] <= now < hours[1]:
        return None
    return calendar.between(row.last_at, now)


def _problem(row, now: datetime) -> str | None:
    faults = row.errors + row.not_obtained
    if faults >= row.faults_per_hour:
        return "faults"
    silent = silent_minutes(row, now)
    if silent is not None and silent > row.silent_after_minutes:
        return "silent"
    return None


def _evidence(row, kind: str) -> str:
    last = ist_text(row.last_at, "%d %b %Y %H:%M IST", empty="never")
    counts = (
        f"In the last hour: {row.errors} message(s) that could not be processed, "
        f"{row.not_obtained} result(s) the analyzer could not obtain."
    )
    if kind == "silent":
        head = (
            f"Analyzer '{row.name}' has sent nothing for more than "
            f"{row.silent_after_minutes} working minutes."
        )
    else:
        head = f"Analyzer '{row.name}' is reporting faults."
    return f"{head} Last message: {last}. {counts}"


def _watcher(row) -> Actor:
    return Actor(
        None, row.tenant_id, TenantKind(row.tenant_kind), frozenset({Role.LAB_STAFF}), WATCHER
    )


def _open_alarm(row, kind: str, now: datetime) -> uuid.UUID | None:
    actor = _watcher(row)
    try:
        with tenant_session(actor) as db:
            ticket = open_ticket(
                db,
                actor,
                row.device_id,
                "P2",
                "ANALYZER_SILENT" if kind == "silent" else "ANALYZER_FAULTS",
                _evidence(row, kind),
                source="lab",
            )
            db.execute(
                text(
                    "INSERT INTO lab_alarm (tenant_id, channel_id, equipment_id, kind, "
                    "ticket_id, last_message_at, error_count, opened_at) VALUES (:tenant, "
                    ":channel, :device, :kind, :ticket, :last, :errors, :now)"
                ),
                {
                    "tenant": row.tenant_id,
                    "channel": row.id,
                    "device": row.device_id,
                    "kind": kind,
                    "ticket": ticket.id,
                    "last": row.last_at,
                    "errors": row.errors + row.not_obtained,
                    "now": now,
                },
            )
            return ticket.id
    except IntegrityError:  # another worker opened the alarm first: its ticket stands
        log.info("alarm for channel %s already open", row.id)
        return None


def _close_alarm(row, now: datetime) -> None:
    actor = _watcher(row)
    with tenant_session(actor) as db:
        db.execute(
            text("UPDATE lab_alarm SET closed_at = :now WHERE id = :id AND closed_at IS NULL"),
            {"now": now, "id": row.alarm_id},
        )
        if row.ticket_id:
            last = ist_text(row.last_at, "%d %b %Y %H:%M IST")
            add_comment(
                db,
                actor,
                row.ticket_id,
                f"Messages from analyzer '{row.name}' flow again (last {last}).",
            )


def _recovered(row, now: datetime) -> bool:
    if row.alarm_kind == "silent":
        return row.last_at is not None and row.last_at > row.alarm_at
    return _problem(row, now) is None and row.last_at is not None and row.last_at > row.alarm_at


def check_analyzers(now: datetime | None = None, tenant_id: uuid.UUID | None = None) -> Outcome:
    """Open an alarm and a ticket for each analyzer newly silent or faulty, close those
    whose messages flow again (every lab's, or `tenant_id`'s only). Safe to run in several
    workers at once."""
    now = now or utcnow()
    with system_session() as db:
        rows = db.execute(
            _CHANNELS, {"hour_ago": now - timedelta(hours=1), "tenant": tenant_id}
        ).all()
    opened, closed = [], []
    for row in rows:
        if row.alarm_id is not None:
            if _recovered(row, now):
                _close_alarm(row, now)
                closed.append(row.alarm_id)
            continue
        kind = _problem(row, now)
        if kind is not None:
            ticket = _open_alarm(row, kind, now)
            if ticket is not None:
                opened.append(ticket)
    return Outcome(opened, closed)


def analyzer_status(db: Session, since: datetime) -> list[dict]:
    """Each channel the lab can see: its analyzer's status (ok, silent, faults, idle),
    results and messages since `since`, last message and the open alarm's ticket."""
    rows = db.execute(
        text(
            """
            SELECT ch.id, ch.name, ch.device_id, ch.silent_after_minutes, ch.is_active,
                   (SELECT max(m.received_at) FROM lab_message m
                     WHERE m.channel_id = ch.id) AS last_at,
                   (SELECT count(*) FROM lab_message m WHERE m.channel_id = ch.id
                     AND m.received_at >= :since) AS messages,
                   (SELECT count(*) FROM lab_message m WHERE m.channel_id = ch.id
                     AND m.state = 'error' AND m.received_at >= :since) AS errors,
                   (SELECT count(*) FROM lab_result r WHERE r.channel_id = ch.id
                     AND r.created_at >= :since) AS results,
                   a.kind AS alarm, t.number AS ticket_number, a.ticket_id
              FROM lab_channel ch
              LEFT JOIN lab_alarm a ON a.channel_id = ch.id AND a.closed_at IS NULL
              LEFT JOIN ticket t ON t.id = a.ticket_id
             ORDER BY ch.name
            """
        ),
        {"since": since},
    ).all()
    return [
        {
            "id": str(r.id),
            "name": r.name,
            "status": r.alarm or ("idle" if r.last_at is None else "ok"),
            "lastMessageAt": r.last_at.isoformat() if r.last_at else None,
            "messages": r.messages,
            "results": r.results,
            "errors": r.errors,
            "ticketNumber": r.ticket_number,
            "ticketId": str(r.ticket_id) if r.ticket_id else None,
        }
        for r in rows
    ]
