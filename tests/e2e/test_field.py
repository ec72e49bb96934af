"""The technician's phone app: installed from /field, working with no network, and catching up
when the network returns. Chromium with a phone's viewport and touch."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta

import psycopg
import pytest
import qrcode
from PIL import Image
from playwright.sync_api import expect

from services.actor import Role
from services.common.clock import today_ist
from services.field.demo import prepare_field_day
from services.qr.codes import short_code
from services.seed.demo import demo_email
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_roles import sign_in

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("E2E_SHOTS")
PHONE = {"width": 390, "height": 844}


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"field-{name}.png"), full_page=True)


def _api(context, app_url: str, role: Role) -> dict:
    answer = context.request.post(
        f"{app_url}/api/v1/auth/token",
        form={"username": demo_email(role), "password": "yantra-demo"},
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _label(device_id: str) -> tuple[str, str]:
    """The device's active label: its short code as printed, and its QR payload."""
    with psycopg.connect(os.environ["DATABASE_URL"]) as con:
        row = con.execute(
            "SELECT id, payload FROM qr_code WHERE device_id = %s AND status = 'active' "
            "ORDER BY created_at DESC LIMIT 1",
            (device_id,),
        ).fetchone()
    assert row, "the demo technician's job is on a labelled device"
    return short_code(row[0].bytes), row[1]


def _phone(browser, app_url: str, job_site: dict | None = None, **extra):
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    if job_site:
        options["geolocation"] = {"latitude": job_site["lat"], "longitude": job_site["lon"]}
        options["permissions"] = ["geolocation"]
    context = browser.new_context(**options, **extra)
    signed_in = context.request.post(
        f"{app_url}/api/v1/auth/session",
        form={"email": demo_email(Role.TECHNICIAN), "password": "yantra-demo"},
    )
    assert signed_in.ok, signed_in.text()
    return context


def _show(page, card) -> None:
    """Shows the job's card: on today's tab, else on tomorrow's."""
    expect(page.locator("article.card, p.empty").first).to_be_visible()
    if card.count() == 0:
        page.get_by_role("tab", name=re.compile("^Tomorrow")).click()
    expect(card).to_be_visible()


def _first_open_job(context, app_url: str) -> dict:
    """An open job of today's route, else of tomorrow's (prepared as make run prepares a
    day) when other journeys have worked today's; the app shows both days."""
    headers = _api(context, app_url, Role.TECHNICIAN)
    for offset in (0, 1):
        day = today_ist() + timedelta(days=offset)
        if offset:
            prepare_field_day(day)
        jobs = context.request.get(
            f"{app_url}/api/v1/me/jobs", params={"date": day.isoformat()}, headers=headers
        ).json()["jobs"]
        open_jobs = [j for j in jobs if j["status"] in ("assigned", "en_route")]
        if open_jobs:
            return open_jobs[0]
    raise AssertionError("make run's demo gives the technician an accepted route for today")


def test_installable_with_icons_and_an_offline_shell(browser, app_url: str):
    context = _phone(browser, app_url)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/field")
        expect(page.locator("article.card").first).to_be_visible()
        manifest = page.evaluate(
            "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
        )
        assert manifest["start_url"] == "/field" and manifest["display"] == "standalone"
        for icon in manifest["icons"]:
            assert context.request.get(f"{app_url}{icon['src']}").ok
        assert context.request.get(f"{app_url}/favicon.ico").ok
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        expect(page.locator("article.card").first).to_be_visible()
        _shot(page, "today")
    finally:
        context.close()


