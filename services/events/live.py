"""One PostgreSQL LISTEN connection per process, fanned out to every live page and socket.

Live pages (the ops console, negotiation rooms, dispatch progress, the ticket and
negotiation websockets)
subscribe here instead of opening a connection each: the hub runs one listener in a
thread of its own, hands each notice to the subscribers whose predicate accepts it, and
reconnects with back-off when the database goes away. Notices carry ids, never content:
each subscriber reads what it shows under its own actor, so row-level security decides.

A subscriber's queue is bounded: when it falls behind, or the listener reconnects, the
queued notices are replaced by `RESYNC`, which means "reload what you show". Each user
holds at most `MAX_PER_USER` subscriptions at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from services.db import app_url
from services.errors import Conflict

log = logging.getLogger("yantra.live")

CHANNELS = (
    "ticket_changed",
    "negotiation_changed",
    "dispatch_plan_changed",
    "order_changed",
    "notification_changed",
    "lab_result",
)
MAX_PER_USER = 20
QUEUE_SIZE = 64
Predicate = Callable[[dict[str, Any]], bool]


class TooManyLive(Conflict):
    """The user already holds `MAX_PER_USER` live subscriptions."""


class _Resync:
    def __repr__(self) -> str:
        return "RESYNC"


RESYNC = _Resync()  # "you may have missed notices: reload what you show"


class Notice(dict):
    """A notice's JSON payload, shared by every subscriber that receives it.

    `once(key, make)` computes something derived from it a single time for all of them
    (say, one frame per tenant), so a change seen by hundreds of sockets of one tenant is
    read once.
    """

    def __init__(self, channel: str, body: dict[str, Any]):
        super().__init__(body)
        self.channel = channel
        self._memo: dict[Any, Any] = {}
        self._memo_lock = threading.Lock()

    def once(self, key: Any, make: Callable[[], Any]) -> Any:
        with self._memo_lock:  # one computation per key; later callers wait for it
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]


class Subscription:
    """Notices of one channel for one subscriber, in the subscriber's event loop."""

    def __init__(self, hub: LiveHub, channel: str, predicate: Predicate, owner: str):
        self.channel, self.owner = channel, owner
        self._hub, self._predicate = hub, predicate
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Notice | _Resync] = asyncio.Queue(QUEUE_SIZE)
        self.closed = False

    def wants(self, notice: Notice) -> bool:
        try:
            return bool(self._predicate(notice))
        except Exception:  # a predicate bug must not stop the fan-out to others
            log.exception("live predicate failed on %s", self.channel)
            return False

    def deliver(self, item: Notice | _Resync) -> None:
        """Called from the listener thread: hand `item` to the subscriber's loop."""
        try:
            self._loop.call_soon_threadsafe(self._offer, item)
        except RuntimeError:  # the subscriber's loop has ended: it will never read again
            self.close()

    def _offer(self, item: Notice | _Resync) -> None:
        if self._queue.full() or item is RESYNC:
            while not self._queue.empty():  # a reload covers everything queued
                self._queue.get_nowait()
            item = RESYNC
        self._queue.put_nowait(item)

    async def get(self, timeout: float | None = None) -> Notice | _Resync | None:
        """The next notice, `RESYNC`, or None when `timeout` seconds pass without one."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None

    def drain(self) -> list[Notice | _Resync]:
        """Whatever else is queued now (to handle a burst of notices in one go)."""
        items = []
        while not self._queue.empty():
            items.append(self._queue.get_nowait())
        return items

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._hub._remove(self)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc) -> None:
        self.close()


class LiveHub:
    """The process's listener. `subscribe` is all a live page needs."""

    def __init__(
        self,
        url: Callable[[], str],
        channels: tuple[str, ...] = CHANNELS,
        max_per_user: int = MAX_PER_USER,
    ):
        self._url, self.channels, self.max_per_user = url, channels, max_per_user
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = {c: set() for c in channels}
        self._per_owner: Counter[str] = Counter()
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    async def subscribe(self, channel: str, predicate: Predicate, owner: str) -> Subscription:
        """Notices on `channel` that `predicate` accepts, for the user `owner`.

        Returns once the listener is listening (or after a few seconds if the database is
        away: the subscriber then gets `RESYNC` when it is back). Raises TooManyLive when
        `owner` already holds `max_per_user` subscriptions.
        """
        if channel not in self._subs:
            raise ValueError(f"no live channel {channel!r}")
        sub = Subscription(self, channel, predicate, owner)
        with self._lock:
            if self._per_owner[owner] >= self.max_per_user:
                raise TooManyLive(
                    f"At most {self.max_per_user} live pages or connections "
                    "per user: close one and try again"
                )
            self._per_owner[owner] += 1
            self._subs[channel].add(sub)
            self._start()
        for _ in range(100):  # up to 5 s for a first connection
            if self._connected.is_set():
                break
            await asyncio.sleep(0.05)
        return sub

    def count(self, owner: str | None = None) -> int:
        with self._lock:
            return (
                sum(len(s) for s in self._subs.values())
                if owner is None
                else self._per_owner[owner]
            )

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs[sub.channel]:
                self._subs[sub.channel].discard(sub)
                self._per_owner[sub.owner] -= 1
                if self._per_owner[sub.owner] <= 0:
                    del self._per_owner[sub.owner]

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping.clear()
            self._thread = threading.Thread(
                target=lambda: asyncio.run(self._run()), name="yantra-live-hub", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """End the listener (tests, and a process shutting down)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    async def _run(self) -> None:
        delay = 0.5
        while not self._stopping.is_set():
            try:
                await self._listen()
                delay = 0.5
            except (psycopg.Error, OSError) as exc:
                log.warning("live listener lost the database (%s); again in %.1f s", exc, delay)
            except Exception:  # a bug must not leave every live page silent: start over
                log.exception("live listener failed; again in %.1f s", delay)
            self._connected.clear()
            if self._stopping.wait(0):
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(self._url(), autocommit=True) as conn:
            for channel in self.channels:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self._connected.set()
            self._broadcast(RESYNC)  # whatever happened while nobody listened
            while not self._stopping.is_set():
                async for note in conn.notifies(timeout=1.0):
                    self._dispatch(note.channel, note.payload)

    def _dispatch(self, channel: str, payload: str) -> None:
        try:
            body = json.loads(payload)
        except ValueError:
            log.warning("live notice on %s is not JSON: %.80s", channel, payload)
            return
        if not isinstance(body, dict):
            return
        notice = Notice(channel, body)
        with self._lock:
            subs = list(self._subs.get(channel, ()))
        for sub in subs:
            if sub.wants(notice):
                sub.deliver(notice)

    def _broadcast(self, item: _Resync) -> None:
        with self._lock:
            subs = [s for group in self._subs.values() for s in group]
        for sub in subs:
            sub.deliver(item)


_hub: LiveHub | None = None
_hub_lock = threading.Lock()


def hub() -> LiveHub:
    """The process's hub, listening as the application role (started on first use)."""
    global _hub
    with _hub_lock:
        if _hub is None:
            _hub = LiveHub(lambda: app_url().replace("postgresql+psycopg://", "postgresql://"))
        return _hub


def reset_hub() -> None:
    """Stop and forget the hub (after settings change, in tests)."""
    global _hub
    with _hub_lock:
        if _hub is not None:
            _hub.stop()
        _hub = None
