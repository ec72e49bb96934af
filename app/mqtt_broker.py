"""An embedded MQTT broker (amqtt) for machines without Mosquitto: `make run` starts it
when MQTT_URL is not set."""

from __future__ import annotations

import argparse
import asyncio
import logging

from amqtt.broker import Broker


async def serve(port: int) -> None:
    config = {
        "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }
    broker = Broker(config)
    await broker.start()
    logging.getLogger("yantra.mqtt").info("MQTT broker on 127.0.0.1:%s", port)
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
