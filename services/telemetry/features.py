"""Window features: what the failure model sees of a device's last 14 days of telemetry.

Readings are first put in hourly buckets (`hourly`): a mean per hour for levels and
temperatures, a sum per hour for counts (arcs, self-test warnings). Each metric then gives
the same few figures: the last day's mean and peak, the fortnight's mean, the trend (least
squares slope per day) and the shift of the last three days against the first week. A
gap leaves its hours empty; a metric with no reading in the window gives empty features,
which the model reads as "not sent" rather than as zero.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from services.telemetry.simulator import COUNT_METRICS, DEVICE_TYPES, HOUR, METRICS

WINDOW_HOURS = 14 * 24
STATS = ("last24_mean", "last24_max", "mean14", "slope14", "shift")
ALL_METRICS = tuple(sorted({m for names in METRICS.values() for m in names}))
FEATURES = ("device_type",) + tuple(f"{m}__{s}" for m in ALL_METRICS for s in STATS)
TYPE_CODES = {name: code for code, name in enumerate(DEVICE_TYPES)}

_DAYS = (np.arange(WINDOW_HOURS) - (WINDOW_HOURS - 1)) / 24.0  # hours as days, ending at 0


def metric_words(feature: str) -> tuple[str, str]:
    """A feature's metric and statistic (`coldhead_duty_pct__slope14` ->
    ("coldhead_duty_pct", "slope14"))."""
    metric, _, stat = feature.partition("__")
    return metric, stat


def hourly(
    times: np.ndarray,
    sums: np.ndarray,
    end: datetime,
    metric: str,
    counts: np.ndarray | None = None,
) -> np.ndarray:
    """The `WINDOW_HOURS` hourly buckets ending at `end` (exclusive) of one metric: mean per
    hour, or sum per hour for a count metric; NaN where nothing arrived. `times` are epoch
    seconds of readings (or of rollup buckets, with their `sums` and `counts`)."""
    times = np.asarray(times, dtype=float)
    sums = np.asarray(sums, dtype=float)
    counts = np.ones_like(sums) if counts is None else np.asarray(counts, dtype=float)
    # A reading at end - 30 min belongs to the last hour; one at `end` to none.
    slots = WINDOW_HOURS - np.ceil((end.timestamp() - times) / HOUR).astype(int)
    keep = (slots >= 0) & (slots < WINDOW_HOURS) & np.isfinite(sums)
    total = np.bincount(slots[keep], sums[keep], WINDOW_HOURS)
    seen = np.bincount(slots[keep], counts[keep], WINDOW_HOURS)
    with np.errstate(invalid="ignore", divide="ignore"):
        buckets = total if metric in COUNT_METRICS else total / seen
    return np.where(seen > 0, buckets, np.nan)


def metric_stats(hours: np.ndarray) -> np.ndarray:
    """The `STATS` of one metric's hourly buckets, shape (..., WINDOW_HOURS) -> (..., 5)."""
    hours = np.asarray(hours, dtype=float)
    present = np.isfinite(hours)
    with np.errstate(invalid="ignore", divide="ignore"):
        filled = np.where(present, hours, 0.0)
        count = present.sum(-1)
        mean14 = filled.sum(-1) / count
        last = present[..., -24:]
        last24_mean = filled[..., -24:].sum(-1) / last.sum(-1)
        last24_max = np.where(last, hours[..., -24:], -np.inf).max(-1)
        last24_max = np.where(np.isfinite(last24_max), last24_max, np.nan)
        # Least squares slope per day over the hours present.
        dx = np.where(
            present, _DAYS - (_DAYS * present).sum(-1, keepdims=True) / count[..., None], 0
        )
        dy = np.where(present, hours - mean14[..., None], 0)
        slope = (dx * dy).sum(-1) / (dx * dx).sum(-1)
        early, recent = present[..., : 7 * 24], present[..., -72:]
        shift = filled[..., -72:].sum(-1) / recent.sum(-1) - filled[..., : 7 * 24].sum(
            -1
        ) / early.sum(-1)
    return np.stack([last24_mean, last24_max, mean14, slope, shift], axis=-1)


def feature_rows(device_type: str, windows: dict[str, np.ndarray]) -> np.ndarray:
    """Feature rows in `FEATURES` order from hourly windows per metric (each of shape
    (rows, WINDOW_HOURS) or (WINDOW_HOURS,)); metrics not given are NaN."""
    shaped = {m: np.atleast_2d(np.asarray(w, dtype=float)) for m, w in windows.items()}
    rows = next(iter(shaped.values())).shape[0] if shaped else 1
    out = np.full((rows, len(FEATURES)), np.nan)
    out[:, 0] = TYPE_CODES.get(device_type, np.nan)
    for i, metric in enumerate(ALL_METRICS):
        if metric in shaped:
            out[:, 1 + i * len(STATS) : 1 + (i + 1) * len(STATS)] = metric_stats(shaped[metric])
    return out


def sliding_windows(values: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Hourly windows of `values` (one per hour) ending just before each index in `ends`."""
    view = np.lib.stride_tricks.sliding_window_view(values, WINDOW_HOURS)
    return view[ends - WINDOW_HOURS]
