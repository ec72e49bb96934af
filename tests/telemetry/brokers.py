"""Real brokers, a real ingest process and a device's publisher, for telemetry tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import paho.mqtt.client as mqtt

from app.embedded import port_open
from services.telemetry.broker import mosquitto_dir, write_mosquitto_files
from tests.conftest import ROOT

MOSQUITTO = "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


def _start(args: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})})


class Broker:
    """A broker on a port of its own; `credentials_changed` makes it see new credentials."""

    def __init__(self, kind: str) -> None:
        # Mosquitto runs where the platform drives it (var/mosquitto), so issuing a
        # credential through the API rewrites its files and signals it, as in production.
        self.kind, self.port, self.directory = kind, free_port(), mosquitto_dir()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        if kind == "embedded":
            self.process = _start(
                [sys.executable, "-m", "app.mqtt_broker", "--port", str(self.port)]
            )
        else:
            conf = write_mosquitto_files(self.directory)
            self.process = _start([MOSQUITTO, "-c", str(conf), "-p", str(self.port)])
        wait_until(lambda: port_open("127.0.0.1", self.port), 20, f"{kind} broker")

    def credentials_changed(self) -> None:
        if self.kind == "mosquitto":
            time.sleep(0.3)  # it reads the files again between two network loops

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        if self.kind == "mosquitto":
            (self.directory / "mosquitto.conf").unlink()


class Ingest:
    """The ingest worker as `make run` starts it, pointed at one broker."""

    def __init__(self, broker: Broker, client_id: str) -> None:
        self.broker, self.client_id = broker, client_id
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start it and wait until the broker confirmed its subscription."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workers.telemetry", "--client-id", self.client_id],
            cwd=ROOT,
            env={**os.environ, "MQTT_URL": self.broker.url},
            stderr=subprocess.PIPE,
            text=True,
        )
        subscribed = threading.Event()

        def follow(stream) -> None:
            for line in stream:
                sys.stderr.write(line)
                if "subscribed to" in line:
                    subscribed.set()

        threading.Thread(target=follow, args=(self.process.stderr,), daemon=True).start()
        assert subscribed.wait(30), "the ingest never subscribed"

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class Device:
    """A device (or its gateway) publishing with its credential at QoS 1."""

    def __init__(self, broker: Broker, username: str, password: str, client_id: str) -> None:
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311
        )
        self.client.username_pw_set(username, password)
        self.client.max_inflight_messages_set(100)
        self.client.max_queued_messages_set(0)
        self.refused: str | None = None
        self.connected = False

        def on_connect(c, userdata, flags, reason, properties):
            self.connected = not reason.is_failure
            self.refused = None if self.connected else str(reason)

        self.client.on_connect = on_connect
        self.client.connect(broker.url.split(":")[1].strip("/"), broker.port)
        self.client.loop_start()
        wait_until(lambda: self.connected or self.refused is not None, 10, "CONNACK")

    def send(self, topic: str, payload: dict | bytes) -> mqtt.MQTTMessageInfo:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.client.publish(topic, body, qos=1)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
