"""The metrics each device type publishes: name, unit and the plausible range (a value
outside it is a broken sensor or a wrong payload, and is quarantined; alarm limits sit well
inside). Every type reports `temperature_c`, its internal temperature in °C."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from services.errors import Invalid


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    low: float
    high: float
    label: str


TEMPERATURE = Metric("temperature_c", "°C", -40.0, 150.0, "Internal temperature")
SELF_TEST = Metric("self_test_warnings", "count", 0, 1000, "Self-test warnings")

_TYPES: dict[str, tuple[Metric, ...]] = {
    "MRI": (
        Metric("helium_level_pct", "%", 0, 100, "Helium level"),
        Metric("helium_boiloff_l_day", "l/day", 0, 50, "Helium boil-off"),
        Metric("coldhead_compressor_duty_pct", "%", 0, 100, "Cold-head compressor duty"),
        Metric("magnet_pressure_psi", "psi", 0, 10, "Magnet vessel pressure"),
        Metric("chiller_water_temp_c", "°C", -10, 60, "Chiller water temperature"),
    ),
    "CT": (
        Metric("tube_temp_c", "°C", -10, 200, "X-ray tube temperature"),
        Metric("tube_heat_pct", "%", 0, 100, "Tube heat capacity used"),
        Metric("arc_count", "count", 0, 10000, "Tube arcs"),
        Metric("gantry_rpm", "rpm", 0, 300, "Gantry speed"),
    ),
    "X-ray": (
        Metric("tube_temp_c", "°C", -10, 200, "X-ray tube temperature"),
        Metric("exposure_count", "count", 0, 10_000_000, "Exposures"),
        Metric("generator_kv", "kV", 0, 160, "Generator voltage"),
    ),
    "Ultrasound": (
        Metric("probe_temp_c", "°C", -10, 80, "Probe temperature"),
        Metric("fan_rpm", "rpm", 0, 10000, "Cooling fan speed"),
    ),
    "Patient monitor": (
        Metric("battery_pct", "%", 0, 100, "Battery"),
        SELF_TEST,
        Metric("spo2_sensor_faults", "count", 0, 1000, "SpO₂ sensor faults"),
    ),
    "Ventilator": (
        Metric("o2_sensor_pct", "%", 0, 100, "Oxygen sensor reading"),
        Metric("turbine_hours", "h", 0, 200_000, "Turbine hours"),
        Metric("battery_pct", "%", 0, 100, "Battery"),
        SELF_TEST,
        Metric("leak_l_min", "l/min", 0, 200, "Circuit leak"),
    ),
    "Infusion pump": (
        Metric("battery_pct", "%", 0, 100, "Battery"),
        Metric("occlusion_alarms", "count", 0, 1000, "Occlusion alarms"),
        SELF_TEST,
    ),
    "Defibrillator": (
        Metric("battery_pct", "%", 0, 100, "Battery"),
        Metric("capacitor_charge_s", "s", 0, 60, "Capacitor charge time"),
        SELF_TEST,
    ),
    "Haematology analyzer": (
        Metric("reagent_level_pct", "%", 0, 100, "Reagent level"),
        Metric("aperture_clogs", "count", 0, 1000, "Aperture clogs"),
        SELF_TEST,
    ),
    "Biochemistry analyzer": (
        Metric("reagent_level_pct", "%", 0, 100, "Reagent level"),
        Metric("lamp_hours", "h", 0, 100_000, "Lamp hours"),
        Metric("incubator_temp_c", "°C", 0, 60, "Incubator temperature"),
    ),
    "Blood bank equipment": (
        Metric("chamber_temp_c", "°C", -90, 40, "Storage chamber temperature"),
        Metric("door_open_s", "s", 0, 86_400, "Door open time"),
        Metric("compressor_duty_pct", "%", 0, 100, "Compressor duty"),
    ),
    "Vaccine refrigerator": (
        Metric("chamber_temp_c", "°C", -90, 40, "Storage chamber temperature"),
        Metric("door_open_s", "s", 0, 86_400, "Door open time"),
        Metric("compressor_duty_pct", "%", 0, 100, "Compressor duty"),
    ),
}
# A type without metrics of its own still reports its temperature, uptime and warnings.
_GENERIC = (Metric("uptime_h", "h", 0, 1_000_000, "Uptime"), SELF_TEST)


def metrics_of(device_type: str | None) -> dict[str, Metric]:
    """The metrics a device of `device_type` may publish, by name; `temperature_c` first."""
    own = _TYPES.get(device_type or "", _GENERIC)
    return {m.name: m for m in (TEMPERATURE, *own)}


def schema_document() -> dict[str, list[dict]]:
    """Every known type's metrics as plain data (for the API, docs and simulators)."""
    return {t: [vars(m) for m in metrics_of(t).values()] for t in (*_TYPES, "other")}


_NUMBER = (int, float)


@cache
def _known(device_type: str | None) -> dict[str, Metric]:
    # The ingest checks every reading against its type: built once per type, not per reading.
    return metrics_of(device_type)


@cache
def _ranges(device_type: str | None) -> dict[str, tuple[float, float]]:
    return {m.name: (m.low, m.high) for m in _known(device_type).values()}


def check_metrics(device_type: str | None, metrics: object) -> dict[str, float]:
    """The payload's metrics as floats. Raises Invalid naming the first bad metric: not an
    object, empty, an unknown name, a value that is not a number, or one outside its range."""
    if metrics.__class__ is not dict or not metrics:
        raise Invalid("metrics", "must be a non-empty object of metric name to number")
    ranges = _ranges(device_type)
    out: dict[str, float] = {}
    for name, value in metrics.items():
        bounds = ranges.get(name)
        kind = value.__class__
        if bounds is None or (kind is not float and kind is not int):
            _refuse(device_type, name, value)  # raises; bool is not int here
        if not bounds[0] <= value <= bounds[1]:
            _refuse(device_type, name, value)
        out[name] = float(value)
    return out


def _refuse(device_type: str | None, name: str, value: object) -> None:
    metric = _known(device_type).get(name)
    if metric is None:
        raise Invalid(f"metrics.{name}", f"is not a metric of {device_type or 'this device'}")
    if value.__class__ is bool or not isinstance(value, _NUMBER):
        raise Invalid(f"metrics.{name}", "must be a number")
    raise Invalid(f"metrics.{name}", f"{value} is outside {metric.low}–{metric.high} {metric.unit}")
