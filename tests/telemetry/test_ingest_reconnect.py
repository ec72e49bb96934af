"""The ingest keeps its own connection to the broker: when Mosquitto restarts, the ingest
connects again by itself and goes on storing, with nothing lost or stored twice."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, datetime, timedelta

from app.embedded import port_open
from services.actor import Role, TenantKind
from tests.factories import make_org
from tests.telemetry.brokers import MOSQUITTO, Broker, Device, Ingest, wait_until
from tests.telemetry.test_ingest import _provision, _quarantined, _reading, _stored


def _restart(broker: Broker) -> None:
    broker.process.terminate()
    broker.process.wait(10)
    conf = broker.directory / "mosquitto.conf"
    broker.process = subprocess.Popen([MOSQUITTO, "-c", str(conf), "-p", str(broker.port)])
    wait_until(lambda: port_open("127.0.0.1", broker.port), 20, "mosquitto again")


def test_the_ingest_reconnects_after_the_broker_restarts(client, auth):
    hospital = make_org(TenantKind.HOSPITAL_CHAIN, Role.BUYER_ADMIN)
    broker = Broker("mosquitto")
    ingest = Ingest(broker, f"yantra-ingest-reconnect-{uuid.uuid4().hex[:6]}")
    try:
        ingest.start()
        device_id, credential = _provision(client, auth, hospital, broker)
        start = datetime.now(UTC) - timedelta(minutes=30)

        def send(seqs: range) -> None:
            device = Device(broker, credential["username"], credential["password"], "gw-rc")
            for seq in seqs:
                info = device.send(
                    credential["topic"], _reading(seq, start + timedelta(seconds=seq))
                )
            info.wait_for_publish(10)
            device.close()

        send(range(0, 200))
        wait_until(lambda: _stored(device_id) == 200, 30, "the first 200 readings")
        _restart(broker)
        send(range(200, 400))

        wait_until(lambda: _stored(device_id) == 400, 30, "the readings sent after the restart")
        assert _quarantined(device_id) == []
        assert ingest.process.poll() is None
    finally:
        ingest.stop()
        broker.stop()
