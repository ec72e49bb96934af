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

    token_signing_key: SecretStr | None = None
    # QR label keys as "kid:secret,kid:secret" (kid 1-255); labels are signed with
    # `qr_active_key_id` and verified with any listed key, so keys rotate without reprinting.
    qr_signing_keys: SecretStr | None = None
    qr_active_key_id: int = Field(default=1, ge=1, le=255)
    # A deployment scan counts when it is this close to the facility.
    qr_deploy_radius_m: float = Field(default=1000.0, gt=0)
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)

    # Minutes after a breach before it climbs to the OEM service manager, then the OEM admin.
    escalation_minutes: tuple[int, int] = (30, 120)

    demo_password: SecretStr = SecretStr("yantra-demo")
    port: int = 8000
    var_dir: Path = PROJECT_ROOT / "var"
    log_level: str = "INFO"
    # Extra modules whose event subscribers the workers load (comma separated).
    event_subscriber_modules: str = ""

    def signing_key(self) -> str:
        """The token signing key: from the environment, else a key kept under var/."""
        if self.token_signing_key is not None:
            return self.token_signing_key.get_secret_value()
        return _local_secret(self.var_dir / "secrets" / "token.key")


    def qr_keys(self) -> dict[int, bytes]:
        """QR signing keys by key id: from QR_SIGNING_KEYS, else one local key kept under var/."""
        if self.qr_signing_keys is None:
            return {1: _local_secret(self.var_dir / "secrets" / "qr-1.key").encode()}
        keys = {}
        for item in self.qr_signing_keys.get_secret_value().split(","):
            kid, _, secret = item.strip().partition(":")
            if not kid.isdigit() or not 1 <= int(kid) <= 255 or len(secret) < 16:
                raise ValueError("QR_SIGNING_KEYS entries must be 'kid:secret' with kid 1-255 "
                                 "and a secret of at least 16 characters")
            keys[int(kid)] = secret.encode()
        return keys


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
