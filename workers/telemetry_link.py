"""The ingest's connection to the broker: paho-mqtt at QoS 1 with a persistent session and
manual acknowledgements, driven from the ingest's one thread.

At thousands of readings a second, paho's own reading (a system call per header byte, a
message object, locks and a topic-tree match per message) and its one send per PUBACK were
most of the ingest's time. Here the link reads 64 KiB at a time and cuts the bytes into
packets itself: each QoS 0 or 1 PUBLISH is taken straight from the buffer (topic, message
id, payload), and every other packet (CONNACK, SUBACK, PINGRESP, QoS 2) is handed whole to
paho, which keeps the session as it always does. What is written (the PUBACKs of a stored
batch, pings, the subscription) leaves in one send per round. Every reading is still its
own PUBLISH and gets its own PUBACK, sent only after its batch is committed."""

from __future__ import annotations

import logging
import select
import ssl
import struct
import time
from typing import NamedTuple
from urllib.parse import urlparse

import paho.mqtt.client as mqtt

from services.telemetry.broker import INGEST_USER, ingest_password

log = logging.getLogger("yantra.telemetry.ingest")
READ_CHUNK = 65536
RECONNECT_WAIT_S = 2.0
PUBACK = struct.Struct("!BBH")  # packet type 4, remaining length 2, the message id
NOT_UTF8 = "(a topic that is not UTF-8)"  # names no device: acknowledged and dropped
TOPICS_KEPT = 100_000  # decoded topic names remembered (one per device)


class Message(NamedTuple):
    topic: str
    payload: bytes
    mid: int
    qos: int


