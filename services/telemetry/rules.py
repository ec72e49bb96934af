"""Alarm rules per device type. A rule trips when its metric passes `limit` (or changes
faster than `limit` per minute, for a rate rule) and must stay tripped `min_duration` before
the alarm is raised; it clears only once the value is back past `clear`, so a value
wandering around the limit raises one alarm, not fifty. A silence rule trips when a device
that has published stops for `min_duration`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

PRIORITIES = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class Rule:
    name: str
    metric: str
    kind: str  # "above" | "below" | "rate" | "silence"
    limit: float
    clear: float
    min_duration: timedelta
    priority: str
    says: str

    def tripped(self, value: float) -> bool:
        return value < self.limit if self.kind == "below" else value > self.limit

    def recovered(self, value: float) -> bool:
        return value > self.clear if self.kind == "below" else value < self.clear


def _above(name, metric, limit, clear, minutes, priority, says) -> Rule:
    return Rule(name, metric, "above", limit, clear, timedelta(minutes=minutes), priority, says)


def _below(name, metric, limit, clear, minutes, priority, says) -> Rule:
    return Rule(name, metric, "below", limit, clear, timedelta(minutes=minutes), priority, says)


COMMON = (
    _above("overheating", "temperature_c", 45, 42, 1, "P2", "internal temperature above 45 °C"),
    Rule(
        "silent",
        "",
        "silence",
        0,
        0,
        timedelta(minutes=10),
        "P3",
        "no telemetry for 10 minutes",
    ),
)
COLD_CHAIN = (
    _above("chamber_warm", "chamber_temp_c", 8, 6, 10, "P1", "storage chamber above 8 °C"),
    _below("chamber_freezing", "chamber_temp_c", 2, 3, 10, "P1", "storage chamber below 2 °C"),
)
BY_TYPE: dict[str, tuple[Rule, ...]] = {
    "MRI": (
        _below("helium_low", "helium_level_pct", 60, 62, 5, "P1", "helium level below 60 %"),
        _above(
            "compressor_duty_high",
            "coldhead_compressor_duty_pct",
            90,
            85,
            15,
            "P2",
            "cold-head compressor duty above 90 %",
        ),
        Rule(
            "boiloff_rising",
            "helium_boiloff_l_day",
            "rate",
            1.0,
            0.2,
            timedelta(0),
            "P2",
            "helium boil-off rising by more than 1 l/day per minute",
        ),
    ),
    "CT": (
        _above("tube_hot", "tube_temp_c", 120, 110, 2, "P2", "X-ray tube above 120 °C"),
        Rule(
            "arcing",
            "arc_count",
            "rate",
            5,
            1,
            timedelta(0),
            "P2",
            "tube arcing more than 5 times a minute",
        ),
    ),
    "Ventilator": (
        _below("o2_sensor_low", "o2_sensor_pct", 18, 19, 2, "P1", "oxygen sensor below 18 %"),
    ),
    "Blood bank equipment": COLD_CHAIN,
    "Vaccine refrigerator": COLD_CHAIN,
}


def rules_of(device_type: str | None) -> tuple[Rule, ...]:
    """The rules watching a device of `device_type`: the common ones and its own."""
    return COMMON + BY_TYPE.get(device_type or "", ())


def ticket_priority(rule: Rule, risk_class: str | None) -> str:
    """The rule's priority, one step more urgent for a high-risk device (class C or D)."""
    index = PRIORITIES.index(rule.priority)
    if risk_class in ("C", "D") and index > 0:
        index -= 1
    return PRIORITIES[index]
