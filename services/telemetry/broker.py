"""What the platform tells a broker: who may connect, and where each one may publish.

Devices publish only to their own topic; the ingest account (`yantra-ingest`, its password
derived from the signing key so the broker and the ingest agree without configuration) may
subscribe to every device topic. The embedded broker asks `login` and `may_publish`; for a
Mosquitto, `write_mosquitto_files` writes a password file, an ACL file and a config."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import text

from services.db import system_session
from services.settings import get_settings
from services.telemetry.credentials import hash_password, verify_password
from services.telemetry.tls import tls_files

INGEST_USER = "yantra-ingest"
INGEST_FILTER = "tenants/+/devices/+/telemetry"
SHARED_FILTER = f"$share/yantra/{INGEST_FILTER}"
# Mosquitto keeps 1,000 queued QoS 1 messages per client by default and drops the rest;
# the ingest's persistent session must keep everything while the ingest is away.
MAX_QUEUED_MESSAGES = 10_000_000


@dataclass(frozen=True)
class Login:
    username: str
    topic: str | None  # the one topic it may publish to; None for the ingest
    may_subscribe: bool


def ingest_password() -> str:
    """The ingest account's password, the same in every process of one installation."""
    key = get_settings().signing_key().encode()
    return hmac.new(key, b"yantra-mqtt-ingest", hashlib.sha256).hexdigest()


def login(username: str | None, password: str | None) -> Login | None:
    """Who connects, or None for an unknown user, a revoked credential or a wrong password."""
    if not username or password is None:
        return None
    if username == INGEST_USER:
        ok = hmac.compare_digest(password.encode(), ingest_password().encode())
        return Login(username, None, True) if ok else None
    with system_session() as db:
        row = db.execute(
            text(
                "SELECT password_hash, topic FROM telemetry_credential "
                "WHERE username = :u AND revoked_at IS NULL"
            ),
            {"u": username},
        ).first()
    if row is None or not verify_password(row.password_hash, password):
        return None
    _mark_used(username)
    return Login(username, row.topic, False)


def _mark_used(username: str) -> None:
    """Note when the credential was last admitted (the device page shows it); a device
    reconnecting in a loop writes once a minute at most."""
    with system_session() as db:
        db.execute(
            text(
                "UPDATE telemetry_credential SET last_used_at = now() WHERE username = :u "
                "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"
            ),
            {"u": username},
        )


def may_publish(who: Login | None, topic: str | None) -> bool:
    """A device publishes to its own topic only; the ingest publishes nothing."""
    return who is not None and who.topic is not None and topic == who.topic


def may_subscribe(who: Login | None, topic_filter: str | None) -> bool:
    """Only the ingest subscribes, and only to the device topics."""
    return who is not None and who.may_subscribe and topic_filter in (INGEST_FILTER, SHARED_FILTER)


def write_mosquitto_files(directory: Path, port: int | None = None) -> Path:
    """Write `passwd`, `acl` and `mosquitto.conf` for the live credentials into `directory`
    and return the config's path. Start it with `mosquitto -c <conf> -p <port>`; send it
    SIGHUP (see `reload_mosquitto`) to pick up new and revoked credentials. With a
    certificate (`tls.tls_files`) the config names its listeners itself, which Mosquitto
    then prefers to `-p`: the plain one on `port` (else MQTT_URL's, else 1883) and TLS on
    MQTT_TLS_PORT; start it with `mosquitto -c <conf>`."""
    directory.mkdir(parents=True, exist_ok=True)
    _hand_to_mosquitto(directory)
    with system_session() as db:
        rows = db.execute(
            text(
                "SELECT username, password_hash, topic FROM telemetry_credential "
                "WHERE revoked_at IS NULL ORDER BY username"
            )
        ).all()
    passwd = [f"{INGEST_USER}:{hash_password(ingest_password())}"]
    acl = [f"user {INGEST_USER}", f"topic read {INGEST_FILTER}", ""]
    for row in rows:
        passwd.append(f"{row.username}:{row.password_hash}")
        acl += [f"user {row.username}", f"topic write {row.topic}", ""]
    _write(directory / "passwd", "\n".join(passwd) + "\n")
    _write(directory / "acl", "\n".join(acl))
    conf = directory / "mosquitto.conf"
    _write(
        conf,
        "\n".join(
            [
                "allow_anonymous false",
                f"password_file {directory / 'passwd'}",
                f"acl_file {directory / 'acl'}",
                f"max_queued_messages {MAX_QUEUED_MESSAGES}",
                "max_queued_bytes 0",
                "max_inflight_messages 0",
                "persistence true",
                f"persistence_location {directory}/",
                f"pid_file {directory / 'mosquitto.pid'}",
                *_listeners(directory, port),
                "",
            ]
        ),
    )
    return conf


def _listeners(directory: Path, port: int | None) -> list[str]:
    """No lines without a certificate (the listener is `-p`'s); with one, the plain
    listener for the ingest and the TLS listener for devices, with copies of the
    certificate and key that Mosquitto's own user may read."""
    files = tls_files()
    if files is None:
        return []
    settings = get_settings()
    cert, key = directory / "tls-cert.pem", directory / "tls-key.pem"
    _write(cert, files[0].read_text())
    _write(key, files[1].read_text())
    plain = urlparse(settings.mqtt_url or "mqtt://127.0.0.1:1883")
    return [
        f"listener {port or plain.port or 1883} {plain.hostname or '127.0.0.1'}",
        f"listener {settings.mqtt_tls_port} {settings.mqtt_tls_bind}",
        f"certfile {cert}",
        f"keyfile {key}",
    ]


def _write(path: Path, body: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(body)
    tmp.chmod(0o600)
    _hand_to_mosquitto(tmp)
    tmp.replace(path)


def _hand_to_mosquitto(path: Path) -> None:
    """Started as root, Mosquitto drops to its own user: let that user read the files
    (and write its persistence next to them), and no one else."""
    if os.geteuid() != 0:
        return
    try:
        import pwd

        account = pwd.getpwnam("mosquitto")
    except KeyError:
        return
    os.chown(path, account.pw_uid, account.pw_gid)


def mosquitto_dir() -> Path:
    return get_settings().var_dir / "mosquitto"


def reload_mosquitto(directory: Path | None = None) -> bool:
    """Rewrite the files and tell a running Mosquitto (its pid file in `directory`) to read
    them again. False when no Mosquitto the platform drives runs there."""
    directory = directory or mosquitto_dir()
    write_mosquitto_files(directory)
    pid_file = directory / "mosquitto.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().strip()), signal.SIGHUP)
    except (ProcessLookupError, ValueError):
        return False
    return True


def credentials_changed() -> None:
    """After a credential is issued or revoked: when the platform drives a Mosquitto (its
    config under var/mosquitto), rewrite its files and have it read them again. The embedded
    broker asks the database on every connect and needs nothing."""
    if (mosquitto_dir() / "mosquitto.conf").exists():
        reload_mosquitto()
