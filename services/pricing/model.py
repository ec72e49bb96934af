"""The `price_band` model: a fair ₹ band (low, fair, high) for a quote line.

Three LightGBM boosters learn the log of the agreed/list price ratio: a point model (the
fair price) and two quantile models (10th and 90th percentiles). The quantile band is then
widened by conformal calibration on deals the boosters never saw, so about 80% of deals
fall inside it. Predicting a ratio rather than rupees lets an ₹8 Cr MRI and a ₹1 L infusion
pump share what they have in common (volume, season, buyer, terms).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from services.pricing.deals import (
    BRAND_TIERS,
    BUYER_TYPES,
    CATEGORIES,
    STANDARD_WARRANTY,
    DealLine,
    PricingInputError,
    QuoteLine,
    generate_deals,
)

if TYPE_CHECKING:  # LightGBM takes seconds to import: only where a model is trained or read
    import lightgbm as lgb

VERSION = "price_band-2"
BAND_COVERAGE = 0.80
PLATFORM_DEAL_WEIGHT = 4.0
FEATURES = (
    "category",
    "log_list_rupees",
    "list_vs_category",
    "log_quantity",
    "city_tier",
    "month",
    "is_fy_end",
    "is_quarter_end",
    "is_festive",
    "buyer_type",
    "brand_tier",
    "extra_warranty_years",
    "cmc_years",
    "payment_days",
    "competing_quotes",
)
_CATEGORICAL = ("category", "buyer_type")
# Directions the market guarantees, so terms priced by the point model move the right way: more
# units or more competing quotes never raise the fair price; more warranty, CMC or credit
# never lower it.
_MONOTONE = {
    "log_quantity": -1,
    "competing_quotes": -1,
    "extra_warranty_years": 1,
    "cmc_years": 1,
    "payment_days": 1,
}
# The band is never narrower than this either side of fair (log ratio): deals this alike
# still differ by a few per cent.
_MIN_HALF_WIDTH = 0.02
_BOOSTERS = {
    "point": ("regression", None, 500),
    "low": ("quantile", 0.1, 300),
    "high": ("quantile", 0.9, 300),
}

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PriceBand:
    """A fair unit price band in paise, with how far the model trusts it (0 to 1)."""

    low_paise: int
    fair_paise: int
    high_paise: int
    list_price_paise: int
    quantity: int
    confidence: float
    is_known_category: bool

    @property
    def confidence_level(self) -> str:
        return "high" if self.confidence >= 0.7 else "medium" if self.confidence >= 0.4 else "low"

    def percentile_of(self, unit_price_paise: int) -> int:
        """Where a unit price sits in the band: 10 at low, 50 at fair, 90 at high (1 to 99)."""
        x = math.log(unit_price_paise)
        lo, mid, hi = (math.log(p) for p in (self.low_paise, self.fair_paise, self.high_paise))
        if x <= mid:
            value = 50 - 40 * (mid - x) / max(mid - lo, 1e-9)
        else:
            value = 50 + 40 * (x - mid) / max(hi - mid, 1e-9)
        return int(min(99, max(1, round(value))))


class PriceBandModel:
    """Trained boosters plus what they need to turn a `QuoteLine` into a `PriceBand`."""

    def __init__(self, boosters: dict[str, lgb.Booster], meta: dict):
        self.boosters = boosters
        self.meta = meta
        self._medians = meta["category_medians"]
        # Codes as at training time, so a saved model survives a change to the vocabulary.
        self._codes = {category: code for code, category in enumerate(meta["categories"])}
        self._widen = meta["widen"]

    def features(self, lines: Sequence[QuoteLine]) -> np.ndarray:
        """The feature matrix of `lines`, columns in `FEATURES` order."""
        return np.array(
            [_feature_row(line, self._codes, self._medians) for line in lines], dtype=float
        )

    def knows(self, category: str) -> bool:
        """Whether the model was trained on deals of `category`."""
        return category in self._medians

    def comparable_deals(self, category: str, buyer_type: str | None = None) -> int:
        """How many deals of `category` (with buyers of `buyer_type`, when given) the model
        learnt from: historic and closed platform deals alike."""
        counts = self.meta.get("comparables", {}).get(category, {})
        return int(counts.get(buyer_type or "all", 0))

    def predict(self, lines: Sequence[QuoteLine]) -> list[PriceBand]:
        """Fair bands for `lines`, one per line, in one pass over the boosters."""
        if not lines:
            return []
        x = self.features(lines)
        raw = {name: booster.predict(x, num_threads=1) for name, booster in self.boosters.items()}
        return [
            self._band(line, raw["low"][i], raw["point"][i], raw["high"][i])
            for i, line in enumerate(lines)
        ]

    def predict_one(self, line: QuoteLine) -> PriceBand:
        return self.predict([line])[0]

    def fair_ratios(self, lines: Sequence[QuoteLine]) -> np.ndarray:
        """Fair agreed/list ratios of `lines` (the point model alone; used to price terms)."""
        return np.exp(self.boosters["point"].predict(self.features(lines), num_threads=1))

    def contributions(self, line: QuoteLine) -> dict[str, float]:
        """How much each feature moves the fair price of `line` against a typical deal, as a
        fraction of price (-0.03 is 3% lower)."""
        parts = self.boosters["point"].predict(
            self.features([line]), pred_contrib=True, num_threads=1
        )[0]
        return {name: math.expm1(value) for name, value in zip(FEATURES, parts[:-1], strict=True)}

    def _band(self, line: QuoteLine, low: float, point: float, high: float) -> PriceBand:
        known = self.knows(line.category)
        widen = self._widen if known else self._widen + 0.10
        low = min(low - widen, point - _MIN_HALF_WIDTH)
        high = max(high + widen, point + _MIN_HALF_WIDTH)
        confidence = min(0.95, max(0.05, 1.0 - (high - low - 0.04) / 0.3))
        if not known:
            confidence /= 2
        price = line.list_price_paise
        return PriceBand(
            low_paise=_rupee_paise(price * math.exp(low)),
            fair_paise=_rupee_paise(price * math.exp(point)),
            high_paise=_rupee_paise(price * math.exp(high)),
            list_price_paise=price,
            quantity=line.quantity,
            confidence=round(float(confidence), 2),
            is_known_category=known,
        )

    def save(self, directory: Path | str) -> Path:
        """Write the boosters, their metadata and the model card into `directory`."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, booster in self.boosters.items():
            booster.save_model(str(directory / f"{name}.txt"))
        # meta.json last and atomically: readers take a model whose meta is complete
        meta = {k: v for k, v in self.meta.items() if not k.startswith("_")}
        (directory / "meta.json.tmp").write_text(json.dumps(meta, indent=2) + "\n")
        (directory / "meta.json.tmp").replace(directory / "meta.json")
        (directory / "MODEL_CARD.md").write_text(model_card(self.meta))
        return directory

    @classmethod
    def load(cls, directory: Path | str) -> PriceBandModel:
        """The model saved in `directory`; FileNotFoundError when it holds none."""
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text())
        import lightgbm as lgb

        boosters = {
            name: lgb.Booster(model_file=str(directory / f"{name}.txt")) for name in _BOOSTERS
        }
        return cls(boosters, meta)


