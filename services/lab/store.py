"""The raw message store on the listener's side: every message is written, and committed,
before its acknowledgement goes out.

Messages arriving at the same moment on different connections share one transaction (a
group commit): each waits for the commit that includes it, then its ACK is sent. A message
whose sender and control id are already stored is a duplicate: it is counted on the first
copy and not stored again, and answered as the first copy was.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass

import psycopg

from services.errors import Invalid
from services.settings import get_settings

log = logging.getLogger("yantra.lab.store")
MAX_BATCH = 256

COLUMNS = (
    "id, tenant_id, channel_id, protocol, sending_application, sending_facility, control_id, "
    "message_type, version, raw, state, error, ack_code"
)
ROW = "(%s::uuid, %s::uuid, %s::uuid, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
# One statement per batch, run in autocommit: when it returns, the batch is committed. The
# notice wakes the processor (identical notices of one transaction are delivered once).
INSERT = (
    "WITH stored AS (INSERT INTO lab_message (" + COLUMNS + ") VALUES {rows} "
    "ON CONFLICT (sending_application, sending_facility, control_id) "
    "DO UPDATE SET duplicate_count = lab_message.duplicate_count + 1 "
    "RETURNING id, sending_application, sending_facility, control_id, ack_code, error, "
    "(xmax = 0) AS inserted) "
    "SELECT stored.*, pg_notify('lab_message', '') FROM stored"
)


def libpq_url() -> str:
    """The owner's database URL as libpq takes it (the listeners import no ORM, so they
    start fast after a crash)."""
    url = get_settings().database_url
    if not url:
        raise Invalid("DATABASE_URL", "is not set; `make run` starts an embedded PostgreSQL")
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


@dataclass
class Incoming:
    """A message as the listener read it, with what it decided before storing."""

    raw: str
    protocol: str = "hl7"
    sending_application: str = ""
    sending_facility: str = ""
    control_id: str | None = None
    message_type: str = ""
    version: str = ""
    tenant_id: uuid.UUID | None = None
    channel_id: uuid.UUID | None = None
    state: str = "received"
    error: str = ""
    ack_code: str = "AA"


@dataclass
class Stored:
    """What the store made of a message: its id, and for a duplicate the first copy's
    answer."""

    message_id: uuid.UUID
    inserted: bool
    ack_code: str
    error: str


def _params(item: Incoming) -> tuple:
    return (
        uuid.uuid4(),
        item.tenant_id,
        item.channel_id,
        item.protocol,
        item.sending_application[:180],
        item.sending_facility[:180],
        item.control_id[:199] if item.control_id else None,
        item.message_type[:20],
        item.version[:10],
        item.raw.replace("\x00", ""),
        item.state,
        item.error,
        item.ack_code,
    )


class GroupCommitter:
    """Writes messages in batches on one connection; `store` returns once the message's
    transaction is committed (or raises, and then nothing may be acknowledged)."""

    def __init__(self, url: str | None = None):
        self.url = url or libpq_url()
        self._queue: asyncio.Queue[tuple[Incoming, asyncio.Future]] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self._conn: psycopg.AsyncConnection | None = None

    async def start(self) -> None:
        self._conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
        if self._conn:
            await self._conn.close()

    async def store(self, item: Incoming) -> Stored:
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        await self._queue.put((item, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
            try:
                outcomes = await self._write([item for item, _ in batch])
            except Exception as error:  # noqa: BLE001 - every waiter hears of it; none is ACKed
                log.error("lab store: batch of %d not stored: %s", len(batch), error)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                await self._reconnect()
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)

    async def _write(self, items: list[Incoming]) -> list[Stored]:
        assert self._conn is not None
        # Two copies of one message in the same batch: the second is answered as a
        # duplicate of the first (one statement may not touch a row twice).
        firsts: dict[tuple, int] = {}
        unique: list[tuple] = []
        slots: list[int] = []
        for item in items:
            key = (
                item.sending_application[:180],
                item.sending_facility[:180],
                item.control_id[:199] if item.control_id else None,
            )
            if key[2] is not None and key in firsts:
                slots.append(-1 - firsts[key])
                continue
            if key[2] is not None:
                firsts[key] = len(unique)
            slots.append(len(unique))
            unique.append(_params(item))
        sql = INSERT.format(rows=", ".join([ROW] * len(unique)))
        cursor = await self._conn.execute(sql, [v for row in unique for v in row])
        by_id, by_key = {}, {}
        for row in await cursor.fetchall():
            stored = Stored(row[0], row[6], row[4], row[5])
            by_id[row[0]] = stored
            by_key[(row[1], row[2], row[3])] = stored
        outcomes = []
        for slot in slots:
            params = unique[slot if slot >= 0 else -1 - slot]
            stored = by_id.get(params[0]) or by_key[(params[4], params[5], params[6])]
            if slot < 0:
                stored = Stored(stored.message_id, False, stored.ack_code, stored.error)
            outcomes.append(stored)
        return outcomes

    async def _reconnect(self) -> None:
        delay = 0.5
        while True:
            try:
                if self._conn is not None:
                    await self._conn.close()
                self._conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
                return
            except psycopg.OperationalError as error:
                log.warning("lab store: reconnecting in %.1fs: %s", delay, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)


class ChannelDirectory:
    """Which channel (and tenant) a sender belongs to: kept in memory, reloaded every few
    seconds (so a changed or deactivated channel is seen), and asked of the database at
    once when an unknown sender writes (so a channel just set up is found)."""

    def __init__(self, url: str | None = None, refresh_seconds: float = 5.0):
        self.url = url or libpq_url()
        self.refresh_seconds = refresh_seconds
        self._senders: dict[tuple[str, str, str], tuple[uuid.UUID, uuid.UUID]] = {}
        self._loaded_at = 0.0
        self._conn: psycopg.AsyncConnection | None = None
        self._lock = asyncio.Lock()

    async def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        async with self._lock:
            for attempt in (1, 2):
                try:
                    if self._conn is None or self._conn.closed:
                        self._conn = await psycopg.AsyncConnection.connect(
                            self.url, autocommit=True
                        )
                    return await (await self._conn.execute(sql, params)).fetchall()
                except psycopg.OperationalError:
                    self._conn = None
                    if attempt == 2:
                        raise
        return []

    async def load(self) -> None:
        rows = await self._query(
            "SELECT protocol, sending_application, sending_facility, id, tenant_id "
            "FROM lab_channel WHERE is_active"
        )
        self._senders = {(r[0], r[1], r[2]): (r[3], r[4]) for r in rows}
        self._loaded_at = time.monotonic()

    async def find(
        self, protocol: str, application: str, facility: str
    ) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(channel id, tenant id) of the sender, or None when no channel knows it. A
        channel with an empty facility takes the sender from any facility."""
        try:
            if time.monotonic() - self._loaded_at > self.refresh_seconds:
                await self.load()
            found = self._lookup(protocol, application, facility)
            if found is None:
                rows = await self._query(
                    "SELECT sending_facility, id, tenant_id FROM lab_channel WHERE is_active "
                    "AND protocol = %s AND sending_application = %s "
                    "AND sending_facility IN (%s, '')",
                    (protocol, application, facility),
                )
                for row in rows:
                    self._senders[(protocol, application, row[0])] = (row[1], row[2])
                found = self._lookup(protocol, application, facility)
        except psycopg.OperationalError as error:
            log.warning("lab channels not read: %s", error)
            found = self._lookup(protocol, application, facility)
        return found

    def _lookup(self, protocol: str, application: str, facility: str):
        return self._senders.get((protocol, application, facility)) or self._senders.get(
            (protocol, application, "")
        )
