"""An analyzer talking to the MLLP listener over TCP: every message answered after it is
stored, the connection serving on whatever arrives."""

from __future__ import annotations

import time
import uuid

import pytest

from services.lab.mllp import END, START, frame
from tests.lab.fixtures import Listener, make_lab, process_all, stored
from tests.lab.messages import MllpClient, err, msa, oru


@pytest.fixture(scope="module")
def lab():
    return make_lab()


@pytest.fixture(scope="module")
def listener():
    running = Listener("mllp").start()
    yield running
    running.stop()


@pytest.fixture
def sender(lab) -> str:
    name = f"XN-{uuid.uuid4().hex[:6]}"
    lab.channel(name)
    return name


def test_a_valid_result_is_acknowledged_aa_and_stored(listener, sender):
    client = MllpClient(listener.port)
    ack = client.call(oru("R-1", sender=sender))

    assert msa(ack)[:2] == ["AA", "R-1"]
    assert ack.startswith("MSH|^~\\&|")
    assert stored(sender)["R-1"] == ("received", "AA", 0)


def test_malformed_input_is_answered_and_the_connection_keeps_serving(listener, sender):
    client = MllpClient(listener.port)
    not_hl7 = client.call(b"hello, this is not HL7")
    no_control_id = client.call(oru("", sender=sender))
    bad_segment = client.call(oru("R-2", sender=sender) + b"this line is no segment\r")
    old_version = client.call(oru("R-3", sender=sender, version="2.2"))
    still_fine = client.call(oru("R-4", sender=sender))

    assert msa(not_hl7)[0] == "AR" and "MSH" in err(not_hl7)
    assert msa(no_control_id)[0] == "AR" and "MSH-10" in err(no_control_id)
    assert msa(bad_segment)[:2] == ["AE", "R-2"] and "line 14" in err(bad_segment)
    assert msa(old_version)[:2] == ["AR", "R-3"] and "2.2" in err(old_version)
    assert msa(still_fine)[:2] == ["AA", "R-4"]
    states = stored(sender)
    assert states["R-2"][:2] == ("error", "AE") and states["R-4"][:2] == ("received", "AA")


def test_a_frame_split_over_three_writes_is_one_message(listener, sender):
    client = MllpClient(listener.port)
    data = frame(oru("S-1", sender=sender))
    for part in (data[:7], data[7:200], data[200:]):
        client.send_raw(part)
        time.sleep(0.05)

    assert msa(client.read_ack())[:2] == ["AA", "S-1"]


def test_three_frames_in_one_write_get_three_acks_in_order(listener, sender):
    client = MllpClient(listener.port)
    client.send_raw(b"".join(frame(oru(f"T-{n}", sender=sender)) for n in range(3)))

    assert [msa(client.read_ack())[1] for _ in range(3)] == ["T-0", "T-1", "T-2"]
    assert {"T-0", "T-1", "T-2"} <= set(stored(sender))


def test_a_duplicate_is_acknowledged_and_stored_once(listener, sender):
    client = MllpClient(listener.port)
    first = client.call(oru("D-1", sender=sender))
    again = client.call(oru("D-1", sender=sender))
    process_all()
    client.call(oru("D-1", sender=sender))

    assert msa(first)[0] == msa(again)[0] == "AA"
    assert stored(sender)["D-1"] == ("processed", "AA", 2)


def test_an_oversized_frame_is_refused_and_the_next_one_taken(listener, sender):
    client = MllpClient(listener.port)
    huge = oru("O-1", sender=sender) + b"NTE|1||" + b"x" * (1024 * 1024 + 10) + b"\r"
    client.send_raw(START + huge + END)
    refused = client.read_ack()
    after = client.call(oru("O-2", sender=sender))

    assert msa(refused)[:2] == ["AR", "O-1"] and "larger than" in err(refused)
    assert msa(after)[:2] == ["AA", "O-2"]
    assert "O-1" not in stored(sender)
