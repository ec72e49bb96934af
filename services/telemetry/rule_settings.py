"""An OEM's alarm rules: its service manager replaces a rule's numbers for one device type
of its own, or for one device, and goes back to the defaults of `rules.py`.

The rules in force for a device are, per rule: the device's own numbers, else its
manufacturer's numbers for the type, else the defaults. The ingest reads them through a
`RuleBook`, which keeps them in memory and reads the (small) table again every 30 s, so a
change reaches alarm evaluation within that without a database read per reading."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.actor import Actor, TenantKind
from services.audit import service as audit
from services.columns import utcnow
from services.common.roles import ALARM_RULE_EDITORS
from services.db import system_session
from services.errors import Forbidden, Invalid, NotFound
from services.telemetry.models import TelemetryRule
from services.telemetry.rule_limits import Limits, check_limits, limits_of, with_limits
from services.telemetry.rules import Rule, rules_of
from services.telemetry.schema import schema_document

REREAD_SECONDS = 30.0


@dataclass(frozen=True)
class RuleChange:
    """One rule's new numbers, for a device type or (with `device_id`) one device."""

    device_type: str
    rule: str
    limits: Limits
    device_id: uuid.UUID | None = None


def device_types() -> list[str]:
    """The device types that have a metric schema, and so alarm rules."""
    return [t for t in schema_document() if t != "other"]


def _rule(device_type: str, name: str) -> Rule:
    if device_type not in device_types():
        raise Invalid("deviceType", f"must be one of {', '.join(device_types())}")
    found = {r.name: r for r in rules_of(device_type)}
    if name not in found:
        raise Invalid("rule", f"is not a rule of {device_type}: {', '.join(found)}")
    return found[name]


def _own_device(db: Session, actor: Actor, device_id: uuid.UUID) -> str:
    """The type of a device the actor's organisation made. Raises NotFound or Forbidden."""
    row = db.execute(
        text(
            "SELECT e.manufacturer_tenant_id, s.category FROM equipment e "
            "JOIN sku s ON s.id = e.sku_id WHERE e.id = :d"
        ),
        {"d": device_id},
    ).first()
    if row is None:
        raise NotFound("No device with that id that you can see")
    if row.manufacturer_tenant_id != actor.tenant_id:
        raise Forbidden("Only the device's manufacturer sets its alarm rules")
    return row.category


def _editor(actor: Actor) -> None:
    actor.require(*ALARM_RULE_EDITORS)
    if actor.tenant_kind != TenantKind.OEM:
        raise Forbidden("Alarm rules are set by the devices' manufacturer")


def _stored(db: Session, actor: Actor, device_type: str, name: str, device_id) -> Any:
    query = select(TelemetryRule).where(
        TelemetryRule.tenant_id == actor.tenant_id,
        TelemetryRule.rule == name,
        TelemetryRule.device_type == device_type,
    )
    if device_id is None:
        query = query.where(TelemetryRule.device_id.is_(None))  # type: ignore[union-attr]
    else:
        query = query.where(TelemetryRule.device_id == device_id)
    return db.exec(query).first()


def set_rule(db: Session, actor: Actor, change: RuleChange) -> dict[str, Any]:
    """Replace a rule's numbers for the actor's devices of a type, or for one of its devices;
    audited. Returns the rule as `rules_view` shows it. Raises Forbidden (not the OEM's
    service manager, or not its device), NotFound (device) or Invalid (type, rule, numbers)."""
    _editor(actor)
    device_type = change.device_type
    if change.device_id is not None:
        device_type = _own_device(db, actor, change.device_id)
        if change.device_type and change.device_type != device_type:
            raise Invalid("deviceType", f"the device is a {device_type}")
    rule = _rule(device_type, change.rule)
    limits = check_limits(rule, device_type, change.limits)
    row = _stored(db, actor, device_type, rule.name, change.device_id) or TelemetryRule(
        tenant_id=actor.tenant_id,
        device_type=device_type,
        device_id=change.device_id,
        rule=rule.name,
        limit_value=0,
        clear_value=0,
        min_duration_s=0,
        priority=rule.priority,
    )
    row.limit_value, row.clear_value = limits.limit, limits.clear
    row.min_duration_s, row.priority = limits.min_duration_s, limits.priority
    row.updated_by, row.updated_at = actor.user_id, utcnow()
    db.add(row)
    db.flush()
    where = f"device {change.device_id}" if change.device_id else device_type
    audit.record(
        db, actor, "telemetry.rule_set", "telemetry_rule", row.id, f"{rule.name} for {where}"
    )
    return _view(rule, device_type, limits, "device" if change.device_id else "type")


