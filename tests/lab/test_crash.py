"""The interface engine's promise: a message that was acknowledged is never lost, even
when the listener process is killed (SIGKILL) in the middle of a stream."""

from __future__ import annotations

import uuid

from services.lab.mllp import frame
from tests.lab.fixtures import Listener, forget, make_lab, stored
from tests.lab.messages import MllpClient, msa, oru

WINDOW = 25


def _stream(
    port: int, ids: list[str], sender: str, acked: set[str], kill_at: int | None, listener: Listener
) -> None:
    """Sends `ids` in writes of WINDOW frames, recording each ACKed id; kills the
    listener once `kill_at` ACKs arrived (frames still in flight)."""
    client = MllpClient(port)
    try:
        for start in range(0, len(ids), WINDOW):
            window = ids[start : start + WINDOW]
            client.send_raw(b"".join(frame(oru(i, sender=sender)) for i in window))
            for _ in window:
                code, control_id, _ = msa(client.read_ack())
                assert code == "AA"
                acked.add(control_id)
                if kill_at is not None and len(acked) == kill_at:
                    listener.kill()
    except (ConnectionError, OSError):
        pass
    finally:
        client.close()


def test_sigkill_mid_stream_loses_no_acknowledged_message():
    lab = make_lab()
    sender = f"KILL-{uuid.uuid4().hex[:6]}"
    lab.channel(sender)
    ids = [f"K-{n:04d}" for n in range(1000)]
    acked: set[str] = set()

    listener = Listener("mllp").start()
    _stream(listener.port, ids, sender, acked, kill_at=400, listener=listener)
    assert 400 <= len(acked) < 1000  # the stream really was cut
    after_crash = stored(sender)
    assert acked <= set(after_crash)

    # The analyzer reconnects and sends again everything it has no ACK for.
    restarted = Listener("mllp")
    restarted.port = listener.port
    restarted.start()
    try:
        _stream(restarted.port, [i for i in ids if i not in acked], sender, acked, None, restarted)
    finally:
        restarted.stop()

    final = stored(sender)
    forget(sender)
    assert acked == set(ids) == set(final)
    assert all(state[:2] == ("received", "AA") for state in final.values())
