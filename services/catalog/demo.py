"""A deterministic demo catalog: realistic SKUs of invented OEMs for demos and benchmarks.

The same seed gives the same SKUs, so figures measured on them can be compared. Names
are invented series and model numbers (no real brand); prices are in the range Indian
hospitals pay for each category; GST is 5, 12 or 18 per cent; the risk class follows the
category (services.catalog.vocab).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.catalog.specs import CATEGORY_SPECS
from services.catalog.vocab import CATEGORY_RISK


@dataclass(frozen=True)
class Kind:
    """How one category's SKUs look: price range in rupees, GST, words and attributes (those
    the category states as specifications become its SKUs' specs)."""

    low: int
    high: int
    gst: str
    nouns: tuple[str, ...]
    attrs: tuple[tuple[str, tuple[Any, ...]], ...]


KINDS: dict[str, Kind] = {
    "MRI": Kind(
        3_50_00_000,
        12_00_00_000,
        "12",
        ("MRI System", "MR Scanner"),
        (("fieldStrengthT", (0.35, 1.5, 3)), ("rfChannels", (16, 32, 48, 64))),
    ),
    "CT": Kind(
        80_00_000,
        5_50_00_000,
        "12",
        ("CT Scanner", "Computed Tomography System"),
        (("slices", (16, 32, 64, 128, 256)), ("gantryBoreCm", (70, 75, 80))),
    ),
    "X-ray": Kind(
        6_00_000,
        75_00_000,
        "12",
        ("Digital X-ray", "DR System", "Mobile X-ray"),
        (("powerKw", (32, 50, 65, 80)), ("detector", ("CsI flat panel", "CR"))),
    ),
    "C-arm": Kind(
        18_00_000,
        1_20_00_000,
        "12",
        ("C-arm", "Mobile C-arm"),
        (("detector", ("image intensifier", "flat panel")),),
    ),
    "Mammography": Kind(
        60_00_000, 2_80_00_000, "12", ("Mammography System",), (("tomosynthesis", (True, False)),)
    ),
    "Ultrasound": Kind(
        4_50_000,
        95_00_000,
        "12",
        ("Ultrasound", "Colour Doppler Ultrasound"),
        (("probes", (2, 3, 4, 5)), ("form", ("cart", "portable", "handheld"))),
    ),
    "Patient monitor": Kind(
        45_000,
        6_50_000,
        "12",
        ("Patient Monitor", "Bedside Monitor"),
        (
            ("channels", (3, 5, 8)),
            ("parameters", (5, 6, 8, 12)),
            ("screenInch", (10, 12, 15, 17)),
        ),
    ),
    "ECG machine": Kind(
        25_000,
        4_00_000,
        "12",
        ("ECG Machine", "12-lead Electrocardiograph"),
        (("channels", (3, 6, 12)), ("interpretation", (True, False))),
    ),
    "Pulse oximeter": Kind(
        1_500,
        85_000,
        "12",
        ("Pulse Oximeter", "Handheld Oximeter"),
        (("form", ("fingertip", "handheld", "tabletop")),),
    ),
    "Ventilator": Kind(
        4_50_000,
        32_00_000,
        "12",
        ("ICU Ventilator", "Transport Ventilator"),
        (
            ("patient", ("adult", "adult and paediatric", "neonatal")),
            ("mode", ("invasive", "non-invasive", "invasive and non-invasive")),
        ),
    ),
    "Anaesthesia workstation": Kind(
        9_00_000, 60_00_000, "12", ("Anaesthesia Workstation",), (("vaporizers", (1, 2, 3)),)
    ),
    "Infusion pump": Kind(
        45_000,
        2_80_000,
        "12",
        ("Infusion Pump", "Volumetric Pump"),
        (("drugLibrary", (True, False)),),
    ),
    "Syringe pump": Kind(
        35_000, 1_90_000, "12", ("Syringe Pump",), (("syringeSizesMl", ("5-60", "10-50")),)
    ),
    "Defibrillator": Kind(
        1_20_000,
        9_50_000,
        "12",
        ("Defibrillator", "AED"),
        (("waveform", ("biphasic",)), ("pacing", (True, False))),
    ),
    "Dialysis machine": Kind(
        6_50_000, 22_00_000, "12", ("Haemodialysis Machine",), (("onlineHdf", (True, False)),)
    ),
    "Infant warmer": Kind(
        75_000,
        4_50_000,
        "12",
        ("Infant Radiant Warmer", "Infant Warmer"),
        (("phototherapy", (True, False)),),
    ),
    "Electrosurgical unit": Kind(
        1_50_000,
        12_00_000,
        "12",
        ("Electrosurgical Generator",),
        (("vesselSealing", (True, False)),),
    ),
    "Surgical light": Kind(
        85_000, 9_00_000, "18", ("LED Surgical Light", "OT Light"), (("luxK", (120, 140, 160)),)
    ),
    "Hospital bed": Kind(
        22_000,
        6_50_000,
        "18",
        ("ICU Bed", "Fowler Bed", "Electric Bed"),
        (("functions", (3, 5, 7)),),
    ),
    "Autoclave": Kind(
        60_000,
        25_00_000,
        "18",
        ("Steam Autoclave", "Sterilizer"),
        (("chamberLitres", (23, 80, 150, 300)),),
    ),
    "Oxygen concentrator": Kind(
        35_000, 2_20_000, "5", ("Oxygen Concentrator",), (("flowLpm", (5, 8, 10)),)
    ),
    "Endoscope": Kind(
        6_00_000,
        45_00_000,
        "12",
        ("Video Gastroscope", "Video Colonoscope"),
        (("hd", (True, False)),),
    ),
    "Haematology analyzer": Kind(
        3_50_000,
        28_00_000,
        "12",
        ("3-part Haematology Analyzer", "5-part Haematology Analyzer"),
        (("testsPerHour", (60, 90, 120)),),
    ),
    "Biochemistry analyzer": Kind(
        2_50_000,
        65_00_000,
        "12",
        ("Semi-auto Biochemistry Analyzer", "Fully Automated Biochemistry Analyzer"),
        (("testsPerHour", (200, 400, 800, 1200)),),
    ),
    "Immunoassay analyzer": Kind(
        12_00_000,
        80_00_000,
        "12",
        ("Immunoassay Analyzer",),
        (("method", ("CLIA", "ECLIA", "ELFA")),),
    ),
    "Urine analyzer": Kind(
        40_000, 6_00_000, "12", ("Urine Analyzer",), (("stripsPerHour", (120, 240, 500)),)
    ),
    "Blood gas analyzer": Kind(
        3_00_000, 14_00_000, "12", ("Blood Gas Analyzer",), (("electrolytes", (True, False)),)
    ),
}

