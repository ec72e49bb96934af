"""Alarms from telemetry: each reading is checked against the rules in force for its device
(its type's, with the numbers its manufacturer set: `rule_settings.py`); a rule
tripped for its minimum duration raises an alarm that opens (or updates) a ticket with source
`telemetry`, and the alarm clears when readings recover past the hysteresis level.

`Watch` lives in the ingest process: it keeps the state of active alarms in memory and
touches the database only when an alarm starts, is raised, or clears."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text

from services.columns import utcnow
from services.db import system_session
from services.telemetry.ingest import Device, Reading
from services.telemetry.rule_settings import RuleBook
from services.telemetry.rules import Rule
from services.telemetry.tickets import clear_ticket, raise_ticket

log = logging.getLogger("yantra.telemetry.alarms")
# No silence rule is shorter than this: devices heard more recently need no look.
SILENCE_CHECKED_AFTER = timedelta(minutes=5)


@dataclass
class Active:
    id: uuid.UUID
    state: str  # pending | open
    first_seen: datetime


@dataclass
class Watch:
    """The alarms of the devices this process has seen, and each metric's last value."""

    active: dict[tuple[uuid.UUID, str], Active] = field(default_factory=dict)
    last: dict[tuple[uuid.UUID, str], tuple[datetime, float]] = field(default_factory=dict)
    loaded: set[uuid.UUID] = field(default_factory=set)
    heard: dict[uuid.UUID, datetime] = field(default_factory=dict)
    # The rules in force, with the numbers each OEM set for its devices.
    rules: RuleBook = field(default_factory=RuleBook)

    def observe(self, readings: list[Reading]) -> None:
        """Check readings (in time order per device) against their rules; raise and clear.
        A batch holds thousands of readings of few devices, so the work is done per device
        and rule, and a reading costs a comparison unless its rule's alarm is starting,
        pending or open."""
        now = utcnow()
        by_device: dict[uuid.UUID, list[Reading]] = {}
        for reading in readings:
            own = by_device.get(reading.device.id)
            if own is None:
                by_device[reading.device.id] = [reading]
            else:
                own.append(reading)
        for device_id, own in by_device.items():
            own.sort(key=_in_order)
            self.heard[device_id] = now
            self._load(device_id)
            device = own[0].device
            for rule in self.rules.rules_for(device):
                if rule.kind == "silence":
                    if (device_id, rule.name) in self.active:
                        self._step(device, rule, own[0].ts, None, False, True)
                elif rule.kind == "rate":
                    self._observe_rate(device, rule, own)
                else:
                    self._observe_level(device, rule, own)
            latest: dict[tuple[uuid.UUID, str], tuple[datetime, float]] = {}
            for reading in reversed(own):
                for name, value in reading.metrics.items():
                    latest.setdefault((device_id, name), (reading.ts, value))
            self.last.update(latest)

    def _observe_level(self, device: Device, rule: Rule, own: list[Reading]) -> None:
        key, metric, limit, clear = (device.id, rule.name), rule.metric, rule.limit, rule.clear
        below = rule.kind == "below"
        for reading in own:
            value = reading.metrics.get(metric)
            if value is None:
                continue
            if key not in self.active and (value >= limit if below else value <= limit):
                continue  # no alarm, and this value starts none
            tripped = value < limit if below else value > limit
            recovered = value > clear if below else value < clear
            self._step(device, rule, reading.ts, value, tripped, recovered)

    def _observe_rate(self, device: Device, rule: Rule, own: list[Reading]) -> None:
        metric = rule.metric
        before = self.last.get((device.id, metric))
        for reading in own:
            value = reading.metrics.get(metric)
            if value is None:
                continue
            tripped = recovered = False
            if before is not None and reading.ts > before[0]:
                minutes = (reading.ts - before[0]).total_seconds() / 60
                per_minute = (value - before[1]) / minutes
                tripped, recovered = per_minute > rule.limit, per_minute < rule.clear
            before = (reading.ts, value)
            self._step(device, rule, reading.ts, value, tripped, recovered)

    def _step(
        self, device: Device, rule: Rule, ts: datetime, value, tripped: bool, recovered: bool
    ) -> None:
        key = (device.id, rule.name)
        alarm = self.active.get(key)
        if alarm is None and tripped:
            alarm = self.active[key] = Active(_start(device, rule, ts, value), "pending", ts)
        if alarm is None:
            return
        if recovered:
            _clear(alarm, rule, ts, value)
            del self.active[key]
        elif alarm.state == "pending" and ts - alarm.first_seen >= rule.min_duration:
            _raise(alarm, device, rule, ts, value)
            alarm.state = "open"

    def _load(self, device_id: uuid.UUID) -> None:
        if device_id in self.loaded:
            return
        self.loaded.add(device_id)
        with system_session() as db:
            rows = db.execute(
                text(
                    "SELECT id, rule, state, first_seen FROM telemetry_alarm "
                    "WHERE device_id = :d AND state <> 'cleared'"
                ),
                {"d": device_id},
            ).all()
        for row in rows:
            self.active[(device_id, row.rule)] = Active(row.id, row.state, row.first_seen)

    def check_silence(self, now: datetime) -> int:
        """Trip the silence rule of every device heard here that has not been heard for longer
        than the rule allows; how many alarms were raised."""
        raised = 0
        for device_id, ts in list(self.heard.items()):
            if now - ts < SILENCE_CHECKED_AFTER:
                continue
            device = _device(device_id)
            for rule in self.rules.rules_for(device):
                if rule.kind == "silence" and now - ts >= rule.min_duration:
                    if (device_id, rule.name) not in self.active:
                        self._step(device, rule, ts, None, True, False)
                        self._step(device, rule, now, None, True, False)
                        raised += 1
        return raised


