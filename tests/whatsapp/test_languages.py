"""The bot answers in the writer's language: the one they chose for their notices, else
the script they write in; an unknown number in its script, or English and Hindi."""

from __future__ import annotations

import pytest
from sqlmodel import select

from services.common.languages import LANGUAGES, language_file, script_language
from services.db import system_session, tenant_session
from services.notifications.preferences import save_preferences
from services.tickets.models import Ticket
from services.whatsapp import triage
from services.whatsapp.models import WhatsappMessage
from tests.whatsapp.cloud import list_reply, new_phone, text_message
from tests.whatsapp.conftest import deliver

DEVANAGARI = range(0x0900, 0x0980)
TAMIL = range(0x0B80, 0x0C00)


def _answers(phone: str) -> list[WhatsappMessage]:
    with system_session() as db:
        return list(
            db.exec(
                select(WhatsappMessage)
                .where(WhatsappMessage.phone == phone, WhatsappMessage.direction == "out")
                .order_by(WhatsappMessage.created_at)
            )
        )


def _share(text: str, script: range) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(ord(c) in script for c in letters) / max(1, len(letters))


def _choose_language(reporter, language: str) -> None:
    with tenant_session(reporter.hospital.actor) as db:
        save_preferences(db, reporter.hospital.actor, {"language": language})


def test_a_hindi_reader_is_asked_in_devanagari_and_picks_from_hindi_lists(
    client, reporter, monkeypatch
):
    _choose_language(reporter, "hi")
    monkeypatch.setattr(triage, "CONFIDENT", 1.01)  # so the bot asks which kind of request
    deliver(client, text_message(reporter.phone, "monitor screen blank since morning"))

    (which_device,) = _answers(reporter.phone)
    action = which_device.payload["interactive"]["action"]
    assert which_device.kind == "interactive"
    assert which_device.payload["interactive"]["body"]["text"].startswith("कौन-सा उपकरण है?")
    assert action["button"] == "उपकरण" and action["sections"][0]["title"] == "विकल्प"
    assert all(r["description"].startswith("सीरियल ") for r in action["sections"][0]["rows"])

    deliver(client, list_reply(reporter.phone, f"device:{reporter.monitor.device_id}", "x"))
    which_kind = _answers(reporter.phone)[-1]
    rows = which_kind.payload["interactive"]["action"]["sections"][0]["rows"]
    assert "किस तरह का अनुरोध" in which_kind.payload["interactive"]["body"]["text"]
    assert [r["title"] for r in rows][:2] == ["काम नहीं कर रहा / खराब", "स्क्रीन पर एरर कोड"]
    assert all(_share(r["title"], DEVANAGARI) > 0.9 for r in rows)

    deliver(client, list_reply(reporter.phone, "intent:breakdown", rows[0]["title"]))
    with tenant_session(reporter.hospital.actor) as db:
        (ticket,) = db.exec(
            select(Ticket).where(Ticket.equipment_id == reporter.monitor.device_id)
        ).all()
    opened = _answers(reporter.phone)[-1].body
    assert f"टिकट #{ticket.number} खुल गया है" in opened
    deliver(client, text_message(reporter.phone, "still not working"))
    assert f"टिकट #{ticket.number} में जोड़ दिया गया" in _answers(reporter.phone)[-1].body


def test_who_never_chose_is_answered_in_the_script_they_write_and_a_choice_wins(client, reporter):
    deliver(client, text_message(reporter.phone, "மானிட்டர் திரை வேலை செய்யவில்லை"))
    question = _answers(reporter.phone)[-1].payload["interactive"]["body"]["text"]
    assert question.startswith("எந்தக் கருவி?") and _share(question, TAMIL) > 0.9

    _choose_language(reporter, "en")
    deliver(client, text_message(reporter.phone, "मॉनिटर की स्क्रीन बंद है"))
    assert _answers(reporter.phone)[-1].body.startswith("Which device is it?")


@pytest.mark.parametrize(
    ("text", "opening", "languages"),
    [
        ("CT scanner is down, please send engineer", "Namaste!", {"en", "hi"}),
        ("सीटी स्कैनर बंद है, इंजीनियर भेजिए", "नमस्ते!", {"hi"}),
        ("சிடி ஸ்கேனர் வேலை செய்யவில்லை", "வணக்கம்!", {"ta"}),
    ],
)
def test_an_unknown_number_hears_how_to_register_in_its_own_script(
    client, text, opening, languages
):
    phone = new_phone()
    deliver(client, text_message(phone, text))
    (answer,) = _answers(phone)
    assert answer.body.startswith(opening)
    assert ("Namaste!" in answer.body) == ("en" in languages)
    assert ("नमस्ते!" in answer.body) == ("hi" in languages)
    assert ("வணக்கம்!" in answer.body) == ("ta" in languages)


def test_every_language_has_every_answer_and_list_labels_fit_whatsapp():
    english = language_file("en")
    for code in LANGUAGES:
        book = language_file(code)
        assert set(book["replies"]) == set(english["replies"]), code
        assert set(book["intents"]) == set(triage.INTENTS), code
        assert all(len(label) <= 24 for label in book["intents"].values()), code
        assert len(book["replies"]["choose"]) <= 20 and len(book["replies"]["devices"]) <= 20
        assert len(book["replies"]["choices"]) <= 24
    assert script_language("MRI not starting, E-104 on screen") is None
    assert script_language("MRI चालू नहीं हो रहा") == "hi"
    assert script_language("ஸ்கேனர் OK") == "ta"
