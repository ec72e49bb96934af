"""Browser sign-in through the API: the session id only ever travels in an HttpOnly cookie."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from services.identity.service import resolve_session

EMAIL = "buyer_user@demo.yantra.in"


def _sign_in(client: TestClient, **extra):
    return client.post(
        "/api/v1/auth/session", data={"email": EMAIL, "password": "yantra-demo", **extra}
    )


def test_sign_in_sets_an_http_only_strict_cookie_and_names_the_next_page(client):
    answer = _sign_in(client, next="/catalog")

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"next": "/catalog"}  # the session id is not in the body
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("yantra_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on a laptop; see the HTTPS case below
    session_id = answer.cookies["yantra_session"]
    assert resolve_session(session_id).label


def test_over_https_the_cookie_is_secure(client):
    with TestClient(client.app, base_url="https://testserver") as secure:
        answer = _sign_in(secure)
    assert answer.status_code == 200
    assert "Secure" in answer.headers["set-cookie"]


def test_next_page_must_be_on_this_site(client):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/ x"):
        assert _sign_in(client, next=target).json() == {"next": "/"}


def test_wrong_password_is_refused_without_a_cookie(client):
    answer = client.post(
        "/api/v1/auth/session", data={"email": EMAIL, "password": "not-the-password"}
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "Wrong e-mail or password"
    assert "set-cookie" not in answer.headers


def test_a_form_posted_from_another_site_cannot_sign_anyone_in(client):
    answer = client.post(
        "/api/v1/auth/session",
        headers={"Origin": "https://evil.example"},
        data={"email": EMAIL, "password": "yantra-demo"},
    )
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


def test_sign_out_ends_the_session_and_clears_the_cookie(client):
    session_id = _sign_in(client).cookies["yantra_session"]

    answer = client.delete(
        "/api/v1/auth/session", headers={"Cookie": f"yantra_session={session_id}"}
    )

    assert answer.status_code == 204
    assert 'yantra_session=""' in answer.headers["set-cookie"]
    assert "Max-Age=0" in answer.headers["set-cookie"]
    assert resolve_session(session_id) is None


def test_repeated_wrong_passwords_lock_browser_sign_in_with_a_reason(client):
    # An address of its own, so the lock stays with this test.
    with TestClient(client.app, client=("198.51.100.7", 50000)) as elsewhere:
        email = f"nobody-{uuid.uuid4().hex[:8]}@example.in"
        answers = [
            elsewhere.post("/api/v1/auth/session", data={"email": email, "password": "guess-guess"})
            for _ in range(6)
        ]
    codes = [a.status_code for a in answers]
    assert codes[0] == 401 and 429 in codes
    assert set(codes[codes.index(429) :]) == {429}  # locked, and it stays locked
    locked = answers[-1]
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "Try again in" in locked.json()["error"]["message"]
    assert "set-cookie" not in locked.headers
