"""The lab's admin sets up analyzer channels and reads the message store over the API."""

from __future__ import annotations

import uuid

import pytest

from services.actor import Role, TenantKind
from tests.factories import PASSWORD, make_org
from tests.lab.fixtures import make_lab, process_all
from tests.lab.messages import err, msa, oru, send

CHANNELS = "/api/v1/lab/channels"


@pytest.fixture(scope="module")
def lab():
    return make_lab()


@pytest.fixture(scope="module")
def headers(lab, auth):
    return auth(lab.org.email, PASSWORD)


def test_a_channel_is_created_once_per_sender(client, headers):
    sender = f"AU-{uuid.uuid4().hex[:6]}"
    body = {"name": "Haematology 1", "sendingApplication": sender, "sendingFacility": ""}
    first = client.post(CHANNELS, json=body, headers=headers)
    again = client.post(CHANNELS, json=body | {"name": "Another"}, headers=headers)
    other_facility = client.post(
        CHANNELS, json=body | {"sendingFacility": "Ward 2"}, headers=headers
    )

    assert first.status_code == 201, first.text
    assert first.json()["sendingFacility"] == "" and first.json()["laboratoryId"]
    assert again.status_code == 409 and sender in again.json()["error"]["message"]
    assert other_facility.status_code == 201
    listed = client.get(CHANNELS, headers=headers).json()["channels"]
    assert {c["sendingApplication"] for c in listed} >= {sender}


def test_bad_channel_input_is_refused_naming_the_field(client, headers):
    cases = [
        ({"name": "X"}, "sendingApplication"),
        ({"name": "X", "sendingApplication": "A1", "protocol": "dicom"}, "protocol"),
        ({"name": "X", "sendingApplication": "A2", "orderMode": "push"}, "pushHost"),
        ({"name": "X", "sendingApplication": "A3", "deviceId": str(uuid.uuid4())}, "deviceId"),
        (
            {
                "name": "X",
                "sendingApplication": "A4",
                "testCodes": [{"analyzerCode": "HGB", "referenceLow": 17, "referenceHigh": 13}],
            },
            "testCodes[0].referenceLow",
        ),
    ]
    for body, field in cases:
        answer = client.post(CHANNELS, json=body, headers=headers)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"]["field"].endswith(field), answer.json()


def test_test_codes_are_added_changed_and_removed(client, headers):
    sender = f"TC-{uuid.uuid4().hex[:6]}"
    created = client.post(
        CHANNELS,
        json={
            "name": "Biochemistry",
            "sendingApplication": sender,
            "testCodes": [
                {
                    "analyzerCode": "GLU",
                    "loinc": "2345-7",
                    "units": "mg/dL",
                    "referenceLow": 70,
                    "referenceHigh": 100,
                    "criticalLow": 40,
                    "criticalHigh": 400,
                }
            ],
        },
        headers=headers,
    ).json()
    patched = client.patch(
        f"{CHANNELS}/{created['id']}",
        json={
            "silentAfterMinutes": 15,
            "testCodes": [
                {
                    "analyzerCode": "GLU",
                    "loinc": "2345-7",
                    "units": "mg/dL",
                    "referenceLow": 74,
                    "referenceHigh": 106,
                },
                {"analyzerCode": "CREA", "loinc": "2160-0", "units": "mg/dL"},
            ],
        },
        headers=headers,
    )
    removed = client.patch(
        f"{CHANNELS}/{created['id']}",
        json={"testCodes": [{"analyzerCode": "CREA", "remove": True}]},
        headers=headers,
    )

    assert patched.status_code == 200, patched.text
    codes = {c["analyzerCode"]: c for c in patched.json()["testCodes"]}
    assert codes["GLU"]["referenceText"] == "74-106" and codes["CREA"]["loinc"] == "2160-0"
    assert patched.json()["silentAfterMinutes"] == 15
    shown = client.get(f"{CHANNELS}/{created['id']}", headers=headers).json()
    assert (
        [c["analyzerCode"] for c in shown["testCodes"]]
        == ["GLU"]
        == [c["analyzerCode"] for c in removed.json()["testCodes"]]
    )


