"""Analyzer channels: who may send (the sender in `MSH-3`/`MSH-4` or the ASTM header), for
which laboratory and device, and what each analyzer code means.

Creating a channel takes over the messages its sender sent while no channel knew it: they
join the lab's error queue, ready to be reprocessed.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.actor import Actor
from services.common.roles import LAB_ADMINS
from services.db import system_session, tenant_session
from services.devices.models import Equipment
from services.errors import Conflict, Invalid, NotFound
from services.geo.models import Laboratory
from services.lab.messages import MAX_REPROCESS, reprocess
from services.lab.models import ORDER_MODES, PROTOCOLS, LabChannel, LabTestCode


class AnalyzerCodeIn(BaseModel):
    analyzerCode: str = Field(..., min_length=1, max_length=60)
    loinc: str = Field("", max_length=20)
    name: str = Field("", max_length=200)
    units: str = Field("", max_length=40)
    referenceLow: float | None = None
    referenceHigh: float | None = None
    referenceText: str = Field("", max_length=80)
    criticalLow: float | None = None
    criticalHigh: float | None = None
    remove: bool = False


class ChannelIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=120)
    sendingApplication: str = Field(..., min_length=1, max_length=180)
    sendingFacility: str = Field("", max_length=180)
    protocol: str = Field("hl7", description="hl7 or astm")
    laboratoryId: uuid.UUID | None = None
    deviceId: uuid.UUID | None = None
    orderMode: str = Field("query", description="query, push or none")
    pushHost: str = Field("", max_length=200)
    pushPort: int | None = Field(None, ge=1, le=65535)
    silentAfterMinutes: int = Field(30, ge=1, le=7 * 24 * 60)
    testCodes: list[AnalyzerCodeIn] = Field(default_factory=list, max_length=500)


class ChannelPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=120)
    deviceId: uuid.UUID | None = None
    orderMode: str | None = None
    pushHost: str | None = Field(None, max_length=200)
    pushPort: int | None = Field(None, ge=1, le=65535)
    silentAfterMinutes: int | None = Field(None, ge=1, le=7 * 24 * 60)
    isActive: bool | None = None
    testCodes: list[AnalyzerCodeIn] = Field(default_factory=list, max_length=500)


def set_up_channel(actor: Actor, cmd: ChannelIn) -> dict[str, Any]:
    """Creates the channel for the actor's laboratory and takes over the messages its
    sender sent while unknown (returned as `claimedMessages`). Raises Conflict when a
    channel for that sender exists, Invalid (naming the field) for a bad laboratory,
    device, protocol or order mode, Forbidden outside LAB_ADMINS."""
    actor.require(*LAB_ADMINS)
    with tenant_session(actor) as db:
        channel = create_channel(db, actor, cmd)
        shown = channel_json(db, channel)
    claimed = claim_unknown_messages(channel)
    return shown | {"claimedMessages": claimed}


def adopt_sender(actor: Actor, cmd: ChannelIn) -> dict[str, Any]:
    """Sets up the channel for a sender that wrote while unknown and sends the messages it
    left waiting for processing again, in one step: they become results. Returns the
    channel with `claimedMessages` and `queued`. Raises as `set_up_channel`."""
    shown = set_up_channel(actor, cmd)
    with tenant_session(actor) as db:
        waiting = list(
            db.execute(
                text(
                    "SELECT id FROM lab_message WHERE channel_id = :channel "
                    "AND state = 'error' ORDER BY received_at LIMIT :most"
                ),
                {"channel": shown["id"], "most": MAX_REPROCESS},
            ).scalars()
        )
        queued = reprocess(db, actor, waiting)["queued"] if waiting else 0
    return shown | {"queued": queued}


def analyzer_choices(db: Session) -> list[dict[str, str]]:
    """The organisation's devices in service, as an analyzer may be picked for a channel:
    model name and serial, by name."""
    rows = db.execute(
        text(
            "SELECT e.id, e.serial_number, s.name FROM equipment e JOIN sku s ON s.id = e.sku_id "
            "WHERE e.tenant_id = :tenant AND e.decommissioned_at IS NULL "
            "ORDER BY s.name, e.serial_number LIMIT 500"
        ),
        {"tenant": db.info["tenant_id"]},
    ).all()
    return [{"id": str(r.id), "label": f"{r.name} · {r.serial_number}"} for r in rows]


def create_channel(db: Session, actor: Actor, cmd: ChannelIn) -> LabChannel:
    """The new channel, flushed (see `set_up_channel` for the errors)."""
    _check_modes(cmd.protocol, cmd.orderMode, cmd.pushHost, cmd.pushPort)
    application, facility = cmd.sendingApplication.strip(), cmd.sendingFacility.strip()
    if not application:
        raise Invalid("sendingApplication", "must not be blank")
    if not cmd.name.strip():
        raise Invalid("name", "must not be blank")
    channel = LabChannel(
        tenant_id=actor.tenant_id,
        laboratory_id=_laboratory(db, cmd.laboratoryId),
        device_id=_device(db, cmd.deviceId),
        name=cmd.name.strip(),
        sending_application=application,
        sending_facility=facility,
        protocol=cmd.protocol,
        order_mode=cmd.orderMode,
        push_host=cmd.pushHost.strip(),
        push_port=cmd.pushPort,
        silent_after_minutes=cmd.silentAfterMinutes,
        created_by=actor.user_id,
    )
    nested = db.begin_nested()
    try:
        db.add(channel)
        db.flush()
        nested.commit()
    except IntegrityError as error:
        nested.rollback()
        raise Conflict(
            f"a channel for sender {application!r} (facility {facility!r}) already exists"
        ) from error
    _apply_codes(db, channel, cmd.testCodes)
    return channel


def claim_unknown_messages(channel: LabChannel) -> int:
    """Gives the channel's lab the messages its sender sent before the channel existed
    (they stay in `error` until reprocessed). Returns how many."""
    with system_session() as db:
        return db.execute(
            text(
                """
                UPDATE lab_message SET tenant_id = :tenant, channel_id = :channel
                WHERE tenant_id IS NULL AND protocol = :protocol
                  AND sending_application = :application
                  AND (sending_facility = :facility OR :facility = '')
                """
            ),
            {
                "tenant": channel.tenant_id,
                "channel": channel.id,
                "protocol": channel.protocol,
                "application": channel.sending_application,
                "facility": channel.sending_facility,
            },
        ).rowcount


def unknown_senders(actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """Senders no channel knows, with how many messages wait, when they wrote and the
    newest message's control id and type as a sample (only the header: who sent, what
    type, when; never the content, which may name another lab's patients). LAB_ADMINS
    only."""
    actor.require(*LAB_ADMINS)
    with system_session() as db:
        rows = db.execute(
            text(
                """
                SELECT protocol, sending_application, sending_facility, count(*) AS waiting,
                       min(received_at) AS first_at, max(received_at) AS last_at,
                       array_agg(DISTINCT message_type) AS types,
                       (array_agg(control_id ORDER BY received_at DESC))[1] AS sample_control,
                       (array_agg(message_type ORDER BY received_at DESC))[1] AS sample_type
                FROM lab_message WHERE tenant_id IS NULL AND sending_application <> ''
                GROUP BY 1, 2, 3 ORDER BY max(received_at) DESC LIMIT :limit
                """
            ),
            {"limit": limit},
        ).mappings()
        return [
            {
                "protocol": r["protocol"],
                "sendingApplication": r["sending_application"],
                "sendingFacility": r["sending_facility"],
                "waiting": r["waiting"],
                "firstAt": r["first_at"].isoformat(),
                "lastAt": r["last_at"].isoformat(),
                "messageTypes": sorted(t for t in r["types"] if t),
                "sample": {"controlId": r["sample_control"], "messageType": r["sample_type"]},
            }
            for r in rows
        ]


def list_channels(db: Session) -> list[dict[str, Any]]:
    """The lab's channels, by name, with their test codes."""
    channels = db.exec(select(LabChannel).order_by(LabChannel.name)).all()
    return [channel_json(db, c) for c in channels]


