"""The ASTM listener: analyzers speaking ASTM E1394 over E1381 framing.

`python -m workers.astm [--port N]` listens on `ASTM_PORT` (default 2576). The frame that
completes a message (its L record) is acknowledged only after the message is committed;
a query (Q record) is answered, after the analyzer's EOT, with the specimen's orders.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from services.lab import astm, intake
from services.lab.host_query import answer_query
from services.lab.store import ChannelDirectory, GroupCommitter
from services.settings import get_settings

log = logging.getLogger("yantra.lab.astm")
REPLY_TIMEOUT = 15.0


class AstmServer:
    def __init__(self, max_message: int):
        self.max_message = max_message
        self.committer = GroupCommitter()
        self.directory = ChannelDirectory()

    async def start(self) -> None:
        await self.committer.start()
        await self.directory.load()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        receiver = astm.Receiver(max_message=self.max_message)
        queries = []
        try:
            while data := await reader.read(65536):
                for kind, value in receiver.events(data):
                    if kind == "message":
                        item, _ = await intake.receive_astm(value, self.committer, self.directory)
                        if item.message_type == "ASTM^Q" and item.channel_id:
                            queries.append(item)
                    elif kind == "reply":
                        writer.write(value)
                    elif kind == "eot" and queries:
                        await writer.drain()
                        for item in queries:
                            await self._answer(reader, writer, receiver, item)
                        queries = []
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except Exception as error:  # noqa: BLE001 - unstored messages stay unacknowledged
            log.error("ASTM connection closed: %s", type(error).__name__)
        finally:
            writer.close()

    async def _answer(self, reader, writer, receiver, item) -> None:
        """Sends the orders asked for, as the sender side of E1381."""
        text = await asyncio.to_thread(answer_query, item.channel_id, item.tenant_id, item.raw)
        writer.write(astm.ENQ)
        await writer.drain()
        if await self._reply(reader) != astm.ACK:
            return
        for frame in astm.build_frames(text):
            for _ in range(6):  # E1381: a frame refused six times ends the transfer
                writer.write(frame)
                await writer.drain()
                if await self._reply(reader) == astm.ACK:
                    break
            else:
                break
        writer.write(astm.EOT)

    async def _reply(self, reader) -> bytes:
        while True:
            byte = await asyncio.wait_for(reader.read(1), REPLY_TIMEOUT)
            if not byte:
                raise ConnectionError("analyzer closed the connection")
            if byte in (astm.ACK, astm.NAK, astm.EOT):
                return byte


async def main(host: str, port: int) -> None:
    server = AstmServer(get_settings().lab_max_message_bytes)
    await server.start()
    listener = await asyncio.start_server(server.serve, host, port)
    log.info("ASTM listener on %s:%d", host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with listener:
        await stop.wait()
    await server.committer.close()


def cli() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Yantra ASTM listener (E1394 over E1381)")
    parser.add_argument("--host", default=settings.lab_listen_host)
    parser.add_argument("--port", type=int, default=settings.astm_port)
    args = parser.parse_args()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(main(args.host, args.port))


if __name__ == "__main__":
    cli()
