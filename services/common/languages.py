"""The languages the platform writes in (English, Hindi, Tamil, Marathi) and each one's
file of words.

One YAML file per language, in `services/notifications/templates/`, holds everything said
to people in that language in its own script: the notices (`notices`, rendered by
`services/notifications/templates.py`) and the WhatsApp dialogue's answers and list labels
(`replies`, `intents`, used by `services/whatsapp/replies.py`). The loader lives here so
both domains read the same files without importing each other.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from services.errors import Invalid

LANGUAGES = ("en", "hi", "ta", "mr")
FILES = Path(__file__).resolve().parents[1] / "notifications" / "templates"
# A text is taken to be in a script when most of its letters are: Devanagari is read as
# Hindi (Marathi shares the script, and its readers read Hindi), Tamil as Tamil.
SCRIPTS = {"DEVANAGARI": "hi", "TAMIL": "ta"}
MOSTLY = 0.6


@cache
def language_file(language: str) -> dict[str, Any]:
    """The parsed file of `language`. Raises Invalid for a language not offered."""
    if language not in LANGUAGES:
        raise Invalid("language", f"must be one of {', '.join(LANGUAGES)}")
    return yaml.safe_load((FILES / f"{language}.yaml").read_text(encoding="utf-8"))


def language_names() -> dict[str, str]:
    """Each offered language's code and its name in its own script."""
    return {code: language_file(code)["name"] for code in LANGUAGES}


def script_language(text: str) -> str | None:
    """The language a text is clearly written in by its script (`hi` for Devanagari, `ta`
    for Tamil), or None when its letters are mostly Latin, mixed or absent."""
    counts: dict[str, int] = {}
    letters = 0
    for char in text or "":
        if not char.isalpha() and unicodedata.category(char) not in ("Mn", "Mc"):
            continue
        letters += 1
        script = unicodedata.name(char, "").split(" ", 1)[0]
        if script in SCRIPTS:
            counts[script] = counts.get(script, 0) + 1
    if not letters or not counts:
        return None
    script, found = max(counts.items(), key=lambda item: item[1])
    return SCRIPTS[script] if found / letters >= MOSTLY else None
