"""Lab results as FHIR R4 resources: a DiagnosticReport per order (or per message when the
analyzer sent no order), its Observations contained in it. LOINC codes where the channel's
test code has one, UCUM units where the unit is one UCUM knows, reference ranges and
interpretation from the analyzer's flag. Every resource is built and checked by the
fhir.resources R4B models, so what leaves is valid R4.

Exporting (`export_report`, `export_for_patient`) needs the patient's unrevoked consent for
the purpose and recipient, and writes an audit entry naming the recipient, never the
patient."""

from __future__ import annotations

import uuid

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation
from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.columns import utcnow
from services.common.roles import LAB_TEAM
from services.errors import NotFound
from services.lab.consent import require_consent

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
REPORT_CATEGORY = "http://terminology.hl7.org/CodeSystem/v2-0074"
# The units analyzers write, as UCUM codes.
UCUM_CODES = {
    "g/dl": "g/dL",
    "g/l": "g/L",
    "mg/dl": "mg/dL",
    "mmol/l": "mmol/L",
    "umol/l": "umol/L",
    "µmol/l": "umol/L",
    "u/l": "U/L",
    "iu/l": "[IU]/L",
    "%": "%",
    "fl": "fL",
    "pg": "pg",
    "10*3/ul": "10*3/uL",
    "10^3/ul": "10*3/uL",
    "x10^3/ul": "10*3/uL",
    "k/ul": "10*3/uL",
    "10*6/ul": "10*6/uL",
    "10^6/ul": "10*6/uL",
    "x10^6/ul": "10*6/uL",
    "m/ul": "10*6/uL",
    "10*9/l": "10*9/L",
    "10^9/l": "10*9/L",
    "10*12/l": "10*12/L",
    "10^12/l": "10*12/L",
    "ng/ml": "ng/mL",
    "pg/ml": "pg/mL",
    "miu/l": "m[IU]/L",
    "uiu/ml": "u[IU]/mL",
    "meq/l": "meq/L",
    "mm/h": "mm/h",
    "s": "s",
    "sec": "s",
}
FLAGS = {
    "H": "High",
    "L": "Low",
    "HH": "Critical high",
    "LL": "Critical low",
    "N": "Normal",
    "A": "Abnormal",
    "AA": "Critical abnormal",
    "<": "Off scale low",
    ">": "Off scale high",
}
STATUSES = {
    "F": "final",
    "C": "corrected",
    "P": "preliminary",
    "X": "cancelled",
    "R": "registered",
    "I": "registered",
    "D": "entered-in-error",
}

_RESULTS = """
    SELECT r.*, p.identifier AS patient_identifier, p.family_name, p.given_name,
           o.placer_order_number, o.filler_order_number, o.test_code AS order_code,
           o.test_name AS order_name, ch.name AS channel_name
      FROM lab_result r
      LEFT JOIN lab_patient p ON p.id = r.patient_id
      LEFT JOIN lab_order o ON o.id = r.order_id
      LEFT JOIN lab_channel ch ON ch.id = r.channel_id
"""


def _patient_system(tenant_id) -> str:
    return f"urn:yantra:lab:{tenant_id}:patient"


def _subject(row) -> dict:
    name = " ".join(x for x in (row.given_name, row.family_name) if x)
    subject = {
        "identifier": {
            "system": _patient_system(row.tenant_id),
            "value": row.patient_identifier or "unknown",
        }
    }
    return {**subject, "display": name} if name else subject


def _quantity(value: float, units: str) -> dict:
    quantity: dict = {"value": value}
    if units:
        quantity["unit"] = units
        code = UCUM_CODES.get(units.strip().lower())
        if code:
            quantity.update(system=UCUM, code=code)
    return quantity


def observation(row) -> dict:
    """One result as an R4 Observation (JSON), validated."""
    coding = (
        [{"system": LOINC, "code": row.loinc, "display": row.name or row.loinc}]
        if (row.loinc)
        else []
    )
    coding.append(
        {
            "system": f"urn:yantra:lab:channel:{row.channel_id}",
            "code": row.analyzer_code or "unknown",
        }
    )
    body: dict = {
        "resourceType": "Observation",
        "id": str(row.id),
        "status": STATUSES.get((row.result_status or "F").upper(), "final"),
        "category": [{"coding": [{"system": CATEGORY, "code": "laboratory"}]}],
        "code": {"coding": coding, "text": row.name or row.analyzer_code or "result"},
        "subject": _subject(row),
        "issued": row.created_at.isoformat(),
    }
    if row.observed_at:
        body["effectiveDateTime"] = row.observed_at.isoformat()
    if row.value_numeric is not None:
        body["valueQuantity"] = _quantity(row.value_numeric, row.units or "")
    elif row.value:
        body["valueString"] = row.value
    reference: dict = {}
    if row.reference_low is not None:
        reference["low"] = _quantity(row.reference_low, row.units or "")
    if row.reference_high is not None:
        reference["high"] = _quantity(row.reference_high, row.units or "")
    if row.reference_range:
        reference["text"] = row.reference_range
    if reference:
        body["referenceRange"] = [reference]
    flag = (row.abnormal_flag or "").strip().upper()
    if flag in FLAGS:
        body["interpretation"] = [
            {"coding": [{"system": INTERPRETATION, "code": flag, "display": FLAGS[flag]}]}
        ]
    return Observation.model_validate(body).model_dump(mode="json", exclude_none=True)


