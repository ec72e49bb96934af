"""Simulated telemetry of healthy and degrading devices, by device type.

The degradation patterns are the ones service engineers describe: an MRI's helium boil-off
rising and its cold-head compressor's duty cycle creeping up, a CT tube running hotter and
arcing more often, ventilators and patient monitors whose self-tests warn more and more,
blood-bank refrigerators whose temperature excursions grow longer and more frequent.

A `DeviceProfile` fixes one device's character (its own baselines, and for a degrading
device when the fault starts and when the device fails). `sample` draws its readings at any
spacing over any span; the same profile, span and spacing always give the same readings.
Healthy devices are not spotless: they have daily cycles, benign spikes and slow ageing, so
a model must learn the shape of a failure, not the presence of noise.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

# Metrics each simulated type sends (every type also sends `temperature_c`). Counts are
# per reading interval; `COUNT_METRICS` are summed, not averaged, into rollups.
METRICS: dict[str, tuple[str, ...]] = {
    "MRI": (
        "helium_level_pct",
        "helium_boiloff_l_day",
        "coldhead_compressor_duty_pct",
        "temperature_c",
    ),
    "CT": ("tube_temp_c", "arc_count", "temperature_c"),
    "Ventilator": ("self_test_warnings", "temperature_c"),
    "Patient monitor": ("self_test_warnings", "temperature_c"),
    "Blood bank equipment": ("chamber_temp_c", "compressor_duty_pct", "temperature_c"),
}
DEVICE_TYPES = tuple(METRICS)
COUNT_METRICS = frozenset({"arc_count", "self_test_warnings"})
HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class DeviceProfile:
    """One simulated device: its type, its seed, and when (if ever) it fails."""

    device_type: str
    seed: int
    failure_at: datetime | None = None  # None: a healthy device
    onset_days: float = 30.0  # how long before the failure the degradation starts

    @property
    def is_degrading(self) -> bool:
        return self.failure_at is not None

    def rng(self, *salt: int | str) -> np.random.Generator:
        """A generator fixed by the profile and `salt` (the same draw every time)."""
        key = "|".join(str(part) for part in (self.device_type, self.seed, *salt))
        digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
        return np.random.default_rng(int.from_bytes(digest, "big"))

    def character(self) -> dict[str, float]:
        """The device's own baselines and quirks, drawn once from its seed."""
        r = self.rng("character")
        return {
            "helium_base": r.uniform(80, 97),
            "helium_ageing": r.uniform(0.0, 0.04),  # %/day a healthy magnet still loses
            "duty_base": r.uniform(50, 68),
            "tube_base": r.uniform(52, 68),
            "arc_rate": r.uniform(0.01, 0.08),  # arcs per hour when healthy
            "warn_rate": r.uniform(0.005, 0.05),  # self-test warnings per hour when healthy
            "room_base": r.uniform(22, 27),
            "fridge_base": r.uniform(3.6, 4.4),
            "fridge_duty": r.uniform(35, 50),
            "spike_rate": r.uniform(0.002, 0.02),  # benign spikes per hour (a door left open)
            "drift_gain": r.uniform(0.35, 1.3),  # how hard this fault bites on this device
            "shape": r.uniform(1.3, 2.6),  # how late in the onset the fault shows
        }


def progress(profile: DeviceProfile, times: np.ndarray) -> np.ndarray:
    """How far the fault has gone at each epoch second in `times`: 0 before onset and for a
    healthy device, 1 at the failure."""
    if profile.failure_at is None:
        return np.zeros_like(times, dtype=float)
    end = profile.failure_at.timestamp()
    start = end - profile.onset_days * DAY
    share = np.clip((times - start) / (end - start), 0.0, 1.0)
    return share ** profile.character()["shape"]


