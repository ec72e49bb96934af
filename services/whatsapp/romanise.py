"""Devanagari in Latin letters, roughly as people type Hinglish ("मशीन" → "mashin"), so a
Hindi report shares features with romanised ones and with English loanwords."""

from __future__ import annotations

_VOWELS = {
    "अ": "a",
    "आ": "a",
    "इ": "i",
    "ई": "i",
    "उ": "u",
    "ऊ": "u",
    "ऋ": "ri",
    "ए": "e",
    "ऐ": "ai",
    "ओ": "o",
    "औ": "au",
    "ऑ": "o",
    "ऍ": "e",
}
_SIGNS = {
    "ा": "a",
    "ि": "i",
    "ी": "i",
    "ु": "u",
    "ू": "u",
    "ृ": "ri",
    "े": "e",
    "ै": "ai",
    "ो": "o",
    "ौ": "au",
    "ॉ": "o",
    "ॅ": "e",
}
_CONSONANTS = {
    "क": "k",
    "ख": "kh",
    "ग": "g",
    "घ": "gh",
    "ङ": "n",
    "च": "ch",
    "छ": "chh",
    "ज": "j",
    "झ": "jh",
    "ञ": "n",
    "ट": "t",
    "ठ": "th",
    "ड": "d",
    "ढ": "dh",
    "ण": "n",
    "त": "t",
    "थ": "th",
    "द": "d",
    "ध": "dh",
    "न": "n",
    "प": "p",
    "फ": "f",
    "ब": "b",
    "भ": "bh",
    "म": "m",
    "य": "y",
    "र": "r",
    "ल": "l",
    "व": "v",
    "श": "sh",
    "ष": "sh",
    "स": "s",
    "ह": "h",
    "क़": "k",
    "ख़": "kh",
    "ग़": "g",
    "ज़": "z",
    "ड़": "d",
    "ढ़": "rh",
    "फ़": "f",
}
_NUKTA, _VIRAMA = "\u093c", "\u094d"
_NASAL = {"ं": "n", "ँ": "n", "ः": "h"}


def romanise(text: str) -> str:
    """The text with Devanagari letters written in Latin ones; other characters kept."""
    out: list[str] = []
    chars = list(text)
    i = 0
    while i < len(chars):
        c = chars[i]
        if i + 1 < len(chars) and chars[i + 1] == _NUKTA:
            c, i = c + _NUKTA, i + 1
        if c in _CONSONANTS:
            out.append(_CONSONANTS[c])
            following = chars[i + 1] if i + 1 < len(chars) else ""
            if following in _SIGNS:
                out.append(_SIGNS[following])
                i += 1
            elif following == _VIRAMA:
                i += 1
            elif following and "\u0900" <= following <= "\u097f":
                out.append("a")  # the inherent vowel, dropped at a word's end
        elif c in _VOWELS:
            out.append(_VOWELS[c])
        elif c in _SIGNS:
            out.append(_SIGNS[c])
        elif c in _NASAL:
            out.append(_NASAL[c])
        elif c == "।":
            out.append(".")
        else:
            out.append(c)
        i += 1
    return "".join(out)
