"""Each person's notifications through the API: paged, filtered to the unread ones, marked
read one by one or all at once; a colleague or another organisation never reads them, not
even in SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.actor import Role, TenantKind, system_actor
from services.db import tenant_session
from services.notifications.service import Notice, notify_users
from tests.factories import PASSWORD, make_org
from tests.notifications.conftest import colleague

URL = "/api/v1/me/notifications"


@pytest.fixture(scope="module")
def office(auth):
    org = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    mate = colleague(org, Role.BUYER_USER)
    stranger = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    writer = system_actor(org.tenant.id, TenantKind.HOSPITAL_CHAIN, "test")
    for n in range(3):
        with tenant_session(writer) as db:
            notify_users(
                db,
                org.tenant.id,
                [(org.actor.user_id, "buyer_admin")],
                Notice("quote_received", f"Quote {n}", "compare it", f"/rfqs/{n}", key=f"q{n}"),
            )
    headers = {
        "me": auth(org.email, PASSWORD),
        "mate": auth(mate.label, PASSWORD),
        "stranger": auth(stranger.email, PASSWORD),
    }
    return org, mate, headers


def test_my_notifications_page_newest_first_with_the_unread_count(client, office):
    _org, _mate, headers = office
    first = client.get(URL, headers=headers["me"], params={"limit": 2})
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["total"], body["unread"], len(body["items"])) == (3, 3, 2)
    assert [n["title"] for n in body["items"]] == ["Quote 2", "Quote 1"]
    assert body["items"][0]["link"] == "/rfqs/2" and body["items"][0]["unread"]
    rest = client.get(URL, headers=headers["me"], params={"limit": 2, "offset": 2}).json()
    assert [n["title"] for n in rest["items"]] == ["Quote 0"]


def test_reading_one_then_all(client, office):
    _org, _mate, headers = office
    newest = client.get(URL, headers=headers["me"]).json()["items"][0]
    read = client.post(f"{URL}/{newest['id']}/read", headers=headers["me"])
    assert read.status_code == 200 and read.json()["unread"] is False
    unread = client.get(URL, headers=headers["me"], params={"unread": "true"}).json()
    assert unread["total"] == unread["unread"] == 2
    assert newest["id"] not in {n["id"] for n in unread["items"]}
    assert client.post(f"{URL}/read-all", headers=headers["me"]).json() == {"marked": 2}
    assert client.get(URL, headers=headers["me"]).json()["unread"] == 0


def test_nobody_else_reads_them_not_even_in_sql(client, office):
    org, mate, headers = office
    mine = client.get(URL, headers=headers["me"]).json()["items"][0]["id"]
    for who in ("mate", "stranger"):
        assert client.get(URL, headers=headers[who]).json()["total"] == 0
        refused = client.post(f"{URL}/{mine}/read", headers=headers[who])
        assert refused.status_code == 404
    with tenant_session(mate) as db:  # a colleague of the same organisation
        seen = db.execute(
            text("SELECT count(*) FROM notification WHERE user_id = :u"),
            {"u": org.actor.user_id},
        ).scalar_one()
        changed = db.execute(
            text("UPDATE notification SET title = 'x' WHERE user_id = :u"),
            {"u": org.actor.user_id},
        ).rowcount
    assert seen == 0 and changed == 0


def test_bad_paging_is_refused_naming_the_field(client, office):
    _org, _mate, headers = office
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
    ):
        answer = client.get(URL, headers=headers["me"], params=params)
        assert answer.status_code == 400 and answer.json()["error"]["field"] == field
    assert client.get(URL).status_code == 401
    assert client.post(f"{URL}/not-an-id/read", headers=headers["me"]).status_code == 400
