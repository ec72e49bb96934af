"""External clients follow ticket changes over /ws/tickets/{tenantId}."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.api import create_api


@pytest.fixture(scope="module")
def client():
    return TestClient(create_api())


def _login(client, role):
    token = client.post(
        "/api/v1/auth/token", data={"username": f"{role}@demo.yantra.in", "password": "yantra-demo"}
    ).json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    return token, me["tenantId"]


def test_a_partner_hears_of_a_new_ticket_on_a_device_it_serves(client):
    token, tenant = _login(client, "dispatcher")
    buyer, _ = _login(client, "buyer_admin")
    headers = {"Authorization": f"Bearer {buyer}"}
    device = client.get("/api/v1/devices", params={"q": "MVI-CT128"}, headers=headers).json()[
        "devices"
    ][0]["deviceId"]
    with client.websocket_connect(f"/ws/tickets/{tenant}?access_token={token}") as ws:
        assert json.loads(ws.receive_text())["type"] == "hello"
        opened = client.post(
            "/api/v1/tickets",
            headers=headers,
            json={
                "deviceId": device,
                "priority": "P1",
                "errorCode": "CT-TUBE",
                "description": "ट्यूब में आर्किंग " * 200,
            },
        )  # 3,400 characters, 9 KB in UTF-8
        number = opened.json()["number"]
        while True:
            frame = ws.receive_text()
            body = json.loads(frame)
            if body.get("number") == number:
                break
    assert len(frame.encode()) <= 4096
    assert body["status"] == "open" and body["priority"] == "P1"


@pytest.mark.parametrize("case", ["no token", "other tenant"])
def test_strangers_are_turned_away(client, case):
    token, tenant = _login(client, "dispatcher")
    _, other = _login(client, "lab_staff")
    url = (
        f"/ws/tickets/{tenant}"
        if case == "no token"
        else f"/ws/tickets/{other}?access_token={token}"
    )
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as ws:
        ws.receive_text()
    assert closed.value.code == (4401 if case == "no token" else 4403)