class BufferedSocket:
    """The connection as paho sees it. The link reads the real socket and leaves paho only
    the packets it does not take itself (`for_paho`, always whole packets), so paho's reads
    never wait on the network; what paho writes is held in `outbox` until `flush`."""

    def __init__(self, sock) -> None:
        self.sock = sock
        self.rest = b""  # the start of a packet whose end has not arrived yet
        self.for_paho = bytearray()
        self.ended = False  # the broker closed the connection (or it broke)
        self.outbox = bytearray()

    def recv(self, size: int) -> bytes:
        if not self.for_paho:
            if self.ended:
                return b""  # paho reads this as the connection lost, and closes it
            raise BlockingIOError
        chunk = bytes(self.for_paho[:size])
        del self.for_paho[:size]
        return chunk

    def read_network(self) -> bytes | None:
        """Up to READ_CHUNK bytes from the broker; None when none are waiting."""
        try:
            data = self.sock.recv(READ_CHUNK)
        except (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return None
        except OSError as exc:
            log.warning("the broker connection broke while reading: %s", exc)
            data = b""
        if not data:
            self.ended = True
        return data

    def waiting(self) -> bool:
        """Bytes are ready to be read without waiting for the socket: TLS keeps decrypted
        bytes of its own that select() cannot see."""
        return isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0

    def send(self, data) -> int:
        self.outbox += data
        return len(data)

    def flush(self, timeout: float = 10.0) -> None:
        """Send what was written; raises OSError when the connection is gone or stuck."""
        deadline = time.monotonic() + timeout
        while self.outbox:
            try:
                sent = self.sock.send(self.outbox)
            except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                sent = 0
            del self.outbox[:sent]
            if self.outbox:
                if time.monotonic() > deadline:
                    raise TimeoutError("the broker stopped reading")
                select.select([], [self.sock], [], 0.1)

    def __getattr__(self, name: str):
        # fileno, close, setblocking and the rest are the socket's own.
        return getattr(self.sock, name)


class _Client(mqtt.Client):
    def _create_socket(self):  # paho's one place where the connection is made
        return BufferedSocket(super()._create_socket())


def split_packets(buf: bytes, publish, other) -> int:
    """Cut `buf` into MQTT packets: each QoS 0 or 1 PUBLISH goes to `publish(topic bytes,
    payload, mid, qos)`, every other whole packet to `other(bytes)`. Returns where the first
    incomplete packet starts (len(buf) when none is). A length field longer than MQTT
    allows hands the rest to `other`, where paho refuses it as a protocol error."""
    at, end = 0, len(buf)
    while at < end:
        header = buf[at]
        i, length, shift = at + 1, 0, 0
        while True:
            if i >= end:
                return at
            byte = buf[i]
            i += 1
            length |= (byte & 127) << shift
            if byte < 128:
                break
            shift += 7
            if shift > 21:
                other(buf[at:])
                return end
        stop = i + length
        if stop > end:
            return at
        qos = (header >> 1) & 3
        if header >> 4 == 3 and qos < 2 and length >= 2:
            topic_end = i + 2 + ((buf[i] << 8) | buf[i + 1])
            body = topic_end + 2 if qos else topic_end
            if topic_end > i + 2 and body <= stop:
                mid = (buf[topic_end] << 8) | buf[topic_end + 1] if qos else 0
                publish(buf[i + 2 : topic_end], buf[body:stop], mid, qos)
                at = stop
                continue
        other(buf[at:stop])  # a control packet, QoS 2, or a malformed PUBLISH: paho's
        at = stop
    return at


class Link:
    """A subscription to `topic` that hands over messages in batches and acknowledges them
    when told. It connects, and reconnects after a loss, by itself. Messages not yet
    acknowledged when a connection ends are dropped here: the broker sends them again on
    the next one, and the store keeps each reading once."""

    def __init__(self, client_id: str, topic: str, url: str) -> None:
        self.client_id, self.topic, self.url = client_id, topic, urlparse(url)
        self.connection = 0  # counts lost connections; a PUBACK goes back on its own one only
        self.received: list[Message] = []
        self.next_attempt = 0.0
        self._topics: dict[bytes, str] = {}
        client = _Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
        )
        client.username_pw_set(INGEST_USER, ingest_password())
        if self.url.scheme in ("mqtts", "ssl"):
            client.tls_set()
        client.max_queued_messages_set(0)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        self.client = client

    def _on_connect(self, c, userdata, flags, reason, properties) -> None:
        if reason.is_failure:
            log.error("broker refused the ingest: %s", reason)
            return
        c.subscribe(self.topic, qos=1)

    def _on_subscribe(self, c, userdata, mid, reasons, properties) -> None:
        if any(r.is_failure for r in reasons):
            log.error("broker refused the ingest's subscription to %s: %s", self.topic, reasons)
        else:
            log.info("ingest %s subscribed to %s", self.client_id, self.topic)

    def _publish(self, topic: bytes, payload: bytes, mid: int, qos: int) -> None:
        name = self._topics.get(topic)
        if name is None:
            try:
                name = topic.decode()
            except UnicodeDecodeError:
                name = NOT_UTF8
            if len(self._topics) >= TOPICS_KEPT:
                self._topics.clear()
            self._topics[topic] = name
        self.received.append(Message(name, payload, mid, qos))

    def _on_message(self, c, userdata, message) -> None:  # QoS 2, through paho's own path
        try:
            name = message.topic
        except UnicodeDecodeError:
            name = NOT_UTF8
        self.received.append(Message(name, message.payload, message.mid, message.qos))

    def gather(self, most: int, wait_s: float) -> list[Message]:
        """Up to `most` messages, waiting at most `wait_s` for the first ones."""
        deadline = time.monotonic() + wait_s
        while len(self.received) < most:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock = self.client.socket()
            if sock is None:
                self._reconnect(left)
                continue
            if not sock.waiting():
                select.select([sock], [], [], min(left, 1.0))
            self._read(sock)
        taken, self.received = self.received[:most], self.received[most:]
        return taken

    def _read(self, sock: BufferedSocket) -> None:
        client = self.client
        data = sock.read_network()
        if data:
            client._last_bytes_received = time.monotonic()  # paho's keepalive clock
            buf = sock.rest + data if sock.rest else data
            sock.rest = buf[split_packets(buf, self._publish, sock.for_paho.extend) :]
        while (sock.for_paho or sock.ended) and client.socket() is sock:
            if client.loop_read() != mqtt.MQTT_ERR_SUCCESS:
                break
        if client.socket() is not sock:
            self._lost()
            return
        client.loop_misc()
        if client.socket() is not sock:
            self._lost()
            return
        if client.want_write():
            # What a callback queued (the subscription after CONNACK) waits for this.
            client.loop_write()
        self._flush()

    def ack(self, messages: list[Message], connection: int) -> None:
        """Acknowledge stored messages if the connection they were gathered on (`connection`,
        as it was then) is still open; otherwise the broker sends them again."""
        sock = self.client.socket()
        if sock is None or connection != self.connection:
            return
        # A PUBACK is four bytes that paho keeps no state about (MQTT 3.1.1, manual
        # acknowledgement): the batch's are written together, each still its own packet.
        pack = PUBACK.pack
        sock.send(b"".join([pack(0x40, 2, m.mid) for m in messages if m.qos == 1]))
        for m in messages:
            if m.qos == 2:
                self.client.ack(m.mid, m.qos)
        self._flush()

    def _flush(self) -> None:
        sock = self.client.socket()
        if sock is None:
            return
        try:
            sock.flush()
        except OSError:
            log.warning("the broker connection broke while sending; reconnecting")
            self.client._sock_close()
            self._lost()

    def _lost(self) -> None:
        """The connection ended: nothing gathered on it is acknowledged any more."""
        self.connection += 1
        self.received.clear()

    def _reconnect(self, left: float) -> None:
        now = time.monotonic()
        if now < self.next_attempt:
            time.sleep(min(left, self.next_attempt - now))
            return
        self.next_attempt = now + RECONNECT_WAIT_S
        self._lost()
        try:
            self.client.connect(self.url.hostname or "127.0.0.1", self.url.port or 1883, 30)
            self._flush()
        except OSError as exc:
            log.warning("broker unreachable (%s); trying again", exc)

    def close(self) -> None:
        if self.client.socket() is not None:
            self.client.disconnect()
            self._flush()
