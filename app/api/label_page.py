"""The public page a label opens, `/Q/<payload>` (and `/q/<payload>`): what the device is,
where, its open tickets, and a form to report a fault without an account.

Plain server-rendered HTML rather than a Reflex page: it must open in any phone's browser
at once, with no sign-in, no websocket and no script at all (a Reflex page needs its state
socket and the app's bundle before it shows a word). Every value is escaped; the page's
policy (LABEL_POLICY) allows no script, only this page's own inline style by its hash,
and forms posting back here.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from html import escape

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from services.columns import utcnow
from services.db import system_session
from services.errors import Conflict, DomainError, Invalid, NotFound, TooManyAttempts
from services.label_reports import service as reports

router = APIRouter(tags=["label page"], include_in_schema=False)

STYLE = (
    "*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',"
    "Roboto,sans-serif;background:#f4f7f6;color:#1c2524}main{max-width:34rem;margin:0 auto;"
    "padding:1rem}header{background:#0f766e;color:#fff;padding:.8rem 1rem;font-weight:600}"
    ".card{background:#fff;border-radius:12px;padding:1rem 1.1rem;margin:.8rem 0;"
    "box-shadow:0 1px 3px rgba(0,0,0,.08)}h1{font-size:1.3rem;margin:.2rem 0 .4rem}"
    "h2{font-size:1.05rem;margin:0 0 .6rem}.muted{color:#5b6b69;font-size:.92rem}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .8rem;margin:.4rem 0 0}"
    "dt{color:#5b6b69}dd{margin:0;overflow-wrap:anywhere}ul{list-style:none;padding:0;margin:0}"
    "li{display:flex;gap:.5rem;align-items:center;padding:.45rem 0;border-top:1px solid #e6ecea}"
    ".p{font-weight:700;border-radius:6px;padding:0 .4rem;color:#fff;font-size:.85rem}"
    ".P1{background:#dc2626}.P2{background:#ea580c}.P3{background:#2563eb}.P4{background:#6b7280}"
    "label{display:block;font-weight:600;margin:.7rem 0 .25rem}input,textarea,select{width:100%;"
    "font:inherit;padding:.6rem .7rem;border:1px solid #b8c6c3;border-radius:8px;background:#fff}"
    "textarea{min-height:6rem}button{margin-top:1rem;width:100%;font:inherit;font-weight:600;"
    "padding:.75rem;border:0;border-radius:8px;background:#0f766e;color:#fff}"
    ".error{background:#fef2f2;color:#991b1b;border-radius:8px;padding:.6rem .8rem}"
    ".ok{background:#ecfdf5;color:#065f46;border-radius:8px;padding:.6rem .8rem}"
    "fieldset{border:0;padding:0;margin:.7rem 0 0}legend{font-weight:600;padding:0}"
    "label.choice{display:inline-flex;gap:.4rem;align-items:center;font-weight:400;"
    "margin-right:1.4rem}label.choice input{width:auto}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
LABEL_POLICY = "; ".join(
    [
        "default-src 'none'",
        f"style-src 'sha256-{_STYLE_HASH}'",
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
LABEL_PATHS = ("/Q/", "/q/")
_NO_STORE = {"Cache-Control": "no-store"}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)} · Yantra</title><style>{STYLE}</style></head>"
        f"<body><header>Yantra · device service</header><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=_NO_STORE)


def _device_card(view: dict) -> str:
    rows = [
        ("Made by", view["maker"]),
        ("Serial", view["serial"]),
        ("Where", view["site"]),
        ("City", view["city"]),
    ]
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows if v)
    return (
        f'<section class="card"><p class="muted">{escape(view["category"] or "Device")}</p>'
        f"<h1>{escape(view['model'])}</h1><dl>{facts}</dl></section>"
    )


def _tickets_card(view: dict) -> str:
    if not view["openTickets"]:
        items = '<p class="muted">No open tickets: if it is faulty, report it below.</p>'
    else:
        items = (
            "<ul>"
            + "".join(
                f'<li><span class="p {escape(t["priority"])}">{escape(t["priority"])}</span>'
                f"<span>#{t['number']} · {escape(t['status'])}</span>"
                f'<span class="muted">{escape(t["opened"])}</span></li>'
                for t in view["openTickets"]
            )
            + "</ul><p class='muted'>Already reported? The service team is on it.</p>"
        )
    return f'<section class="card"><h2>Open tickets</h2>{items}</section>'


def _form(action: str, values: dict, error: str = "") -> str:
    v = {k: escape(values.get(k, "")) for k in ("name", "phone", "description", "state")}
    down = " selected" if v["state"] == "down" else ""
    problem = f'<p class="error">{escape(error)}</p>' if error else ""
    return (
        f'<section class="card"><h2>Report a fault</h2>{problem}'
        f'<form method="post" action="{escape(action)}">'
        f'<label for="name">Your name</label><input id="name" name="name" required '
        f'maxlength="120" autocomplete="name" value="{v["name"]}">'
        f'<label for="phone">Your mobile number</label><input id="phone" name="phone" '
        f'required type="tel" maxlength="20" autocomplete="tel" value="{v["phone"]}" '
        'placeholder="+91 98765 43210">'
        '<label for="state">Can the device still be used?</label><select id="state" '
        'name="state"><option value="degraded">Yes, but something is wrong</option>'
        f'<option value="down"{down}>No, it is down</option></select>'
        '<label for="description">What is wrong?</label><textarea id="description" '
        f'name="description" required maxlength="2000">{v["description"]}</textarea>'
        f"{_channel_choice(values.get('channel', ''))}"
        "<button type="
        '"submit">Send the report</button></form>'
        '<p class="muted">Your name and number go only to the service team, to call you back.'
        "</p></section>"
    )


def _channel_choice(picked: str) -> str:
    """How the one-time code should come, offered only when both channels are set up."""
    channels = reports.code_channels()
    if len(channels) < 2:
        return ""
    picked = picked if picked in channels else channels[0]
    options = "".join(
        f'<label class="choice"><input type="radio" name="channel" value="{c}"'
        f"{' checked' if c == picked else ''}> {CHANNEL_WORDS[c]}</label>"
        for c in channels
    )
    return f"<fieldset><legend>Send the confirmation code by</legend>{options}</fieldset>"


CHANNEL_WORDS = {"whatsapp": "WhatsApp", "sms": "SMS"}


def _client(request: Request) -> str:
    return reports.client_key(request.client.host if request.client else None)


def _problem(exc: DomainError) -> HTMLResponse:
    if isinstance(exc, Invalid) and exc.field == "qrPayload":
        status, title = 404, "This is not a Yantra label"
    elif isinstance(exc, NotFound):
        status, title = 404, "Unknown label"
    elif isinstance(exc, Conflict):
        status, title = 409, "This label cannot be used"
    else:
        status, title = 400, "Something is not right"
    return _page(
        title,
        f'<section class="card"><h1>{escape(title)}</h1><p>{escape(exc.message)}</p>'
        "<p class='muted'>Tell the biomedical department or the ward in charge.</p></section>",
        status,
    )


def _show(payload: str, values: dict | None = None, error: str = "", status: int = 200):
    """The device's page with the report form (and what was typed, with its error)."""
    try:
        with system_session() as db:
            view = reports.device_page(db, payload)
    except DomainError as exc:
        return _problem(exc)
    body = _device_card(view) + _tickets_card(view) + _form(f"/Q/{payload}", values or {}, error)
    return _page(view["model"], body, status)


