"""`python -m app.cli run|prepare|serve`: the platform's own start-up.

run      embedded servers when no DATABASE_URL / MQTT_URL is set, migrations, reference
         and demo data and the demo service day, then the web app, Celery worker and beat
         under honcho (with DEMO_LIVE=1, the default, the demo day keeps moving); Ctrl-C
         stops them all and the embedded PostgreSQL.
prepare  migrations, reference and demo data only (what `run` does before starting).
serve    migrations then the web app alone (the container entry point).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("VAR_DIR") or ROOT / "var")
EMBEDDED_PG_PORT = int(os.environ.get("EMBEDDED_PG_PORT", "54329"))
EMBEDDED_MQTT_PORT = int(os.environ.get("EMBEDDED_MQTT_PORT", "18830"))


def _say(message: str) -> None:
    print(f"yantra: {message}", flush=True)


def ensure_database_url() -> bool:
    """Point DATABASE_URL at the embedded PostgreSQL when none is set. True if embedded."""
    if os.environ.get("DATABASE_URL"):
        return False
    from app.embedded import ensure_database, start_postgres

    server = start_postgres(VAR / "pg", EMBEDDED_PG_PORT)
    os.environ["DATABASE_URL"] = ensure_database(server, "yantra")
    from services.settings import get_settings

    get_settings.cache_clear()  # read before the embedded server existed
    _say(f"embedded PostgreSQL on 127.0.0.1:{EMBEDDED_PG_PORT}, data in var/pg")
    return True


def migrate() -> None:
    from alembic import command
    from alembic.config import Config

    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")


def prepare() -> None:
    """Migrate, then load pincodes and the demo organisations (both idempotent)."""
    from services.db import system_session
    from services.geo.pincodes import load_pincodes
    from services.seed.demo import seed_demo
    from services.settings import get_settings

    migrate()
    with system_session() as db:
        count = load_pincodes(db)
    _say(f"{count:,} pincodes loaded")
    password = get_settings().demo_password.get_secret_value()
    if seed_demo(password):
        _say("demo organisations and accounts created")
    from services.seed.directory import seed_directory

    if added := seed_directory():
        _say(f"demo directory loaded: {added:,} facilities on real pincodes")
    from services.catalog.demo import seed_demo_catalog

    if added := seed_demo_catalog(300):
        _say(f"demo catalog: {added} more SKUs for the demo OEMs")
    from services.pricing.model import default_directory, load_or_train

    if not (default_directory() / "meta.json").exists():
        load_or_train(progress=lambda share, step: None)
        _say("price band model trained (the coach is ready)")
    from services.telemetry.demo import seed_demo_telemetry

    if loaded := seed_demo_telemetry():
        _say(f"demo telemetry: {loaded} devices reporting, the demo MRI wearing out")
    _prepare_whatsapp()
    _prepare_broker()


def prepare_demo_day() -> None:
    """The demo service day: about 150 open tickets across four metros and today's plan
    under way. Only `run` writes it: the tests keep to the small demo of `prepare`."""
    import time

    from services.seed.day_plan import plan_service_day
    from services.seed.service_day import seed_service_day

    started = time.perf_counter()
    opened, assigned = seed_service_day(), plan_service_day()
    if opened or assigned:
        _say(
            f"demo service day: {opened} tickets opened across Delhi NCR, Mumbai, Bengaluru "
            f"and Chennai, {assigned} planned for today ({time.perf_counter() - started:.1f} s)"
        )


def demo_live() -> bool:
    """Whether the demo day keeps moving: DEMO_LIVE=1 (the default), never in production."""
    from services.settings import get_settings

    return os.environ.get("DEMO_LIVE", "1") == "1" and not get_settings().is_production


def _prepare_whatsapp() -> None:
    """Without WhatsApp secrets in the environment, make local ones (mode 600) and say
    where, so the webhook can be tried against this machine at once."""
    from services.settings import get_settings

    settings = get_settings()
    if settings.is_production or (
        settings.whatsapp_verify_token is not None and settings.whatsapp_app_secret is not None
    ):
        return
    settings.whatsapp_secrets()
    where = settings.var_dir / "secrets"
    _say(
        f"WhatsApp webhook: local verify token and app secret in {where}/whatsapp_*.key "
        "(set WHATSAPP_VERIFY_TOKEN and WHATSAPP_APP_SECRET to use Meta's)"
    )


def _prepare_broker() -> None:
    """With PostgreSQL as the Celery broker, create kombu's tables once, here: workers
    starting together would otherwise race to create them, and one would die."""
    from services.settings import get_settings

    if get_settings().redis_url:
        return
    from workers.celery_app import celery_app

    with celery_app.connection_for_write() as connection:
        connection.default_channel.session  # noqa: B018  (opening the session creates them)


def _login_help(port: int) -> str:
    from services.actor import Role
    from services.seed.demo import demo_email

    lines = [
        f"open http://localhost:{port}  (API: http://localhost:{port}/api/v1, "
        f"docs: http://localhost:{port}/api/docs)",
        "demo accounts (password: $DEMO_PASSWORD, default 'yantra-demo', local use only):",
    ]
    lines += [f"  {demo_email(role)}" for role in Role]
    return "\n".join(lines)


def web_port() -> int:
    """The port the user asked for (PORT), read here once: processes started under honcho
    get a PORT of honcho's, which must never decide where the web app listens."""
    raw = os.environ.get("PORT") or "8000"
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"yantra: PORT must be a number from 1 to 65535, not {raw!r}")
    return int(raw)