def _rupee_paise(paise: float) -> int:
    """Paise rounded to whole rupees: bands are quoted in rupees."""
    return max(100, int(round(paise / 100)) * 100)


def _feature_row(line: QuoteLine, codes: dict[str, int], medians: dict[str, float]) -> list[float]:
    log_list = math.log(line.list_price_paise / 100)
    known = line.category in medians and line.category in codes
    month = line.month
    return [
        codes[line.category] if known else math.nan,
        log_list,
        log_list - medians[line.category] if known else 0.0,
        math.log(line.quantity),
        line.city_tier,
        month,
        float(month == 3),
        float(month in (6, 9, 12)),
        float(month in (10, 11)),
        BUYER_TYPES.index(line.buyer_type),
        BRAND_TIERS.index(line.brand_tier),
        line.warranty_years - STANDARD_WARRANTY.get(line.category, 1),
        line.cmc_years,
        line.payment_days,
        line.competing_quotes,
    ]


def train_model(
    deals: Sequence[DealLine],
    *,
    platform_deals: Sequence[DealLine] = (),
    seed: int = 7,
    progress: Progress | None = None,
) -> PriceBandModel:
    """Train the boosters on historic `deals` and the platform's own closed deals.

    Platform deals weigh `PLATFORM_DEAL_WEIGHT` times a historic deal: they are what this
    marketplace actually agrees. 15% of the historic deals are kept aside to calibrate the
    band. Raises `PricingInputError` when there are too few deals to learn from.
    """
    report = progress or (lambda fraction, message: None)
    if len(deals) < 200:
        raise PricingInputError("deals", f"need at least 200 historic deals, got {len(deals)}")
    order = np.random.default_rng(seed).permutation(len(deals))
    cut = int(len(deals) * 0.85)
    fit = [deals[i] for i in order[:cut]] + list(platform_deals)
    calibration = [deals[i] for i in order[cut:]]
    medians = _category_medians(list(deals) + list(platform_deals))
    # A category the platform has closed deals in is learnt even if the generator lacks it.
    categories = list(CATEGORIES) + sorted(set(medians) - set(CATEGORIES))
    shell = PriceBandModel(
        {}, {"category_medians": medians, "categories": categories, "widen": 0.0}
    )
    x, y = shell.features(fit), _log_ratios(fit)
    weights = np.r_[np.ones(cut), np.full(len(platform_deals), PLATFORM_DEAL_WEIGHT)]
    boosters = {}
    for step, (name, (objective, alpha, rounds)) in enumerate(_BOOSTERS.items()):
        report(0.1 + 0.25 * step, f"Training the {name} model on {len(fit):,} deals")
        boosters[name] = _fit_booster(x, y, weights, objective, alpha, rounds, seed)
    report(0.9, "Calibrating the band")
    meta = {
        "version": VERSION,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "categories": categories,
        "category_medians": medians,
        "features": list(FEATURES),
        "rows": {"historic": len(deals), "platform": len(platform_deals)},
        "comparables": _comparables(list(deals) + list(platform_deals)),
        "band_coverage_target": BAND_COVERAGE,
    }
    draft = PriceBandModel(boosters, {**meta, "widen": 0.0})
    widen = _conformal_widening(draft, calibration)
    report(1.0, "Trained")
    return PriceBandModel(boosters, {**meta, "widen": widen})