def get_channel(db: Session, channel_id: uuid.UUID) -> LabChannel:
    """The channel; NotFound when it is not the lab's."""
    channel = db.get(LabChannel, channel_id)
    if channel is None:
        raise NotFound("no such channel in your laboratory")
    return channel


def update_channel(
    db: Session, actor: Actor, channel_id: uuid.UUID, patch: ChannelPatch
) -> LabChannel:
    """Changes the given settings and adds, changes (by analyzer code) or removes
    (`remove: true`) test codes. Raises NotFound, Invalid, Forbidden."""
    actor.require(*LAB_ADMINS)
    channel = get_channel(db, channel_id)
    values = patch.model_dump(exclude_unset=True)
    if "name" in values and patch.name:
        channel.name = patch.name.strip()
    if "deviceId" in values:
        channel.device_id = _device(db, patch.deviceId)
    for key, column in (
        ("orderMode", "order_mode"),
        ("pushHost", "push_host"),
        ("pushPort", "push_port"),
        ("silentAfterMinutes", "silent_after_minutes"),
        ("isActive", "is_active"),
    ):
        if key in values and (values[key] is not None or key == "pushPort"):
            setattr(channel, column, values[key])
    _check_modes(channel.protocol, channel.order_mode, channel.push_host, channel.push_port)
    db.add(channel)
    _apply_codes(db, channel, patch.testCodes)
    db.flush()
    return channel


