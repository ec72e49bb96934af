"""What the platform answers on WhatsApp, in the writer's language.

The words live in the same file per language as the notices (`replies` and `intents` in
`services/notifications/templates/<language>.yaml`, read through
`services/common/languages.py`). A known writer is answered in the language they chose for
their notices; one who never chose, in the script they write in (Devanagari as Hindi,
Tamil as Tamil), else English. An unknown number is answered in the language of its
script, or in English and Hindi together when the script says nothing.
"""

from __future__ import annotations

from services.common.languages import LANGUAGES, language_file, script_language

DEFAULT = "en"
# A stranger writing in Latin letters may read English or Hindi: both are sent.
STRANGER_LANGUAGES = ("en", "hi")


def say(key: str, language: str, **values: object) -> str:
    """The answer `key` in `language` (English for a language not offered) with `values`
    filled in."""
    book = language_file(language if language in LANGUAGES else DEFAULT)
    return book["replies"][key].format(**values).strip()


def intent_labels(language: str) -> dict[str, str]:
    """Each triage intent's label in `language`, short enough for a WhatsApp list row."""
    return dict(language_file(language if language in LANGUAGES else DEFAULT)["intents"])


def language_for(chosen: str | None, text: str) -> str:
    """The language to answer a known writer in: the one they chose for their notices,
    else the script of `text`, else English."""
    if chosen in LANGUAGES:
        return chosen
    return script_language(text) or DEFAULT


def stranger(text: str) -> str:
    """How to register, for a number no user has: in the language of the script of
    `text`, else in English and Hindi."""
    language = script_language(text)
    languages = (language,) if language else STRANGER_LANGUAGES
    return "\n\n".join(say("stranger", code) for code in languages)


def opened(number: int | None, priority: str, device: str, language: str = DEFAULT) -> str:
    return say("opened", language, number=number, priority=priority, device=device)


def added(number: int | None, language: str = DEFAULT) -> str:
    return say("added", language, number=number)
