"""ASTM E1394 results: each R record becomes a `lab_result` row, under the patient (P)
and specimen (O) records before it."""

from __future__ import annotations

from sqlmodel import Session

from services.lab.astm import get, records
from services.lab.hl7fields import timestamp
from services.lab.models import LabChannel, LabMessage, LabTestCode
from services.lab.orders import order_for_specimen_result
from services.lab.patients import save_patient
from services.lab.results import INSERT, numeric, reference_limits


def apply_astm(
    db: Session, record: LabMessage, channel: LabChannel, codes: dict[str, LabTestCode]
) -> int:
    """Stores the R records of an ASTM message as results and returns how many (a message
    with only a query or comments stores none). Raises ValueError when it is not ASTM."""
    d, parsed = records(record.raw)
    patient_id = specimen = None
    rows = []
    for sequence, fields in enumerate(parsed, start=1):
        kind = fields[0][:1]
        if kind == "P":
            patient_id = save_patient(
                db,
                record,
                identifier=get(d, fields, 3) or get(d, fields, 4) or get(d, fields, 5),
                family=get(d, fields, 6, 1),
                given=get(d, fields, 6, 2),
                birth=get(d, fields, 8),
                sex=get(d, fields, 9),
            )
        elif kind == "O":
            specimen = get(d, fields, 3) or get(d, fields, 4)
        elif kind == "R":
            rows.append(_row(d, fields, sequence, record, channel, codes, patient_id, specimen, db))
    if rows:
        db.execute(INSERT, rows)
    return len(rows)


def _row(d, fields, sequence, record, channel, codes, patient_id, specimen, db) -> dict:
    # R-3 is the universal test id `^^^code`: the analyzer's code is its fourth component.
    code = get(d, fields, 3, 4) or get(d, fields, 3, 1)
    if not code:
        raise ValueError(f"R record {sequence} has no test code (R-3)")
    known = codes.get(code)
    value = get(d, fields, 4)
    reference = get(d, fields, 6).replace(" to ", "-")
    low, high = reference_limits(reference)
    if known and not reference:
        reference, low, high = known.reference_text, known.reference_low, known.reference_high
    return {
        "tenant_id": record.tenant_id,
        "message_id": record.id,
        "channel_id": record.channel_id,
        "device_id": channel.device_id,
        "patient_id": patient_id,
        "order_id": order_for_specimen_result(db, record, specimen or "", code, patient_id),
        "sequence": sequence,
        "analyzer_code": code[:60],
        "loinc": known.loinc if known else "",
        "name": known.name if known else "",
        "value": value,
        "value_numeric": numeric(value),
        "units": (get(d, fields, 5) or (known.units if known else ""))[:40],
        "reference_range": reference[:80],
        "reference_low": low,
        "reference_high": high,
        "abnormal_flag": get(d, fields, 7)[:10],
        "result_status": (get(d, fields, 9) or "F")[:2],
        "observed_at": timestamp(get(d, fields, 13)),
    }
