"""Pricing: the `price_band` model of fair ₹ bands and the negotiation coach built on it.

- `deals`: historic deal lines (a seeded generator and the platform's closed deals).
- `model`: training, held-out figures, save/load and the in-memory model.
- `coach`: `coachTip` events for a quote line or a whole quote.
- `basis`: the comparable deals behind a band, and the confidence they give.
- `terms`: what the terms on the table are worth, from the quote's own prices.
- `drivers`, `words`: what moves a fair price, and how amounts and dates are said.
"""
