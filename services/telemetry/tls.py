"""TLS for devices: with a certificate (MQTT_TLS_CERT and MQTT_TLS_KEY), both brokers also
listen with TLS on MQTT_TLS_PORT and a device's credential names `mqtts://` there. The
ingest keeps the plain local listener of MQTT_URL: it runs beside the broker."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from services.errors import Invalid
from services.settings import get_settings

EMBEDDED_URL = "mqtt://127.0.0.1:18830"


def tls_files() -> tuple[Path, Path] | None:
    """The broker's certificate and key, or None when the broker has no certificate.
    Raises Invalid when only one of the two is set or a file is missing."""
    settings = get_settings()
    cert, key = settings.mqtt_tls_cert, settings.mqtt_tls_key
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise Invalid("MQTT_TLS_CERT", "set both MQTT_TLS_CERT and MQTT_TLS_KEY, or neither")
    for name, path in (("MQTT_TLS_CERT", cert), ("MQTT_TLS_KEY", key)):
        if not Path(path).is_file():
            raise Invalid(name, f"{path} is not a file")
    return Path(cert), Path(key)


def device_url() -> str:
    """Where a device connects: `mqtts://<the platform's public host>:<MQTT_TLS_PORT>` when
    the broker has a certificate, else the broker's plain URL."""
    settings = get_settings()
    if tls_files() is None:
        return settings.mqtt_url or EMBEDDED_URL
    host = urlparse(settings.public_url).hostname or "localhost"
    return f"mqtts://{host}:{settings.mqtt_tls_port}"
