"""The WhatsApp Cloud API, outbound: delivering logged messages and downloading media.

Delivery is `POST {WHATSAPP_API_URL}/{phone-number-id}/messages` with the bearer token.
Every attempt is counted on the message's log row; a refused or unreachable send stays
queued and is retried with backoff, until MAX_ATTEMPTS marks it failed.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import httpx
from sqlmodel import select

from services.columns import utcnow
from services.db import system_session
from services.errors import Invalid
from services.settings import get_settings
from services.whatsapp.models import WhatsappMessage

log = logging.getLogger("yantra.whatsapp")

MAX_ATTEMPTS = 6
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MEDIA_BYTES = 8 * 1024 * 1024


def backoff(attempts: int) -> int:
    """Seconds before the next try: 10 s, 20 s, 40 s, ... up to 10 minutes."""
    return min(600, 10 * 2 ** max(0, attempts - 1))


def _headers() -> dict[str, str]:
    token = get_settings().whatsapp_token
    return {"Authorization": f"Bearer {token.get_secret_value() if token else ''}"}


def deliver(message_id: uuid.UUID) -> str:
    """Try once to send a queued message. Returns its status afterwards: "sent", "queued"
    (try again after `backoff(attempts)`), "failed" (gave up), or the status it already had
    (nothing sent twice)."""
    settings = get_settings()
    with system_session() as db:
        message = db.get(WhatsappMessage, message_id, with_for_update=True)
        if message is None or message.status != "queued":
            return message.status if message else "missing"
        message.attempts += 1
        message.updated_at = utcnow()
        if not settings.whatsapp_api_url:
            message.status = "sent"
            return message.status
        url = (
            f"{settings.whatsapp_api_url.rstrip('/')}/{settings.whatsapp_phone_number_id}/messages"
        )
        try:
            response = httpx.post(url, json=message.payload, headers=_headers(), timeout=TIMEOUT)
            error = (
                "" if response.is_success else f"HTTP {response.status_code}: {response.text[:300]}"
            )
        except httpx.HTTPError as exc:
            response, error = None, f"{type(exc).__name__}: {exc}"[:300]
        if not error:
            ids = (response.json() or {}).get("messages") or [{}]
            message.wa_message_id = ids[0].get("id") or message.wa_message_id
            message.status, message.last_error = "sent", ""
        else:
            message.last_error = error
            permanent = (
                response is not None
                and 400 <= response.status_code < 500
                and (response.status_code not in (408, 429))
            )
            if permanent or message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
            log.warning("whatsapp: send %s attempt %s: %s", message.id, message.attempts, error)
        return message.status


def stale_queued(older_than: timedelta = timedelta(minutes=2), limit: int = 100) -> list[uuid.UUID]:
    """Queued messages nobody has tried for a while (their task was lost): to send again."""
    cutoff = utcnow() - older_than
    with system_session() as db:
        rows = db.exec(
            select(WhatsappMessage.id)
            .where(WhatsappMessage.status == "queued", WhatsappMessage.updated_at < cutoff)
            .limit(limit)
        ).all()
    return list(rows)


def download_media(media_id: str) -> bytes:
    """The bytes of an inbound photo: its URL from `GET /{media-id}`, then the file.
    Raises Invalid("media") when there is no Cloud API to ask or the download fails."""
    base = get_settings().whatsapp_api_url
    if not base:
        raise Invalid("media", "no WHATSAPP_API_URL is set to download the photo from")
    try:
        meta = httpx.get(f"{base.rstrip('/')}/{media_id}", headers=_headers(), timeout=TIMEOUT)
        meta.raise_for_status()
        media = httpx.get(meta.json()["url"], headers=_headers(), timeout=TIMEOUT)
        media.raise_for_status()
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        raise Invalid("media", f"the photo could not be downloaded ({exc})") from exc
    if len(media.content) > MEDIA_BYTES:
        raise Invalid("media", "the photo is larger than 8 MB")
    return media.content