def web_command(port: int) -> list[str]:
    """The web app (UI and API on one port) in production mode. The port is given on the
    command line and in YANTRA_WEB_PORT, which rxconfig.py reads, so nothing else can move it."""
    return [
        "env",
        f"YANTRA_WEB_PORT={port}",
        sys.executable,
        "-m",
        "app.web",  # `reflex run`, building the front end only when it changed
        "run",
        "--env",
        "prod",
        "--single-port",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
    ]


def _procfile(port: int, embedded_mqtt: bool) -> Path:
    import shlex

    from services.settings import get_settings

    py, queue = sys.executable, get_settings().celery_queue
    lines = [
        f"web: {shlex.join(web_command(port))}",
        f"worker: {py} -m celery -A workers.celery_app worker --loglevel=WARNING --concurrency=2"
        f" -Q {queue} -n work@%h",
        # SLA clocks get a worker of their own, so a backlog of imports or deliveries
        # never delays a breach.
        f"sla: {py} -m celery -A workers.celery_app worker --loglevel=WARNING --concurrency=1"
        f" -Q {queue}-sla -n sla@%h",
        # Urgent slot-ins too: a new P1's proposal never waits behind an optimisation.
        f"urgent: {py} -m celery -A workers.celery_app worker --loglevel=WARNING"
        f" --concurrency=1 -Q {queue}-urgent -n urgent@%h",
        f"beat: {py} -m celery -A workers.celery_app beat --loglevel=WARNING "
        f"--schedule {VAR / 'celerybeat-schedule'}",
        # The lab's analyzers: HL7 v2 over MLLP, ASTM, and the processor that turns stored
        # messages into results off the acknowledgement path.
        f"mllp: {py} -m workers.mllp",
        f"astm: {py} -m workers.astm",
        f"labproc: {py} -m workers.lab_processor",
        # Device telemetry from the MQTT broker (the embedded one, or MQTT_URL's).
        f"telemetry: {py} -m workers.telemetry",
    ]
    if embedded_mqtt:
        lines.append(f"mqtt: {py} -m app.mqtt_broker --port {EMBEDDED_MQTT_PORT}")
    if demo_live():  # technicians move along their routes, hospitals report faults
        lines.append(f"demo: {py} -m workers.demo_day")
    path = VAR / "Procfile"
    path.write_text("\n".join(lines) + "\n")
    return path


def run() -> int:
    port = web_port()
    from app.embedded import port_open

    if port_open("127.0.0.1", port):
        _say(
            f"port {port} is already in use (another Yantra?): stop it, or start with "
            f"PORT=<another port> make run"
        )
        return 1
    VAR.mkdir(exist_ok=True)
    embedded_pg = ensure_database_url()
    embedded_mqtt = not os.environ.get("MQTT_URL")
    if embedded_mqtt:
        os.environ["MQTT_URL"] = f"mqtt://127.0.0.1:{EMBEDDED_MQTT_PORT}"
    if not os.environ.get("REDIS_URL"):
        _say("no REDIS_URL: Celery uses PostgreSQL as its broker")
    try:
        prepare()
        from services.settings import get_settings

        if not get_settings().is_production:
            prepare_demo_day()
        _say(_login_help(port))
        procfile = _procfile(port, embedded_mqtt)
        honcho = subprocess.Popen(
            [sys.executable, "-m", "honcho", "-f", str(procfile), "-d", str(ROOT), "start"],
            cwd=ROOT,
        )
        try:
            return honcho.wait()
        except KeyboardInterrupt:
            honcho.send_signal(signal.SIGINT)
            return honcho.wait()
    finally:
        if embedded_pg:
            from app.embedded import stop_postgres

            stop_postgres(VAR / "pg")
            _say("embedded PostgreSQL stopped")


def serve() -> int:
    migrate()
    return subprocess.call(web_command(web_port()), cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    parser.add_argument("command", choices=["run", "prepare", "serve"])
    args = parser.parse_args()
    os.chdir(ROOT)
    from services.settings import get_settings

    get_settings().require_fit_for_production()
    if args.command == "prepare":
        ensure_database_url()
        prepare()
        return 0
    return run() if args.command == "run" else serve()


if __name__ == "__main__":
    sys.exit(main())