SERIES = (
    "Aurora",
    "Zenith",
    "Clarus",
    "Lumen",
    "Vitalis",
    "Respira",
    "Hemix",
    "Chemora",
    "Flowsafe",
    "Pulsar",
    "Sarthi",
    "Nirmal",
    "Tejas",
    "Prana",
    "Dhruva",
    "Akash",
    "Vayu",
    "Kavach",
    "Sanjeev",
    "Orion",
    "Nova",
    "Helix",
    "Vega",
    "Astra",
    "Cura",
)
EDITIONS = ("", "", " Pro", " Plus", " Neo", " Max", " Lite", " S", " X", " Elite")
FEATURES = (
    "made in India",
    "CDSCO licensed",
    "BIS certified",
    "ISO 13485 plant",
    "5-year CMC available",
    "pan-India service network",
    "touchscreen console",
    "DICOM ready",
    "HL7 connectivity",
    "low power consumption",
    "battery backup",
)

# Invented OEMs of the benchmark catalog: (name, code prefix).
DEMO_OEMS = (
    ("Medivance Imaging", "MVI"),
    ("Pranavi Lifesciences", "PLS"),
    ("Shaktiman Medtech", "SMT"),
    ("Kalpataru Diagnostics", "KDX"),
    ("Navjeevan Devices", "NJD"),
    ("Arogyam Systems", "ARS"),
    ("Suraksha Critical Care", "SCC"),
    ("Vistara Imaging", "VIM"),
    ("Dhanvantari Labs", "DVL"),
    ("Sahyadri Surgicals", "SHS"),
    ("Mangal Biomedical", "MBM"),
    ("Indus Health Devices", "IHD"),
)


def _abbreviation(category: str) -> str:
    """'Patient monitor' → 'PM', 'X-ray' → 'XR', 'Ultrasound' → 'ULT', 'MRI' → 'MRI'."""
    words = category.replace("-", " ").split()
    return (words[0][:3] if len(words) == 1 else "".join(w[0] for w in words)).upper()


def _headline(category: str, specs: dict[str, Any]) -> str:
    """The figure a product name states: ' 1.5T' for an MRI, ' 128-slice' for a CT."""
    if category == "MRI":
        return f" {specs['fieldStrengthT']:g}T"
    if category == "CT":
        return f" {specs['slices']}-slice"
    return ""