def test_other_organisations_and_roles_cannot_touch_the_lab(client, auth, headers):
    sender = f"PR-{uuid.uuid4().hex[:6]}"
    created = client.post(
        CHANNELS, json={"name": "Mine", "sendingApplication": sender}, headers=headers
    ).json()
    other_lab = make_lab()
    oem = make_org(TenantKind.OEM, Role.OEM_ADMIN)

    theirs = auth(other_lab.org.email, PASSWORD)
    assert client.get(f"{CHANNELS}/{created['id']}", headers=theirs).status_code == 404
    assert created["id"] not in {
        c["id"] for c in client.get(CHANNELS, headers=theirs).json()["channels"]
    }
    assert client.get(CHANNELS, headers=auth(oem.email, PASSWORD)).status_code == 403
    assert client.get(CHANNELS).status_code == 401


def test_the_message_store_is_searched_by_its_filters(client, headers):
    bad = [
        ("state=lost", "state"),
        ("from=yesterday", "from"),
        ("from=2026-12-01T10:00:00", "from"),
        ("channel=42", "channel"),
        ("limit=1000", "limit"),
    ]
    for query, field in bad:
        answer = client.get(f"/api/v1/lab/messages?{query}", headers=headers)
        assert answer.status_code == 400 and answer.json()["error"]["field"] == field, query
    window = client.get(
        "/api/v1/lab/messages?state=processed&from=2026-01-01T00:00:00%2B05:30"
        "&to=2099-01-01T00:00:00Z&limit=5",
        headers=headers,
    )
    assert window.status_code == 200 and window.json()["messages"] == []
    assert (
        client.post("/api/v1/lab/messages/reprocess", json={"ids": []}, headers=headers).status_code
        == 400
    )
    assert client.get(f"/api/v1/lab/messages/{uuid.uuid4()}", headers=headers).status_code == 404


def test_the_demo_lab_has_its_haematology_analyzer_connected(client, auth):
    channels = client.get(CHANNELS, headers=auth("lab_staff")).json()["channels"]
    hemix = next(c for c in channels if c["sendingApplication"] == "HEMIX5")

    assert hemix["deviceId"] and hemix["laboratoryId"] and hemix["sendingFacility"] == ""
    codes = {c["analyzerCode"]: c for c in hemix["testCodes"]}
    assert len(codes) == 10
    assert (codes["HGB"]["loinc"], codes["HGB"]["units"], codes["HGB"]["criticalLow"]) == (
        "718-7",
        "g/dL",
        7.0,
    )


def test_an_unknown_sender_waits_until_its_channel_is_set_up(client, headers):
    stranger = f"NEW-{uuid.uuid4().hex[:6]}"
    ack = send(oru("U-1", sender=stranger, facility="Ward 3"))[0]

    assert msa(ack)[:2] == ["AR", "U-1"]
    assert stranger in err(ack) and "no channel" in err(ack)
    waiting = client.get("/api/v1/lab/unknown-senders", headers=headers).json()["senders"]
    assert any(s["sendingApplication"] == stranger and s["waiting"] == 1 for s in waiting)
    created = client.post(
        CHANNELS,
        json={"name": "New analyzer", "sendingApplication": stranger, "sendingFacility": "Ward 3"},
        headers=headers,
    )
    assert created.status_code == 201 and created.json()["claimedMessages"] == 1
    queue = client.get("/api/v1/lab/messages?controlId=U-1&state=error", headers=headers).json()
    message_id = queue["messages"][0]["id"]
    assert queue["messages"][0]["ackSent"] == "AR"
    answer = client.post(
        "/api/v1/lab/messages/reprocess", json={"ids": [message_id]}, headers=headers
    )
    process_all()

    assert answer.json()["queued"] == 1
    shown = client.get(f"/api/v1/lab/messages/{message_id}", headers=headers).json()
    assert shown["state"] == "processed" and shown["resultCount"] == 10
    named = {f["position"]: f["name"] for s in shown["segments"] for f in s["fields"]}
    assert named["OBX-5"] == "Observation value"
