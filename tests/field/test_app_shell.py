"""The field app is installable: its page, manifest, icons and service worker are served with
the headers a phone needs, and it reaches the API with the browser's session, never seeing it."""

from __future__ import annotations

import io

from PIL import Image

TECHNICIAN = "technician@demo.yantra.in"


def test_the_app_page_links_its_manifest_and_runs_only_its_own_scripts(client):
    page = client.get("/field")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<link rel="manifest" href="/field/manifest.webmanifest">' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy  # no inline script, no eval


def test_the_manifest_makes_the_app_installable(client):
    answer = client.get("/field/manifest.webmanifest")

    assert answer.headers["content-type"] == "application/manifest+json"
    manifest = answer.json()
    assert manifest["start_url"] == "/field"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"] and manifest["theme_color"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable")} <= sizes
    for icon in manifest["icons"]:
        png = client.get(icon["src"])
        assert png.headers["content-type"] == "image/png"
        width, height = Image.open(io.BytesIO(png.content)).size
        assert f"{width}x{height}" == icon["sizes"]


def test_the_service_worker_may_control_the_app_page(client):
    worker = client.get("/field/sw.js")

    assert worker.status_code == 200
    assert worker.headers["service-worker-allowed"] == "/field"
    assert "no-cache" in worker.headers["cache-control"]


def test_only_the_app_files_are_served(client):
    assert client.get("/field/../rxconfig.py").status_code == 404
    assert client.get("/field/app.py").status_code == 404


def test_a_signed_in_browser_gets_a_bearer_token_for_its_own_account(client):
    signed_in = client.post(
        "/api/v1/auth/session", data={"email": TECHNICIAN, "password": "yantra-demo"}
    )
    assert signed_in.status_code == 200, signed_in.text

    answer = client.post("/api/v1/auth/session/token")

    assert answer.status_code == 200, answer.text
    bearer = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    me = client.get("/api/v1/me", headers=bearer).json()
    assert me["roles"] == ["technician"]
    client.cookies.clear()


def test_no_token_without_a_session_or_from_another_site(client):
    client.cookies.clear()
    assert client.post("/api/v1/auth/session/token").status_code == 401

    client.post("/api/v1/auth/session", data={"email": TECHNICIAN, "password": "yantra-demo"})
    elsewhere = client.post(
        "/api/v1/auth/session/token", headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 403
    client.cookies.clear()
