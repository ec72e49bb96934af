"""Triage of field reports in English, Hindi and Hinglish."""

from __future__ import annotations

from services.whatsapp import triage


def test_reports_in_three_languages_are_read_for_what_they_ask():
    assert triage.classify("वेंटिलेटर अचानक बंद हो गया, तुरंत किसी को भेजो")[0] == "breakdown"
    assert triage.classify("monitor pe error 12 aa raha hai")[0] == "error_code"
    assert triage.classify("Please schedule the annual PM and calibration")[0] == "pm_request"
    assert triage.classify("")[1] == 0.0


def test_the_held_out_reports_keep_the_model_cards_quality():
    figures = triage.evaluate(timing=False)
    assert figures["macro_f1"] >= 0.88
    assert all(lang["macro_f1"] >= 0.85 for lang in figures["per_language"].values())
    assert figures["test_n"] >= 100 and figures["train_n"] >= 390