def diagnostic_report(report_id: uuid.UUID, rows: list) -> dict:
    """The results of one order (or message) as an R4 DiagnosticReport with its
    Observations contained, validated."""
    first = rows[0]
    statuses = {STATUSES.get((r.result_status or "F").upper(), "final") for r in rows}
    status = (
        "final"
        if statuses <= {"final"}
        else ("corrected" if statuses <= {"final", "corrected"} else "preliminary")
    )
    identifiers = [
        {"type": {"text": kind}, "value": value}
        for kind, value in (
            ("placer", first.placer_order_number),
            ("filler", first.filler_order_number),
        )
        if value
    ]
    observed = [r.observed_at for r in rows if r.observed_at]
    body: dict = {
        "resourceType": "DiagnosticReport",
        "id": str(report_id),
        "status": status,
        "category": [
            {"coding": [{"system": REPORT_CATEGORY, "code": "LAB", "display": "Laboratory"}]}
        ],
        "code": {"text": first.order_name or first.order_code or "Laboratory results"},
        "subject": _subject(first),
        "issued": max(r.created_at for r in rows).isoformat(),
        "contained": [observation(r) for r in rows],
        "result": [{"reference": f"#{r.id}"} for r in rows],
    }
    if identifiers:
        body["identifier"] = identifiers
    if observed:
        body["effectiveDateTime"] = min(observed).isoformat()
    if first.channel_name:
        body["performer"] = [{"display": first.channel_name}]
    return DiagnosticReport.model_validate(body).model_dump(mode="json", exclude_none=True)


def _report_rows(db: Session, report_id: uuid.UUID) -> list:
    rows = db.execute(
        text(_RESULTS + " WHERE r.order_id = :id ORDER BY r.sequence"), {"id": report_id}
    ).all()
    if not rows:  # results the analyzer sent without an order: the message is the report
        rows = db.execute(
            text(_RESULTS + " WHERE r.message_id = :id AND r.order_id IS NULL ORDER BY r.sequence"),
            {"id": report_id},
        ).all()
    return rows


def _audit(db: Session, actor: Actor, report_id, purpose: str, recipient: str) -> None:
    audit.record(
        db,
        actor,
        "fhir.export",
        "diagnostic_report",
        report_id,
        f"DiagnosticReport sent to {recipient[:200]} for {purpose}",
    )


def export_report(
    db: Session, actor: Actor, report_id: uuid.UUID, purpose: str, recipient: str
) -> dict:
    """One DiagnosticReport for `recipient`, when the patient's unrevoked consent covers
    `purpose` and `recipient`; audited. Raises Forbidden (role, or no consent), Invalid
    or NotFound."""
    actor.require(*LAB_TEAM)
    rows = _report_rows(db, report_id)
    if not rows:
        raise NotFound("No report with that id that you can see")
    require_consent(db, rows[0].patient_identifier or "", purpose, recipient)
    _audit(db, actor, report_id, purpose, recipient)
    return diagnostic_report(report_id, rows)


def export_for_patient(
    db: Session, actor: Actor, patient: str, purpose: str, recipient: str, limit: int = 50
) -> dict:
    """A FHIR searchset Bundle of the patient's newest reports, under the same consent
    rule as `export_report`; one audit entry per report sent."""
    actor.require(*LAB_TEAM)
    require_consent(db, patient, purpose, recipient)
    rows = db.execute(
        text(
            _RESULTS + " WHERE p.identifier = :patient "
            "ORDER BY r.created_at DESC, r.sequence LIMIT 2000"
        ),
        {"patient": patient},
    ).all()
    reports: dict[uuid.UUID, list] = {}
    for row in rows:
        key = row.order_id or row.message_id
        if key in reports or len(reports) < limit:
            reports.setdefault(key, []).append(row)
    entries = []
    for key, group in reports.items():
        group.sort(key=lambda r: r.sequence)
        entries.append(
            {
                "fullUrl": f"DiagnosticReport/{key}",
                "resource": diagnostic_report(key, group),
                "search": {"mode": "match"},
            }
        )
        _audit(db, actor, key, purpose, recipient)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(entries),
        "timestamp": utcnow().isoformat(),
        "entry": entries,
    }
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