def _fit_booster(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    objective: str,
    alpha: float | None,
    rounds: int,
    seed: int,
) -> lgb.Booster:
    import lightgbm as lgb

    params = {
        "objective": objective,
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": 20,
        "feature_fraction": 0.9,
        "lambda_l2": 1.0,
        "cat_smooth": 10,
        "num_threads": 1,
        "deterministic": True,
        "seed": seed,
        "verbosity": -1,
    }
    if alpha is None:  # LightGBM allows monotone constraints on the point model only
        params["monotone_constraints"] = [_MONOTONE.get(f, 0) for f in FEATURES]
    else:
        params["alpha"] = alpha
    data = lgb.Dataset(
        x,
        y,
        weight=weights,
        feature_name=list(FEATURES),
        categorical_feature=list(_CATEGORICAL),
        free_raw_data=True,
    )
    return lgb.train(params, data, num_boost_round=rounds)


def _conformal_widening(model: PriceBandModel, calibration: Sequence[DealLine]) -> float:
    """How much to widen the quantile band (in log ratio) so `BAND_COVERAGE` of unseen deals
    fall inside it (conformalised quantile regression)."""
    x, y = model.features(calibration), _log_ratios(calibration)
    point = model.boosters["point"].predict(x, num_threads=1)
    low = np.minimum(model.boosters["low"].predict(x, num_threads=1), point)
    high = np.maximum(model.boosters["high"].predict(x, num_threads=1), point)
    scores = np.maximum(low - y, y - high)
    level = min(1.0, math.ceil((len(y) + 1) * BAND_COVERAGE) / len(y))
    return float(np.quantile(scores, level))