@router.get("/Q/{payload}", response_class=HTMLResponse)
@router.get("/q/{payload}", response_class=HTMLResponse)
def label_page(payload: str) -> HTMLResponse:
    return _show(payload.upper())


def _thanks(payload: str, result: dict) -> str:
    checked = (
        "Your number was confirmed."
        if result["status"] == "confirmed"
        else "No code could be sent to your phone, so the team will check your number when "
        "they call."
    )
    return (
        f'<section class="card"><p class="ok">Thank you. Fault reported as ticket '
        f"#{result['ticketNumber']}.</p><p>{checked}</p><p class='muted'>The service team "
        "has been told and will contact the department.</p>"
        f'<p><a href="/Q/{escape(payload)}">Back to the device</a></p></section>'
    )


def _code_form(payload: str, report_id: str, note: str) -> str:
    return (
        f'<section class="card"><h2>Confirm your number</h2><p>{escape(note)}</p>'
        f'<form method="post" action="/Q/{escape(payload)}/confirm">'
        f'<input type="hidden" name="report" value="{escape(report_id)}">'
        '<label for="code">Code</label><input id="code" name="code" required inputmode='
        '"numeric" autocomplete="one-time-code" maxlength="8">'
        '<button type="submit">Confirm and send</button></form></section>'
    )


@router.post("/Q/{payload}", response_class=HTMLResponse)
@router.post("/q/{payload}", response_class=HTMLResponse)
def report(
    request: Request,
    payload: str,
    name: str = Form("", max_length=500),
    phone: str = Form("", max_length=100),
    description: str = Form("", max_length=5000),
    state: str = Form("degraded", max_length=20),
    channel: str = Form("", max_length=20),
) -> HTMLResponse:
    payload = payload.upper()
    values = {"name": name, "phone": phone, "description": description, "state": state}
    values["channel"] = channel
    fault = reports.FaultReport(name, phone, description, state, channel)
    try:
        with system_session() as db:
            result = reports.report_fault(db, payload, _client(request), fault, utcnow())
    except Invalid as exc:
        if exc.field == "qrPayload":
            return _problem(exc)
        return _show(payload, values, f"{exc.field}: {exc.message}", 400)
    except TooManyAttempts as exc:
        page = _page("Reported already", f'<section class="card"><p class="error">'
                     f"{escape(exc.message)}</p></section>", 429)  # fmt: skip
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except DomainError as exc:
        return _problem(exc)
    if result["status"] == "awaiting_code":
        by = "by SMS" if result["channel"] == "sms" else "on WhatsApp"
        note = f"We sent a 6-digit code to {result['phone']} {by}. Type it here."
        return _page("Confirm", _code_form(payload, result["reportId"], note), 202)
    return _page("Fault reported", _thanks(payload, result), 201)


@router.post("/Q/{payload}/confirm", response_class=HTMLResponse)
@router.post("/q/{payload}/confirm", response_class=HTMLResponse)
def confirm(
    payload: str, report: str = Form("", max_length=60), code: str = Form("", max_length=20)
) -> HTMLResponse:
    payload = payload.upper()
    try:
        report_id = uuid.UUID(report)
    except ValueError:
        return _problem(Invalid("report", "this confirmation form is damaged; report again"))
    try:
        with system_session() as db:
            result = reports.confirm_report(db, payload, report_id, code, utcnow())
    except DomainError as exc:
        return _problem(exc)
    if result["status"] == "wrong_code":
        note = f"That is not the code we sent; {result['triesLeft']} tries left."
        return _page("Confirm", _code_form(payload, report, note), 400)
    return _page("Fault reported", _thanks(payload, result), 201)
