"""Patients as the lab's messages name them: created or updated from `PID` (results, orders
and `ADT^A01`/`ADT^A08` all carry one)."""

from __future__ import annotations

import uuid

import hl7
from sqlalchemy import text
from sqlmodel import Session

from services.lab.hl7fields import field, first
from services.lab.models import LabMessage

UPSERT = text(
    """
    INSERT INTO lab_patient (tenant_id, identifier, family_name, given_name, birth_date, sex,
        source_message_id)
    VALUES (:tenant, :identifier, :family, :given, :birth, :sex, :message)
    ON CONFLICT (tenant_id, identifier) DO UPDATE SET
        family_name = CASE WHEN :update THEN EXCLUDED.family_name
                      ELSE coalesce(nullif(lab_patient.family_name, ''), EXCLUDED.family_name) END,
        given_name = CASE WHEN :update THEN EXCLUDED.given_name
                     ELSE coalesce(nullif(lab_patient.given_name, ''), EXCLUDED.given_name) END,
        birth_date = CASE WHEN :update THEN EXCLUDED.birth_date
                     ELSE coalesce(nullif(lab_patient.birth_date, ''), EXCLUDED.birth_date) END,
        sex = CASE WHEN :update THEN EXCLUDED.sex
              ELSE coalesce(nullif(lab_patient.sex, ''), EXCLUDED.sex) END,
        source_message_id = CASE WHEN :update THEN EXCLUDED.source_message_id
                            ELSE lab_patient.source_message_id END,
        updated_at = now()
    RETURNING id
    """
)


def upsert_patient(
    db: Session, record: LabMessage, message: hl7.Message, update: bool = False
) -> uuid.UUID | None:
    """The lab patient named by the message's `PID-3` (first identifier), created when new.

    With `update` (an ADT message) the demographics replace what was known; otherwise
    they only fill what was empty. None when the message names no patient."""
    pid = first(message, "PID")
    return save_patient(
        db,
        record,
        identifier=field(message, pid, 3) or field(message, pid, 2),
        family=field(message, pid, 5, 1),
        given=field(message, pid, 5, 2),
        birth=field(message, pid, 7),
        sex=field(message, pid, 8),
        update=update,
    )


def save_patient(
    db: Session,
    record: LabMessage,
    identifier: str,
    family: str = "",
    given: str = "",
    birth: str = "",
    sex: str = "",
    update: bool = False,
) -> uuid.UUID | None:
    """The lab patient with this identifier in the message's lab, created or updated (see
    `upsert_patient`); None when the identifier is empty."""
    if not identifier.strip():
        return None
    sex = sex[:1].upper()
    return db.execute(
        UPSERT,
        {
            "tenant": record.tenant_id,
            "identifier": identifier.strip()[:80],
            "family": family[:120],
            "given": given[:120],
            "birth": birth[:8],
            "sex": sex if sex in ("F", "M", "O", "U", "A", "N") else "",
            "message": record.id,
            "update": update,
        },
    ).scalar_one()


def apply_adt(db: Session, record: LabMessage, message: hl7.Message) -> int:
    """`ADT^A01` (admit) or `ADT^A08` (update): the patient's demographics as sent.
    Raises ValueError when the message has no patient identifier."""
    if upsert_patient(db, record, message, update=True) is None:
        raise ValueError("PID-3 (patient identifier) is empty")
    return 0