def _category_medians(deals: Sequence[DealLine]) -> dict[str, float]:
    by_category: dict[str, list[float]] = {}
    for deal in deals:
        by_category.setdefault(deal.category, []).append(math.log(deal.list_price_paise / 100))
    return {category: float(np.median(values)) for category, values in by_category.items()}


def _comparables(deals: Sequence[DealLine]) -> dict[str, dict[str, int]]:
    """Deals learnt from, per category: in all (`"all"`) and per buyer type."""
    counts: dict[str, dict[str, int]] = {}
    for deal in deals:
        by_buyer = counts.setdefault(deal.category, {"all": 0})
        by_buyer["all"] += 1
        by_buyer[deal.buyer_type] = by_buyer.get(deal.buyer_type, 0) + 1
    return counts


def _log_ratios(deals: Sequence[DealLine]) -> np.ndarray:
    return np.log([d.agreed_unit_price_paise / d.list_price_paise for d in deals])


def evaluate(model: PriceBandModel, deals: Sequence[DealLine]) -> dict:
    """Held-out figures: MAE of the fair price as % of the agreed price, share of deals inside
    the band, mean band width, overall and by category."""
    bands = model.predict(deals)
    agreed = np.array([d.agreed_unit_price_paise for d in deals], dtype=float)
    fair = np.array([b.fair_paise for b in bands], dtype=float)
    inside = np.array(
        [b.low_paise <= a <= b.high_paise for b, a in zip(bands, agreed, strict=True)]
    )
    width = np.array([(b.high_paise - b.low_paise) / b.fair_paise for b in bands])
    errors = np.abs(fair - agreed) / agreed
    categories = np.array([d.category for d in deals])
    by_category = {
        c: {
            "maePct": round(100 * float(errors[categories == c].mean()), 2),
            "deals": int((categories == c).sum()),
        }
        for c in sorted(set(categories))
    }
    return {
        "heldOutDeals": len(deals),
        "maePct": round(100 * float(errors.mean()), 2),
        "medianAbsErrorPct": round(100 * float(np.median(errors)), 2),
        "bandCoveragePct": round(100 * float(inside.mean()), 1),
        "meanBandWidthPct": round(100 * float(width.mean()), 1),
        "byCategory": by_category,
    }


def build_model(
    *,
    historic: int = 12_000,
    platform_deals: Sequence[DealLine] = (),
    seed: int = 7,
    progress: Progress | None = None,
) -> PriceBandModel:
    """Generate `historic` deals, train on 80% (plus the platform's deals), and record the
    figures on the other 20% in the model's metadata (`meta["metrics"]`)."""
    report = progress or (lambda fraction, message: None)
    report(0.0, f"Generating {historic:,} historic deals")
    deals = generate_deals(historic, seed)
    cut = int(len(deals) * 0.8)
    model = train_model(
        deals[:cut],
        platform_deals=platform_deals,
        seed=seed,
        progress=lambda f, m: report(0.05 + 0.85 * f, m),
    )
    report(0.95, "Measuring on held-out deals")
    model.meta["metrics"] = {
        **evaluate(model, deals[cut:]),
        "baselineMaePct": _baseline_mae_pct(deals[:cut], deals[cut:]),
    }
    report(1.0, "Ready")
    return model


def _baseline_mae_pct(train: Sequence[DealLine], test: Sequence[DealLine]) -> float:
    """MAE % of the rule of thumb the model must beat: the category's median discount."""
    ratios: dict[str, list[float]] = {}
    for deal in train:
        ratios.setdefault(deal.category, []).append(
            deal.agreed_unit_price_paise / deal.list_price_paise
        )
    median = {c: float(np.median(v)) for c, v in ratios.items()}
    errors = [
        abs(d.list_price_paise * median[d.category] - d.agreed_unit_price_paise)
        / d.agreed_unit_price_paise
        for d in test
    ]
    return round(100 * float(np.mean(errors)), 2)


def default_directory() -> Path:
    """Where the platform keeps the model: `<VAR_DIR>/models/price_band`."""
    from services.settings import get_settings

    return Path(get_settings().var_dir) / "models" / "price_band"


