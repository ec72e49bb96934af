"""A laboratory with its lab staff account, analyzer channels, and listeners run the way
`make run` runs them: as processes of their own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from services.actor import Role, TenantKind
from services.db import system_session, tenant_session
from services.geo.models import Laboratory
from services.lab.channels import AnalyzerCodeIn, ChannelIn, set_up_channel
from tests.factories import Org, make_org

ROOT = Path(__file__).resolve().parents[2]

CBC_CODES = [
    AnalyzerCodeIn(
        analyzerCode="WBC",
        loinc="6690-2",
        units="10*3/uL",
        referenceLow=4.0,
        referenceHigh=11.0,
        criticalLow=2.0,
        criticalHigh=30.0,
    ),
    AnalyzerCodeIn(
        analyzerCode="HGB",
        loinc="718-7",
        units="g/dL",
        referenceLow=13.0,
        referenceHigh=17.0,
        criticalLow=7.0,
        criticalHigh=20.0,
    ),
    AnalyzerCodeIn(
        analyzerCode="PLT",
        loinc="777-3",
        units="10*3/uL",
        referenceLow=150,
        referenceHigh=450,
        criticalLow=50,
        criticalHigh=1000,
    ),
]


@dataclass
class Lab:
    org: Org
    laboratory_id: uuid.UUID
    channels: dict[str, dict] = field(default_factory=dict)

    def channel(self, sender: str, protocol: str = "hl7", facility: str = "") -> dict:
        """A channel for `sender` (with CBC test codes), created once."""
        if sender not in self.channels:
            self.channels[sender] = set_up_channel(
                self.org.actor,
                ChannelIn(
                    name=f"{sender} analyzer",
                    sendingApplication=sender,
                    sendingFacility=facility,
                    protocol=protocol,
                    testCodes=CBC_CODES,
                ),
            )
        return self.channels[sender]


def make_lab() -> Lab:
    """A lab chain with one laboratory and a lab staff account."""
    org = make_org(TenantKind.LAB_CHAIN, Role.LAB_STAFF)
    with tenant_session(org.actor) as db:
        laboratory = Laboratory(
            tenant_id=org.tenant.id, name="Test Pathology Lab", pincode="500001"
        )
        db.add(laboratory)
        db.flush()
        laboratory_id = laboratory.id
    return Lab(org, laboratory_id)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Listener:
    """`python -m workers.<module> --port N` as a child process."""

    def __init__(self, module: str):
        self.module, self.port = module, free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> Listener:
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"workers.{self.module}", "--port", str(self.port)],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-2000:])
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"workers.{self.module} did not start listening")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def stored(sender: str) -> dict[str, tuple]:
    """The stored messages of a sender: control id → (state, ack code, duplicates)."""
    from sqlalchemy import text

    with system_session() as db:
        rows = db.execute(
            text(
                "SELECT control_id, state, ack_code, duplicate_count FROM lab_message "
                "WHERE sending_application = :s"
            ),
            {"s": sender},
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}


def process_all() -> int:
    """Runs the processor until nothing waits (other tests may have left messages)."""
    from services.lab.processor import process_waiting

    total = 0
    while taken := process_waiting():
        total += taken
    return total


def forget(sender: str) -> None:
    """Deletes a sender's messages (a test that streams many leaves none to process)."""
    from sqlalchemy import text

    with system_session() as db:
        db.execute(text("DELETE FROM lab_message WHERE sending_application = :s"), {"s": sender})
