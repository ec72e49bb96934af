"""What a laboratory tells people: patients that a report is ready, its own staff that a
result is critical. The lab console calls these in its own transaction (a session of the
lab's organisation), so a notice goes out exactly when the result it is about is saved."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from services.actor import Role
from services.errors import Invalid
from services.identity.phones import normalise_phone
from services.notifications.channels import Message, tell_people, tell_phone
from services.notifications.service import people_with_roles
from services.notifications.templates import LANGUAGES

LAB_ALERTED = frozenset({Role.LAB_STAFF})


def _required(value: str, field: str, most: int = 200) -> str:
    cleaned = (value or "").strip()
    if not cleaned or len(cleaned) > most:
        raise Invalid(field, f"must be 1 to {most} characters")
    return cleaned


def notify_result_ready(
    db: Session,
    *,
    tenant_id: uuid.UUID,
    patient_name: str,
    patient_phone: str,
    test_name: str,
    lab_name: str,
    language: str = "en",
    report_link: str = "",
    key: str | None = None,
) -> uuid.UUID | None:
    """Tell a patient on WhatsApp (template `test_result_ready`, in `language`) that their
    `test_name` report from `lab_name` is ready, with `report_link` if given. `key` (e.g.
    the report's id) makes a second call for the same report send nothing. Returns the
    message-log id, or None when it was already sent.
    Raises Invalid (patient_phone, patient_name, test_name, lab_name, language)."""
    phone = normalise_phone(patient_phone, "patient_phone")
    if language not in LANGUAGES:
        raise Invalid("language", f"must be one of {', '.join(LANGUAGES)}")
    params = {
        "patient": _required(patient_name, "patient_name"),
        "test": _required(test_name, "test_name"),
        "lab": _required(lab_name, "lab_name"),
        "link": (report_link or "").strip()[:300],
    }
    message = Message("result_ready", params, key=key and f"result:{key}")
    return tell_phone(db, tenant_id, phone, language, message)


def notify_critical_value(
    db: Session,
    *,
    tenant_id: uuid.UUID,
    patient_name: str,
    test_name: str,
    value: str,
    sample_id: str,
    link: str = "",
    key: str | None = None,
) -> dict[str, int]:
    """Alert the lab's staff (each on their chosen channels, by default in-app and WhatsApp
    template `critical_value_alert`, in their language) that `test_name` of `patient_name`
    is `value` on sample `sample_id`. `key` (e.g. the result's id) makes a second call for
    the same result alert nobody again. Returns how many notices went out per channel.
    Raises Invalid (patient_name, test_name, value, sample_id)."""
    params = {
        "patient": _required(patient_name, "patient_name"),
        "test": _required(test_name, "test_name"),
        "value": _required(value, "value", 60),
        "sample": _required(sample_id, "sample_id", 80),
    }
    message = Message("critical_value", params, link, key=key and f"critical:{key}")
    people = people_with_roles(db, tenant_id, LAB_ALERTED)
    return tell_people(db, tenant_id, people, message)