_LOADED: dict[Path, PriceBandModel] = {}
_LOCK = threading.Lock()


def load_or_train(
    directory: Path | str | None = None, *, progress: Progress | None = None
) -> PriceBandModel:
    """The model kept in memory for `directory` (default `default_directory()`): loaded from
    disk, or, on first use, trained from generated historic deals in a few seconds and saved.
    A model saved by an older version is retrained."""
    path = Path(directory) if directory is not None else default_directory()
    with _LOCK:
        if path in _LOADED and _saved_at(path) == _LOADED[path].meta.get("_savedAt"):
            return _LOADED[path]  # unchanged on disk (a worker may have retrained it)
        model = None
        if (path / "meta.json").exists():
            model = PriceBandModel.load(path)
            if model.meta.get("version") != VERSION:
                model = None
        if model is None:
            model = build_model(progress=progress)
            model.save(path)
        model.meta["_savedAt"] = _saved_at(path)
        _LOADED[path] = model
        return model


def _saved_at(path: Path) -> float | None:
    """When the model in `path` was last written (a stat: cheap enough for every tip)."""
    try:
        return (path / "meta.json").stat().st_mtime
    except OSError:
        return None


def retrain(
    platform_deals: Sequence[DealLine],
    directory: Path | str | None = None,
    *,
    progress: Progress | None = None,
) -> PriceBandModel:
    """Train again with the platform's closed deals, save, and serve the new model from now
    on (see `deals_from_closed` to turn closed deals into `DealLine` rows)."""
    path = Path(directory) if directory is not None else default_directory()
    model = build_model(platform_deals=platform_deals, progress=progress)
    model.save(path)
    model.meta["_savedAt"] = _saved_at(path)
    with _LOCK:
        _LOADED[path] = model
    return model


def model_card(meta: dict) -> str:
    """The model card of a trained model, in Markdown."""
    metrics = meta.get("metrics", {})
    worst = sorted(metrics.get("byCategory", {}).items(), key=lambda kv: -kv[1]["maePct"])[:3]
    lines = [
        f"# Model card: {meta['version']}",
        "",
        "Predicts a fair unit price band (low, fair, high) in ₹ for a quote line of medical "
        "equipment sold in India. Three LightGBM boosters on log(agreed / list price): a "
        "point model and 10th/90th percentile models, band widened by conformal calibration.",
        "",
        f"- Trained: {meta['trained_at']}",
        f"- Training data: {meta['rows']['historic']:,} generated historic deals "
        f"(services/pricing/deals.py) and {meta['rows']['platform']:,} closed platform deals "
        f"(weight {PLATFORM_DEAL_WEIGHT:g})",
        f"- Features: {', '.join(meta['features'])}",
        f"- Band target coverage: {100 * meta['band_coverage_target']:.0f}%; calibration "
        f"widening {meta['widen']:+.4f} (log ratio)",
        "",
    ]
    if metrics:
        lines += [
            f"## Held-out figures ({metrics['heldOutDeals']:,} deals never trained on)",
            "",
            f"- MAE of the fair price: **{metrics['maePct']}%** of the agreed price "
            f"(goal ≤ 6%); median error {metrics['medianAbsErrorPct']}%",
            f"- Rule of thumb (category median discount): {metrics['baselineMaePct']}% MAE",
            f"- Agreed price inside the band: **{metrics['bandCoveragePct']}%**; mean band "
            f"width {metrics['meanBandWidthPct']}% of fair",
            "- Weakest categories: " + ", ".join(f"{c} {m['maePct']}%" for c, m in worst),
            "",
        ]
    lines += [
        "## Limits",
        "",
        "- Historic deals are generated from a documented pricing logic with ~3.5% noise, "
        "not observed market data; closed platform deals correct it as they accumulate.",
        "- Unknown categories are priced from the other features with a wider band and "
        "halved confidence.",
        "- Bands are per unit; a quote's band is the sum of its lines' bands.",
        "",
    ]
    return "\n".join(lines)