def test_a_job_worked_offline_syncs_when_the_network_returns(browser, app_url: str):
    probe = _phone(browser, app_url)
    job = _first_open_job(probe, app_url)
    probe.close()
    code, _ = _label(job["device"]["id"])
    context = _phone(browser, app_url, job["facility"])
    try:
        page = context.new_page()
        page.goto(f"{app_url}/field")
        card = page.locator(f"article[data-ticket='{job['ticketId']}']")
        _show(page, card)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")

        context.set_offline(True)
        page.reload()
        expect(page.locator("#sync")).to_contain_text("Offline")
        _show(page, card)
        card.get_by_role("button", name="Open job").click()
        if job["status"] == "assigned":
            page.get_by_role("button", name="I'm on my way").click()
            expect(page.locator(".panel .chip.status")).to_have_text("On the way")
        page.get_by_label("Label code").fill(code.lower().replace("-", " "))
        page.get_by_role("button", name="Check in with the code").click()
        expect(page.get_by_text("Checked in")).to_be_visible()
        page.get_by_role("button", name="Start work").click()
        expect(page.locator(".panel .chip.status")).to_have_text("Working")
        _work_the_checklist(page, job.get("workflow") or {})
        page.get_by_label("Work done").fill("Replaced the <b>cold head</b> seal; tested OK")
        page.get_by_label("Customer's name").fill("Dr. Meera Rao")
        _sign(page)
        _shot(page, "job-offline")
        page.get_by_role("button", name="Resolve the job").click()
        expect(page.locator("#sync")).to_contain_text("waiting")
        assert int(page.locator("#sync").get_attribute("data-waiting")) >= 5
        _shot(page, "queued-offline")

        context.set_offline(False)
        expect(page.locator("#sync")).to_contain_text("Synced", timeout=60_000)
        assert page.locator("#sync").get_attribute("data-waiting") == "0"
        dispatcher = _api(context, app_url, Role.DISPATCHER)
        ticket = context.request.get(
            f"{app_url}/api/v1/tickets/{job['ticketId']}", headers=dispatcher
        ).json()
        assert ticket["status"] == "resolved"
        _shot(page, "synced")
    finally:
        context.close()


def _work_the_checklist(page, workflow: dict) -> None:
    for step in workflow.get("steps", []):
        box = _step(page, step)
        if step["kind"] == "pass_fail":
            box.get_by_role("button", name="Pass").click()
            expect(_step(page, step).get_by_role("button", name="Pass")).to_have_attribute(
                "aria-pressed", "true"
            )
        elif step["kind"] == "reading":
            low, high = step.get("min"), step.get("max")
            value = (low + high) / 2 if low is not None and high is not None else low or high or 1
            box.locator("input").fill(str(value))
            box.get_by_role("button", name="Save").click()
            expect(_step(page, step)).to_contain_text("recorded")
        elif step["kind"] == "choice":
            box.get_by_role("button", name=step["options"][0], exact=True).click()
            expect(
                _step(page, step).get_by_role("button", name=step["options"][0], exact=True)
            ).to_have_attribute("aria-pressed", "true")
        elif step["kind"] == "photo":
            box.locator("input[type=file]").set_input_files(_photo())
            expect(_step(page, step)).to_contain_text("Photo added")


def _step(page, step: dict):
    return page.locator(f".step[data-step='{step['id']}']")


