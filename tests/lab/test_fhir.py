"""FHIR R4 export: valid DiagnosticReports with LOINC, UCUM, ranges and interpretation,
sent only under the patient's unrevoked consent for that purpose and recipient, audited,
with no patient data in the logs."""

from __future__ import annotations

import logging

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation
from sqlalchemy import text

from services.db import tenant_session
from tests.factories import PASSWORD
from tests.lab.console_lab import add_results, make_lab

RECIPIENT = "Apollo Clinic Koramangala"


@pytest.fixture(scope="module")
def lab():
    return make_lab()


@pytest.fixture(scope="module")
def headers(lab, auth):
    return auth(lab.org.email, PASSWORD)


def _consent(client, headers, patient, purpose="treatment", recipient=RECIPIENT):
    response = client.post(
        "/api/v1/lab/consents",
        json={
            "patientIdentifier": patient,
            "purpose": purpose,
            "recipient": recipient,
            "version": "v2.1",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _report(client, headers, report_id, **params):
    query = {"purpose": "treatment", "recipient": RECIPIENT, **params}
    return client.get(f"/api/v1/fhir/DiagnosticReport/{report_id}", params=query, headers=headers)


def test_a_report_leaves_only_under_consent_and_stops_when_it_is_revoked(
    lab, client, headers, caplog
):
    order, ids = add_results(lab, "MRN-F1", [("HGB", 18.2, "H"), ("PLT", 250, "")])
    assert _report(client, headers, order).status_code == 403
    consent = _consent(client, headers, "MRN-F1")
    assert consent["version"] == "v2.1" and consent["revokedAt"] is None
    other = _report(client, headers, order, recipient="Another Hospital")
    assert other.status_code == 403
    with caplog.at_level(logging.DEBUG):
        response = _report(client, headers, order)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    logged = " ".join(str(record.__dict__) for record in caplog.records)
    assert "request" in logged  # the request was logged, by route
    assert "MRN-F1" not in logged and "Sharma" not in logged

    report = DiagnosticReport.model_validate(response.json())
    assert report.status == "final" and report.subject.identifier.value == "MRN-F1"
    observations = [Observation.model_validate(o.model_dump()) for o in report.contained]
    hgb = next(o for o in observations if o.id == str(ids[0]))
    assert hgb.code.coding[0].system == "http://loinc.org" and hgb.code.coding[0].code == "718-7"
    assert (float(hgb.valueQuantity.value), hgb.valueQuantity.system, hgb.valueQuantity.code) == (
        18.2,
        "http://unitsofmeasure.org",
        "g/dL",
    )
    assert (hgb.referenceRange[0].low.value, hgb.referenceRange[0].high.value) == (13, 17)
    assert hgb.interpretation[0].coding[0].code == "H"
    assert [r.reference for r in report.result] == [f"#{i}" for i in ids]

    revoked = client.post(
        f"/api/v1/lab/consents/{consent['id']}/revoke",
        json={"reason": "patient asked"},
        headers=headers,
    )
    assert revoked.status_code == 200 and revoked.json()["revokedAt"]
    assert _report(client, headers, order).status_code == 403
    with tenant_session(lab.org.actor) as db:
        exports = (
            db.execute(
                text(
                    "SELECT summary FROM audit_log WHERE action = 'fhir.export' AND entity_id = :id"
                ),
                {"id": str(order)},
            )
            .scalars()
            .all()
        )
    assert exports == [f"DiagnosticReport sent to {RECIPIENT} for treatment"]


def test_a_search_by_patient_identifier_answers_a_bundle_of_their_reports(lab, client, headers):
    first, _ = add_results(lab, "MRN-F2", [("HGB", 14.0, "")])
    second, _ = add_results(lab, "MRN-F2", [("PLT", 90, "L")])
    add_results(lab, "MRN-F3", [("HGB", 15.0, "")])
    _consent(client, headers, "MRN-F2", purpose="insurance", recipient="Star Health")
    response = client.get(
        "/api/v1/fhir/DiagnosticReport",
        params={"patient.identifier": "MRN-F2", "purpose": "insurance", "recipient": "star health"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "searchset" and bundle.total == 2
    assert {e.resource.id for e in bundle.entry} == {str(first), str(second)}
    same = client.get(
        "/api/v1/fhir/DiagnosticReport",
        params={"patient": "MRN-F2", "purpose": "insurance", "recipient": "Star Health"},
        headers=headers,
    )
    assert same.json()["total"] == 2


def test_bad_export_and_consent_requests_name_the_field(lab, client, headers):
    missing = client.get(
        "/api/v1/fhir/DiagnosticReport", params={"patient": "MRN-F2"}, headers=headers
    )
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "purpose"
    wrong = client.get(
        "/api/v1/fhir/DiagnosticReport",
        params={"patient": "MRN-F2", "purpose": "marketing", "recipient": "X"},
        headers=headers,
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "purpose"
    bad = client.post(
        "/api/v1/lab/consents",
        json={
            "patientIdentifier": "MRN-F2",
            "purpose": "treatment",
            "recipient": " ",
            "version": "1",
        },
        headers=headers,
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "recipient"
    forged = client.get(
        "/api/v1/fhir/DiagnosticReport",
        params={"patient": "MRN-F2", "purpose": "treatment", "recipient": "X"},
        headers={"Authorization": headers["Authorization"][:-4] + "xxxx"},
    )
    assert forged.status_code == 401
