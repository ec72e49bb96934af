"""The failure model on devices it never saw: a fresh simulated fleet (another seed) is
warned about in time, with few false alarms, and the simulator repeats itself exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from services.telemetry.evaluation import evaluate
from services.telemetry.prediction import load_model, simulate_dataset
from services.telemetry.simulator import DeviceProfile, sample


def test_the_simulator_gives_the_same_readings_for_the_same_device_and_span():
    start = datetime(2026, 3, 1, tzinfo=UTC)
    failing = DeviceProfile("CT", 7, start + timedelta(days=20), 30.0)
    first = sample(failing, start, start + timedelta(days=20), 3600)
    again = sample(failing, start, start + timedelta(days=20), 3600)
    healthy = sample(DeviceProfile("CT", 7), start, start + timedelta(days=20), 3600)

    assert np.array_equal(first[1]["tube_temp_c"], again[1]["tube_temp_c"])
    # the failing tube runs hotter and arcs more in its last week than a healthy one
    assert first[1]["tube_temp_c"][-168:].mean() > healthy[1]["tube_temp_c"][-168:].mean() + 5
    assert first[1]["arc_count"][-168:].sum() > healthy[1]["arc_count"][-168:].sum()


def test_the_shipped_model_warns_of_most_failures_of_a_fleet_it_never_saw():
    model = load_model()
    fleet = simulate_dataset(80, seed=2027, days=120)

    figures = evaluate(fleet, model.probabilities(fleet.x), model.threshold)

    assert figures["failures"] >= 20
    assert figures["recall30d"] >= 0.8
    assert figures["falseAlarmsPerDeviceMonth"] <= 0.1
    assert figures["leadTimeDaysMedian"] >= 7
