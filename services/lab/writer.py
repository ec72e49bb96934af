"""Applies the plans of a batch of messages in a handful of statements (arrays unnested
server-side), so processing keeps up with what the listeners take in."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from services.lab.plans import Plan

_PATIENT_INSERT = """
INSERT INTO lab_patient (tenant_id, identifier, family_name, given_name, birth_date, sex,
    source_message_id, phone, language)
SELECT * FROM unnest(CAST(:tenant AS uuid[]), CAST(:identifier AS text[]),
    CAST(:family AS text[]), CAST(:given AS text[]), CAST(:birth AS text[]),
    CAST(:sex AS text[]), CAST(:message AS uuid[]), CAST(:phone AS text[]),
    CAST(:language AS text[]))
ON CONFLICT (tenant_id, identifier) DO UPDATE SET {changes}, {contact}, updated_at = now()
RETURNING tenant_id, identifier, id
"""
# An ADT message replaces the demographics; results and orders only fill what was empty.
REPLACE = ", ".join(
    f"{c} = EXCLUDED.{c}"
    for c in ("family_name", "given_name", "birth_date", "sex", "source_message_id")
)
FILL = ", ".join(
    f"{c} = coalesce(nullif(lab_patient.{c}, ''), EXCLUDED.{c})"
    for c in ("family_name", "given_name", "birth_date", "sex")
)
# The latest message that names a number or language wins; one naming none keeps what was
# known (a result message rarely repeats the patient's contact).
CONTACT = ", ".join(
    f"{c} = coalesce(nullif(EXCLUDED.{c}, ''), lab_patient.{c})" for c in ("phone", "language")
)

ORDERS = text(
    """
    INSERT INTO lab_order (tenant_id, channel_id, patient_id, placer_order_number,
        filler_order_number, specimen_id, test_code, test_name, priority, status, ordered_at,
        source_message_id)
    SELECT * FROM unnest(CAST(:tenant AS uuid[]), CAST(:channel AS uuid[]),
        CAST(:patient AS uuid[]), CAST(:placer AS text[]), CAST(:filler AS text[]),
        CAST(:specimen AS text[]), CAST(:code AS text[]), CAST(:name AS text[]),
        CAST(:priority AS text[]), CAST(:status AS text[]), CAST(:ordered_at AS timestamptz[]),
        CAST(:message AS uuid[]))
    ON CONFLICT (tenant_id, placer_order_number, test_code) DO UPDATE SET
        status = CASE WHEN EXCLUDED.status = 'resulted' OR lab_order.status <> 'resulted'
                      THEN EXCLUDED.status ELSE lab_order.status END,
        filler_order_number = coalesce(nullif(EXCLUDED.filler_order_number, ''),
                                       lab_order.filler_order_number),
        patient_id = coalesce(EXCLUDED.patient_id, lab_order.patient_id),
        channel_id = coalesce(lab_order.channel_id, EXCLUDED.channel_id)
    RETURNING tenant_id, placer_order_number, test_code, id
    """
)
SPECIMEN_ORDERS = text(
    """
    UPDATE lab_order o SET status = 'resulted'
    FROM unnest(CAST(:tenant AS uuid[]), CAST(:specimen AS text[]), CAST(:code AS text[]))
         AS u(tenant_id, specimen_id, test_code)
    WHERE o.tenant_id = u.tenant_id AND o.specimen_id = u.specimen_id
      AND o.test_code = u.test_code AND o.status <> 'cancelled'
    RETURNING o.tenant_id, u.specimen_id, o.test_code, o.id
    """
)
RESULT_COLUMNS = (
    "tenant_id",
    "message_id",
    "channel_id",
    "device_id",
    "patient_id",
    "order_id",
    "sequence",
    "analyzer_code",
    "loinc",
    "name",
    "value",
    "value_numeric",
    "units",
    "reference_range",
    "reference_low",
    "reference_high",
    "abnormal_flag",
    "result_status",
    "observed_at",
)
UPDATED = (
    "value",
    "value_numeric",
    "units",
    "loinc",
    "name",
    "reference_range",
    "reference_low",
    "reference_high",
    "abnormal_flag",
    "result_status",
    "observed_at",
    "patient_id",
    "order_id",
)
# Result rows go through COPY into a session's staging table, then into lab_result in one
# statement: far cheaper than binding thousands of values.
STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS lab_result_stage AS "
    f"SELECT {', '.join(RESULT_COLUMNS)} FROM lab_result LIMIT 0"
)
RESULTS = (
    f"INSERT INTO lab_result ({', '.join(RESULT_COLUMNS)}) "
    f"SELECT {', '.join(RESULT_COLUMNS)} FROM lab_result_stage "
    "ON CONFLICT (message_id, sequence) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in UPDATED)
)


def write_plans(db: Session, plans: list[Plan]) -> None:
    """Writes every patient, order and result of the plans. Processing a message again
    updates its rows (results are keyed by message and segment), never duplicates them."""
    patients = _patients(db, plans)
    orders = _orders(db, plans, patients)
    rows = []
    for plan in plans:
        for row in plan.results:
            tenant = row["tenant_id"]
            rows.append(
                row
                | {
                    "patient_id": patients.get((tenant, row["patient"])),
                    "order_id": orders.get((tenant, *row["order"])) if row["order"] else None,
                }
            )
    if rows:
        _copy_results(db, rows)


def _copy_results(db: Session, rows: list[dict]) -> None:
    conn = db.connection().connection.driver_connection
    with conn.cursor() as cur:
        cur.execute(STAGE)
        cur.execute("DELETE FROM lab_result_stage")
        with cur.copy(f"COPY lab_result_stage ({', '.join(RESULT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in RESULT_COLUMNS])
        cur.execute(RESULTS)
        cur.execute("DELETE FROM lab_result_stage")


def _patients(db: Session, plans: list[Plan]) -> dict:
    ids = {}
    for replace in (False, True):
        chosen: dict[tuple, dict] = {}
        for plan in plans:
            for person in plan.patients:
                if person["update"] == replace:
                    chosen[(plan.record.tenant_id, person["identifier"])] = person | {
                        "message": plan.record.id
                    }
        if not chosen:
            continue
        sql = text(_PATIENT_INSERT.format(changes=REPLACE if replace else FILL, contact=CONTACT))
        people = list(chosen.items())
        found = db.execute(
            sql,
            {
                "tenant": [k[0] for k, _ in people],
                "identifier": [k[1] for k, _ in people],
                "family": [p["family_name"] for _, p in people],
                "given": [p["given_name"] for _, p in people],
                "birth": [p["birth_date"] for _, p in people],
                "sex": [p["sex"] for _, p in people],
                "message": [p["message"] for _, p in people],
                "phone": [p.get("phone", "") for _, p in people],
                "language": [p.get("language", "") for _, p in people],
            },
        )
        ids.update({(r[0], r[1]): r[2] for r in found})
    return ids


def _orders(db: Session, plans: list[Plan], patients: dict) -> dict:
    ids: dict[tuple, object] = {}
    by_specimen = [(p.record.tenant_id, o) for p in plans if p.by_specimen for o in p.orders]
    if by_specimen:
        found = db.execute(
            SPECIMEN_ORDERS,
            {
                "tenant": [t for t, _ in by_specimen],
                "specimen": [o["specimen_id"] for _, o in by_specimen],
                "code": [o["test_code"] for _, o in by_specimen],
            },
        )
        ids.update({(r[0], r[1], r[2]): r[3] for r in found})
    chosen: dict[tuple, dict] = {}
    for plan in plans:
        for order in plan.orders:
            key = (order["tenant_id"], order["placer_order_number"], order["test_code"])
            if key not in ids:
                chosen[key] = order
    if chosen:
        orders = list(chosen.values())
        found = db.execute(
            ORDERS,
            {
                "tenant": [o["tenant_id"] for o in orders],
                "channel": [o["channel_id"] for o in orders],
                "patient": [patients.get((o["tenant_id"], o["patient"])) for o in orders],
                "placer": [o["placer_order_number"] for o in orders],
                "filler": [o["filler_order_number"] for o in orders],
                "specimen": [o["specimen_id"] for o in orders],
                "code": [o["test_code"] for o in orders],
                "name": [o["test_name"] for o in orders],
                "priority": [o["priority"] for o in orders],
                "status": [o["status"] for o in orders],
                "ordered_at": [o["ordered_at"] for o in orders],
                "message": [o["source_message_id"] for o in orders],
            },
        )
        ids.update({(r[0], r[1], r[2]): r[3] for r in found})
    return ids
