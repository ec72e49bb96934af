"""A demo directory of Indian healthcare facilities and laboratories, made up from a seed.

Pure and deterministic: the same pincodes and seed give the same directory, with no
database and no I/O, so a demo or a load test can be rebuilt anywhere in a second.

The mix follows where care sits in India. About 40% of facilities are in the eight
metros (by METRO_PINCODE_RANGES), 35% in the listed tier-2 cities and 25% in the rest of
the country. Metros hold most tertiary hospitals (300+ beds), reference laboratories,
corporate health centres and telemedicine hubs; primary and community health centres sit
in the districts, with a few urban PHCs in the cities. Lab chains (invented brands) open
their branches in metros and tier-2 cities. Diagnostic and pathology labs, radiology and
imaging centres and hospitals of 100+ beds each hold one laboratory.

Every name is invented or says "(demo)", so nothing poses as a real hospital, chain or
government institution; phones use the unassigned 00000 prefix and emails example.in.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import accumulate

from services.geo.vocab import ACCREDITATIONS, FACILITY_TYPES, TEST_CATEGORIES, city_tier, metro_of

# Type: (share of all facilities in %, tier-1/2/3 weights, name words, specialties as
# "always | some of", equipment as "device low-high"). The tier weights are tuned so the
# directory comes to about 40/35/25 by tier; hospitals take their words, specialties and
# equipment from the hospital tables below, labs their equipment from their tests.
KINDS: dict[str, tuple[float, tuple[float, float, float], tuple[str, ...], str, str]] = {
    "hospital": (22.0, (0.38, 0.38, 0.24), (), "", ""),
    "diagnostic_lab": (
        9.0,
        (0.45, 0.37, 0.18),
        ("Diagnostics", "Diagnostic Centre"),
        "pathology | microbiology, biochemistry, molecular diagnostics",
        "",
    ),
    "pathology_lab": (
        8.0,
        (0.40, 0.38, 0.22),
        ("Pathology Lab", "Path Lab"),
        "pathology | histopathology, cytopathology",
        "",
    ),
    "radiology_center": (
        3.0,
        (0.45, 0.38, 0.17),
        ("Radiology Centre", "X-ray and Scans"),
        "radiology | interventional radiology",
        "X-ray 1-3, Ultrasound 1-3, CT 0-1, Mammography 0-1",
    ),
    "imaging_center": (
        2.5,
        (0.52, 0.38, 0.10),
        ("Imaging Centre", "Scan Centre"),
        "radiology | nuclear medicine, interventional radiology",
        "MRI 1-2, CT 1-2, X-ray 1-2, Ultrasound 1-3, Mammography 0-1",
    ),
    "cardiac_center": (
        1.5,
        (0.58, 0.36, 0.06),
        ("Heart Institute", "Cardiac Centre"),
        "cardiology | cardiac surgery, electrophysiology, paediatric cardiology",
        "Cath lab 1-2, ECG 3-8, Patient monitor 10-40, Defibrillator 2-6, "
        "Ventilator 2-8, Ultrasound 1-2",
    ),
    "oncology_center": (
        1.2,
        (0.60, 0.35, 0.05),
        ("Cancer Centre", "Oncology Institute"),
        "medical oncology | surgical oncology, radiation oncology, haemato-oncology",
        "CT 0-1, Patient monitor 5-20, Infusion pump 10-40, "
        "Haematology analyzer 1-2, Mammography 0-1",
    ),
    "primary_health_center": (
        7.0,
        (0.02, 0.08, 0.90),
        (),
        "general medicine, maternal and child health, immunisation |",
        "Vaccine refrigerator 1-2, ECG 0-1",
    ),
    "community_health_center": (
        3.0,
        (0.0, 0.07, 0.93),
        (),
        "general medicine, general surgery, obstetrics and gynaecology, paediatrics |",
        "Vaccine refrigerator 1-3, X-ray 1-1, ECG 1-2, "
        "Haematology analyzer 0-1, Patient monitor 2-6",
    ),
    "dispensary": (
        8.0,
        (0.40, 0.34, 0.26),
        ("Clinic", "Dispensary"),
        "general medicine | paediatrics, dermatology",
        "ECG 0-1, Vaccine refrigerator 0-1",
    ),
    "eye_care_center": (
        4.0,
        (0.45, 0.38, 0.17),
        ("Eye Hospital", "Netralaya"),
        "ophthalmology | cataract surgery, retina, glaucoma, cornea",
        "Ophthalmic laser 1-3, Ultrasound 0-1",
    ),
    "dental_clinic": (
        12.0,
        (0.46, 0.40, 0.14),
        ("Dental Clinic", "Dental Care"),
        "general dentistry | orthodontics, endodontics, prosthodontics, periodontics, oral surgery",
        "Dental CBCT 0-1, X-ray 1-2",
    ),
    "dialysis_center": (
        3.0,
        (0.46, 0.40, 0.14),
        ("Dialysis Centre", "Kidney Care"),
        "nephrology, haemodialysis |",
        "Dialysis machine 4-20, Patient monitor 2-8, Defibrillator 1-1",
    ),
    "physiotherapy_center": (
        5.0,
        (0.46, 0.40, 0.14),
        ("Physiotherapy Centre", "Rehab Clinic"),
        "physiotherapy | sports rehabilitation, neuro rehabilitation, orthopaedic rehabilitation",
        "",
    ),
    "sleep_study_center": (
        0.6,
        (0.72, 0.26, 0.02),
        ("Sleep Lab", "Sleep Centre"),
        "sleep medicine | pulmonology, neurology",
        "Patient monitor 2-6, ECG 1-2",
    ),
    "emergency_center": (
        2.5,
        (0.40, 0.37, 0.23),
        ("Emergency Care", "Urgent Care Centre"),
        "emergency medicine | critical care",
        "Defibrillator 2-4, Ventilator 1-4, Patient monitor 4-12, ECG 1-3, "
        "X-ray 1-1, Infusion pump 4-12",
    ),
    "trauma_center": (
        1.5,
        (0.42, 0.38, 0.20),
        ("Trauma Centre", "Trauma Care"),
        "emergency medicine, orthopaedics | neurosurgery, general surgery, critical care",
        "CT 1-1, X-ray 1-2, Ventilator 4-12, "
        "Patient monitor 8-24, Defibrillator 2-6, Anaesthesia workstation 2-4, "
        "Blood bank equipment 0-1",
    ),
    "corporate_health_center": (
        2.0,
        (0.76, 0.22, 0.02),
        ("Workplace Health Centre", "Occupational Health Centre"),
        "occupational health | general medicine, preventive health checks",
        "ECG 1-2, Defibrillator 1-1",
    ),
    "telemedicine_center": (
        2.2,
        (0.70, 0.25, 0.05),
        ("Telehealth Hub", "eClinic"),
        "teleconsultation | general medicine, dermatology, psychiatry, paediatrics",
        "ECG 0-1, Patient monitor 0-2",
    ),
}
# Share of the metro facilities each metro gets, roughly by population.
METRO_WEIGHTS = {
    "Delhi NCR": 20,
    "Mumbai": 18,
    "Bengaluru": 14,
    "Chennai": 12,
    "Kolkata": 11,
    "Hyderabad": 11,
    "Pune": 7,
    "Ahmedabad": 7,
}
OWNERS = ("public", "private", "trust", "corporate")
# Hospital size classes: beds, weight in tiers 1/2/3, ownership weights (as OWNERS), name
# words for private ones, public name, extra specialties. Tertiary beds follow a long tail.
HOSPITAL_SIZES = (
    (
        (20, 49),
        (0.35, 0.45, 0.62),
        (0.08, 0.80, 0.10, 0.02),
        ("Nursing Home", "Hospital"),
        "Sub-District Hospital",
        (0, 2),
    ),
    (
        (50, 149),
        (0.30, 0.33, 0.30),
        (0.15, 0.60, 0.18, 0.07),
        ("Hospital", "Multispeciality Hospital"),
        "Sub-District Hospital",
        (2, 5),
    ),
    (
        (150, 299),
        (0.17, 0.14, 0.07),
        (0.20, 0.40, 0.20, 0.20),
        ("Multispeciality Hospital", "Medical Centre"),
        "District Hospital",
        (5, 10),
    ),
    (
        (300, 2500),
        (0.18, 0.08, 0.01),
        (0.25, 0.20, 0.15, 0.40),
        ("Superspeciality Hospital", "Hospital and Research Centre"),
        "Government Medical College Hospital",
        (10, 18),
    ),
)
HOSPITAL_CORE = ("general medicine", "general surgery", "obstetrics and gynaecology", "paediatrics")
HOSPITAL_MORE = (
    "orthopaedics",
    "cardiology",
    "anaesthesiology",
    "critical care",
    "ENT",
    "ophthalmology",
    "dermatology",
    "nephrology",
    "neurology",
    "urology",
    "oncology",
    "gastroenterology",
    "pulmonology",
    "psychiatry",
    "neurosurgery",
    "neonatology",
    "cardiac surgery",
    "endocrinology",
    "plastic surgery",
    "rheumatology",
)
# Hospital devices: minimum beds, fixed count, count per 100 beds. MRI, cath labs and
# mammography only from 200 beds: smaller Indian hospitals refer those out.
HOSPITAL_EQUIPMENT = (
    ("Patient monitor", 0, 2, 25),
    ("Ventilator", 0, 0, 6),
    ("Infusion pump", 0, 2, 40),
    ("Defibrillator", 0, 1, 2),
    ("ECG", 0, 1, 3),
    ("Anaesthesia workstation", 0, 1, 2.5),
    ("X-ray", 0, 1, 0.5),
    ("Ultrasound", 0, 1, 0.8),
    ("Haematology analyzer", 0, 1, 0.3),
    ("Biochemistry analyzer", 0, 1, 0.3),
    ("CT", 100, 1, 0.2),
    ("Dialysis machine", 100, 2, 3),
    ("Immunoassay analyzer", 100, 1, 0.2),
    ("Blood bank equipment", 100, 1, 0.2),
    ("Mammography", 200, 1, 0.05),
    ("MRI", 200, 1, 0.1),
    ("Cath lab", 200, 1, 0.1),
    ("PCR system", 300, 1, 0.05),
)
OWNERSHIP_MIX = {  # as OWNERS; hospitals by size (above), the rest mostly private
    "primary_health_center": (1, 0, 0, 0),
    "community_health_center": (1, 0, 0, 0),
    "dispensary": (0.45, 0.45, 0.10, 0),
    "emergency_center": (0.30, 0.50, 0.10, 0.10),
    "trauma_center": (0.40, 0.35, 0.10, 0.15),
    "corporate_health_center": (0, 0, 0, 1),
    "telemedicine_center": (0.15, 0.45, 0.05, 0.35),
    "oncology_center": (0.15, 0.45, 0.20, 0.20),
    "cardiac_center": (0.10, 0.50, 0.15, 0.25),
    "eye_care_center": (0.05, 0.70, 0.20, 0.05),
}
DEFAULT_OWNERSHIP = (0.0, 0.80, 0.05, 0.15)
GOVERNMENT_NAMES = {  # a pincode follows, since a district has many of each
    "primary_health_center": "Primary Health Centre",
    "dispensary": "Government Dispensary",
    "community_health_center": "Community Health Centre",
    "emergency_center": "Government Emergency Care Centre",
    "trauma_center": "Government Trauma Care Centre",
    "eye_care_center": "Government Eye Hospital",
    "telemedicine_center": "Government Telemedicine Centre",
    "oncology_center": "Government Cancer Centre",
    "cardiac_center": "Government Heart Centre",
}
BEDS = {
    "primary_health_center": (6, 6),
    "community_health_center": (30, 30),
    "cardiac_center": (30, 150),
    "oncology_center": (25, 250),
    "emergency_center": (10, 30),
    "trauma_center": (30, 120),
    "sleep_study_center": (2, 8),
}
LAB_KINDS = ("full_service", "reference", "collection_centre", "specialty")
LAB_KIND_MIX = {  # as LAB_KINDS, by tier: reference labs sit in the metros
    "diagnostic_lab": ((0.78, 0.08, 0.04, 0.10), (0.85, 0.02, 0.07, 0.06), (0.88, 0, 0.10, 0.02)),
    "pathology_lab": ((0.55, 0.02, 0.35, 0.08), (0.60, 0.005, 0.33, 0.065), (0.70, 0, 0.28, 0.02)),
}
IMAGING = ("radiology_center", "imaging_center")
CORE_TESTS = ("pathology", "haematology", "biochemistry", "urinalysis")
EXTRA_TESTS = (
    "microbiology",
    "immunoassay",
    "serology",
    "coagulation",
    "histopathology",
    "cytology",
    "molecular",
)
SPECIALTY_PANELS = (
    ("molecular", "genetics"),
    ("histopathology", "cytology"),
    ("microbiology", "serology", "molecular"),
    ("toxicology", "biochemistry"),
    ("immunoassay", "serology"),
)
NABL_CHANCE = {
    "reference": 0.9,
    "full_service": 0.4,
    "hospital": 0.45,
    "specialty": 0.5,
    "collection_centre": 0.05,
    "imaging": 0.1,
}
NABH_CHANCE = {
    "cardiac_center": 0.35,
    "oncology_center": 0.35,
    "eye_care_center": 0.1,
    "dialysis_center": 0.1,
    "imaging_center": 0.1,
    "radiology_center": 0.05,
    "dental_clinic": 0.02,
    "trauma_center": 0.2,
    "emergency_center": 0.1,
}
LAB_INSTRUMENTS = {
    "pathology": "binocular microscope",
    "haematology": "5-part haematology analyzer",
    "biochemistry": "fully automated biochemistry analyzer",
    "urinalysis": "urine analyzer",
    "immunoassay": "chemiluminescence immunoassay analyzer",
    "serology": "ELISA reader",
    "microbiology": "automated blood culture system",
    "molecular": "real-time PCR system",
    "genetics": "next-generation sequencer",
    "coagulation": "coagulation analyzer",
    "histopathology": "tissue processor and microtome",
    "cytology": "liquid-based cytology processor",
    "toxicology": "LC-MS/MS system",
    "blood_bank": "blood component separator",
}
LAB_DEVICES = {
    "haematology": "Haematology analyzer",
    "biochemistry": "Biochemistry analyzer",
    "immunoassay": "Immunoassay analyzer",
    "molecular": "PCR system",
}
COLLECTION_KIT = ("centrifuge", "sample transport cooler")
SMALL_HOSPITAL_LAB = ("3-part haematology analyzer", "semi-automated biochemistry analyzer")
# Invented Sanskrit-sounding compounds (head + tail) and lab chains; none is a known
# Indian healthcare brand.
BRAND_HEADS = (
    "Kshema",
    "Shubha",
    "Prana",
    "Nirama",
    "Tejo",
    "Suvarna",
    "Chaitanya",
    "Anvi",
    "Dhriti",
    "Ishanya",
    "Jivana",
    "Kalpa",
    "Navya",
    "Pushpa",
    "Sanvi",
    "Vatsa",
)
BRAND_TAILS = (
    "deep",
    "kiran",
    "nidhi",
    "vardhan",
    "prabha",
    "shree",
    "dhara",
    "sudha",
    "veda",
    "rekha",
    "mukh",
    "sagar",
)
CHAIN_BRANDS = (
    "Vedanvi Diagnostics",
    "Pranivya Labs",
    "Kshemora Pathology",
    "Sutejya Diagnostics",
    "Arunvi Labs",
)
CHAIN_SHARE = (0.45, 0.30, 0.04)  # of diagnostic and pathology labs, by tier
STREETS = (
    "Station Road",
    "Main Road",
    "Hospital Road",
    "Market Road",
    "Temple Street",
    "Gandhi Road",
    "Church Road",
    "Lake View Road",
    "Ring Road",
    "Bazaar Street",
    "College Road",
    "Court Road",
    "Canal Road",
    "Mill Road",
    "Bus Stand Road",
)
AREAS = (
    "Shanti Nagar",
    "Gandhi Nagar",
    "Ram Nagar",
    "Indira Colony",
    "Vivekananda Layout",
    "Azad Nagar",
    "Patel Colony",
    "Krishna Nagar",
    "Subhash Nagar",
    "Vidya Nagar",
    "Ashok Vihar",
    "Sector 4",
    "Sector 11",
    "Sector 21",
    "New Colony",
    "Civil Lines",
)
JITTER_M = 2_500.0
METRES_PER_DEGREE = 111_195.0  # on the sphere of services.geo.distance


def _specialty_table(spec: str) -> tuple[list[str], list[str]]:
    """'a, b | c, d' -> (['a', 'b'], ['c', 'd']): always, and some of."""
    always, _, some = spec.partition("|")
    return (
        [s.strip() for s in always.split(",") if s.strip()],
        [s.strip() for s in some.split(",") if s.strip()],
    )


def _equipment_table(spec: str) -> dict[str, tuple[int, int]]:
    """'X-ray 1-3, CT 0-1' -> {'X-ray': (1, 3), 'CT': (0, 1)}."""
    table = {}
    for part in filter(None, spec.split(", ")):
        device, span = part.rsplit(" ", 1)
        low, high = span.split("-")
        table[device] = (int(low), int(high))
    return table


SPECIALTIES = {t: _specialty_table(k[3]) for t, k in KINDS.items()}
EQUIPMENT = {t: _equipment_table(k[4]) for t, k in KINDS.items()}


@dataclass(frozen=True)
class DemoDirectory:
    facilities: list[dict]
    laboratories: list[dict]


def build_directory(pincodes: list[dict], seed: int = 2026, total: int = 36_000) -> DemoDirectory:
    """A directory of `total` facilities on the given pincodes and the laboratories they
    hold. Same pincodes and seed, same directory. Raises ValueError when the pincodes miss
    a metro or have no tier-2 or no tier-3 pincode."""
    rng = random.Random(seed)
    pickers = _place_pickers(pincodes)
    facilities: list[dict] = []
    laboratories: list[dict] = []
    for ftype, tier in _plan(rng, total):
        facility, lab = _facility(rng, ftype, tier, pickers[tier](rng), len(facilities) + 1)
        facilities.append(facility)
        if lab is not None:
            number = len(laboratories) + 1
            lab["external_id"] = f"DEMO-L-{number:06d}"
            lab["contact_info"] = _contact(50_000 + number, "lab")
            laboratories.append(lab)
    return DemoDirectory(facilities=facilities, laboratories=laboratories)


def _place_pickers(pincodes: list[dict]) -> dict:
    """A pincode picker per tier. Metros weigh by METRO_WEIGHTS; tier-2 cities by the
    square root of their pincodes, so small cities still get their share."""
    metros: dict[str, list[dict]] = {metro: [] for metro in METRO_WEIGHTS}
    cities: dict[str, list[dict]] = {}
    rest: list[dict] = []
    for row in pincodes:
        tier = city_tier(row["pincode"], row["city"])
        if tier == 1:
            metros[metro_of(row["pincode"])].append(row)
        else:
            (cities.setdefault(row["city"], []) if tier == 2 else rest).append(row)
    if not (all(metros.values()) and cities and rest):
        raise ValueError("pincodes must cover every metro, tier-2 cities and tier-3 districts")
    groups = [list(metros.values()), [cities[c] for c in sorted(cities)]]
    cums = [
        list(accumulate(METRO_WEIGHTS.values())),
        list(accumulate(math.sqrt(len(g)) for g in groups[1])),
    ]

    def picker(tier: int):
        return lambda rng: rng.choice(rng.choices(groups[tier], cum_weights=cums[tier])[0])

    return {1: picker(0), 2: picker(1), 3: lambda rng: rng.choice(rest)}


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Whole counts summing to `total`, by the largest remainder."""
    exact = [w * total / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _plan(rng: random.Random, total: int) -> list[tuple[str, int]]:
    """(facility type, tier) for every facility, shuffled so the ids do not group by type."""
    plan = []
    per_type = _apportion(total, [KINDS[t][0] for t in FACILITY_TYPES])
    for ftype, count in zip(FACILITY_TYPES, per_type, strict=True):
        for tier, n in enumerate(_apportion(count, list(KINDS[ftype][1])), start=1):
            plan.extend([(ftype, tier)] * n)
    rng.shuffle(plan)
    return plan


def _facility(rng: random.Random, ftype: str, tier: int, row: dict, seq: int):
    beds, size = _beds(rng, ftype, tier)
    owner = rng.choices(
        OWNERS,
        weights=HOSPITAL_SIZES[size][2]
        if ftype == "hospital"
        else OWNERSHIP_MIX.get(ftype, DEFAULT_OWNERSHIP),
    )[0]
    chain = (
        rng.choice(CHAIN_BRANDS)
        if ftype in LAB_KIND_MIX and rng.random() < CHAIN_SHARE[tier - 1]
        else None
    )
    stem, name = _name(rng, ftype, owner, size, row, chain)
    lat, lng = _jitter(rng, row["latitude"], row["longitude"])
    facility = {
        "external_id": f"DEMO-F-{seq:06d}",
        "name": name,
        "address": _address(rng, row),
        "pincode": row["pincode"],
        "facility_type": ftype,
        "bed_count": beds,
        "specialties": _specialties(rng, ftype, size),
        "accreditations": [],
        "ownership": owner,
        "latitude": lat,
        "longitude": lng,
        "contact_info": _contact(seq, stem),
        "equipment": {},
        "lab_equipment_types": [],
    }
    lab = _laboratory(rng, facility, tier, chain, size)
    facility["equipment"] = _equipment(rng, ftype, beds, lab)
    facility["lab_equipment_types"] = _lab_instruments(ftype, lab)
    facility["accreditations"] = _facility_accreditations(rng, ftype, size, tier, lab)
    return facility, lab


def _beds(rng: random.Random, ftype: str, tier: int) -> tuple[int | None, int]:
    """Bed count and hospital size class (0 small .. 3 tertiary; 0 for other types)."""
    if ftype == "hospital":
        size = rng.choices(range(4), weights=[s[1][tier - 1] for s in HOSPITAL_SIZES])[0]
        low, high = HOSPITAL_SIZES[size][0]
        if size == 3:
            return min(high, int(low * rng.paretovariate(1.8))), size
        return rng.randint(low, high), size
    if ftype == "eye_care_center" and rng.random() < 0.15:
        return rng.randint(10, 30), 0  # the few eye hospitals that admit for surgery
    if ftype in BEDS:
        return rng.randint(*BEDS[ftype]), 0
    return None, 0


def _name(
    rng: random.Random, ftype: str, owner: str, size: int, row: dict, chain: str | None
) -> tuple[str, str]:
    """(brand stem for the email, full name). Public sites say '(demo)' and carry the
    pincode, since a district has many of them."""
    city = row["city"]
    if owner == "public" and (ftype == "hospital" or ftype in GOVERNMENT_NAMES):
        urban = ftype == "primary_health_center" and city_tier(row["pincode"], city) < 3
        label = HOSPITAL_SIZES[size][4] if ftype == "hospital" else GOVERNMENT_NAMES[ftype]
        return "govt", f"{'Urban ' if urban else ''}{label} (demo), {city} {row['pincode']}"
    if chain:
        return chain.split()[0], f"{chain}, {city}"
    stem = rng.choice(BRAND_HEADS) + rng.choice(BRAND_TAILS)
    if ftype == "hospital":
        words = "Charitable Hospital" if owner == "trust" else rng.choice(HOSPITAL_SIZES[size][3])
    else:
        words = rng.choice(KINDS[ftype][2])
    return stem, f"{stem} {words}, {city}"


def _address(rng: random.Random, row: dict) -> str:
    return (
        f"{rng.randint(1, 250)}, {rng.choice(STREETS)}, {rng.choice(AREAS)}, "
        f"{row['city']}, {row['state']} {row['pincode']}"
    )


def _jitter(rng: random.Random, lat: float, lng: float) -> tuple[float, float]:
    """A point within JITTER_M of the centroid, uniform over the disc, so the sites of one
    pincode do not stack on one map pin."""
    distance = JITTER_M * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / METRES_PER_DEGREE
    dlng = distance * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _contact(seq: int, stem: str) -> dict:
    return {"phone": f"+91 00000 {seq % 100_000:05d}", "email": f"{stem.lower()}.{seq}@example.in"}


def _specialties(rng: random.Random, ftype: str, size: int) -> list[str]:
    if ftype == "hospital":
        extra = rng.randint(*HOSPITAL_SIZES[size][5])
        return list(HOSPITAL_CORE) + rng.sample(HOSPITAL_MORE, extra)
    always, some = SPECIALTIES[ftype]
    return always + rng.sample(some, rng.randint(0, min(3, len(some))))


def _laboratory(
    rng: random.Random, facility: dict, tier: int, chain: str | None, size: int
) -> dict | None:
    """The laboratory a facility holds, if any; the caller numbers it."""
    ftype, beds = facility["facility_type"], facility["bed_count"]
    if ftype in LAB_KIND_MIX:
        weights = list(LAB_KIND_MIX[ftype][tier - 1])
        if chain:
            weights[1] *= 2  # chains run the reference labs their branches send samples to
        kind, name = rng.choices(LAB_KINDS, weights=weights)[0], facility["name"]
    elif ftype in IMAGING:
        kind, name = "specialty", f"Diagnostic Imaging, {facility['name']}"
    elif ftype == "hospital" and beds >= 100:
        kind, name = "hospital", f"Laboratory Services, {facility['name']}"
    else:
        return None
    categories = _test_categories(rng, kind, ftype in IMAGING, size)
    return {
        "external_id": "",
        "facility_external_id": facility["external_id"],
        "name": name,
        "address": facility["address"],
        "pincode": facility["pincode"],
        "lab_type": kind,
        "test_categories": categories,
        "accreditations": _lab_accreditations(
            rng, "imaging" if ftype in IMAGING else kind, chain, tier
        ),
        "latitude": facility["latitude"],
        "longitude": facility["longitude"],
        "contact_info": {},
    }


def _test_categories(rng: random.Random, kind: str, imaging: bool, size: int) -> list[str]:
    if imaging:
        chosen = {"radiology"} | ({"cardiology"} if rng.random() < 0.3 else set())
    elif kind == "reference":
        chosen = set(CORE_TESTS + EXTRA_TESTS) | {"genetics", "toxicology"}
    elif kind == "full_service":
        chosen = set(CORE_TESTS) | set(rng.sample(EXTRA_TESTS, rng.randint(1, 5)))
    elif kind == "collection_centre":
        chosen = set(CORE_TESTS) if rng.random() < 0.5 else set(CORE_TESTS[:3])
    elif kind == "specialty":
        chosen = set(rng.choice(SPECIALTY_PANELS))
    else:  # a hospital's laboratory also answers for its X-ray and ECG
        chosen = set(CORE_TESTS) | {"microbiology", "coagulation", "radiology", "cardiology"}
        chosen |= set(rng.sample(EXTRA_TESTS, 1 + 2 * size)) | ({"blood_bank"} if size else set())
    return [c for c in TEST_CATEGORIES if c in chosen]


def _lab_accreditations(rng: random.Random, kind: str, chain: str | None, tier: int) -> list[str]:
    """NABL is common, above all in chains; CAP only for reference labs and a few metro
    full-service labs."""
    chance = NABL_CHANCE[kind]
    if chain and kind != "collection_centre":
        chance = max(chance, 0.85)
    held = ["NABL"] if rng.random() < chance else []
    cap = {"reference": 0.3, "full_service": 0.03 if tier == 1 else 0.0}.get(kind, 0.0)
    if held and rng.random() < cap:
        held.append("CAP")
    return held


def _equipment(rng: random.Random, ftype: str, beds: int | None, lab: dict | None) -> dict:
    if ftype == "hospital":
        return {
            device: max(1, round((fixed + beds * per_100 / 100) * rng.uniform(0.8, 1.2)))
            for device, min_beds, fixed, per_100 in HOSPITAL_EQUIPMENT
            if beds >= min_beds
        }
    if ftype in LAB_KIND_MIX:
        if lab["lab_type"] == "collection_centre":
            return {}  # collection centres send their samples to an analyzing lab
        return {
            LAB_DEVICES[c]: rng.randint(1, 3) for c in lab["test_categories"] if c in LAB_DEVICES
        }
    counts = {device: rng.randint(low, high) for device, (low, high) in EQUIPMENT[ftype].items()}
    return {device: n for device, n in counts.items() if n}


def _lab_instruments(ftype: str, lab: dict | None) -> list[str]:
    if lab is None:
        return list(SMALL_HOSPITAL_LAB) if ftype == "hospital" else []
    if lab["lab_type"] == "collection_centre":
        return list(COLLECTION_KIT)
    return [LAB_INSTRUMENTS[c] for c in lab["test_categories"] if c in LAB_INSTRUMENTS]


def _facility_accreditations(
    rng: random.Random, ftype: str, size: int, tier: int, lab: dict | None
) -> list[str]:
    """NABH by type and size, JCI for a few metro tertiary hospitals, plus what the
    facility's laboratory holds."""
    chance = (0.03, 0.15, 0.4, 0.7)[size] if ftype == "hospital" else NABH_CHANCE.get(ftype, 0)
    held = set(lab["accreditations"]) if lab else set()
    if rng.random() < chance:
        held.add("NABH")
    if ftype == "hospital" and size == 3 and tier == 1 and rng.random() < 0.1:
        held.add("JCI")
    return [a for a in ACCREDITATIONS if a in held]
