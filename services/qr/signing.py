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

from services.errors import Invalid
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

    Raises Invalid("qrPayload", ...) when it is not a Yantra label, is truncated,
    was altered or forged, or was signed with a key that is no longer held.
    """
    text = (payload or "").strip().upper()
    if not text.startswith(PREFIX):
        raise Invalid("qrPayload", "this is not a Yantra label")
    if len(text) < _LENGTH:
        raise Invalid("qrPayload", "the label is incomplete (truncated); scan it again")
    if len(text) > _LENGTH:
        raise Invalid("qrPayload", "the label has extra characters: it was altered")
    encoded = text[len(PREFIX):]
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
