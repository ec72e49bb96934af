"""Triage of a field report: which kind of request it is, and how sure the model is.

A TF-IDF of character and word n-grams (Devanagari is read also in Latin letters, so Hindi,
Hinglish and English loanwords meet; character n-grams survive typos) feeds a calibrated
linear SVM, trained on the labelled reports in
`data/triage.csv` (its `split` column keeps a held-out set). The model is trained once per
process, on first use (well under a second); `evaluate` gives the model card's figures.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import pickle
import time
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from services.common.languages import language_file
from services.settings import get_settings
from services.whatsapp.romanise import romanise

if TYPE_CHECKING:  # scikit-learn takes seconds to import: only where a model is built or read
    from sklearn.pipeline import Pipeline

log = logging.getLogger("yantra.whatsapp")

DATASET = Path(__file__).parent / "data" / "triage.csv"
INTENTS = (
    "breakdown",
    "error_code",
    "pm_request",
    "consumables",
    "installation",
    "complaint",
    "other",
)
# In English for the service desk; the reporter's list is in their language (replies.py).
LABELS: dict[str, str] = dict(language_file("en")["intents"])
# Below this probability the dialogue asks which kind of request it is instead of guessing.
CONFIDENT = 0.45


def load(split: str | None = None) -> list[dict[str, str]]:
    """The labelled reports (all, or those of split "train" or "test")."""
    with DATASET.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if split is None or r["split"] == split]


def _normalise(text: str) -> str:
    """Lower case NFC text, with Devanagari also written in Latin letters, so "मशीन" and
    "machine"/"mashin" share character n-grams."""
    text = unicodedata.normalize("NFC", text or "").lower()
    latin = romanise(text)
    return text if latin == text else f"{text} | {latin}"


def build() -> Pipeline:
    """An untrained pipeline: word-bounded character 2-5-grams plus word 1-2-grams into a
    linear SVM, calibrated (3-fold) so its scores are probabilities."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    preprocessor=_normalise,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    preprocessor=_normalise,
                    token_pattern=r"(?u)\b\w+\b",
                ),
            ),
        ]
    )
    model = CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced", random_state=0), cv=3)
    return Pipeline([("features", features), ("model", model)])


def train(rows: list[dict[str, str]]) -> Pipeline:
    pipeline = build()
    pipeline.fit([r["text"] for r in rows], [r["intent"] for r in rows])
    return pipeline


@cache
def model() -> Pipeline:
    """The model of this process, trained on the training split; kept under var/models by
    the dataset's hash, so a restarted worker loads it instead of training again."""
    digest = hashlib.sha256(DATASET.read_bytes()).hexdigest()[:16]
    path = get_settings().var_dir / "models" / f"triage-{digest}.pickle"
    if path.exists():
        try:
            return pickle.loads(path.read_bytes())  # written by this code, below
        except Exception:  # a file from another scikit-learn: train again
            log.warning("triage: cached model %s unreadable; training again", path)
    pipeline = train(load("train"))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(pickle.dumps(pipeline))
    partial.replace(path)
    return pipeline


def classify(text: str) -> tuple[str, float]:
    """The most likely intent of a report and its probability (0-1). Empty text is
    "other" with confidence 0."""
    if not (text or "").strip():
        return "other", 0.0
    pipeline = model()
    probabilities = pipeline.predict_proba([text[:2000]])[0]
    best = probabilities.argmax()
    return str(pipeline.classes_[best]), float(probabilities[best])


def evaluate(timing: bool = True) -> dict:
    """Held-out figures for the model card: macro F1 overall and per language, the share
    asked instead of guessed, and the latency of one message."""
    from sklearn.metrics import classification_report, f1_score

    test = load("test")
    pipeline = model()
    predicted = list(pipeline.predict([r["text"] for r in test]))
    truth = [r["intent"] for r in test]
    per_language = {}
    for language in sorted({r["language"] for r in test}):
        idx = [i for i, r in enumerate(test) if r["language"] == language]
        per_language[language] = {
            "n": len(idx),
            "macro_f1": round(
                f1_score(
                    [truth[i] for i in idx],
                    [predicted[i] for i in idx],
                    average="macro",
                    zero_division=0,
                ),
                3,
            ),
        }
    confident = [classify(r["text"])[1] >= CONFIDENT for r in test]
    sure = [i for i, c in enumerate(confident) if c]
    timings: list[float] = []
    for r in test * (5 if timing else 0):
        start = time.perf_counter()
        classify(r["text"])
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "train_n": len(load("train")),
        "test_n": len(test),
        "macro_f1": round(f1_score(truth, predicted, average="macro"), 3),
        "per_language": per_language,
        "per_intent": classification_report(truth, predicted, output_dict=True, zero_division=0),
        "asked_share": round(1 - len(sure) / len(test), 3),
        "accuracy_when_confident": round(
            sum(truth[i] == predicted[i] for i in sure) / max(1, len(sure)), 3
        ),
        "latency_ms_p50": round(timings[len(timings) // 2], 2) if timings else None,
        "latency_ms_p99": round(timings[int(len(timings) * 0.99) - 1], 2) if timings else None,
    }
