"""From a frame's bytes to a stored message and its acknowledgement: the hot path.

Only the `MSH` segment is read (and each segment's name checked); the message is stored
raw and committed, and only then is the answer built. Full parsing happens later, in the
processor, off this path.
"""

from __future__ import annotations

import logging

from services.lab import astm, hl7msg
from services.lab.store import ChannelDirectory, GroupCommitter, Incoming

log = logging.getLogger("yantra.lab.intake")


def decode(data: bytes) -> str:
    """The frame as text: UTF-8 when it is, else Latin-1 (every byte kept)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


async def receive_hl7(data: bytes, committer: GroupCommitter, directory: ChannelDirectory) -> bytes:
    """Stores one HL7 message and returns its ACK (without MLLP framing).

    `AA` for a stored message of a known sender (and for a duplicate of one), `AR` for an
    unknown sender, an unsupported type or version or a missing `MSH-10`, `AE` for lines
    that are not segments. Every message is stored, whatever its answer; the answer is
    returned only after the commit (a failed commit raises, and nothing is answered)."""
    text = decode(data)
    try:
        header = hl7msg.read_header(text)
    except hl7msg.Rejected as rejected:
        await committer.store(
            Incoming(raw=text, state="error", error=rejected.reason, ack_code=rejected.code)
        )
        return hl7msg.build_ack(None, rejected.code, rejected.reason, rejected.hl7_error)
    item = Incoming(
        raw=text,
        sending_application=header.sending_application,
        sending_facility=header.sending_facility,
        control_id=header.control_id or None,
        message_type=header.message_type,
        version=header.version,
    )
    rejected = None
    try:
        hl7msg.check(text, header)
        found = await directory.find("hl7", header.sending_application, header.sending_facility)
        if found is None:
            rejected = hl7msg.Rejected(
                "AR",
                "204",
                f"unknown sender: application {header.sending_application!r}, facility "
                f"{header.sending_facility!r}; no channel is set up for it",
                "MSH^1^3",
            )
        else:
            item.channel_id, item.tenant_id = found
    except hl7msg.Rejected as error:
        rejected = error
    if rejected is not None:
        item.state, item.error, item.ack_code = "error", rejected.reason, rejected.code
    stored = await committer.store(item)
    if not stored.inserted:
        if stored.ack_code == "AA":
            return hl7msg.build_ack(header, "AA")
        return hl7msg.build_ack(header, stored.ack_code, stored.error, "207")
    if rejected is not None:
        return hl7msg.build_ack(
            header, rejected.code, rejected.reason, rejected.hl7_error, rejected.location
        )
    return hl7msg.build_ack(header, "AA")


def refuse_oversized(head: bytes, limit: int) -> bytes:
    """The `AR` for a frame over `limit` bytes (answering its `MSH-10` when readable)."""
    try:
        header = hl7msg.read_header(decode(head))
    except hl7msg.Rejected:
        header = None
    return hl7msg.build_ack(
        header, "AR", f"message larger than {limit} bytes refused; split it", "207"
    )


async def receive_astm(
    data: bytes, committer: GroupCommitter, directory: ChannelDirectory
) -> tuple[Incoming, bool]:
    """Stores one ASTM message (a whole transmission, H to L) and returns it with whether
    it was new. A message that is not ASTM, or comes from a sender no channel knows, is
    stored in state `error` with the reason; the caller acknowledges the frame after this
    returns (a failed commit raises, and the frame is not acknowledged)."""
    text = decode(data)
    item = Incoming(raw=text, protocol="astm", message_type="ASTM", version="E1394")
    try:
        header = astm.read_header(text)
    except ValueError as error:
        item.state, item.error, item.ack_code = "error", str(error), "AR"
    else:
        item.sending_application, item.control_id = header.sender[:180], header.control_id
        found = await directory.find("astm", header.sender, "")
        if found is None:
            item.state, item.ack_code = "error", "AR"
            item.error = f"unknown sender: {header.sender!r}; no channel is set up for it"
        else:
            item.channel_id, item.tenant_id = found
            if header.has_query:
                item.message_type = "ASTM^Q"
    stored = await committer.store(item)
    return item, stored.inserted
