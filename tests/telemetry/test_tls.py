"""With a certificate for the broker, devices connect over TLS: the embedded broker listens
with TLS, the Mosquitto config the platform writes has a TLS listener, and a device's
credential names mqtts://. A wrong password is refused over TLS as over plain MQTT."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.embedded import port_open
from services.actor import Role, TenantKind
from services.settings import get_settings
from services.telemetry.broker import write_mosquitto_files
from tests.conftest import ROOT
from tests.factories import PASSWORD, make_org, make_served_device
from tests.telemetry.brokers import MOSQUITTO, free_port, wait_until


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "broker.crt", directory / "broker.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate configured for the broker, in this process and its children."""
    cert, key = _self_signed(tmp_path)
    port = free_port()
    monkeypatch.setenv("MQTT_TLS_CERT", str(cert))
    monkeypatch.setenv("MQTT_TLS_KEY", str(key))
    monkeypatch.setenv("MQTT_TLS_PORT", str(port))
    get_settings.cache_clear()
    yield cert, port
    monkeypatch.undo()
    get_settings.cache_clear()


def _tls_login(port: int, ca: Path, username: str, password: str) -> str:
    """'accepted', or why the broker refused the login."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"tls-{uuid.uuid4().hex[:8]}")
    client.tls_set(ca_certs=str(ca))
    client.username_pw_set(username, password)
    answer: list[str] = []
    client.on_connect = lambda c, u, f, reason, p: answer.append(
        "accepted" if not reason.is_failure else str(reason)
    )
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        wait_until(lambda: bool(answer), 15, "CONNACK over TLS")
    finally:
        client.disconnect()
        client.loop_stop()
    return answer[0]


def _plain_login_fails(port: int, username: str, password: str) -> bool:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="plain-on-tls")
    client.username_pw_set(username, password)
    accepted: list[bool] = []
    client.on_connect = lambda c, u, f, reason, p: accepted.append(not reason.is_failure)
    try:
        client.connect("127.0.0.1", port)
        for _ in range(20):
            client.loop(timeout=0.1)
    except OSError:
        return True
    finally:
        client.disconnect()
    return not any(accepted)


def _issue(client, auth) -> dict:
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    device_id = make_served_device(hospital, None, "MVI-MR15").device_id
    answer = client.post(
        f"/api/v1/devices/{device_id}/telemetry-credentials",
        headers=auth(hospital.email, PASSWORD),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_embedded_broker_takes_devices_over_tls(client, auth, certificate):
    ca, tls_port = certificate
    plain_port = free_port()
    broker = subprocess.Popen(
        [sys.executable, "-m", "app.mqtt_broker", "--port", str(plain_port)],
        cwd=ROOT,
        env={**os.environ},
    )
    try:
        wait_until(lambda: port_open("127.0.0.1", tls_port), 20, "the TLS listener")
        issued = _issue(client, auth)

        assert issued["mqttUrl"] == f"mqtts://localhost:{tls_port}"
        assert _tls_login(tls_port, ca, issued["username"], issued["password"]) == "accepted"
        assert _tls_login(tls_port, ca, issued["username"], "wrong") != "accepted"
        assert _plain_login_fails(tls_port, issued["username"], issued["password"])
    finally:
        broker.terminate()
        broker.wait(10)


def test_the_mosquitto_config_has_a_tls_listener_that_admits_devices(client, auth, certificate):
    ca, tls_port = certificate
    plain_port = free_port()
    issued = _issue(client, auth)
    directory = get_settings().var_dir / f"mosquitto-tls-{uuid.uuid4().hex[:6]}"
    conf = write_mosquitto_files(directory, plain_port)

    lines = conf.read_text().splitlines()
    assert f"listener {plain_port} 127.0.0.1" in lines
    assert f"listener {tls_port} 127.0.0.1" in lines
    assert f"certfile {directory / 'tls-cert.pem'}" in lines
    assert (directory / "tls-key.pem").stat().st_mode & 0o077 == 0  # the key is not for all
    broker = subprocess.Popen([MOSQUITTO, "-c", str(conf)], cwd=ROOT)
    try:
        wait_until(lambda: port_open("127.0.0.1", tls_port), 20, "Mosquitto's TLS listener")
        assert port_open("127.0.0.1", plain_port)  # the ingest's own listener
        assert _tls_login(tls_port, ca, issued["username"], issued["password"]) == "accepted"
        assert _tls_login(tls_port, ca, issued["username"], "wrong") != "accepted"
    finally:
        broker.terminate()
        broker.wait(10)


def test_without_a_certificate_devices_are_given_the_plain_url(client, auth):
    assert get_settings().mqtt_tls_cert is None
    assert _issue(client, auth)["mqttUrl"].startswith("mqtt://")
