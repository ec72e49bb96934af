"""User text made safe for the formats the platform writes outside Reflex's components.

User text is data, never markup. Each rule lives here once:
- `html_text`: text for HTML, including HTML that a map's script hands to the browser inside
  a JavaScript template literal (folium's tooltips and popups);
- `pdf_text`: text for a ReportLab `Paragraph`, whose mini-language reads `<` as a tag;
- `csv_cell`: a cell of a CSV file a user may open in a spreadsheet.
"""

from __future__ import annotations

import html
import re
from typing import Any

# Beyond HTML's own five: a backtick ends a JavaScript template literal, `${` opens an
# expression inside one and a backslash escapes. As entities they show as themselves once
# the browser parses the HTML, yet mean nothing to the script that carries them.
_SCRIPT_CHARS = {ord("`"): "&#96;", ord("$"): "&#36;", ord("\\"): "&#92;"}

# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(...)).
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def html_text(value: Any) -> str:
    """`value` as text that HTML shows literally and a script template cannot run."""
    return html.escape("" if value is None else str(value), quote=True).translate(_SCRIPT_CHARS)


def pdf_text(value: Any) -> str:
    """`value` as text a ReportLab Paragraph prints literally (`<img src=x>` stays words)."""
    return html.escape("" if value is None else str(value), quote=True)


def csv_cell(value: Any) -> Any:
    """`value` for a CSV cell: text a spreadsheet would run as a formula gets a leading
    apostrophe, so it shows as text; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def csv_row(values: list[Any] | tuple[Any, ...]) -> list[Any]:
    """Every cell of a row through `csv_cell`."""
    return [csv_cell(v) for v in values]