def reset_rule(
    db: Session, actor: Actor, device_type: str, name: str, device_id: uuid.UUID | None = None
) -> bool:
    """Go back to the defaults (or, for a device, to the type's numbers); whether the actor
    had numbers of its own. Raises as `set_rule`."""
    _editor(actor)
    if device_id is not None:
        device_type = _own_device(db, actor, device_id)
    rule = _rule(device_type, name)
    row = _stored(db, actor, device_type, rule.name, device_id)
    if row is None:
        return False
    db.delete(row)
    audit.record(db, actor, "telemetry.rule_reset", "telemetry_rule", row.id, rule.name)
    db.flush()
    return True


def rules_view(
    db: Session, oem_tenant_id: uuid.UUID, device_type: str, device_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """Every rule of the type as it watches the OEM's devices (or one device), with the
    defaults beside and where its numbers come from: 'device', 'type' or 'default'.
    Row-level security decides which of the OEM's numbers the session sees."""
    _rule(device_type, "silent")  # the type must be known
    overrides = _overrides(db, oem_tenant_id, device_type, device_id)
    out = []
    for rule in rules_of(device_type):
        source, limits = _in_force(overrides, rule, device_id)
        out.append(_view(rule, device_type, limits, source))
    return out


def effective_rules(
    db: Session, oem_tenant_id: uuid.UUID, device_type: str | None, device_id: uuid.UUID
) -> tuple[Rule, ...]:
    """The rules watching one device, with its manufacturer's numbers in place."""
    overrides = _overrides(db, oem_tenant_id, device_type or "", device_id)
    return tuple(
        with_limits(rule, device_type, _in_force(overrides, rule, device_id)[1])
        for rule in rules_of(device_type)
    )


def _overrides(db: Session, oem_tenant_id, device_type: str, device_id) -> dict:
    rows = db.execute(
        text(
            "SELECT rule, device_id, limit_value, clear_value, min_duration_s, priority "
            "FROM telemetry_rule WHERE tenant_id = :t AND device_type = :k "
            "AND (device_id IS NULL OR device_id = :d)"
        ),
        {"t": oem_tenant_id, "k": device_type, "d": device_id},
    ).all()
    return {(r.rule, r.device_id): _limits(r) for r in rows}


def _limits(row: Any) -> Limits:
    return Limits(row.limit_value, row.clear_value, row.min_duration_s, row.priority)


def _in_force(overrides: dict, rule: Rule, device_id) -> tuple[str, Limits]:
    if device_id is not None and (rule.name, device_id) in overrides:
        return "device", overrides[(rule.name, device_id)]
    if (rule.name, None) in overrides:
        return "type", overrides[(rule.name, None)]
    return "default", limits_of(rule)


def _view(rule: Rule, device_type: str, limits: Limits, source: str) -> dict[str, Any]:
    shown = with_limits(rule, device_type, limits)
    default = limits_of(rule)
    return {
        "rule": rule.name,
        "metric": rule.metric or None,
        "kind": rule.kind,
        "limit": shown.limit,
        "clear": shown.clear,
        "minDurationS": limits.min_duration_s,
        "priority": shown.priority,
        "says": shown.says,
        "source": source,
        "default": {
            "limit": default.limit,
            "clear": default.clear,
            "minDurationS": default.min_duration_s,
            "priority": default.priority,
            "says": rule.says,
        },
    }


class RuleBook:
    """The rules in force for each device, for the ingest: every OEM's numbers held in
    memory and read again after `reread_seconds`."""

    def __init__(self, reread_seconds: float = REREAD_SECONDS) -> None:
        self.reread_seconds = reread_seconds
        self._read_at = float("-inf")
        self._by_type: dict[tuple[uuid.UUID, str, str], Limits] = {}
        self._by_device: dict[tuple[uuid.UUID, str], Limits] = {}
        self._cache: dict[uuid.UUID, tuple[Rule, ...]] = {}

    def rules_for(self, device: Any) -> tuple[Rule, ...]:
        """The rules watching `device` (an ingest `Device`: id, oem_tenant_id, device_type)."""
        if time.monotonic() - self._read_at > self.reread_seconds:
            self._read()
        rules = self._cache.get(device.id)
        if rules is None:
            rules = self._cache[device.id] = tuple(
                with_limits(rule, device.device_type, self._limits(device, rule))
                for rule in rules_of(device.device_type)
            )
        return rules

    def _limits(self, device: Any, rule: Rule) -> Limits:
        own = self._by_device.get((device.id, rule.name))
        if own is not None:
            return own
        typed = self._by_type.get((device.oem_tenant_id, device.device_type or "", rule.name))
        return typed if typed is not None else limits_of(rule)

    def _read(self) -> None:
        with system_session() as db:
            rows = db.execute(
                text(
                    "SELECT tenant_id, device_type, device_id, rule, limit_value, clear_value,"
                    " min_duration_s, priority FROM telemetry_rule"
                )
            ).all()
        self._by_type = {
            (r.tenant_id, r.device_type, r.rule): _limits(r) for r in rows if r.device_id is None
        }
        self._by_device = {(r.device_id, r.rule): _limits(r) for r in rows if r.device_id}
        self._cache = {}
        self._read_at = time.monotonic()
