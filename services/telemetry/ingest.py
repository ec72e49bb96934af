"""Turning MQTT messages into stored readings: validate against the device type's schema,
write good readings in batches with COPY (a reading delivered twice is stored once) and keep
refused payloads in quarantine with the reason. Nothing is acknowledged before it is stored."""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
import psycopg
from sqlalchemy.engine import make_url

from services.columns import utcnow
from services.db import owner_url
from services.errors import Invalid
from services.telemetry.schema import check_metrics

log = logging.getLogger("yantra.telemetry")
# The usual shape of `ts` (whole seconds or up to microseconds, Z or an offset): stored as sent.
# Other ISO 8601 forms Python reads (week dates, basic format, longer fractions) are written
# out again in this shape.
PLAIN_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)")
TOPIC = re.compile(r"^tenants/([0-9a-f-]{36})/devices/([0-9a-f-]{36})/telemetry$")
# Gateways' clocks drift; a reading further ahead than this is a wrong clock, not a reading.
FUTURE_SLACK = timedelta(minutes=5)
MAX_PAYLOAD_KEPT = 4000
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    tenant_id: uuid.UUID
    oem_tenant_id: uuid.UUID
    device_type: str | None


@dataclass(slots=True)
class Reading:
    device: Device
    ts: datetime
    seq: int
    metrics: dict[str, float]
    # `ts` as PostgreSQL reads it: the payload's own text when it is plain ISO 8601.
    stamp: str | None = None


@dataclass(frozen=True)
class Refusal:
    device: Device
    topic: str
    payload: str
    reason: str


def connect() -> psycopg.Connection:
    """A plain connection as the owner (the ingest writes for every tenant), in autocommit:
    each `store` is a transaction of its own."""
    url = make_url(owner_url()).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


class Directory:
    """Devices by id, read once and kept (a device's type and owners do not change)."""

    def __init__(self) -> None:
        self._known: dict[uuid.UUID, Device | None] = {}
        self._topics: dict[str, Device | None] = {}

    def on_topic(self, con: psycopg.Connection, topic: str) -> Device | None:
        """The device whose own topic this is, or None (another tenant's prefix, an unknown
        device, not a telemetry topic). Remembered per topic: a device publishes on one."""
        if topic not in self._topics:
            device_id = device_of(topic)
            device = self.find(con, device_id) if device_id else None
            if device is not None and not topic.startswith(f"tenants/{device.tenant_id}/"):
                device = None
            self._topics[topic] = device
        return self._topics[topic]

    def find(self, con: psycopg.Connection, device_id: uuid.UUID) -> Device | None:
        if device_id not in self._known:
            row = con.execute(
                "SELECT e.tenant_id, e.manufacturer_tenant_id, s.category FROM equipment e "
                "JOIN sku s ON s.id = e.sku_id WHERE e.id = %s",
                (device_id,),
            ).fetchone()
            self._known[device_id] = Device(device_id, *row) if row else None
        return self._known[device_id]


def parse(device: Device, topic: str, payload: bytes, now: datetime) -> Reading | Refusal:
    """The reading a payload carries, or why it is refused: not JSON, no time zone or a time
    far in the future, a missing or negative `seq`, or metrics outside the type's schema."""
    try:
        body = orjson.loads(payload)
    except orjson.JSONDecodeError:
        # What orjson does not take (NaN, huge integers, bad UTF-8, a NUL) is read as
        # before, so a refusal names the same reason.
        body = _stdlib_json(device, topic, payload)
        if isinstance(body, Refusal):
            return body
    try:
        if not isinstance(body, dict):
            raise Invalid("payload", "must be a JSON object with ts, seq and metrics")
        raw = body.get("ts")
        ts = _timestamp(raw, now)
        seq = body.get("seq")
        if seq.__class__ is not int or seq < 0:  # JSON's true and false are no seq
            raise Invalid("seq", "must be a whole number from 0")
        metrics = check_metrics(device.device_type, body.get("metrics"))
    except Invalid as exc:
        return _refusal(device, topic, payload, str(exc).replace("\x00", ""))
    return Reading(device, ts, seq, metrics, raw if PLAIN_TS.fullmatch(raw) else None)


def _stdlib_json(device: Device, topic: str, payload: bytes) -> object:
    try:
        return _json(payload.decode())
    except ValueError:
        # Not UTF-8, or a byte JSON refuses (a NUL): read it as its quarantined text reads.
        try:
            return json.loads(_as_text(payload))
        except json.JSONDecodeError as exc:
            return _refusal(device, topic, payload, f"payload: not JSON ({exc.msg})")


def _json(text: str) -> object:
    # raw_decode spares json.loads' two passes looking for whitespace around the document;
    # what it does not take whole (whitespace, trailing data, an error) goes through loads.
    try:
        body, end = _DECODER.raw_decode(text)
        if end == len(text):
            return body
    except ValueError:
        pass
    return json.loads(text)


def _as_text(payload: bytes) -> str:
    # PostgreSQL text holds no NUL: keep it visible as an escape, never refuse the row.
    return payload.decode("utf-8", errors="replace").replace("\x00", "\\u0000")


