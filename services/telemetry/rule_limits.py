"""The numbers of an alarm rule an OEM may change, and the ranges that keep a rule sane.

A rule's kind stays as written in `rules.py` (above, below, rate, silence); its limit,
clear level (hysteresis), minimum duration and priority may be replaced. `check_limits`
refuses numbers that would make a rule that never trips, never clears or flaps."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from services.errors import Invalid
from services.telemetry.rules import PRIORITIES, Rule
from services.telemetry.schema import metrics_of

# A silence shorter than the ingest's look at quiet devices could never be seen in time;
# longer than a week is no alarm at all.
SILENCE_MIN_S = 5 * 60
SILENCE_MAX_S = 7 * 24 * 3600
# A condition held for a day is long past alarming.
DURATION_MAX_S = 24 * 3600


@dataclass(frozen=True)
class Limits:
    """What an OEM sets for one rule (for a silence rule, `min_duration_s` is the silence
    and `limit`/`clear` are unused)."""

    limit: float
    clear: float
    min_duration_s: int
    priority: str


def limits_of(rule: Rule) -> Limits:
    """The rule's own numbers."""
    return Limits(rule.limit, rule.clear, int(rule.min_duration.total_seconds()), rule.priority)


def says(rule: Rule, device_type: str | None, limits: Limits) -> str:
    """What the alarm says with these numbers, in the words of `rules.py`."""
    if rule.kind == "silence":
        return f"no telemetry for {_duration(limits.min_duration_s)}"
    metric = metrics_of(device_type).get(rule.metric)
    label = metric.label if metric else rule.metric
    if label[1:2].islower():  # "Helium level" reads as the defaults do; "X-ray" stays
        label = label[0].lower() + label[1:]
    unit = f" {metric.unit}" if metric and metric.unit != "count" else ""
    if rule.kind == "rate":
        return f"{label} rising by more than {limits.limit:g}{unit} a minute"
    word = "above" if rule.kind == "above" else "below"
    return f"{label} {word} {limits.limit:g}{unit}"


def with_limits(rule: Rule, device_type: str | None, limits: Limits) -> Rule:
    """The rule with `limits` in place of its own numbers."""
    if limits == limits_of(rule):
        return rule
    return replace(
        rule,
        limit=limits.limit,
        clear=limits.clear,
        min_duration=timedelta(seconds=limits.min_duration_s),
        priority=limits.priority,
        says=says(rule, device_type, limits),
    )


def check_limits(rule: Rule, device_type: str | None, limits: Limits) -> Limits:
    """`limits` when they make a sane rule of `rule`'s kind. Raises Invalid naming the field:
    a priority not P1–P4; a duration out of range; a threshold outside the metric's plausible
    range; a clear level on the wrong side of the limit (no hysteresis); a rate not above 0."""
    if limits.priority not in PRIORITIES:
        raise Invalid("priority", "must be P1, P2, P3 or P4")
    seconds = limits.min_duration_s
    if rule.kind == "silence":
        if not SILENCE_MIN_S <= seconds <= SILENCE_MAX_S:
            raise Invalid("minDurationS", "a silence must last from 5 minutes to 7 days")
        return replace(limits, limit=0.0, clear=0.0)
    if not 0 <= seconds <= DURATION_MAX_S:
        raise Invalid("minDurationS", "must be from 0 to 86,400 seconds (a day)")
    metric = metrics_of(device_type).get(rule.metric)
    low, high = (metric.low, metric.high) if metric else (float("-inf"), float("inf"))
    unit = metric.unit if metric else ""
    if rule.kind == "rate":
        if not 0 < limits.limit <= high - low:
            raise Invalid("limit", f"a rate must be above 0 and at most {high - low:g} {unit}")
        if not 0 <= limits.clear < limits.limit:
            raise Invalid("clear", "must be from 0 to just below the limit, so the alarm clears")
        return limits
    for field, value in (("limit", limits.limit), ("clear", limits.clear)):
        if not low <= value <= high:
            raise Invalid(field, f"must be within the sensor's range {low:g}–{high:g} {unit}")
    if rule.kind == "above" and not limits.clear < limits.limit:
        raise Invalid("clear", "must be below the limit, so a value wandering round it alarms once")
    if rule.kind == "below" and not limits.clear > limits.limit:
        raise Invalid("clear", "must be above the limit, so a value wandering round it alarms once")
    return limits


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f"{seconds // 86400} day{'s' if seconds != 86400 else ''}"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hour{'s' if seconds != 3600 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
