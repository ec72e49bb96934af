"""Hundreds of live subscribers share one database listener: against a real server, 300
signed-in websockets (ticket streams and negotiation rooms) and 300 anonymous attempts add
no database connection per subscriber, every subscriber still hears its change, a user's
21st live connection is refused, and other users' plain API calls are still served."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlmodel import select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from services.actor import Actor, Role, TenantKind
from services.db import owner_url, tenant_session
from services.events.live import MAX_PER_USER
from services.identity.models import User
from services.identity.service import create_user
from services.identity.tokens import issue_access_token
from services.settings import get_settings
from tests.aio import run_async
from tests.factories import Org, make_org, make_served_device, platform_admin
from tests.rfq.conftest import market, raise_rfq, send_quote  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
WAIT = 120  # seconds to wait for anything over the network; never asserted as a speed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The API in a process of its own, served by granian (as Reflex serves it)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("live") / "uvicorn.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "asgi",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "app.api:create_api",
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"127.0.0.1:{port}"
    deadline = time.monotonic() + WAIT
    while True:
        try:
            if httpx.get(f"http://{base}/api/v1/health", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.5)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


def _tokens(org: Org, kind: TenantKind, role: Role, count: int) -> list[str]:
    """Access tokens of `count` accounts of `org` holding `role`."""
    admin, tag = platform_admin(), uuid.uuid4().hex[:8]
    emails = [f"live{i}.{tag}@test.yantra.in" for i in range(count)]
    with tenant_session(admin) as db:
        for email in emails:
            create_user(db, admin, org.tenant, email, "Live watcher", [role.value], None)
    with tenant_session(admin) as db:
        users = db.exec(select(User).where(User.email.in_(emails))).all()
    return [
        issue_access_token(Actor(u.id, org.tenant.id, kind, frozenset({role}), u.email))[0]
        for u in users
    ]


def _app_backends() -> int:
    """Backends the application role holds in this database, whatever process opened them."""
    with psycopg.connect(owner_url().replace("postgresql+psycopg", "postgresql")) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND usename = %s",
            (get_settings().app_db_role,),
        ).fetchone()[0]


async def _subscribe(url: str):
    """An open live socket that has said hello."""
    ws = await connect(url, open_timeout=WAIT, close_timeout=5)
    hello = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
    assert hello["type"] == "hello", hello
    return ws


async def _refused(url: str) -> bool:
    try:
        ws = await connect(url, open_timeout=WAIT)
    except InvalidStatus as exc:  # closed before the handshake: nothing subscribed
        return exc.response.status_code == 403
    await ws.close()
    return False


async def _hears(ws, wanted) -> bool:
    """Does `ws` receive a frame `wanted` accepts (pings and others are skipped)?"""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        if wanted(frame):
            return True


async def _gather(coros, limit: int = 50) -> list:
    gate = asyncio.Semaphore(limit)

    async def one(coro):
        async with gate:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))


def test_hundreds_of_live_subscribers_share_one_listener(server, market):  # noqa: F811
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    partner = make_org(TenantKind.SERVICE_PARTNER, Role.DISPATCHER)
    device = make_served_device(hospital, partner, "MVI-US9").device_id
    watchers = _tokens(partner, TenantKind.SERVICE_PARTNER, Role.DISPATCHER, 10)
    (opener,) = _tokens(hospital, TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN, 1)
    buyers = _tokens(market.buyer, TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN, 3)
    sellers = _tokens(market.oem_a, TenantKind.OEM, Role.OEM_ADMIN, 2)
    http = httpx.Client(base_url=f"http://{server}", timeout=WAIT)
    rfq = raise_rfq(http, market)
    send_quote(http, market, "oem_a", rfq, 20_00_000_00, 20_00_000_00)
    oem = str(market.oem_a.tenant.id)
    tickets = f"ws://{server}/ws/tickets/{partner.tenant.id}"
    room = f"ws://{server}/ws/negotiation/{rfq}"

    async def scenario():
        warm = await _subscribe(f"{tickets}?access_token={watchers[0]}")  # the listener is up
        await warm.close()
        before = _app_backends()

        strangers = [_refused(tickets) for _ in range(150)] + [
            _refused(f"{room}?oemId={oem}&access_token=not-a-token") for _ in range(150)
        ]
        assert all(await _gather(strangers)), "an anonymous client was let in"

        urls = [f"{tickets}?access_token={t}" for t in watchers for _ in range(MAX_PER_USER)]
        urls += [
            f"{room}?oemId={oem}&access_token={t}" for t in buyers for _ in range(MAX_PER_USER)
        ]
        urls += [f"{room}?access_token={t}" for t in sellers for _ in range(MAX_PER_USER)]
        sockets = await _gather([_subscribe(u) for u in urls])
        assert len(sockets) == 300
        try:
            during = _app_backends()
            one_more = await connect(f"{tickets}?access_token={watchers[0]}", open_timeout=WAIT)
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(one_more.recv(), WAIT)
            assert closed.value.rcvd.code == 4429, "a 21st live connection was let in"

            # Another user is served meanwhile, and the changes reach every subscriber.
            me = await asyncio.to_thread(
                http.get, "/api/v1/me", headers={"Authorization": f"Bearer {opener}"}
            )
            assert me.status_code == 200
            opened = await asyncio.to_thread(
                http.post,
                "/api/v1/tickets",
                headers={"Authorization": f"Bearer {opener}"},
                json={
                    "deviceId": str(device),
                    "priority": "P2",
                    "errorCode": "US-PROBE",
                    "description": "Probe shows dead elements",
                },
            )
            assert opened.status_code == 201, opened.text
            number = opened.json()["number"]
            said = await asyncio.to_thread(
                http.post,
                f"/api/v1/rfqs/{rfq}/negotiation/messages",
                headers=market.headers["buyer"],
                json={"oemId": oem, "body": "Any better?"},
            )
            assert said.status_code == 201, said.text
            heard = await _gather(
                [_hears(ws, lambda f: f.get("number") == number) for ws in sockets[:200]]
                + [
                    _hears(
                        ws,
                        lambda f: (
                            f.get("type") == "message" and f["message"]["body"] == "Any better?"
                        ),
                    )
                    for ws in sockets[200:]
                ],
                limit=300,
            )
            assert all(heard) and len(heard) == 300
            after = _app_backends()
        finally:
            await _gather([ws.close() for ws in sockets], limit=300)
        return before, during, after

    before, during, after = run_async(scenario())
    # One listener per process and a bounded pool, not a connection per subscriber: before
    # the hub, these 300 sockets held 300 more backends.
    assert during - before <= 5, (before, during)
    assert after - before <= 5, (before, after)
