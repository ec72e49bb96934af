"""Acceptance records as people fill them in: the shipment, a goods-received note and an
installation report, each valid unless a test changes a field."""

from __future__ import annotations

from typing import Any

from services.common.clock import today_ist

SHIPMENT = {"transporter": "Safexpress", "docketNumber": "SX-4471-2026"}


def goods_receipt(**changes: Any) -> dict[str, Any]:
    return {
        "receivedOn": today_ist().isoformat(),
        "condition": "good",
        "damageNotes": "",
        "receivedBy": "R. Nair, stores",
    } | changes


def installation_report(**changes: Any) -> dict[str, Any]:
    return {
        "installedOn": today_ist().isoformat(),
        "checks": ["site", "power", "functional", "safety"],
        "training": "Two radiographers trained on daily QA, 3 hours",
        "engineerName": "S. Iyer (OEM field engineer)",
        "engineerSignature": "S. Iyer",
        "buyerName": "Dr. A. Rao, Head of Radiology",
        "buyerSignature": "A. Rao",
    } | changes