def _in_order(reading: Reading) -> tuple[datetime, int]:
    return reading.ts, reading.seq


def _device(device_id: uuid.UUID) -> Device:
    with system_session() as db:
        row = db.execute(
            text(
                "SELECT e.tenant_id, e.manufacturer_tenant_id, s.category FROM equipment e "
                "JOIN sku s ON s.id = e.sku_id WHERE e.id = :d"
            ),
            {"d": device_id},
        ).one()
    return Device(device_id, *row)


def _start(device: Device, rule: Rule, ts: datetime, value: float | None) -> uuid.UUID:
    with system_session() as db:
        return db.execute(
            text(
                "INSERT INTO telemetry_alarm (tenant_id, oem_tenant_id, device_id, rule, metric,"
                " state, first_seen, last_value) VALUES (:t, :o, :d, :r, :m, 'pending', :ts, :v)"
                " ON CONFLICT (device_id, rule) WHERE state <> 'cleared'"
                " DO UPDATE SET last_value = EXCLUDED.last_value RETURNING id"
            ),
            {
                "t": device.tenant_id,
                "o": device.oem_tenant_id,
                "d": device.id,
                "r": rule.name,
                "m": rule.metric or "*",
                "ts": ts,
                "v": value,
            },
        ).scalar_one()


def _raise(alarm: Active, device: Device, rule: Rule, ts: datetime, value) -> None:
    evidence = _evidence(device.id, rule, alarm.first_seen - timedelta(minutes=10), ts)
    ticket_id = raise_ticket(device, rule, ts, value, evidence)
    with system_session() as db:
        db.execute(
            text(
                "UPDATE telemetry_alarm SET state = 'open', raised_at = :ts, last_value = :v,"
                " evidence = CAST(:e AS jsonb), ticket_id = :tk WHERE id = :id"
            ),
            {"ts": ts, "v": value, "e": _json(evidence), "tk": ticket_id, "id": alarm.id},
        )
    log.info("alarm %s raised on device %s (ticket %s)", rule.name, device.id, ticket_id)


def _clear(alarm: Active, rule: Rule, ts: datetime, value) -> None:
    with system_session() as db:
        ticket_id = db.execute(
            text(
                "UPDATE telemetry_alarm SET state = 'cleared', cleared_at = :ts, last_value ="
                " coalesce(:v, last_value) WHERE id = :id RETURNING ticket_id"
            ),
            {"ts": ts, "v": value, "id": alarm.id},
        ).scalar_one_or_none()
    if alarm.state == "open" and ticket_id is not None:
        clear_ticket(ticket_id, rule, ts, value)


def _evidence(device_id: uuid.UUID, rule: Rule, start: datetime, end: datetime) -> list[dict]:
    if not rule.metric:
        return []
    with system_session() as db:
        rows = db.execute(
            text(
                "SELECT ts, (metrics->>:m)::float8 FROM telemetry_reading WHERE device_id = :d"
                " AND ts >= :s AND ts <= :e AND metrics ? :m ORDER BY ts DESC LIMIT 500"
            ),
            {"m": rule.metric, "d": device_id, "s": start, "e": end},
        ).all()
    return [{"ts": ts.isoformat(), "value": v} for ts, v in reversed(rows)]


def _json(value) -> str:
    import json

    return json.dumps(value)
