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
