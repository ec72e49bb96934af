"""The MLLP listener: analyzers' HL7 v2 messages in, acknowledgements out.

`python -m workers.mllp [--port N]` listens on `MLLP_PORT` (default 2575). Each frame is
stored raw and committed before its ACK is written; frames that arrive together (on one
connection or several) share a commit. Bad input gets an answer, never a closed socket;
only a database failure closes the connection, unanswered, so the sender sends again.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from services.lab import intake
from services.lab.mllp import FrameReader, Garbage, Oversized, frame
from services.lab.store import ChannelDirectory, GroupCommitter
from services.settings import get_settings

log = logging.getLogger("yantra.lab.mllp")


class MllpServer:
    """One listener: a group committer and a channel directory shared by all connections."""

    def __init__(self, max_frame: int):
        self.max_frame = max_frame
        self.committer = GroupCommitter()
        self.directory = ChannelDirectory()

    async def start(self) -> None:
        await self.committer.start()
        await self.directory.load()

    async def answer(self, event: bytes | Oversized) -> bytes:
        if isinstance(event, Oversized):
            return intake.refuse_oversized(event.head, event.limit)
        return await intake.receive_hl7(event, self.committer, self.directory)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        frames = FrameReader(self.max_frame)
        try:
            while data := await reader.read(65536):
                events = [e for e in frames.feed(data) if not isinstance(e, Garbage)]
                if not events:
                    continue
                # Frames of one read are stored together, answered in order.
                acks = await asyncio.gather(*(self.answer(e) for e in events))
                writer.write(b"".join(frame(ack) for ack in acks))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception as error:  # noqa: BLE001 - unstored messages stay unanswered
            log.error("connection from %s closed unanswered: %s", peer, type(error).__name__)
        finally:
            writer.close()


async def main(host: str, port: int) -> None:
    settings = get_settings()
    server = MllpServer(settings.lab_max_message_bytes)
    await server.start()
    listener = await asyncio.start_server(server.serve, host, port, limit=1 << 20)
    log.info("MLLP listener on %s:%d", host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with listener:
        await stop.wait()
    await server.committer.close()


def cli() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Yantra MLLP listener (HL7 v2)")
    parser.add_argument("--host", default=settings.lab_listen_host)
    parser.add_argument("--port", type=int, default=settings.mllp_port)
    args = parser.parse_args()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(main(args.host, args.port))


if __name__ == "__main__":
    cli()
