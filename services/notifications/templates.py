"""Notices written in each reader's language, from the files in `templates/`.

One YAML file per language (en, hi, ta, mr; loaded by `services/common/languages.py`,
which the WhatsApp dialogue's answers share) holds the title and body of every kind of
notice in its own script, the month names and the way a date and time is written. What
goes into the blanks is formatted here, the same way in every language: counts with
Indian digit grouping (1,23,456), amounts in paise as ₹ (₹12,34,567.00), moments in IST.
WhatsApp sends the same notice as an approved template, named in `KINDS`, with its
parameters in the order the template was approved with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.common.clock import IST
from services.common.languages import (  # noqa: F401 - language_names: notices' offer
    LANGUAGES,
    language_file,
    language_names,
)
from services.common.money import format_inr, group_indian
from services.errors import Invalid

CHANNELS = ("in_app", "whatsapp", "email")


@dataclass(frozen=True)
class Kind:
    """A kind of notice: what people see it called, its WhatsApp template and the order of
    that template's parameters, and the channels it goes out on by default."""

    label: str
    whatsapp_template: str
    params: tuple[str, ...]
    default: tuple[str, ...] = ("in_app",)


KINDS: dict[str, Kind] = {
    "ticket_opened": Kind("Ticket opened", "ticket_opened", ("number", "device", "priority")),
    "ticket_assigned": Kind("Engineer assigned", "ticket_assigned", ("number", "engineer", "eta")),
    "ticket_en_route": Kind("Engineer on the way", "engineer_en_route", ("number", "engineer")),
    "ticket_resolved": Kind(
        "Ticket resolved", "ticket_resolved", ("number", "device", "resolved_at")
    ),
    "sla_breached": Kind("SLA breached", "sla_breached", ("number", "priority", "clock", "due")),
    "import_finished": Kind(
        "Bulk import finished", "bulk_import_finished", ("batch", "processed", "failed")
    ),
    "order_update": Kind("Order news", "order_update", ("order", "status", "party")),
    "result_ready": Kind(
        "Lab report ready",
        "test_result_ready",
        ("patient", "test", "lab", "link"),
        ("whatsapp",),
    ),
    "critical_value": Kind(
        "Critical lab value",
        "critical_value_alert",
        ("patient", "test", "value", "sample"),
        ("in_app", "whatsapp"),
    ),
}


@dataclass(frozen=True)
class Word:
    """A word looked up in the reader's language ('shipped', 'response', …)."""

    key: str


@dataclass(frozen=True)
class Paise:
    """An amount in paise, written as ₹ with Indian grouping."""

    amount: int


@dataclass(frozen=True)
class Rendered:
    """A notice in one language: its title, body and the WhatsApp template parameters."""

    kind: str
    language: str
    title: str
    body: str
    whatsapp_template: str
    whatsapp_params: list[str]


def format_value(value: Any, language: str) -> str:
    """One blank's value as the reader of `language` writes it: counts grouped the Indian
    way, amounts in ₹, moments as a date and time in IST, words in the language, and
    nothing known (None) as 'to be confirmed'."""
    book = language_file(language)
    if value is None:
        return book["words"]["unknown"]
    if isinstance(value, Word):
        return book["words"].get(value.key, value.key)
    if isinstance(value, Paise):
        return format_inr(value.amount)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return group_indian(value)
    if isinstance(value, datetime):
        moment = value.astimezone(IST)
        return book["when"].format(
            day=moment.day,
            month=book["months"][moment.month - 1],
            year=moment.year,
            time=moment.strftime("%H:%M"),
        )
    return str(value)


def render(kind: str, language: str, params: dict[str, Any]) -> Rendered:
    """The notice `kind` in `language` with `params` filled in (a blank with no value is
    'to be confirmed'). Raises Invalid for an unknown kind or language."""
    if kind not in KINDS:
        raise Invalid("kind", f"must be one of {', '.join(KINDS)}")
    text = language_file(language)["notices"][kind]
    spec = KINDS[kind]
    shown = {name: format_value(params.get(name), language) for name in spec.params}
    shown.update({k: format_value(v, language) for k, v in params.items() if k not in shown})
    return Rendered(
        kind=kind,
        language=language,
        title=text["title"].format_map(shown).strip(),
        body=text["body"].format_map(shown).strip(),
        whatsapp_template=spec.whatsapp_template,
        whatsapp_params=[shown[name] for name in spec.params],
    )
