"""price_band and negotiation-coach figures: held-out MAE and band coverage of the model,
training time, and the latency of a coach tip with the model in memory. Writes
bench/results/pricing.json. Run alone with `python -m bench.pricing`.

Single-threaded LightGBM throughout (training and inference), as on a shared machine.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.run import _machine
from services.pricing.coach import suggest_counter_offer, suggest_quote_counter
from services.pricing.deals import expected_ratio, generate_deals
from services.pricing.model import PriceBandModel, build_model, evaluate, load_or_train

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "pricing.json"
HISTORIC = 12_000
TIPS = 1_000


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {
        "n": len(samples),
        "p50Ms": pick(0.50),
        "p95Ms": pick(0.95),
        "p99Ms": pick(0.99),
        "maxMs": round(ordered[-1] * 1000, 2),
    }


def training() -> tuple[PriceBandModel, dict]:
    """Generate, train and measure the default model, timed."""
    started = time.perf_counter()
    generate_deals(HISTORIC, seed=7)
    generated_s = time.perf_counter() - started
    started = time.perf_counter()
    model = build_model(historic=HISTORIC)
    total_s = time.perf_counter() - started
    # A second held-out set from another seed: the market the generator describes.
    fresh_deals = generate_deals(5_000, seed=2024)
    fresh = {**evaluate(model, fresh_deals), "noiseFloorMaePct": _noise_floor_pct(fresh_deals)}
    figures = {
        "historicDeals": HISTORIC,
        "trainingRows": model.meta["rows"]["historic"],
        "generateSeconds": round(generated_s, 2),
        "buildSeconds": round(total_s, 2),
        "heldOut": model.meta["metrics"],
        "freshSeed": {k: v for k, v in fresh.items() if k != "byCategory"},
    }
    return model, figures


def _noise_floor_pct(deals: list) -> float:
    """MAE % of the generator's own noiseless price: what no model can beat."""
    errors = [
        abs(d.list_price_paise * expected_ratio(d) - d.agreed_unit_price_paise)
        / d.agreed_unit_price_paise
        for d in deals
    ]
    return round(100 * sum(errors) / len(errors), 2)


def cold_start(model: PriceBandModel) -> dict:
    """Time to read a saved model from disk into memory (what a fresh worker pays once)."""
    with tempfile.TemporaryDirectory() as folder:
        model.save(folder)
        started = time.perf_counter()
        load_or_train(folder)
        return {"loadSeconds": round(time.perf_counter() - started, 3)}


def tip_latency(model: PriceBandModel, count: int = TIPS) -> dict:
    """Latency of line tips and of five-line quote tips, offers spread around fair."""
    rng = random.Random(5)
    lines = generate_deals(count, seed=31)
    bands = model.predict(lines)
    line_samples, quote_samples = [], []
    for index, (line, band) in enumerate(zip(lines, bands, strict=True)):
        side = "buyer" if index % 2 else "oem"
        offer = int(band.fair_paise * rng.uniform(0.8, 1.25))
        history = [{"side": "oem" if side == "buyer" else "buyer", "unit_price_paise": offer}]
        started = time.perf_counter()
        suggest_counter_offer(line, offer, side, history, model=model)
        line_samples.append(time.perf_counter() - started)
    for start in range(0, min(count, 1_000), 5):
        quote = [
            (line, int(band.fair_paise * rng.uniform(0.9, 1.2)))
            for line, band in zip(lines[start : start + 5], bands[start : start + 5], strict=True)
        ]
        started = time.perf_counter()
        suggest_quote_counter(quote, "buyer", model=model)
        quote_samples.append(time.perf_counter() - started)
    return {
        "lineTip": _percentiles(line_samples),
        "fiveLineQuoteTip": _percentiles(quote_samples),
        "goalP95Ms": 500,
        "aimMs": 100,
    }


def main() -> dict:
    model, figures = training()
    result = {
        "measuredAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "model": figures,
        "coldStart": cold_start(model),
        "tips": tip_latency(model),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(OUT.read_text())
    return result


if __name__ == "__main__":
    main()