def _price_paise(rng: random.Random, kind: Kind) -> int:
    """A list price rounded as price lists are (to ₹100 below ₹1 L, ₹1,000 above)."""
    rupees = int(kind.low * (kind.high / kind.low) ** rng.random())
    step = 100 if rupees < 1_00_000 else 1_000
    return (rupees // step) * step * 100


def demo_sku(rng: random.Random, prefix: str, number: int) -> dict[str, Any]:
    """One SKU of the OEM with code `prefix`; `number` makes its code unique."""
    category = rng.choice(list(KINDS))
    kind = KINDS[category]
    series, edition = rng.choice(SERIES), rng.choice(EDITIONS)
    model = rng.choice((rng.randint(1, 99), rng.randint(100, 990)))
    chosen = {key: rng.choice(values) for key, values in kind.attrs}
    specs = {k: v for k, v in chosen.items() if k in CATEGORY_SPECS.get(category, ())}
    attrs: dict[str, Any] = {k: v for k, v in chosen.items() if k not in specs}
    name = f"{series} {model}{edition}{_headline(category, specs)} {rng.choice(kind.nouns)}"
    attrs["warrantyMonths"] = rng.choice((12, 24, 36, 60))
    features = rng.sample(FEATURES, 3)
    code = f"{prefix}-{_abbreviation(category)}{model}{edition.strip()[:1]}-{number:05d}"
    return {
        "code": code.upper(),
        "name": name,
        "category": category,
        "imdr_class": CATEGORY_RISK[category],
        "list_price_paise": _price_paise(rng, kind),
        "gst_rate": Decimal(kind.gst),
        "attrs": attrs,
        "specs": specs,
        "description": f"{name}: {category.lower()} for Indian hospitals; {', '.join(features)}.",
        "datasheet_url": f"https://datasheets.example.in/{prefix.lower()}/{code.lower()}.pdf",
    }


def demo_catalog(
    oems: list[tuple[uuid.UUID, str]], total: int, seed: int = 7
) -> Iterator[tuple[uuid.UUID, dict[str, Any]]]:
    """`total` SKUs spread over `oems` (tenant id, code prefix), some OEMs listing more
    than others, as (tenant id, SKU fields). Deterministic for a given seed."""
    rng = random.Random(seed)
    weights = [1 + (i % 4) for i in range(len(oems))]
    counters = [0] * len(oems)
    for _ in range(total):
        index = rng.choices(range(len(oems)), weights)[0]
        counters[index] += 1
        tenant_id, prefix = oems[index]
        yield tenant_id, demo_sku(rng, prefix, counters[index])


# The specifications of the demo OEMs' hand-written SKUs (services/seed/demo.py).
HAND_WRITTEN_SPECS: dict[str, dict[str, Any]] = {
    "MVI-MR15": {"fieldStrengthT": 1.5, "rfChannels": 48},
    "MVI-CT128": {"slices": 128, "gantryBoreCm": 78},
    "MVI-US9": {"probes": 3},
    "MVI-DR2": {"powerKw": 50},
    "MVI-PM12": {"channels": 5, "parameters": 12, "screenInch": 15},
    "PLS-HA5": {"testsPerHour": 60},
    "PLS-BC400": {"testsPerHour": 400},
}


def _state_hand_written_specs(db: Any, oems: list[uuid.UUID]) -> None:
    """Give the hand-written demo SKUs that state no specifications theirs."""
    from sqlalchemy import text

    db.execute(
        text(
            "UPDATE sku SET specs = CAST(r.specs AS jsonb) "
            "FROM jsonb_each_text(CAST(:specs AS jsonb)) AS r(code, specs) "
            "WHERE sku.code = r.code AND sku.specs = '{}' AND sku.tenant_id = ANY(:oems)"
        ),
        {"specs": json.dumps(HAND_WRITTEN_SPECS), "oems": oems},
    )


def seed_demo_catalog(total: int = 300) -> int:
    """Give the demo OEMs `total` more SKUs beside their hand-written ones, so the catalog
    page has something to search and filter, and the hand-written ones their
    specifications. Idempotent: the same codes are upserted. Returns how many SKUs were
    added."""
    from sqlalchemy import text

    from services.catalog.importer import upsert_skus
    from services.db import system_session

    with system_session() as db:
        demo_oems = db.execute(
            text(
                "SELECT id, name FROM tenant WHERE kind = 'oem' AND name LIKE '%(demo)' "
                "ORDER BY name"
            )
        ).all()
        prefixes = dict(DEMO_OEMS)
        oems = [
            (row.id, prefixes.get(row.name.removesuffix(" (demo)"), "DEM")) for row in demo_oems
        ]
        if not oems:
            return 0
        _state_hand_written_specs(db, [tenant_id for tenant_id, _prefix in oems])
        by_oem: dict[uuid.UUID, list[dict[str, Any]]] = {}
        for tenant_id, sku in demo_catalog(oems, total, seed=11):
            by_oem.setdefault(tenant_id, []).append(sku)
        return sum(upsert_skus(db, tenant_id, skus)[0] for tenant_id, skus in by_oem.items())
