"""A small PNG chart of an alarm's evidence (the metric over time, the limit dashed), so
the ticket shows what the device did without opening the telemetry page."""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image, ImageDraw

from services.common.clock import IST

WIDTH, HEIGHT, PAD = 640, 240, 36


def evidence_png(points: list[dict], limit: float | None, title: str) -> bytes:
    """A line chart of `points` ({ts, value}) with the rule's limit; a PNG's bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((PAD, 8), title[:100], fill="#1f2937")
    draw.rectangle((PAD, PAD, WIDTH - 10, HEIGHT - PAD), outline="#d1d5db")
    values = [float(p["value"]) for p in points]
    if not values:
        draw.text((PAD + 10, HEIGHT // 2), "no readings in the window", fill="#6b7280")
        return _png(image)
    times = [datetime.fromisoformat(p["ts"]).timestamp() for p in points]
    low = min(values + ([limit] if limit is not None else []))
    high = max(values + ([limit] if limit is not None else []))
    span_v = (high - low) or 1.0
    span_t = (times[-1] - times[0]) or 1.0

    def xy(t: float, v: float) -> tuple[float, float]:
        x = PAD + (t - times[0]) / span_t * (WIDTH - 10 - PAD)
        y = HEIGHT - PAD - (v - low) / span_v * (HEIGHT - 2 * PAD)
        return x, y

    if limit is not None:
        y = xy(times[0], limit)[1]
        for x in range(PAD, WIDTH - 10, 12):
            draw.line((x, y, x + 6, y), fill="#dc2626", width=1)
        draw.text((WIDTH - 90, y - 14), f"limit {limit:g}", fill="#dc2626")
    line = [xy(t, v) for t, v in zip(times, values, strict=True)]
    if len(line) == 1:
        line.append(line[0])
    draw.line(line, fill="#2563eb", width=2)
    draw.text((4, PAD - 6), f"{high:g}", fill="#6b7280")
    draw.text((4, HEIGHT - PAD - 6), f"{low:g}", fill="#6b7280")
    first, last = (
        datetime.fromtimestamp(t, IST).strftime("%d %b %H:%M:%S IST") for t in (times[0], times[-1])
    )
    draw.text((PAD, HEIGHT - PAD + 6), first, fill="#6b7280")
    draw.text((WIDTH - 130, HEIGHT - PAD + 6), last, fill="#6b7280")
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