def sample(
    profile: DeviceProfile, start: datetime, end: datetime, every_s: float = HOUR
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The device's readings from `start` (inclusive) to `end` (exclusive) every `every_s`
    seconds: epoch seconds, and one array per metric of `METRICS[device_type]`.

    Raises ValueError for an unknown device type or an empty span."""
    if profile.device_type not in METRICS:
        raise ValueError(f"no simulation for device type {profile.device_type!r}")
    first = np.ceil(start.timestamp() / every_s) * every_s
    times = np.arange(first, end.timestamp(), every_s)
    if times.size == 0:
        raise ValueError("the span holds no reading")
    c = profile.character()
    r = profile.rng("readings", int(first), int(every_s), times.size)
    p = progress(profile, times) * c["drift_gain"]
    per_hour = every_s / HOUR
    day_cycle = np.sin(2 * np.pi * ((times / DAY + 0.2) % 1.0))  # busy in the day (IST)
    spikes = r.random(times.size) < c["spike_rate"] * per_hour
    build = _BUILDERS[profile.device_type]
    return times, build(c, r, times, p, per_hour, day_cycle, spikes)


def _room(c, r, n, day_cycle, spikes, p=None) -> np.ndarray:
    heat = 0.0 if p is None else 4.0 * p
    return c["room_base"] + 1.2 * day_cycle + heat + r.normal(0, 0.4, n) + 2.5 * spikes


def _mri(c, r, times, p, per_hour, day_cycle, spikes) -> dict[str, np.ndarray]:
    n = times.size
    days = (times - times[0]) / DAY
    # Boil-off rises with the fault: the level falls faster, a little every reading.
    loss_per_day = c["helium_ageing"] + 0.9 * p
    level = c["helium_base"] - np.cumsum(loss_per_day) * (days[1] - days[0] if n > 1 else 0)
    return {
        "helium_level_pct": np.clip(level + r.normal(0, 0.08, n), 0, 100),
        "helium_boiloff_l_day": np.clip(
            0.15 + 12 * c["helium_ageing"] + 9 * p + r.normal(0, 0.12, n), 0, 50
        ),
        "coldhead_compressor_duty_pct": np.clip(
            c["duty_base"] + 3 * day_cycle + 28 * p + r.normal(0, 2.0, n) + 8 * spikes, 0, 100
        ),
        "temperature_c": _room(c, r, n, day_cycle, spikes, p),
    }


def _ct(c, r, times, p, per_hour, day_cycle, spikes) -> dict[str, np.ndarray]:
    n = times.size
    load = np.clip(day_cycle, 0, None)
    return {
        "tube_temp_c": c["tube_base"] + 9 * load + 22 * p + r.normal(0, 2.5, n) + 12 * spikes,
        "arc_count": r.poisson((c["arc_rate"] + 1.6 * p**1.5) * per_hour).astype(float),
        "temperature_c": _room(c, r, n, day_cycle, spikes),
    }


def _self_testing(c, r, times, p, per_hour, day_cycle, spikes) -> dict[str, np.ndarray]:
    n = times.size
    warn_rate = c["warn_rate"] + 1.2 * p**1.3 + 0.4 * spikes
    return {
        "self_test_warnings": r.poisson(warn_rate * per_hour).astype(float),
        "temperature_c": 30 + (c["room_base"] - 22) + 1.5 * day_cycle + 3 * p + r.normal(0, 0.5, n),
    }


def _fridge(c, r, times, p, per_hour, day_cycle, spikes) -> dict[str, np.ndarray]:
    n = times.size
    # Excursions: a benign door opening, or (as the compressor fails) long warm spells.
    excursion = r.random(n) < (0.015 + 0.25 * p) * per_hour
    warm = np.convolve(excursion.astype(float), np.ones(max(1, int(3 / per_hour))), "same")
    return {
        "chamber_temp_c": c["fridge_base"]
        + 0.2 * day_cycle
        + 1.5 * p
        + 2.2 * np.clip(warm, 0, 1) * (0.5 + p)
        + 1.8 * spikes
        + r.normal(0, 0.15, n),
        "compressor_duty_pct": np.clip(
            c["fridge_duty"] + 4 * day_cycle + 35 * p + r.normal(0, 2.5, n), 0, 100
        ),
        "temperature_c": _room(c, r, n, day_cycle, spikes, p),
    }


_BUILDERS = {
    "MRI": _mri,
    "CT": _ct,
    "Ventilator": _self_testing,
    "Patient monitor": _self_testing,
    "Blood bank equipment": _fridge,
}


def fleet(
    count: int, seed: int, *, start: datetime, days: int, degrading_share: float = 0.4
) -> list[DeviceProfile]:
    """`count` simulated devices over `days` from `start`, types taken in turn; about
    `degrading_share` of them fail somewhere in the span (after at least 20 days), the
    rest stay healthy."""
    r = np.random.default_rng(seed)
    profiles = []
    for i in range(count):
        device_type = DEVICE_TYPES[i % len(DEVICE_TYPES)]
        failure_at, onset = None, 30.0
        if r.random() < degrading_share:
            failure_at = start + timedelta(days=float(r.uniform(20, days + 10)))
            # Most faults build up over weeks; some give only a few days' notice.
            onset = float(r.uniform(18, 45) if r.random() < 0.85 else r.uniform(2, 6))
        profiles.append(DeviceProfile(device_type, seed * 100_000 + i, failure_at, onset))
    return profiles


def payloads(
    profile: DeviceProfile, start: datetime, end: datetime, every_s: float = 60.0
) -> list[dict]:
    """The device's readings as the MQTT payloads a gateway publishes
    (`{"ts", "seq", "metrics"}`), one per `every_s` seconds."""
    times, values = sample(profile, start, end, every_s)
    names = list(values)
    return [
        {
            "ts": datetime.fromtimestamp(float(t), UTC).isoformat(),
            "seq": int(t // every_s),
            "metrics": {name: round(float(values[name][i]), 3) for name in names},
        }
        for i, t in enumerate(times)
    ]
