"""Results: each `OBX` of an `ORU^R01` becomes a `lab_result` row, with what the channel's
test code says of it (LOINC, unit, reference range) when the message leaves it out."""

from __future__ import annotations

import re
import uuid

import hl7
from sqlalchemy import text
from sqlmodel import Session

from services.lab.hl7fields import field, first, timestamp
from services.lab.models import LabMessage, LabTestCode
from services.lab.orders import order_for_result
from services.lab.patients import upsert_patient

_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(-?\d+(?:\.\d+)?)\s*$")
_NUMBER = re.compile(r"^\s*[<>]?=?\s*(-?\d+(?:\.\d+)?)\s*$")

INSERT = text(
    """
    INSERT INTO lab_result (tenant_id, message_id, channel_id, device_id, patient_id, order_id,
        sequence, analyzer_code, loinc, name, value, value_numeric, units, reference_range,
        reference_low, reference_high, abnormal_flag, result_status, observed_at)
    VALUES (:tenant_id, :message_id, :channel_id, :device_id, :patient_id, :order_id,
        :sequence, :analyzer_code, :loinc, :name, :value, :value_numeric, :units,
        :reference_range, :reference_low, :reference_high, :abnormal_flag, :result_status,
        :observed_at)
    ON CONFLICT (message_id, sequence) DO UPDATE SET
        value = EXCLUDED.value, value_numeric = EXCLUDED.value_numeric, units = EXCLUDED.units,
        loinc = EXCLUDED.loinc, name = EXCLUDED.name, reference_range = EXCLUDED.reference_range,
        reference_low = EXCLUDED.reference_low, reference_high = EXCLUDED.reference_high,
        abnormal_flag = EXCLUDED.abnormal_flag, result_status = EXCLUDED.result_status,
        observed_at = EXCLUDED.observed_at, patient_id = EXCLUDED.patient_id,
        order_id = EXCLUDED.order_id
    """
)


def reference_limits(reference: str) -> tuple[float | None, float | None]:
    """Low and high of a range written `low-high`, `<high` or `>low`."""
    match = _RANGE.match(reference)
    if match:
        return float(match.group(1)), float(match.group(2))
    stripped = reference.strip()
    if stripped[:1] == "<" and _NUMBER.match(stripped):
        return None, float(_NUMBER.match(stripped).group(1))
    if stripped[:1] == ">" and _NUMBER.match(stripped):
        return float(_NUMBER.match(stripped).group(1)), None
    return None, None


def numeric(value: str) -> float | None:
    match = _NUMBER.match(value)
    return float(match.group(1)) if match else None


def apply_oru(
    db: Session,
    record: LabMessage,
    message: hl7.Message,
    codes: dict[str, LabTestCode],
    device_id: uuid.UUID | None,
) -> int:
    """Stores each `OBX` of the message as a result and returns how many; processing the
    same message again updates its rows, never adds to them. Raises ValueError when an
    `OBX` has no identifier."""
    patient_id = upsert_patient(db, record, message)
    rows = []
    obr = None
    order_id = None
    for sequence, segment in enumerate(message, start=1):
        name = str(segment[0])
        if name == "OBR":
            obr = segment
            order_id = order_for_result(db, record, message, obr, patient_id)
        if name != "OBX":
            continue
        rows.append(_row(record, message, segment, sequence, codes, obr, patient_id, order_id))
        rows[-1]["device_id"] = device_id
    if not rows:
        raise ValueError("the message has no OBX segment")
    db.execute(INSERT, rows)
    return len(rows)


def _row(record, message, obx, sequence, codes, obr, patient_id, order_id) -> dict:
    code = field(message, obx, 3, 1)
    if not code:
        raise ValueError(f"OBX-3 (observation identifier) is empty in segment {sequence}")
    known = codes.get(code)
    coding = field(message, obx, 3, 3).upper()
    loinc = code if coding in ("LN", "LOINC") else (known.loinc if known else "")
    value = field(message, obx, 5)
    reference = field(message, obx, 7)
    low, high = reference_limits(reference)
    if known and not reference:
        reference = known.reference_text
        low, high = known.reference_low, known.reference_high
    observed = timestamp(field(message, obx, 14)) or timestamp(field(message, obr, 7))
    return {
        "tenant_id": record.tenant_id,
        "message_id": record.id,
        "channel_id": record.channel_id,
        "patient_id": patient_id,
        "order_id": order_id,
        "sequence": sequence,
        "analyzer_code": code[:60],
        "loinc": loinc[:20],
        "name": (field(message, obx, 3, 2) or (known.name if known else ""))[:200],
        "value": value,
        "value_numeric": numeric(value),
        "units": (field(message, obx, 6) or (known.units if known else ""))[:40],
        "reference_range": reference[:80],
        "reference_low": low,
        "reference_high": high,
        "abnormal_flag": field(message, obx, 8)[:10],
        "result_status": (field(message, obx, 11) or "F")[:2],
        "observed_at": observed,
    }


__all__ = ["apply_oru", "first", "numeric", "reference_limits"]
