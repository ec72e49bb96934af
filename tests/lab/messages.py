"""HL7 messages and a small MLLP client, as an analyzer would send and read them."""

from __future__ import annotations

import socket

from services.lab import intake
from services.lab.mllp import END, FrameReader, frame
from services.lab.store import ChannelDirectory, GroupCommitter
from tests.aio import run_async

CBC = [
    ("WBC", "6.7", "10*3/uL", "4.0-11.0", ""),
    ("RBC", "4.85", "10*6/uL", "4.50-5.90", ""),
    ("HGB", "13.9", "g/dL", "13.0-17.0", ""),
    ("HCT", "41.2", "%", "40-52", ""),
    ("MCV", "85.0", "fL", "80-100", ""),
    ("MCH", "28.7", "pg", "27-33", ""),
    ("MCHC", "33.7", "g/dL", "32-36", ""),
    ("PLT", "95", "10*3/uL", "150-450", "L"),
    ("RDW", "13.1", "%", "11.5-14.5", ""),
    ("MPV", "9.8", "fL", "7.5-11.5", ""),
]


def oru(
    control_id: str,
    sender: str = "XN550",
    facility: str = "",
    version: str = "2.5.1",
    patient: str = "MRN1001",
    hgb: str = "13.9",
) -> bytes:
    """An ORU^R01 of 13 segments: MSH, PID, OBR and ten OBX of a complete blood count."""
    lines = [
        f"MSH|^~\\&|{sender}|{facility}|YANTRA|LAB|20261201101500||ORU^R01|{control_id}|P|{version}",
        f"PID|1||{patient}^^^HOSP^MR||Sharma^Anita||19800412|F",
        f"OBR|1|ORD{control_id}|SPM{control_id}|58410-2^CBC panel^LN|||20261201101000",
    ]
    for n, (code, value, units, ref, flag) in enumerate(CBC, start=1):
        if code == "HGB":
            value = hgb
        lines.append(
            f"OBX|{n}|NM|{code}^{code}^99XN||{value}|{units}|{ref}|{flag}|||F|||20261201101200"
        )
    return ("\r".join(lines) + "\r").encode()


class MllpClient:
    """A blocking MLLP client: send frames (in as many writes as asked), read ACKs."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.reader = FrameReader()
        self.pending: list[bytes] = []

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_ack(self) -> str:
        while not self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("listener closed the connection")
            self.pending += [e for e in self.reader.feed(data) if isinstance(e, bytes)]
        return self.pending.pop(0).decode()

    def call(self, message: bytes) -> str:
        self.send_raw(frame(message))
        return self.read_ack()

    def close(self) -> None:
        self.sock.close()


def msa(ack: str) -> list[str]:
    """The MSA fields of an ACK: [code, control id, text]."""
    for segment in ack.split("\r"):
        if segment.startswith("MSA|"):
            return (segment.split("|") + ["", "", ""])[1:4]
    raise AssertionError(f"no MSA in {ack!r}")


def err(ack: str) -> str:
    return next((s for s in ack.split("\r") if s.startswith("ERR|")), "")


__all__ = ["END", "MllpClient", "err", "msa", "oru", "send"]


def send(*messages: bytes) -> list[str]:
    """Messages through the listener's own path (store, commit, ACK), in this process."""

    async def run() -> list[str]:
        committer, directory = GroupCommitter(), ChannelDirectory()
        await committer.start()
        try:
            acks = []
            for message in messages:
                acks.append((await intake.receive_hl7(message, committer, directory)).decode())
            return acks
        finally:
            await committer.close()

    return run_async(run())  # on a thread of its own: the browser tests hold a loop
