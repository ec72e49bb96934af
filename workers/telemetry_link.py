"""The ingest's connection to the broker: paho-mqtt at QoS 1 with a persistent session and
manual acknowledgements, driven from the ingest's one thread.

paho reads each packet's header a byte per system call and sends every PUBACK on its own;
at thousands of readings a second those calls, and the hand-over between paho's network
thread and the thread that stores, were most of the ingest's time. Here paho reads from a
buffer filled 64 KiB at a time, and what it writes (the PUBACKs of a stored batch, pings,
the subscription) leaves in one send per round. Every reading is still its own PUBLISH and
gets its own PUBACK, sent only after its batch is committed."""

from __future__ import annotations

import logging
import select
import ssl
import struct
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import paho.mqtt.client as mqtt

from services.telemetry.broker import INGEST_USER, ingest_password

log = logging.getLogger("yantra.telemetry.ingest")
READ_CHUNK = 65536
RECONNECT_WAIT_S = 2.0
PUBACK = struct.Struct("!BBH")  # packet type 4, remaining length 2, the message id
TWO_BYTES = struct.Struct("!H")
NOT_UTF8 = "(a topic that is not UTF-8)"  # names no device: acknowledged and dropped


class BufferedSocket:
    """A socket as paho uses it, reading ahead and writing behind. `pending` tells paho that
    bytes wait in the buffer (as it asks of a TLS socket), so it reads them without waiting
    for the socket; `flush` sends what paho wrote."""

    def __init__(self, sock) -> None:
        self.sock = sock
        self.inbox = b""
        self.at = 0
        self.outbox = bytearray()

    def recv(self, size: int) -> bytes:
        if self.at >= len(self.inbox):
            self.inbox, self.at = self.sock.recv(READ_CHUNK), 0
            if not self.inbox:
                return b""
        chunk = self.inbox[self.at : self.at + size]
        self.at += len(chunk)
        return chunk

    def pending(self) -> int:
        # TLS keeps decrypted bytes of its own that select() cannot see.
        held = self.sock.pending() if isinstance(self.sock, ssl.SSLSocket) else 0
        return len(self.inbox) - self.at + held

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

    deliver = None  # the Link's: (topic, payload, mid, qos) of each QoS 0 or 1 PUBLISH

    def _handle_publish(self):
        # The ingest needs a PUBLISH's topic, message id and payload, nothing else: taken
        # straight from the packet they cost a fraction of paho's message object, its
        # callback locks and its match against a tree of per-topic callbacks. QoS 2 and an
        # empty (malformed) topic go the way paho handles them.
        command, packet = self._in_packet["command"], self._in_packet["packet"]
        qos = (command & 0x06) >> 1
        (length,) = TWO_BYTES.unpack_from(packet)
        if qos == 2 or length == 0 or self._protocol == mqtt.MQTTv5:
            return super()._handle_publish()
        at, mid = 2 + length, 0
        if qos:
            (mid,) = TWO_BYTES.unpack_from(packet, at)
            at += 2
        self.deliver(bytes(packet[2 : 2 + length]), bytes(packet[at:]), mid, qos)
        return mqtt.MQTT_ERR_SUCCESS


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    mid: int
    qos: int
    connection: int  # which connection delivered it; a PUBACK goes back on that one only


class Link:
    """A subscription to `topic` that hands over messages in batches and acknowledges them
    when told. It connects, and reconnects after a loss, by itself."""

    def __init__(self, client_id: str, topic: str, url: str) -> None:
        self.client_id, self.topic, self.url = client_id, topic, urlparse(url)
        self.connection = 0
        self.received: list[Message] = []
        self.next_attempt = 0.0
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
        client.deliver = self._deliver
        self.client = client

    def _on_connect(self, c, userdata, flags, reason, properties) -> None:
        if reason.is_failure:
            log.error("broker refused the ingest: %s", reason)
            return
        self.connection += 1
        c.subscribe(self.topic, qos=1)

    def _on_subscribe(self, c, userdata, mid, reasons, properties) -> None:
        if any(r.is_failure for r in reasons):
            log.error("broker refused the ingest's subscription to %s: %s", self.topic, reasons)
        else:
            log.info("ingest %s subscribed to %s", self.client_id, self.topic)

    def _deliver(self, topic: bytes, payload: bytes, mid: int, qos: int) -> None:
        try:
            name = topic.decode()
        except UnicodeDecodeError:
            name = NOT_UTF8
        self.received.append(Message(name, payload, mid, qos, self.connection))

    def _on_message(self, c, userdata, message) -> None:  # QoS 2, through paho's own path
        try:
            name = message.topic
        except UnicodeDecodeError:
            name = NOT_UTF8
        self.received.append(
            Message(name, message.payload, message.mid, message.qos, self.connection)
        )

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
            if not sock.pending():
                select.select([sock], [], [], min(left, 1.0))
            self._read(most)
        taken, self.received = self.received[:most], self.received[most:]
        return taken

    def _read(self, most: int) -> None:
        client = self.client
        rc = client.loop_read()
        sock = client.socket()
        while rc == mqtt.MQTT_ERR_SUCCESS and sock is not None and sock.pending():
            if len(self.received) >= most:
                break
            rc = client.loop_read()
        if rc == mqtt.MQTT_ERR_SUCCESS:
            client.loop_misc()
        if client.want_write():
            # What a callback queued (the subscription after CONNACK) waits for this.
            client.loop_write()
        self._flush()

    def ack(self, messages: list[Message]) -> None:
        """Acknowledge stored messages that came on the connection still open (the broker
        sends the others again, and the store keeps each reading once)."""
        sock = self.client.socket()
        if sock is None:
            return
        mine = [m for m in messages if m.qos and m.connection == self.connection]
        # A PUBACK is four bytes that paho keeps no state about (MQTT 3.1.1, manual
        # acknowledgement): the batch's are written together, each still its own packet.
        sock.send(b"".join(PUBACK.pack(0x40, 2, m.mid) for m in mine if m.qos == 1))
        for m in mine:
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
            self.connection += 1  # nothing gathered so far is acknowledged on the next one
            sock.close()

    def _reconnect(self, left: float) -> None:
        now = time.monotonic()
        if now < self.next_attempt:
            time.sleep(min(left, self.next_attempt - now))
            return
        self.next_attempt = now + RECONNECT_WAIT_S
        self.received.clear()  # the broker sends them again on the new connection
        try:
            self.client.connect(self.url.hostname or "127.0.0.1", self.url.port or 1883, 30)
            self._flush()
        except OSError as exc:
            log.warning("broker unreachable (%s); trying again", exc)

    def close(self) -> None:
        if self.client.socket() is not None:
            self.client.disconnect()
            self._flush()
