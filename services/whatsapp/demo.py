"""Demo WhatsApp data: a number for each demo account, and one thread from the demo
hospital's nurse that went through the real intake (so the desk's view is not empty).
Both are idempotent: numbers are set only where none is, and the thread's message id is
recorded once."""

from __future__ import annotations

import time

from sqlalchemy import text

from services.actor import Role
from services.db import system_session
from services.whatsapp.conversation import handle_message

DEMO_DOMAIN = "demo.yantra.in"
# Numbers of the 98100 001xx series, one per demo role.
PHONES = {
    Role.PLATFORM_ADMIN: "+919810000100",
    Role.BUYER_ADMIN: "+919810000101",
    Role.BUYER_USER: "+919810000102",
    Role.LAB_STAFF: "+919810000103",
    Role.OEM_ADMIN: "+919810000104",
    Role.OEM_SALES: "+919810000105",
    Role.OEM_SERVICE_MANAGER: "+919810000106",
    Role.DISPATCHER: "+919810000107",
    Role.TECHNICIAN: "+919810000108",
}
DEMO_REPORT = (
    "Namaste, Vitalis monitor MVI-PM12-25-010233 ka preventive maintenance due hai, "
    "calibration bhi karwana hai NABH audit ke liye"
)


def seed_whatsapp() -> None:
    """Give demo accounts their numbers, then replay the demo nurse's report once."""
    with system_session() as db:
        for role, phone in PHONES.items():
            db.execute(
                text(
                    "UPDATE users SET phone = :p WHERE email = :e AND phone IS NULL "
                    "AND NOT EXISTS (SELECT 1 FROM users WHERE phone = :p)"
                ),
                {"p": phone, "e": f"{role.value}@{DEMO_DOMAIN}"},
            )
        has_device = db.execute(
            text("SELECT 1 FROM equipment WHERE serial_number = 'MVI-PM12-25-010233'")
        ).first()
    if has_device is None:
        return
    nurse = PHONES[Role.BUYER_USER].lstrip("+")
    message = {
        "from": nurse,
        "id": "wamid.demo-sanjeevani-0001",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": DEMO_REPORT},
    }
    handle_message(message, {"wa_id": nurse, "profile": {"name": "Neha Kapoor"}})
