"""The process's live listener: pages hear the changes meant for them, are told to reload
after the database connection drops or when they fall behind, and a user holds a bounded
number of live subscriptions."""

from __future__ import annotations

import asyncio
import json

import psycopg
import pytest

from services.db import app_url, owner_url
from services.events.live import QUEUE_SIZE, RESYNC, LiveHub, TooManyLive
from tests.aio import run_async

WAIT = 60  # seconds to wait for a notice; never asserted as a speed


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _notify(*bodies: dict) -> None:
    with psycopg.connect(_dsn(owner_url()), autocommit=True) as conn:
        for body in bodies:
            conn.execute("SELECT pg_notify('ticket_changed', %s)", (json.dumps(body),))


def _drop_listeners() -> int:
    """End the app role's LISTEN connections, as a database restart would."""
    with psycopg.connect(_dsn(owner_url()), autocommit=True) as conn:
        return len(
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                "current_database() AND query ILIKE 'LISTEN%'"
            ).fetchall()
        )


def _scenario(coro):
    async def run():
        hub = LiveHub(lambda: _dsn(app_url()), max_per_user=3)
        try:
            return await coro(hub)
        finally:
            await asyncio.to_thread(hub.stop)

    return run_async(run())


def test_a_page_hears_its_own_changes_and_reloads_after_the_connection_drops():
    async def scenario(hub: LiveHub):
        sub = await hub.subscribe(
            "ticket_changed", lambda b: b.get("tenantId") == "mine", owner="user-1"
        )
        assert await sub.get(WAIT) is RESYNC  # first connection: load what you show
        _notify({"tenantId": "theirs", "id": "x"}, {"tenantId": "mine", "id": "a"})
        assert (await sub.get(WAIT))["id"] == "a"  # the other tenant's change never came
        assert _drop_listeners() >= 1
        assert await sub.get(WAIT) is RESYNC  # back again: reload, something may be missed
        _notify({"tenantId": "mine", "id": "b"})
        assert (await sub.get(WAIT))["id"] == "b"

    _scenario(scenario)


def test_a_page_that_falls_behind_is_told_to_reload_instead_of_queueing_without_end():
    async def scenario(hub: LiveHub):
        sub = await hub.subscribe("ticket_changed", lambda b: True, owner="user-1")
        assert await sub.get(WAIT) is RESYNC
        # A second page that wants only the last notice tells when all were offered.
        watch = await hub.subscribe(
            "ticket_changed", lambda b: b.get("id") == "last", owner="user-2"
        )
        # `sub` is the page that falls behind: it reads nothing while the notices arrive.
        await asyncio.to_thread(
            _notify, *[{"id": str(i)} for i in range(QUEUE_SIZE * 2)], {"id": "last"}
        )
        assert (await watch.get(WAIT))["id"] == "last"
        for _ in range(3):
            await asyncio.sleep(0)
        items = sub.drain()
        assert items[0] is RESYNC, "the page was not told to reload"
        assert len(items) <= QUEUE_SIZE, "the queue grew past its bound"
        # The fan-out to the slow page may still be under way: its end comes soon after.
        deadline = asyncio.get_running_loop().time() + WAIT
        while not (items and (items[-1] is RESYNC or items[-1]["id"] == "last")):
            assert asyncio.get_running_loop().time() < deadline, items[-3:]
            await asyncio.sleep(0.05)
            items = sub.drain() or items

    _scenario(scenario)


def test_a_user_holds_a_bounded_number_of_live_subscriptions():
    async def scenario(hub: LiveHub):
        subs = [
            await hub.subscribe("ticket_changed", lambda b: True, owner="user-1") for _ in range(3)
        ]
        with pytest.raises(TooManyLive):
            await hub.subscribe("ticket_changed", lambda b: True, owner="user-1")
        other = await hub.subscribe("ticket_changed", lambda b: True, owner="user-2")
        subs[0].close()  # a closed tab gives its place back
        again = await hub.subscribe("negotiation_changed", lambda b: True, owner="user-1")
        assert hub.count("user-1") == 3 and hub.count("user-2") == 1
        for sub in (*subs, other, again):
            sub.close()
        assert hub.count() == 0

    _scenario(scenario)
