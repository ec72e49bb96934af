"""HL7 sample messages written by others: the ones in hl7apy's own documentation."""

from __future__ import annotations

import ast
import inspect
import re

from hl7apy import exceptions, parser


def _assignments(source: str) -> dict[str, str]:
    """The string literals assigned in a docstring's `>>> name = '...' '...'` lines."""
    found: dict[str, str] = {}
    for match in re.finditer(r">>> (\w+) = ((?:[\"'].*?[\"'](?:\s*\\\s*\n\s*)?)+)\n", source):
        literal = re.sub(r"\\\s*\n\s*", " ", match.group(2))
        found[match.group(1)] = ast.literal_eval(literal.replace("\\&", "\\\\&"))
    return found


def hl7apy_adt_a01() -> str:
    """An ADT^A01 (v2.5) from hl7apy's ValidationError documentation."""
    parts = _assignments(inspect.getdoc(exceptions.ValidationError))
    return parts["msh"] + parts["evn"] + parts["pid"]


def hl7apy_oml_o33() -> str:
    """An OML^O33 (v2.5) from hl7apy's parse_message documentation."""
    return _assignments(inspect.getdoc(parser.parse_message))["message"]
