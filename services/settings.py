"""Settings of the platform, read from the environment and `.env`.

Secrets are `SecretStr`, so printing or logging the settings never shows them.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Owner connection: migrations, seeding and the few system tasks (outbox relay,
    # audit verification). The web app and workers connect as `app_db_role`, which
    # owns nothing and is bound by row-level security.
    database_url: str | None = None
    app_db_role: str = "yantra_app"
    app_db_password: SecretStr = SecretStr("yantra-app-local")
    app_database_url: str | None = None

    redis_url: str | None = None
    celery_queue: str = "yantra"
    mqtt_url: str | None = None
    # A certificate for the MQTT broker (PEM files): devices then connect over TLS, on
    # `mqtt_tls_port` bound to `mqtt_tls_bind`, and their credentials name mqtts://.
    mqtt_tls_cert: Path | None = None
    mqtt_tls_key: Path | None = None
    mqtt_tls_port: int = Field(default=8883, ge=1, le=65535)
    mqtt_tls_bind: str = "127.0.0.1"

    token_signing_key: SecretStr | None = None
    # QR label keys as "kid:secret,kid:secret" (kid 1-255); labels are signed with
    # `qr_active_key_id` and verified with any listed key, so keys rotate without reprinting.
    qr_signing_keys: SecretStr | None = None
    qr_active_key_id: int = Field(default=1, ge=1, le=255)
    # A deployment scan counts when it is this close to the facility.
    qr_deploy_radius_m: float = Field(default=1000.0, gt=0)
    # Where the platform is reached from outside: labels encode HTTPS://<host>/Q/<payload>
    # from it, so a phone's own camera opens the device's public page.
    public_url: str = "https://localhost:8000"
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)

    # Minutes after a breach before it climbs to the OEM service manager, then the OEM admin.
    escalation_minutes: tuple[int, int] = (30, 120)

    # Sign-in throttling: this many failures in the window lock an account (or, with the
    # higher limit, a client address) for `login_lock_minutes`, doubling with each lock.
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    login_lock_minutes: int = Field(default=15, ge=1)
    login_max_lock_hours: int = Field(default=24, ge=1)
    # Password hashes computed at once (argon2id takes 64 MiB each), and how long a sign-in
    # waits for a turn before it is asked to retry.
    password_hash_concurrency: int = Field(default=2, ge=1, le=64)
    password_hash_wait_seconds: float = Field(default=5.0, gt=0)
    # A process rechecks a bearer token's account (disabled, signed out) this often.
    credential_check_seconds: float = Field(default=30.0, ge=0, le=60)

    # "production" refuses default passwords and self-generated keys at start-up.
    yantra_env: str = "development"
    demo_password: SecretStr = SecretStr("yantra-demo")
    port: int = 8000
    var_dir: Path = PROJECT_ROOT / "var"
    log_level: str = "INFO"
    # Extra modules whose event subscribers the workers load (comma separated).
    event_subscriber_modules: str = ""

    # The lab's interface engine: MLLP (HL7 v2) and ASTM listeners, the address they bind
    # (analyzers on the lab's network need LAB_LISTEN_HOST=0.0.0.0), the largest message
    # taken, and how long raw messages are kept.
    mllp_port: int = Field(default=2575, ge=1, le=65535)
    astm_port: int = Field(default=2576, ge=1, le=65535)
    lab_listen_host: str = "127.0.0.1"
    lab_max_message_bytes: int = Field(default=1024 * 1024, ge=1024)
    lab_retention_days: int = Field(default=400, ge=1)

    # WhatsApp Cloud API. Without the secrets, local ones are kept under var/secrets; without
    # WHATSAPP_API_URL outbound messages are recorded as sent and never leave the machine.
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_api_url: str | None = None
    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str = "local"
    # SMS through an HTTP gateway (POST {"to", "message", "sender"} with the key as a bearer
    # token); without SMS_API_URL, SMS are recorded as sent and never leave the machine.
    sms_api_url: str | None = None
    sms_api_key: SecretStr | None = None
    sms_sender: str = "YANTRA"

    @property
    def is_production(self) -> bool:
        return self.yantra_env.strip().lower() == "production"

    def signing_key(self) -> str:
        """The token signing key: from the environment, else (never in production) a key
        kept under var/."""
        if self.token_signing_key is not None:
            return self.token_signing_key.get_secret_value()
        self._refuse_local_secret("TOKEN_SIGNING_KEY")
        return _local_secret(self.var_dir / "secrets" / "token.key")

    def whatsapp_secrets(self) -> tuple[str, str]:
        """The webhook's verify token and app secret: from the environment, else (never in
        production) ones kept under var/secrets."""
        found = []
        for name, value in (
            ("WHATSAPP_VERIFY_TOKEN", self.whatsapp_verify_token),
            ("WHATSAPP_APP_SECRET", self.whatsapp_app_secret),
        ):
            if value is not None:
                found.append(value.get_secret_value())
                continue
            self._refuse_local_secret(name)
            found.append(_local_secret(self.var_dir / "secrets" / f"{name.lower()}.key"))
        return found[0], found[1]

    def _refuse_local_secret(self, name: str) -> None:
        if self.is_production:
            raise RuntimeError(
                f"{name} must be set in production; a key generated on this "
                f"machine is for local runs only"
            )

    def production_problems(self) -> list[str]:
        """What keeps these settings from running in production (empty outside it)."""
        if not self.is_production:
            return []
        problems = []
        defaults = Settings.model_fields
        if (
            self.app_db_password.get_secret_value()
            == defaults["app_db_password"].default.get_secret_value()
        ):
            problems.append("APP_DB_PASSWORD is the default local password")
        owner = _url_password(self.database_url)
        if self.database_url and owner in KNOWN_DB_PASSWORDS:
            problems.append("DATABASE_URL uses a default or empty password")
        if (
            self.demo_password.get_secret_value()
            == defaults["demo_password"].default.get_secret_value()
        ):
            problems.append("DEMO_PASSWORD is the published demo password")
        if self.token_signing_key is None:
            problems.append("TOKEN_SIGNING_KEY is not set (a generated key is for local runs)")
        elif len(self.token_signing_key.get_secret_value()) < 32:
            problems.append("TOKEN_SIGNING_KEY is shorter than 32 characters")
        if self.qr_signing_keys is None:
            problems.append("QR_SIGNING_KEYS is not set (a generated key is for local runs)")
        return problems

    def require_fit_for_production(self) -> None:
        """Raises SystemExit naming every problem when production settings are unsafe."""
        problems = self.production_problems()
        if problems:
            raise SystemExit(
                "yantra: refusing to start in production (YANTRA_ENV=production):\n"
                + "\n".join(f"  - {p}" for p in problems)
            )

    def qr_keys(self) -> dict[int, bytes]:
        """QR signing keys by key id: from QR_SIGNING_KEYS, else one local key kept under var/."""
        if self.qr_signing_keys is None:
            self._refuse_local_secret("QR_SIGNING_KEYS")
            return {1: _local_secret(self.var_dir / "secrets" / "qr-1.key").encode()}
        keys = {}
        for item in self.qr_signing_keys.get_secret_value().split(","):
            kid, _, secret = item.strip().partition(":")
            if not kid.isdigit() or not 1 <= int(kid) <= 255 or len(secret) < 16:
                raise ValueError(
                    "QR_SIGNING_KEYS entries must be 'kid:secret' with kid 1-255 "
                    "and a secret of at least 16 characters"
                )
            keys[int(kid)] = secret.encode()
        return keys


# Passwords a production database must not have: empty, or the usual defaults.
KNOWN_DB_PASSWORDS = {None, "", "postgres", "password", "yantra", "yantra-app-local", "changeme"}


def _url_password(url: str | None) -> str | None:
    if not url:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password
    except ArgumentError:  # an unparsable URL fails at connect time with its own message
        return None


def _local_secret(path: Path) -> str:
    """A random secret created once per checkout, for local runs only."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
