"""Device credentials for the MQTT broker: issued once, stored hashed, revoked or rotated.

The password is 32 random bytes, so its hash need not be slow: a slow hash (argon2) protects
guessable passwords, and a random 256-bit secret cannot be guessed however fast the hash.
The brokers check a password on every connect, so we keep mosquitto's own `$7$` form
(PBKDF2-SHA512, 12-byte salt, 101 iterations): the embedded broker verifies it in
microseconds and the generated mosquitto password file carries it unchanged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor
from services.columns import utcnow
from services.common.roles import TELEMETRY_PROVISIONERS
from services.errors import Forbidden, NotFound
from services.telemetry.models import TelemetryCredential
from services.telemetry.tls import device_url

ITERATIONS = 101


def topic_of(tenant_id: uuid.UUID, device_id: uuid.UUID) -> str:
    """The only topic a device's credential may publish to."""
    return f"tenants/{tenant_id}/devices/{device_id}/telemetry"


def hash_password(password: str, iterations: int = ITERATIONS) -> str:
    """Mosquitto's `$7$iterations$salt$hash` form of PBKDF2-SHA512."""
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches a `$7$` hash (constant-time comparison)."""
    try:
        _, kind, iterations, salt, digest = stored.split("$")
        if kind != "7":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.pbkdf2_hmac(
            "sha512", password.encode(), base64.b64decode(salt), int(iterations), len(expected)
        )
    except ValueError:
        return False
    return hmac.compare_digest(expected, actual)


def _device(db: Session, actor: Actor, device_id: uuid.UUID) -> Any:
    row = db.execute(
        text("SELECT id, tenant_id, manufacturer_tenant_id FROM equipment WHERE id = :d"),
        {"d": device_id},
    ).first()
    if row is None:
        raise NotFound(f"device {device_id} not found")
    if actor.tenant_id not in (row.tenant_id, row.manufacturer_tenant_id):
        raise Forbidden("only the device's owner or its manufacturer manages its telemetry")
    return row


def may_provision(db: Session, actor: Actor, device_id: uuid.UUID) -> bool:
    """Whether the actor may issue, rotate and revoke the device's credentials."""
    if not actor.roles & TELEMETRY_PROVISIONERS:
        return False
    try:
        _device(db, actor, device_id)
    except (NotFound, Forbidden):
        return False
    return True


def issue_credential(db: Session, actor: Actor, device_id: uuid.UUID) -> dict[str, str]:
    """A new credential for the device, revoking any it had (so issuing again rotates).
    Returns username, password, topic and broker URL (`mqtts://` when the broker has a
    certificate): the password is shown this once.
    Raises Forbidden for other roles or organisations, NotFound for an unseen device."""
    actor.require(*TELEMETRY_PROVISIONERS)
    device = _device(db, actor, device_id)
    revoke_credentials(db, actor, device_id)
    password = secrets.token_urlsafe(32)
    credential = TelemetryCredential(
        tenant_id=device.tenant_id,
        oem_tenant_id=device.manufacturer_tenant_id,
        device_id=device.id,
        username=f"dev-{device.id.hex[:12]}-{secrets.token_hex(4)}",
        password_hash=hash_password(password),
        topic=topic_of(device.tenant_id, device.id),
        created_by=actor.user_id,
    )
    db.add(credential)
    db.flush()
    return {
        "username": credential.username,
        "password": password,
        "topic": credential.topic,
        "mqttUrl": device_url(),
    }


def revoke_credentials(db: Session, actor: Actor, device_id: uuid.UUID) -> int:
    """Revoke every live credential of the device; how many were live. Raises as issuing."""
    actor.require(*TELEMETRY_PROVISIONERS)
    _device(db, actor, device_id)
    live = db.exec(
        select(TelemetryCredential).where(
            TelemetryCredential.device_id == device_id,
            TelemetryCredential.revoked_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    for credential in live:
        credential.revoked_at = utcnow()
        db.add(credential)
    db.flush()
    return len(live)


def list_credentials(db: Session, device_id: uuid.UUID) -> list[dict[str, Any]]:
    """The device's credentials, newest first, without any secret."""
    rows = db.exec(
        select(TelemetryCredential)
        .where(TelemetryCredential.device_id == device_id)
        .order_by(TelemetryCredential.created_at.desc())  # type: ignore[attr-defined]
    ).all()
    return [
        {
            "username": c.username,
            "topic": c.topic,
            "createdAt": c.created_at.isoformat(),
            "revokedAt": c.revoked_at.isoformat() if c.revoked_at else None,
            "lastUsedAt": c.last_used_at.isoformat() if c.last_used_at else None,
        }
        for c in rows
    ]
