"""The device categories buyers browse by, with the risk class the Indian Medical Device
Rules usually give each (a SKU may still state its own class)."""

from __future__ import annotations

CATEGORY_RISK = {
    "MRI": "C",
    "CT": "C",
    "X-ray": "B",
    "C-arm": "C",
    "Mammography": "C",
    "Ultrasound": "B",
    "Patient monitor": "B",
    "ECG machine": "B",
    "Pulse oximeter": "B",
    "Ventilator": "C",
    "Anaesthesia workstation": "C",
    "Infusion pump": "C",
    "Syringe pump": "C",
    "Defibrillator": "D",
    "Dialysis machine": "C",
    "Infant warmer": "C",
    "Electrosurgical unit": "C",
    "Surgical light": "A",
    "Hospital bed": "A",
    "Autoclave": "B",
    "Oxygen concentrator": "B",
    "Endoscope": "B",
    "Haematology analyzer": "B",
    "Biochemistry analyzer": "B",
    "Immunoassay analyzer": "B",
    "Urine analyzer": "A",
    "Blood gas analyzer": "B",
}

# Words of the trade that mean the same thing, one group a line. Search treats every form
# of a group as the same word: a buyer who types "magnetic resonance" finds the SKUs that
# say "MRI", and "hematology" finds "haematology". Forms are lower case; a form of several
# words matches those words in that order. Figures with units ("1.5 tesla", "1.5T", "128
# slice") are read by services/catalog/query.py, not listed here.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("mri", "magnetic resonance imaging", "magnetic resonance", "mr scanner", "nmr"),
    ("ct", "computed tomography", "computerised tomography", "computerized tomography", "cat scan"),
    ("haematology", "hematology"),
    ("haemodialysis", "hemodialysis"),
    ("anaesthesia", "anesthesia"),
    ("paediatric", "pediatric"),
    ("analyzer", "analyser"),
    ("colour", "color"),
    ("ventilator", "life support ventilator", "respirator", "life support"),
    ("ecg", "ekg", "electrocardiograph", "electrocardiogram", "electrocardiography"),
    ("ultrasound", "usg", "sonography", "ultrasonography", "sonography machine"),
    ("x-ray", "xray", "x ray", "radiography"),
    ("c-arm", "c arm", "carm"),
    ("defibrillator", "defib", "aed"),
    ("oximeter", "spo2"),
    ("autoclave", "sterilizer", "steriliser"),
    ("oxygen concentrator", "o2 concentrator"),
    ("infusion pump", "iv pump"),
    ("patient monitor", "multipara monitor", "multiparameter monitor", "bedside monitor"),
)