def _refusal(device: Device, topic: str, payload: bytes, reason: str) -> Refusal:
    return Refusal(device, topic, _as_text(payload)[:MAX_PAYLOAD_KEPT], reason)


def _timestamp(raw: object, now: datetime) -> datetime:
    if not isinstance(raw, str):
        raise Invalid("ts", "must be an ISO 8601 time, e.g. 2026-12-01T10:00:00Z")
    try:
        ts = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid("ts", f"'{raw[:40]}' is not an ISO 8601 time") from None
    if ts.tzinfo is None:
        raise Invalid("ts", "must carry its time zone (Z or +05:30)")
    if ts > now + FUTURE_SLACK:
        raise Invalid("ts", f"{raw[:40]} is in the future")
    return ts


def device_of(topic: str) -> uuid.UUID | None:
    """The device a telemetry topic names, or None for any other topic."""
    match = TOPIC.match(topic)
    return uuid.UUID(match.group(2)) if match else None


def store(con: psycopg.Connection, readings: list[Reading], refusals: list[Refusal]) -> int:
    """Write a batch in one transaction: readings with COPY (a reading already stored is
    skipped) and refusals into the quarantine. Returns how many readings were new."""
    with con.transaction():
        added = _insert(con, readings) if readings else 0
        if refusals:
            with con.cursor().copy(
                "COPY telemetry_quarantine (tenant_id, oem_tenant_id, device_id, topic, payload,"
                " reason) FROM STDIN"
            ) as copy:
                for q in refusals:
                    d = q.device
                    copy.write_row(
                        (d.tenant_id, d.oem_tenant_id, d.id, q.topic, q.payload, q.reason)
                    )
    return added


COLUMNS = "(tenant_id, oem_tenant_id, device_id, ts, seq, metrics)"


def _insert(con: psycopg.Connection, readings: list[Reading]) -> int:
    """COPY straight into `telemetry_reading` when the batch holds each (device, ts, seq)
    once; if one of them is stored already (the broker sends again what was not
    acknowledged), the batch goes through a staging table and on, skipping stored ones."""
    rows = _copy_text(readings)
    if len({(r.device.id, r.ts, r.seq) for r in readings}) == len(readings):
        try:
            with (
                con.transaction(),
                con.cursor().copy(f"COPY telemetry_reading {COLUMNS} FROM STDIN") as copy,
            ):
                copy.write(rows)
            return len(readings)
        except psycopg.errors.UniqueViolation:
            pass
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS telemetry_incoming "
        "(LIKE telemetry_reading INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    with con.cursor().copy(f"COPY telemetry_incoming {COLUMNS} FROM STDIN") as copy:
        copy.write(rows)
    # ON CONFLICT DO NOTHING also keeps one of two equal readings within the batch.
    return con.execute(
        "INSERT INTO telemetry_reading SELECT * FROM telemetry_incoming ON CONFLICT DO NOTHING"
    ).rowcount


def _copy_text(readings: list[Reading]) -> bytes:
    """The readings as COPY's text format, written in one piece rather than row by row.
    Nothing needs escaping: ids, ISO times and numbers hold no tab, newline or backslash, and
    the metrics' names are the schema's own (parse keeps no other)."""
    owners: dict[int, str] = {}
    lines = []
    for r in readings:
        d = r.device
        prefix = owners.get(id(d))
        if prefix is None:
            prefix = owners[id(d)] = f"{d.tenant_id}\t{d.oem_tenant_id}\t{d.id}\t"
        stamp = r.stamp or r.ts.isoformat()
        lines.append(f"{prefix}{stamp}\t{r.seq}\t{orjson.dumps(r.metrics).decode()}\n")
    return "".join(lines).encode()


class Batch:
    """Messages gathered between two writes, turned into readings and refusals."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.now = utcnow()  # what "in the future" is measured against, once per batch
        self.readings: list[Reading] = []
        self.refusals: list[Refusal] = []
        self._last: tuple[list[Reading], list[Refusal]] = ([], [])

    def add(self, con: psycopg.Connection, topic: str, payload: bytes) -> None:
        device = self.directory.on_topic(con, topic)
        if device is None:
            # The broker lets a device publish only to its own topic; this is not one.
            log.warning("telemetry on %s names no device of that tenant: dropped", topic[:200])
            return
        parsed = parse(device, topic, payload, self.now)
        (self.readings if isinstance(parsed, Reading) else self.refusals).append(parsed)

    def __len__(self) -> int:
        return len(self.readings) + len(self.refusals)

    def flush(self, con: psycopg.Connection) -> tuple[int, list[Reading]]:
        """Store what was gathered; (new readings, every reading of the batch). After a
        failure `restore` puts the batch back to be tried again."""
        readings, refusals = self.readings, self.refusals
        self._last = (readings, refusals)
        self.readings, self.refusals, self.now = [], [], utcnow()
        return store(con, readings, refusals), readings

    def restore(self) -> None:
        self.readings, self.refusals = self._last
