"""The production topology in docker-compose.yml is complete and valid."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import yaml

from tests.conftest import ROOT

SECRETS = {
    "POSTGRES_PASSWORD": "x",
    "APP_DB_PASSWORD": "x",
    "TOKEN_SIGNING_KEY": "x",
    "QR_SIGNING_KEYS": "1:x",
    "KEYCLOAK_ADMIN_PASSWORD": "x",
    "MQTT_HEALTH_PASSWORD": "x",
}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_is_there_with_a_health_check():
    services = _compose()["services"]
    assert set(services) == {
        "postgres",
        "redis",
        "mosquitto",
        "keycloak",
        "app",
        "worker",
        "sla-worker",
        "urgent-worker",
        "beat",
    }
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
    for name in ("app", "worker", "sla-worker", "urgent-worker", "beat"):
        needs = services[name]["depends_on"]
        assert {k: v["condition"] for k, v in needs.items()} == {
            "postgres": "service_healthy",
            "redis": "service_healthy",
            "mosquitto": "service_healthy",
        }
    assert {"pg-data", "redis-data", "mosquitto-data", "app-data"} <= set(_compose()["volumes"])


def test_between_them_the_workers_consume_every_queue_of_the_app():
    from services.settings import Settings, get_settings
    from workers.celery_app import celery_app

    services = _compose()["services"]
    consumed = set()
    for name in ("worker", "sla-worker", "urgent-worker"):
        command = services[name]["command"]
        consumed |= set(command[command.index("-Q") + 1].split(","))
    # Tests run on a queue name of their own; the compose file runs on the default one.
    ours, default = get_settings().celery_queue, Settings.model_fields["celery_queue"].default
    assert consumed == {q.name.replace(ours, default, 1) for q in celery_app.conf.task_queues}


def test_keycloak_realm_has_every_role_and_the_tenant_claim():
    realm = json.loads((ROOT / "deploy" / "keycloak" / "yantra-realm.json").read_text())
    from services.actor import Role

    assert {r["name"] for r in realm["roles"]["realm"]} == {r.value for r in Role}
    web = next(c for c in realm["clients"] if c["clientId"] == "yantra-web")
    claims = {m["config"]["claim.name"] for m in web["protocolMappers"]}
    assert {"tid", "tkind", "roles"} <= claims
    assert realm["ssoSessionIdleTimeout"] == 1800


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_config_validates_and_refuses_missing_secrets():
    command = _compose_command()
    assert command is not None, "Docker Compose is missing (`make test` installs it)"
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    ok = subprocess.run(
        [*command, "config", "-q"], cwd=ROOT, env={**env, **SECRETS}, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    missing = subprocess.run(
        [*command, "config", "-q"],
        cwd=ROOT,
        env={**env, **SECRETS, "POSTGRES_PASSWORD": ""},
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr
