"""Pricing: the `price_band` model of fair ₹ bands and the negotiation coach built on it.

- `deals`: historic deal lines (a seeded generator and the platform's closed deals).
- `model`: training, held-out figures, save/load and the in-memory model.
- `coach`: `coachTip` events for a quote line or a whole quote.
"""
