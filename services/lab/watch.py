"""How each analyzer is watched: the working hours of its laboratory (set once per
laboratory, or per channel where an analyzer keeps other hours), how long it may stay
silent within them, and how many faults an hour open a ticket.

A channel with no hours of its own keeps its laboratory's; a laboratory that set none
works 08:00 to 20:00 IST, Monday to Saturday. `health.check_analyzers` reads the same
rule in SQL (`HOURS_SQL`)."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.columns import utcnow
from services.common.roles import LAB_ADMINS
from services.errors import Invalid, NotFound

DEFAULT_HOURS = {"opens": "08:00", "closes": "20:00", "workdays": [0, 1, 2, 3, 4, 5]}
HOURS_KEYS = ("opens", "closes", "workdays", "roundTheClock")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# The hours a channel keeps: its own, else its laboratory's, else the default
# (`w` is the channel's lab_watch row, `h` its laboratory's lab_hours row).
HOURS_SQL = """
    coalesce(w.opens, h.opens, '08:00') AS opens,
    coalesce(w.closes, h.closes, '20:00') AS closes,
    coalesce(w.workdays, h.workdays, '{0,1,2,3,4,5}') AS workdays,
    coalesce(w.round_the_clock, h.round_the_clock, false) AS round_the_clock,
    coalesce(w.faults_per_hour, 5) AS faults_per_hour,
    (w.opens IS NOT NULL OR w.round_the_clock IS NOT NULL) AS own_hours
"""


def check_hours(hours: dict) -> tuple[time, time, list[int], bool]:
    """Opening and closing time, workdays and round-the-clock of `hours`, checked (what is
    left out takes the default). Raises Invalid naming the field."""
    times = {}
    for key in ("opens", "closes"):
        try:
            times[key] = time.fromisoformat(str(hours.get(key) or DEFAULT_HOURS[key]))
        except ValueError as exc:
            raise Invalid(key, "must be a time of day as HH:MM, e.g. 08:00") from exc
    always = bool(hours.get("roundTheClock", False))
    if not always and times["opens"] >= times["closes"]:
        raise Invalid("closes", "must be after opens")
    workdays = hours.get("workdays", DEFAULT_HOURS["workdays"])
    if (
        not isinstance(workdays, list)
        or not workdays
        or any(not isinstance(d, int) or not 0 <= d <= 6 for d in workdays)
    ):
        raise Invalid("workdays", "list the days open, 0 Monday to 6 Sunday")
    return times["opens"], times["closes"], sorted(set(workdays)), always


def _whole(settings: dict, key: str, low: int, high: int, default: int | None) -> int | None:
    value = settings.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(key, f"must be a whole number from {low:,} to {high:,}")
    return value


def days_text(workdays) -> str:
    """Workdays as people write them: "Mon–Sat", "Mon–Fri, Sun", "every day"."""
    days = sorted(set(workdays))
    if len(days) == 7:
        return "every day"
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(DAYS[r[0]] if len(r) == 1 else f"{DAYS[r[0]]}–{DAYS[r[-1]]}" for r in runs)


def hours_json(opens, closes, workdays, always) -> dict[str, Any]:
    """Hours as the API and the screens show them, with a line for people."""
    opens_text, closes_text = str(opens)[:5], str(closes)[:5]
    days = days_text(workdays)
    return {
        "opens": opens_text,
        "closes": closes_text,
        "workdays": list(workdays),
        "roundTheClock": bool(always),
        "summary": "round the clock" if always else f"{opens_text}–{closes_text} IST, {days}",
    }


def set_watch(db: Session, actor: Actor, channel_id: uuid.UUID, settings: dict) -> dict:
    """Set how a channel's analyzer is watched: `faultsPerHour` (default 5),
    `silentAfterMinutes` (kept when left out) and, when any of `opens`, `closes`
    (HH:MM IST), `workdays` (0 Monday to 6 Sunday) or `roundTheClock` is given, hours of
    its own; without them the channel keeps its laboratory's hours. Audited. Raises
    Forbidden, NotFound (channel) or Invalid naming the field."""
    actor.require(*LAB_ADMINS)
    found = db.execute(text("SELECT 1 FROM lab_channel WHERE id = :id"), {"id": channel_id})
    if found.first() is None:
        raise NotFound("No channel with that id in your laboratory")
    faults = _whole(settings, "faultsPerHour", 1, 10000, 5)
    silent = _whole(settings, "silentAfterMinutes", 1, 7 * 24 * 60, None)
    own = any(key in settings for key in HOURS_KEYS) and not settings.get("inheritHours")
    opens, closes, workdays, always = check_hours(settings) if own else (None,) * 4
    db.execute(
        text(
            "INSERT INTO lab_watch (channel_id, tenant_id, opens, closes, workdays, "
            "round_the_clock, faults_per_hour, updated_at) VALUES (:channel, :tenant, :opens, "
            ":closes, :workdays, :always, :faults, :now) ON CONFLICT (channel_id) DO UPDATE "
            "SET opens = :opens, closes = :closes, workdays = :workdays, "
            "round_the_clock = :always, faults_per_hour = :faults, updated_at = :now"
        ),
        {
            "channel": channel_id,
            "tenant": actor.tenant_id,
            "opens": opens,
            "closes": closes,
            "workdays": workdays,
            "always": always,
            "faults": faults,
            "now": utcnow(),
        },
    )
    if silent is not None:
        db.execute(
            text("UPDATE lab_channel SET silent_after_minutes = :m WHERE id = :id"),
            {"m": silent, "id": channel_id},
        )
    audit.record(db, actor, "lab.watch.set", "lab_channel", channel_id, "analyzer watch set")
    return get_watch(db, channel_id)


def watches(db: Session, channel_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """Each channel of the lab (or one) with the hours it is watched by, whether they are
    its own or its laboratory's, its silence threshold and fault limit."""
    rows = db.execute(
        text(
            "SELECT ch.id, ch.name, ch.silent_after_minutes, ch.laboratory_id, "
            "l.name AS laboratory, " + HOURS_SQL + " FROM lab_channel ch "
            "LEFT JOIN lab_watch w ON w.channel_id = ch.id "
            "LEFT JOIN lab_hours h ON h.laboratory_id = ch.laboratory_id "
            "LEFT JOIN laboratories l ON l.id = ch.laboratory_id "
            "WHERE CAST(:channel AS uuid) IS NULL OR ch.id = :channel ORDER BY ch.name"
        ),
        {"channel": channel_id},
    ).all()
    return [
        {
            "channelId": str(r.id),
            "name": r.name,
            "laboratoryId": str(r.laboratory_id) if r.laboratory_id else None,
            "laboratory": r.laboratory or "",
            "silentAfterMinutes": r.silent_after_minutes,
            "faultsPerHour": r.faults_per_hour,
            "ownHours": bool(r.own_hours),
            **hours_json(r.opens, r.closes, r.workdays, r.round_the_clock),
        }
        for r in rows
    ]