def _check_modes(protocol: str, order_mode: str, push_host: str, push_port: int | None) -> None:
    if protocol not in PROTOCOLS:
        raise Invalid("protocol", f"must be one of {', '.join(PROTOCOLS)}")
    if order_mode not in ORDER_MODES:
        raise Invalid("orderMode", f"must be one of {', '.join(ORDER_MODES)}")
    if order_mode == "push" and (not push_host or not push_port):
        raise Invalid("pushHost", "a push channel needs pushHost and pushPort")


def _laboratory(db: Session, laboratory_id: uuid.UUID | None) -> uuid.UUID:
    query = select(Laboratory.id).where(Laboratory.tenant_id == db.info["tenant_id"])
    if laboratory_id is not None:
        found = db.exec(query.where(Laboratory.id == laboratory_id)).first()
        if found is None:
            raise Invalid("laboratoryId", "is not a laboratory of your organisation")
        return found
    found = db.exec(query.order_by(Laboratory.created_at)).first()
    if found is None:
        raise Invalid("laboratoryId", "your organisation has no laboratory registered yet")
    return found


def _device(db: Session, device_id: uuid.UUID | None) -> uuid.UUID | None:
    if device_id is None:
        return None
    device = db.get(Equipment, device_id)
    if device is None or str(device.tenant_id) != str(db.info["tenant_id"]):
        raise Invalid("deviceId", "is not a device registered to your organisation")
    return device.id


def _apply_codes(db: Session, channel: LabChannel, codes: list[AnalyzerCodeIn]) -> None:
    existing = {
        c.analyzer_code: c
        for c in db.exec(select(LabTestCode).where(LabTestCode.channel_id == channel.id)).all()
    }
    for index, code in enumerate(codes):
        key = code.analyzerCode.strip()
        _check_limits(code, index)
        found = existing.get(key)
        if code.remove:
            if found is not None:
                db.delete(found)
            continue
        row = found or LabTestCode(
            tenant_id=channel.tenant_id, channel_id=channel.id, analyzer_code=key
        )
        row.loinc, row.name, row.units = code.loinc.strip(), code.name.strip(), code.units.strip()
        row.reference_low, row.reference_high = code.referenceLow, code.referenceHigh
        row.reference_text = code.referenceText.strip() or _range_text(code)
        row.critical_low, row.critical_high = code.criticalLow, code.criticalHigh
        db.add(row)
    db.flush()


def _check_limits(code: AnalyzerCodeIn, index: int) -> None:
    for low, high, name in (
        (code.referenceLow, code.referenceHigh, "referenceLow"),
        (code.criticalLow, code.criticalHigh, "criticalLow"),
    ):
        if low is not None and high is not None and low > high:
            raise Invalid(f"testCodes[{index}].{name}", "must not be above the high limit")


def _range_text(code: AnalyzerCodeIn) -> str:
    if code.referenceLow is not None and code.referenceHigh is not None:
        return f"{code.referenceLow:g}-{code.referenceHigh:g}"
    return ""


def channel_json(db: Session, channel: LabChannel) -> dict[str, Any]:
    codes = db.exec(
        select(LabTestCode)
        .where(LabTestCode.channel_id == channel.id)
        .order_by(LabTestCode.analyzer_code)
    ).all()
    return {
        "id": str(channel.id),
        "name": channel.name,
        "sendingApplication": channel.sending_application,
        "sendingFacility": channel.sending_facility,
        "protocol": channel.protocol,
        "laboratoryId": str(channel.laboratory_id) if channel.laboratory_id else None,
        "deviceId": str(channel.device_id) if channel.device_id else None,
        "orderMode": channel.order_mode,
        "pushHost": channel.push_host,
        "pushPort": channel.push_port,
        "silentAfterMinutes": channel.silent_after_minutes,
        "isActive": channel.is_active,
        "createdAt": channel.created_at.isoformat() if channel.created_at else None,
        "testCodes": [
            {
                "analyzerCode": c.analyzer_code,
                "loinc": c.loinc,
                "name": c.name,
                "units": c.units,
                "referenceLow": c.reference_low,
                "referenceHigh": c.reference_high,
                "referenceText": c.reference_text,
                "criticalLow": c.critical_low,
                "criticalHigh": c.critical_high,
            }
            for c in codes
        ],
    }
