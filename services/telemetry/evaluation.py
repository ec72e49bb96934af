"""How the failure model is judged, on devices it never saw.

A device is scored once a day. A failure is caught when any score from 30 to 2 days before
it reaches the threshold (a later warning leaves no time to send a technician); its lead time is the days from the first such score to the
failure. A false alarm is a healthy stretch of a device (30 days with no failure in the
following 30) in which any score reaches the threshold, counted once per stretch, so the
rate reads as false alarms per device-month, as a service manager counts wasted visits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_HORIZON = 30
# A warning later than this before the failure leaves no time to send anyone: not a catch.
MIN_LEAD_DAYS = 2.0


def _per_device(data: Any, scores: np.ndarray, threshold: float) -> tuple[list, int, float]:
    """(lead times of caught failures or None for missed ones, false alarms, device-months)."""
    leads: list[float | None] = []
    false_alarms, months = 0, 0.0
    for device in np.unique(data.device):
        rows = np.flatnonzero(data.device == device)
        rows = rows[np.argsort(data.at[rows])]
        left = data.days_to_failure[rows]
        alarm = scores[rows] >= threshold
        healthy = left > _HORIZON
        months += healthy.sum() / 30.0
        blocks = np.arange(healthy.sum()) // 30
        false_alarms += len(np.unique(blocks[alarm[healthy]]))
        before = ~healthy
        if before.any():
            caught = alarm & before & (left >= MIN_LEAD_DAYS)
            leads.append(float(left[caught].max()) if caught.any() else None)
    return leads, false_alarms, months


def false_alarm_rate(data: Any, scores: np.ndarray, threshold: float) -> float:
    _, alarms, months = _per_device(data, scores, threshold)
    return alarms / months if months else 0.0


def choose_threshold(data: Any, scores: np.ndarray, goal: float) -> float:
    """The lowest threshold whose false alarms per healthy device-month stay within `goal`
    on `data` (so recall is as high as that rate allows)."""
    candidates = np.unique(np.quantile(scores, np.linspace(0.5, 0.9995, 400)))
    for threshold in candidates:
        if false_alarm_rate(data, scores, float(threshold)) <= goal:
            return round(float(threshold), 4)
    return round(float(candidates[-1]), 4)


def evaluate(data: Any, scores: np.ndarray, threshold: float) -> dict:
    """Recall of failures within 30 days, lead times, false alarms per device-month and
    the day-level ranking quality (ROC AUC) of `scores` on `data`."""
    leads, alarms, months = _per_device(data, scores, threshold)
    caught = [lead for lead in leads if lead is not None]
    by_type: dict[str, dict] = {}
    for device in np.unique(data.device):
        profile = data.profiles[int(device)]
        entry = by_type.setdefault(profile.device_type, {"devices": 0, "failures": 0})
        entry["devices"] += 1
        entry["failures"] += int(
            profile.failure_at is not None and (data.y[data.device == device] == 1).any()
        )
    return {
        "heldOutDevices": int(len(np.unique(data.device))),
        "failures": len(leads),
        "caught": len(caught),
        "recall30d": round(len(caught) / len(leads), 3) if leads else None,
        "falseAlarmsPerDeviceMonth": round(float(alarms / months), 3) if months else 0.0,
        "healthyDeviceMonths": round(float(months), 1),
        "leadTimeDaysMedian": round(float(np.median(caught)), 1) if caught else None,
        "leadTimeDaysP10": round(float(np.quantile(caught, 0.1)), 1) if caught else None,
        "dayRocAuc": round(float(_roc_auc(data.y, scores)), 3),
        "byType": by_type,
    }


def _roc_auc(truth: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score  # seconds to import: only when a card is made

    return roc_auc_score(truth, scores)


def card_figures(metrics: dict) -> list[str]:
    """The held-out figures as model card lines."""
    goal_met = "meets" if (metrics.get("recall30d") or 0) >= 0.8 else "misses"
    return [
        f"## Held-out figures ({metrics['heldOutDevices']} devices never seen in training)",
        "",
        f"- Recall of failures within 30 days (warned at least {MIN_LEAD_DAYS:g} days ahead): "
        f"**{metrics['recall30d']}** "
        f"({metrics['caught']} of {metrics['failures']} failures; {goal_met} the goal of 0.8)",
        f"- False alarms: **{metrics['falseAlarmsPerDeviceMonth']} per healthy device-month** "
        f"(over {metrics['healthyDeviceMonths']} device-months)",
        f"- Lead time of caught failures: median **{metrics['leadTimeDaysMedian']} days**, "
        f"10th percentile {metrics['leadTimeDaysP10']} days",
        f"- Day-level ROC AUC: {metrics['dayRocAuc']}",
        "",
    ]
