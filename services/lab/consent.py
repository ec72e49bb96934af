"""A patient's consent to share their results: per purpose and recipient, with the version
of the consent text they agreed to and when. Revoking keeps the record and stops every
later export; results leave the platform only while an unrevoked consent covers them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from services.actor import Actor
from services.audit import service as audit
from services.columns import utcnow
from services.common.roles import LAB_TEAM
from services.errors import Conflict, Forbidden, Invalid, NotFound

# Why results are shared, in the words of HL7's purpose of use.
PURPOSES = {
    "treatment": "Treatment by the recipient",
    "insurance": "An insurance or payment claim",
    "research": "Research",
    "patient_request": "The patient asked for it",
    # The recipient is the patient's own WhatsApp: told when a report is ready.
    "report_ready": "Told on WhatsApp when a report is ready",
}
NOTICE_ONLY = "report_ready"


def _text(field: str, value: str | None, longest: int) -> str:
    value = (value or "").strip()
    if not value or len(value) > longest:
        raise Invalid(field, f"is required (up to {longest} characters)")
    return value


def _purpose(value: str | None) -> str:
    if value not in PURPOSES:
        raise Invalid("purpose", f"must be one of {', '.join(PURPOSES)}")
    return value


def record_consent(
    db: Session,
    actor: Actor,
    patient: str,
    purpose: str,
    recipient: str,
    version: str,
    given_at: datetime | None = None,
) -> dict:
    """Record a patient's consent, as lab staff, and audit it (no patient data in the
    audit). Raises Forbidden or Invalid (patient, purpose, recipient, version, givenAt)."""
    actor.require(*LAB_TEAM)
    patient = _text("patientIdentifier", patient, 80)
    purpose = _purpose(purpose)
    recipient = _text("recipient", recipient, 200)
    version = _text("version", version, 30)
    now = utcnow()
    if given_at is not None and (given_at.tzinfo is None or given_at > now):
        raise Invalid("givenAt", "must be a time with its zone, not in the future")
    row = db.execute(
        text(
            "INSERT INTO lab_consent (tenant_id, patient_identifier, purpose, recipient, "
            "version, given_at, recorded_by) VALUES (:tenant, :patient, :purpose, "
            ":recipient, :version, :given, :user) RETURNING id"
        ),
        {
            "tenant": actor.tenant_id,
            "patient": patient,
            "purpose": purpose,
            "recipient": recipient,
            "version": version,
            "given": given_at or now,
            "user": actor.user_id,
        },
    ).one()
    audit.record(db, actor, "lab.consent.record", "lab_consent", row.id, f"{purpose} consent")
    return get_consent(db, row.id)


def revoke_consent(db: Session, actor: Actor, consent_id: uuid.UUID, reason: str = "") -> dict:
    """Revoke a consent from now on; audited. Raises Forbidden, NotFound or Conflict
    (already revoked)."""
    actor.require(*LAB_TEAM)
    current = get_consent(db, consent_id)
    if current["revokedAt"]:
        raise Conflict("This consent was already revoked")
    db.execute(
        text(
            "UPDATE lab_consent SET revoked_at = :now, revoked_by = :user, "
            "revoke_reason = :reason WHERE id = :id"
        ),
        {"now": utcnow(), "user": actor.user_id, "reason": (reason or "")[:1000], "id": consent_id},
    )
    audit.record(db, actor, "lab.consent.revoke", "lab_consent", consent_id, "consent revoked")
    return get_consent(db, consent_id)


def _view(row) -> dict:
    return {
        "id": str(row.id),
        "patientIdentifier": row.patient_identifier,
        "purpose": row.purpose,
        "recipient": row.recipient,
        "version": row.version,
        "givenAt": row.given_at.isoformat(),
        "recordedAt": row.recorded_at.isoformat(),
        "revokedAt": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def get_consent(db: Session, consent_id: uuid.UUID) -> dict:
    """One consent. Raises NotFound."""
    row = db.execute(text("SELECT * FROM lab_consent WHERE id = :id"), {"id": consent_id}).first()
    if row is None:
        raise NotFound("No consent with that id that you can see")
    return _view(row)


def list_consents(db: Session, patient: str) -> list[dict]:
    """A patient's consents, newest first, revoked ones included."""
    rows = db.execute(
        text(
            "SELECT * FROM lab_consent WHERE patient_identifier = :patient "
            "ORDER BY recorded_at DESC LIMIT 200"
        ),
        {"patient": _text("patientIdentifier", patient, 80)},
    ).all()
    return [_view(r) for r in rows]


def require_consent(db: Session, patient: str, purpose: str, recipient: str) -> uuid.UUID:
    """The unrevoked consent that lets `patient`'s results go to `recipient` for `purpose`.

    Raises Invalid (purpose, recipient) or Forbidden when none is recorded or it was
    revoked."""
    purpose = _purpose(purpose)
    if purpose == NOTICE_ONLY:
        raise Invalid("purpose", "consent to be told of a report lets no result leave")
    recipient = _text("recipient", recipient, 200)
    row = db.execute(
        text(
            "SELECT id FROM lab_consent WHERE patient_identifier = :patient "
            "AND purpose = :purpose AND lower(recipient) = lower(:recipient) "
            "AND revoked_at IS NULL ORDER BY given_at DESC LIMIT 1"
        ),
        {"patient": patient, "purpose": purpose, "recipient": recipient},
    ).first()
    if row is None:
        raise Forbidden(
            f"No consent of this patient to share results with {recipient} for {purpose}: "
            "record the patient's consent first"
        )
    return row.id
