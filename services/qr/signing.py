"""Signed QR label payloads.

A payload is "Y1" followed by base32 (RFC 4648, no padding) of
key id (1 byte) | label id (16) | device id (16) | HMAC-SHA256 tag truncated to 16 bytes.
That is 81 characters from the QR alphanumeric set, which fits a version-4 symbol
(33 modules) at error correction M: printed 25 mm wide with its quiet zone, each module
is 0.61 mm.

HMAC rather than Ed25519: labels are only ever verified by the platform (the scan API,
also for the phone app, which queues scans while offline), so a public key buys
nothing, while an Ed25519 signature (64 bytes) would push the symbol to version 7-8
and shrink modules to about 0.45 mm, which worn labels and cheap thermal printers read
badly. The key id lets keys rotate: new labels use the active key, old labels verify
while their key is still listed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.errors import Invalid
from services.qr.links import payload_of
from services.settings import get_settings

PREFIX = "Y1"
_BODY = 1 + 16 + 16
_TAG = 16
_LENGTH = len(PREFIX) + len(base64.b32encode(b"\0" * (_BODY + _TAG)).rstrip(b"="))


@dataclass(frozen=True)
class LabelClaim:
    key_id: int
    qr_id: uuid.UUID
    device_id: uuid.UUID


def _tag(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, PREFIX.encode() + body, hashlib.sha256).digest()[:_TAG]


def sign_label(qr_id: uuid.UUID, device_id: uuid.UUID) -> tuple[str, str]:
    """The payload for a new label and the id of the key that signed it."""
    settings = get_settings()
    kid = settings.qr_active_key_id
    keys = settings.qr_keys()
    if kid not in keys:
        kid = max(keys)
    body = bytes([kid]) + qr_id.bytes + device_id.bytes
    raw = body + _tag(keys[kid], body)
    return PREFIX + base64.b32encode(raw).decode().rstrip("="), str(kid)


def verify_label(payload: str) -> LabelClaim:
    """What a scanned payload claims, once its signature holds.

    Takes the payload alone (labels printed before links) or the label's link
    (`HTTPS://<HOST>/Q/<PAYLOAD>`, any case). Raises Invalid("qrPayload", ...) when it is
    not a Yantra label, is truncated, was altered or forged, or was signed with a key that
    is no longer held.
    """
    text = payload_of(payload or "").strip().upper()
    if not text.startswith(PREFIX):
        raise Invalid("qrPayload", "this is not a Yantra label")
    if len(text) < _LENGTH:
        raise Invalid("qrPayload", "the label is incomplete (truncated); scan it again")
    if len(text) > _LENGTH:
        raise Invalid("qrPayload", "the label has extra characters: it was altered")
    encoded = text[len(PREFIX) :]
    try:
        raw = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
    except (binascii.Error, ValueError) as exc:
        raise Invalid("qrPayload", "the label is damaged or was altered") from exc
    body, tag = raw[:_BODY], raw[_BODY:]
    key = get_settings().qr_keys().get(body[0])
    if key is None:
        raise Invalid("qrPayload", "the label was signed with a retired key; print a new one")
    if not hmac.compare_digest(tag, _tag(key, body)):
        raise Invalid("qrPayload", "the label's signature does not match: it was altered or forged")
    return LabelClaim(body[0], uuid.UUID(bytes=body[1:17]), uuid.UUID(bytes=body[17:33]))


# A scan token proves that this user scanned this label a moment ago, so a deployment can be
# confirmed from the device's page without sending the label again. It is stateless: the
# label keys sign it (with a context of its own, so a token never verifies as a label).
SCAN_TOKEN_PREFIX = "S1."
SCAN_TOKEN_TTL = timedelta(minutes=10)
_SCAN_BODY = 1 + 16 + 16 + 16 + 8


@dataclass(frozen=True)
class ScanClaim:
    qr_id: uuid.UUID
    device_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime


def _scan_tag(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, b"yantra-scan-token|" + body, hashlib.sha256).digest()[:_TAG]


def sign_scan_token(
    qr_id: uuid.UUID, device_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> tuple[str, datetime]:
    """A token for `user_id` saying they scanned label `qr_id` of `device_id` at `now`,
    and when it expires."""
    settings = get_settings()
    keys = settings.qr_keys()
    kid = settings.qr_active_key_id if settings.qr_active_key_id in keys else max(keys)
    expires = now + SCAN_TOKEN_TTL
    body = (
        bytes([kid])
        + qr_id.bytes
        + device_id.bytes
        + user_id.bytes
        + int(expires.timestamp()).to_bytes(8, "big")
    )
    raw = body + _scan_tag(keys[kid], body)
    return SCAN_TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("="), expires


def verify_scan_token(token: str, now: datetime) -> ScanClaim:
    """What a scan token claims, once its signature holds and it has not expired.

    Raises Invalid("scanToken", ...) when it is damaged, altered, signed with a retired key
    or expired. Whose token it is stays for the caller to check.
    """
    text = (token or "").strip()
    if not text.startswith(SCAN_TOKEN_PREFIX):
        raise Invalid("scanToken", "this is not a scan token from POST /api/v1/qr/scan")
    encoded = text[len(SCAN_TOKEN_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError) as exc:
        raise Invalid("scanToken", "the scan token is damaged; scan the label again") from exc
    if len(raw) != _SCAN_BODY + _TAG:
        raise Invalid("scanToken", "the scan token is damaged; scan the label again")
    body, tag = raw[:_SCAN_BODY], raw[_SCAN_BODY:]
    key = get_settings().qr_keys().get(body[0])
    if key is None or not hmac.compare_digest(tag, _scan_tag(key, body)):
        raise Invalid(
            "scanToken", "the scan token was altered or its key retired; scan the label again"
        )
    expires = datetime.fromtimestamp(int.from_bytes(body[49:57], "big"), tz=UTC)
    if now >= expires:
        raise Invalid(
            "scanToken", "the scan token expired (they last 10 minutes); scan the label again"
        )
    return ScanClaim(
        uuid.UUID(bytes=body[1:17]),
        uuid.UUID(bytes=body[17:33]),
        uuid.UUID(bytes=body[33:49]),
        expires,
    )
