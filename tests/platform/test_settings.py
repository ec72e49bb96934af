"""Settings come from the environment and never show their secrets."""

from __future__ import annotations

from services.settings import Settings


def test_secrets_do_not_appear_when_settings_are_printed(monkeypatch):
    monkeypatch.setenv("TOKEN_SIGNING_KEY", "very-secret-signing-key-123")
    monkeypatch.setenv("APP_DB_PASSWORD", "very-secret-db-password")
    monkeypatch.setenv("DEMO_PASSWORD", "very-secret-demo")
    settings = Settings()
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    for secret in ("very-secret-signing-key-123", "very-secret-db-password", "very-secret-demo"):
        assert secret not in shown
    assert settings.signing_key() == "very-secret-signing-key-123"


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("REDIS_URL", "redis://example.invalid:6379/3")
    settings = Settings()
    assert settings.session_idle_minutes == 5
    assert settings.redis_url == "redis://example.invalid:6379/3"


def test_local_signing_key_is_created_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("TOKEN_SIGNING_KEY", raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    first = Settings().signing_key()
    assert len(first) >= 40
    assert Settings().signing_key() == first
    assert (tmp_path / "secrets" / "token.key").stat().st_mode & 0o077 == 0