def get_watch(db: Session, channel_id: uuid.UUID) -> dict[str, Any]:
    """One channel's watch (see `watches`). Raises NotFound."""
    found = watches(db, channel_id)
    if not found:
        raise NotFound("No channel with that id in your laboratory")
    return found[0]


def laboratory_hours(db: Session) -> list[dict[str, Any]]:
    """The organisation's laboratories with the hours each works (the default where it
    set none), by name."""
    rows = db.execute(
        text(
            "SELECT l.id, l.name, h.laboratory_id IS NOT NULL AS is_set, "
            "coalesce(h.opens, '08:00') AS opens, coalesce(h.closes, '20:00') AS closes, "
            "coalesce(h.workdays, '{0,1,2,3,4,5}') AS workdays, "
            "coalesce(h.round_the_clock, false) AS round_the_clock "
            "FROM laboratories l LEFT JOIN lab_hours h ON h.laboratory_id = l.id "
            "WHERE l.tenant_id = :tenant ORDER BY l.name LIMIT 200"
        ),
        {"tenant": db.info["tenant_id"]},
    ).all()
    return [
        {
            "laboratoryId": str(r.id),
            "name": r.name,
            "isSet": r.is_set,
            **hours_json(r.opens, r.closes, r.workdays, r.round_the_clock),
        }
        for r in rows
    ]


def set_laboratory_hours(
    db: Session, actor: Actor, laboratory_id: uuid.UUID, hours: dict
) -> dict[str, Any]:
    """Set when a laboratory works (`opens`, `closes` HH:MM IST, `workdays`, or
    `roundTheClock`); its channels without hours of their own follow. Audited. Raises
    Forbidden, NotFound (not a laboratory of the organisation) or Invalid."""
    actor.require(*LAB_ADMINS)
    found = db.execute(
        text("SELECT 1 FROM laboratories WHERE id = :id AND tenant_id = :tenant"),
        {"id": laboratory_id, "tenant": actor.tenant_id},
    ).first()
    if found is None:
        raise NotFound("No laboratory with that id in your organisation")
    opens, closes, workdays, always = check_hours(hours)
    values = {"lab": laboratory_id, "tenant": actor.tenant_id, "opens": opens}
    values |= {"closes": closes, "days": workdays, "always": always}
    db.execute(
        text(
            "INSERT INTO lab_hours (laboratory_id, tenant_id, opens, closes, workdays, "
            "round_the_clock, updated_by, updated_at) VALUES (:lab, :tenant, :opens, :closes, "
            ":days, :always, :user, :now) ON CONFLICT (laboratory_id) DO UPDATE SET "
            "opens = :opens, closes = :closes, workdays = :days, round_the_clock = :always, "
            "updated_by = :user, updated_at = :now"
        ),
        values | {"user": actor.user_id, "now": utcnow()},
    )
    audit.record(db, actor, "lab.hours.set", "laboratories", laboratory_id, "laboratory hours set")
    return {"laboratoryId": str(laboratory_id), **hours_json(opens, closes, workdays, always)}
