"""A fresh clone of this checkout, started the way the README says, on a network of its own.

The clone holds the project's files as `git` would check them out, with the virtualenv,
bun and the built front end of this checkout linked in (a fresh machine builds those on the
first `make run`; building them again here would only repeat minutes of downloads). It runs
in a network namespace of its own when the machine allows one (root), so its default ports
(8000 for the web app, 54329 for PostgreSQL, 18830 for MQTT) are free even while the
developer's own `make run` is up beside the tests, and nothing from the test run's
environment reaches it: only the environment the user's shell gave `make test`, without
PORT, DATABASE_URL, REDIS_URL or MQTT_URL.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, USER_ENV

SERVER_SETTINGS = ("PORT", "DATABASE_URL", "APP_DATABASE_URL", "REDIS_URL", "MQTT_URL")


def user_environment() -> dict[str, str]:
    """The user's environment with none of the servers set, as on a fresh machine."""
    return {k: v for k, v in USER_ENV.items() if k not in SERVER_SETTINGS}


def make_clone(target: Path) -> Path:
    """Copy the files git knows of (committed or not, ignoring what .gitignore ignores),
    keeping their times so make sees the linked virtualenv as up to date."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for linked in (".venv", ".tools"):
        (target / linked).symlink_to(ROOT / linked)
    shutil.copytree(ROOT / "assets" / "vendor", target / "assets" / "vendor")
    if (ROOT / ".web").is_dir():  # hard links: the same node_modules, no copy of them
        subprocess.run(["cp", "-al", str(ROOT / ".web"), str(target / ".web")], check=True)
    return target


def isolated_network() -> bool:
    """True when commands can run in a network namespace of their own here."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0


class Namespace:
    """A network namespace with only a loopback, kept alive by a sleeping holder process;
    `run` and `popen` put commands inside it (`nsenter`)."""

    def __init__(self) -> None:
        self.holder = subprocess.Popen(
            ["unshare", "--net", "sh", "-c", "ip link set lo up && exec sleep infinity"],
            start_new_session=True,
        )
        for _ in range(50):
            if self.run([sys.executable, "-c", "pass"]).returncode == 0 and self._lo_up():
                return
            time.sleep(0.1)
        raise RuntimeError("the network namespace did not come up")

    def _lo_up(self) -> bool:
        out = self.run(["ip", "-brief", "link", "show", "lo"], capture_output=True, text=True)
        return "UP" in out.stdout or "UNKNOWN" in out.stdout

    def _prefix(self) -> list[str]:
        return ["nsenter", f"--net=/proc/{self.holder.pid}/ns/net", "--"]

    def run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(self._prefix() + args, **kwargs)

    def popen(self, args: list[str], **kwargs) -> subprocess.Popen:
        return subprocess.Popen(self._prefix() + args, **kwargs)

    def close(self) -> None:
        os.killpg(self.holder.pid, signal.SIGKILL)
        self.holder.wait()


class Host:
    """No namespace: commands run on the machine's own network."""

    def run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(args, **kwargs)

    def popen(self, args: list[str], **kwargs) -> subprocess.Popen:
        return subprocess.Popen(args, **kwargs)

    def close(self) -> None:
        pass
