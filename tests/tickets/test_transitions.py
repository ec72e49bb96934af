"""Every transition of the ticket status machine, allowed and forbidden, through the API."""

from __future__ import annotations

from collections import deque

import pytest
from fastapi.testclient import TestClient

from app.api import create_api

# The business rules, written out independently of the code that enforces them.
EXPECTED = {
    "open": {"acknowledged", "assigned", "on_hold", "cancelled"},
    "acknowledged": {"assigned", "on_hold", "cancelled"},
    "assigned": {"en_route", "acknowledged", "on_hold", "cancelled"},
    "en_route": {"on_site", "assigned", "on_hold"},
    "on_site": {"in_progress", "on_hold"},
    "in_progress": {"resolved", "on_hold"},
    "on_hold": {"acknowledged", "assigned", "en_route", "on_site", "in_progress", "cancelled"},
    "resolved": {"closed", "reopened"},
    "reopened": {"acknowledged", "assigned", "on_hold", "cancelled"},
    "closed": set(),
    "cancelled": set(),
}
STATUSES = sorted(EXPECTED)


def _path_to(target: str) -> list[str]:
    queue, seen = deque([["open"]]), {"open"}
    while queue:
        path = queue.popleft()
        if path[-1] == target:
            return path[1:]
        for nxt in sorted(EXPECTED[path[-1]]):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(path + [nxt])
    raise AssertionError(f"{target} cannot be reached from open")


@pytest.fixture(scope="module")
def api():
    client = TestClient(create_api())

    def login(role):
        token = client.post(
            "/api/v1/auth/token",
            data={"username": f"{role}@demo.yantra.in", "password": "yantra-demo"},
        ).json()
        return {"Authorization": f"Bearer {token['access_token']}"}

    dispatcher, buyer = login("dispatcher"), login("buyer_admin")
    device = client.get("/api/v1/devices", params={"q": "MVI-US9-24-004410"}, headers=buyer).json()[
        "devices"
    ][0]["deviceId"]
    return client, dispatcher, buyer, device


def _ticket_at(api, status: str) -> str:
    client, dispatcher, buyer, device = api
    opened = client.post(
        "/api/v1/tickets",
        headers=buyer,
        json={
            "deviceId": device,
            "priority": "P3",
            "errorCode": "T-1",
            "description": "transition test",
        },
    )
    assert opened.status_code == 201, opened.text
    ticket = opened.json()["ticketId"]
    for step in _path_to(status):
        moved = client.patch(
            f"/api/v1/tickets/{ticket}/status", headers=dispatcher, json={"status": step}
        )
        assert moved.status_code == 204, (step, moved.text)
    return ticket


@pytest.mark.parametrize("current", STATUSES)
def test_each_status_allows_exactly_its_next_steps(api, current):
    client, dispatcher, _buyer, _device = api
    for target in STATUSES:
        ticket = _ticket_at(api, current)
        response = client.patch(
            f"/api/v1/tickets/{ticket}/status", headers=dispatcher, json={"status": target}
        )
        if target in EXPECTED[current]:
            assert response.status_code == 204, (current, target, response.text)
            detail = client.get(f"/api/v1/tickets/{ticket}", headers=dispatcher).json()
            assert detail["status"] == target
            assert detail["history"][-1]["from"] == current
        else:
            assert response.status_code == 409, (current, target, response.text)
            message = response.json()["error"]["message"]
            for allowed in EXPECTED[current]:
                assert allowed in message


def test_unknown_status_and_unknown_ticket(api):
    client, dispatcher, _buyer, _device = api
    ticket = _ticket_at(api, "open")
    bad = client.patch(
        f"/api/v1/tickets/{ticket}/status", headers=dispatcher, json={"status": "teleported"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "status"
    missing = client.patch(
        "/api/v1/tickets/00000000-0000-4000-8000-000000000000/status",
        headers=dispatcher,
        json={"status": "acknowledged"},
    )
    assert missing.status_code == 404


def test_technicians_work_tickets_but_only_customers_or_dispatch_close_them(api):
    client, dispatcher, buyer, _device = api
    token = client.post(
        "/api/v1/auth/token",
        data={"username": "technician@demo.yantra.in", "password": "yantra-demo"},
    ).json()
    technician = {"Authorization": f"Bearer {token['access_token']}"}
    ticket = _ticket_at(api, "resolved")
    refused = client.patch(
        f"/api/v1/tickets/{ticket}/status", headers=technician, json={"status": "closed"}
    )
    assert refused.status_code == 403
    closed = client.patch(
        f"/api/v1/tickets/{ticket}/status", headers=buyer, json={"status": "closed"}
    )
    assert closed.status_code == 204
    opened = client.post(
        "/api/v1/tickets",
        headers=buyer,
        json={"deviceId": _device, "priority": "P9", "description": "x"},
    )
    assert opened.status_code == 400 and opened.json()["error"]["field"] == "priority"
