"""An embedded MQTT broker (amqtt) for machines without Mosquitto: `make run` starts it
when MQTT_URL is not set. It admits only the platform's credentials (a device's, checked
against its stored hash, and the ingest's) and lets a device publish to its own topic only;
its queues are unbounded, so a slow ingest delays readings but never drops them. With a
certificate configured it also listens with TLS for devices (`services/telemetry/tls.py`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import dataclass

from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.mqtt.constants import QOS_1
from amqtt.mqtt.protocol.handler import OUTGOING, ProtocolHandler
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session

from services.settings import get_settings
from services.telemetry import broker as platform
from services.telemetry.tls import tls_files

log = logging.getLogger("yantra.mqtt")
# Who each connected client is, by client id: the topic check reads what the login found.
_logins: dict[str, platform.Login] = {}


class PlatformAuth(BaseAuthPlugin):
    """Refuses unknown users, revoked credentials and wrong passwords."""

    @dataclass
    class Config:
        pass

    async def authenticate(self, *, session: Session) -> bool:
        who = await asyncio.to_thread(platform.login, session.username, session.password)
        if who is None:
            log.info("refused MQTT login of %r", (session.username or "")[:80])
            _logins.pop(session.client_id, None)
            return False
        _logins[session.client_id] = who
        return True


class PlatformTopics(BaseTopicPlugin):
    """A device publishes to its own topic; only the ingest subscribes and receives."""

    @dataclass
    class Config:
        pass

    async def topic_filtering(
        self, *, session: Session | None = None, topic: str | None = None, action=None
    ) -> bool:
        who = _logins.get(session.client_id) if session else None
        if who is None or (session and who.username != session.username):
            return False
        if action == Action.PUBLISH:
            allowed = platform.may_publish(who, topic)
            if not allowed:
                log.info("refused %s publishing to %s", who.username, (topic or "")[:200])
            return allowed
        if action == Action.SUBSCRIBE:
            return platform.may_subscribe(who, topic)
        return who.may_subscribe


_original_qos1_flow = ProtocolHandler._handle_qos1_message_flow
PUBACK_WAIT_S = 60


async def _qos1_flow_keeping_unacknowledged(self, app_message) -> None:
    """amqtt forgets a QoS 1 message sent to a subscriber when the subscriber disconnects
    (or is slow to acknowledge) before its PUBACK, so a restarted ingest would never get it.
    Here it stays in the session's in-flight set until acknowledged and is sent again when
    the persistent session reconnects (the ingest stores a repeated reading once)."""
    if app_message.direction != OUTGOING or app_message.qos != QOS_1:
        return await _original_qos1_flow(self, app_message)
    self.session.inflight_out[app_message.packet_id] = app_message
    if app_message.publish_packet is not None:
        packet = app_message.build_publish_packet(dup=True)
    else:
        packet = app_message.build_publish_packet()
    await self._send_packet(packet)
    app_message.publish_packet = packet
    waiter: asyncio.Future = asyncio.Future()
    self._puback_waiters[app_message.packet_id] = waiter
    try:
        app_message.puback_packet = await asyncio.wait_for(waiter, timeout=PUBACK_WAIT_S)
    finally:
        self._puback_waiters.pop(app_message.packet_id, None)
    self.session.inflight_out.pop(app_message.packet_id, None)


ProtocolHandler._handle_qos1_message_flow = _qos1_flow_keeping_unacknowledged


def config(port: int) -> dict:
    """The plain listener on `port`; with a certificate (MQTT_TLS_CERT and MQTT_TLS_KEY) a
    TLS listener for devices on MQTT_TLS_PORT too."""
    listeners: dict[str, dict] = {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}}
    files = tls_files()
    if files is not None:
        settings = get_settings()
        listeners["tls"] = {
            "type": "tcp",
            "bind": f"{settings.mqtt_tls_bind}:{settings.mqtt_tls_port}",
            "ssl": True,
            "certfile": str(files[0]),
            "keyfile": str(files[1]),
        }
    return {
        "listeners": listeners,
        "plugins": {
            "app.mqtt_broker.PlatformAuth": {},
            "app.mqtt_broker.PlatformTopics": {},
        },
    }


async def serve(port: int) -> None:
    settings = config(port)
    broker = Broker(settings)
    await broker.start()
    for listener in settings["listeners"].values():
        log.info("MQTT broker on %s%s", listener["bind"], " (TLS)" if listener.get("ssl") else "")
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18830)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("transitions").setLevel(logging.WARNING)
    logging.getLogger("amqtt").setLevel(logging.WARNING)
    asyncio.run(serve(args.port))


if __name__ == "__main__":
    main()