def _photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (40, 90, 120)).save(buffer, format="JPEG")
    return {"name": "panel.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _sign(page) -> None:
    pad = page.locator("canvas.signature").bounding_box()
    page.mouse.move(pad["x"] + 20, pad["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(pad["x"] + 20 + step * 20, pad["y"] + 60 + (step % 3) * 15)
    page.mouse.up()


def test_the_phone_camera_reads_the_label_to_check_in(browser, app_url: str, tmp_path):
    """Chromium's fake camera shows the device's label: the app reads its QR code (jsQR, as
    Linux has no BarcodeDetector) and records the arrival."""
    probe = _phone(browser, app_url)
    job = _first_open_job(probe, app_url)
    probe.close()
    _, payload = _label(job["device"]["id"])
    video = tmp_path / "label.mjpeg"
    frame = Image.new("RGB", (640, 480), "white")
    symbol = qrcode.make(payload, box_size=6, border=4).get_image().convert("RGB")
    frame.paste(symbol.resize((400, 400)), (120, 40))
    with video.open("wb") as out:
        for _ in range(5):
            buffer = io.BytesIO()
            frame.save(buffer, format="JPEG", quality=95)
            out.write(buffer.getvalue())
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = _phone(camera, app_url, job["facility"])
    context.grant_permissions(["camera", "geolocation"], origin=app_url)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/field#/job/{job['ticketId']}")
        page.get_by_role("button", name="Scan the device's label").click()
        expect(page.get_by_text("Checked in (QR scanned)")).to_be_visible()
        expect(page.locator("#sync")).to_contain_text("Synced", timeout=60_000)
        _shot(page, "camera-checkin")
        headers = _api(context, app_url, Role.TECHNICIAN)
        jobs = [
            j
            for offset in (0, 1)
            for j in context.request.get(
                f"{app_url}/api/v1/me/jobs",
                params={"date": (today_ist() + timedelta(days=offset)).isoformat()},
                headers=headers,
            ).json()["jobs"]
        ]
        mine = next(j for j in jobs if j["ticketId"] == job["ticketId"])
        assert mine["checkedIn"]["method"] == "qr"
    finally:
        context.close()
        camera.close()


def test_the_dispatcher_sees_arrivals_and_answers_a_sync_conflict(browser, app_url: str):
    """A phone that was offline sends a change for a job that has moved on meanwhile: the
    server keeps it as a conflict, and the dispatcher answers it on the ops console."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        technician = _api(context, app_url, Role.TECHNICIAN)
        done = [
            j
            for offset in (0, 1)
            for j in context.request.get(
                f"{app_url}/api/v1/me/jobs",
                params={"date": (today_ist() + timedelta(days=offset)).isoformat()},
                headers=technician,
            ).json()["jobs"]
            if j["status"] == "resolved"
        ]
        assert done, "the offline journey above resolved a job"
        late = context.request.post(
            f"{app_url}/api/v1/sync/events:batch",
            headers=technician,
            data={
                "clientId": "6f1c3f9e-95b4-4d7e-9a8e-2f0f1b7f0c11",
                "events": [
                    {
                        "idempotencyKey": "0d7e8d52-5a7c-4a8e-b7f4-7d1f3b1f9e21",
                        "type": "ticket.status",
                        "entityId": done[0]["ticketId"],
                        "clientTime": "2026-01-01T04:00:00Z",
                        "payload": {"status": "waiting_parts", "reason": "Seal kit"},
                    }
                ],
            },
        ).json()["results"][0]
        assert late["status"] == "conflict", late

        page = context.new_page()
        sign_in(page, app_url, demo_email(Role.DISPATCHER))
        page.goto(f"{app_url}/ops")
        page.locator("#ops-view").get_by_role("radio", name="Field").click()
        conflict = page.locator(".sync-conflict", has_text=f"#{done[0]['number']}")
        expect(conflict).to_contain_text("waiting_parts")
        expect(page.locator("#arrivals")).to_contain_text("code typed")
        expect(page.locator("#technicians-last-seen")).to_contain_text("Arjun Yadav")
        _shot(page, "ops-field")
        conflict.get_by_role("button", name="Dismiss").click()
        expect(conflict).to_have_count(0)
        answered = context.request.get(
            f"{app_url}/api/v1/sync/conflicts",
            params={"status": "resolved"},
            headers=_api(context, app_url, Role.DISPATCHER),
        ).json()["conflicts"]
        assert any(c["ticketId"] == done[0]["ticketId"] for c in answered)
    finally:
        context.close()


def test_the_technicians_home_page_opens_the_field_app(browser, app_url: str):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, app_url, demo_email(Role.TECHNICIAN))
        page.goto(f"{app_url}/")
        page.locator("#open-field-app").click()
        expect(page).to_have_url(f"{app_url}/field")
        expect(page.locator("article.card").first).to_be_visible()
    finally:
        context.close()
