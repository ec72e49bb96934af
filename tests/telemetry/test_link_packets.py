"""The ingest cuts the broker's byte stream into MQTT packets itself: every PUBLISH reaches
it whole, however the stream is split across reads, and every other packet goes to paho."""

from __future__ import annotations

import random
import struct

from workers.telemetry_link import split_packets


def _length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (128 if n else 0))
        if not n:
            return bytes(out)


def publish(topic: bytes, payload: bytes, mid: int, qos: int) -> bytes:
    body = struct.pack("!H", len(topic)) + topic + (struct.pack("!H", mid) if qos else b"")
    body += payload
    return bytes([0x30 | (qos << 1)]) + _length(len(body)) + body


CONNACK = b"\x20\x02\x00\x00"
SUBACK = b"\x90\x03\x00\x01\x01"
PINGRESP = b"\xd0\x00"


def _stream() -> tuple[bytes, list[tuple], list[bytes]]:
    rng = random.Random(7)
    packets, published, others = [CONNACK, SUBACK], [], [CONNACK, SUBACK]
    for i in range(400):
        topic = f"tenants/t/devices/{i % 4}/telemetry".encode()
        # Payloads from a few bytes to past 16 KiB: lengths of one, two and three bytes.
        payload = bytes(rng.randrange(256) for _ in range(rng.choice((3, 150, 300, 17_000))))
        qos = 0 if i % 10 == 0 else 1
        packets.append(publish(topic, payload, i + 1 if qos else 0, qos))
        published.append((topic, payload, i + 1 if qos else 0, qos))
        if i % 97 == 0:
            packets.append(PINGRESP)
            others.append(PINGRESP)
    qos2 = publish(b"tenants/t/devices/9/telemetry", b"{}", 999, 2)
    packets.append(qos2)
    others.append(qos2)
    return b"".join(packets), published, others


def _read_in_pieces(stream: bytes, sizes) -> tuple[list[tuple], list[bytes]]:
    got, other, rest = [], [], b""
    at = 0
    for size in sizes:
        if at >= len(stream):
            break
        buf = rest + stream[at : at + size]
        at += size
        rest = buf[split_packets(buf, lambda *m: got.append(m), other.append) :]
    assert rest == b"", "a packet was left half read"
    return got, other


def test_every_publish_arrives_whole_however_the_stream_is_cut():
    stream, published, others = _stream()
    rng = random.Random(11)
    for sizes in (
        [len(stream)],  # all at once
        [1] * len(stream),  # a byte at a time: every header and length split
        [rng.choice((2, 5, 1000, 65536)) for _ in range(len(stream))],
    ):
        got, other = _read_in_pieces(stream, sizes)
        assert got == published
        assert b"".join(other) == b"".join(others)  # CONNACK, SUBACK, pings, QoS 2: paho's


def test_a_malformed_publish_goes_to_paho_to_be_refused():
    empty_topic = b"\x32\x04\x00\x00\x00\x01"  # QoS 1 with a zero-length topic
    overlong = b"\x32\x04\x00\x09ab"  # a topic longer than the packet
    good = publish(b"tenants/t/devices/1/telemetry", b'{"seq": 1}', 5, 1)
    got, other = [], []
    buf = empty_topic + overlong + good
    assert split_packets(buf, lambda *m: got.append(m), other.append) == len(buf)
    assert other == [empty_topic, overlong]
    assert got == [(b"tenants/t/devices/1/telemetry", b'{"seq": 1}', 5, 1)]


def test_a_length_longer_than_mqtt_allows_hands_the_rest_to_paho():
    broken = b"\x30\xff\xff\xff\xff\x01rest"
    other = []
    assert split_packets(broken, lambda *m: None, other.append) == len(broken)
    assert other == [broken]
