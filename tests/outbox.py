"""The outbox relay run in the test's own process, the way the Celery beat runs it."""

from __future__ import annotations

from services.events import service as outbox
from services.events.registry import load_modules, subscribers


def relay(rounds: int = 20) -> None:
    """What the `events.relay` beat task and its `events.deliver` tasks do, in this process:
    fan new events out to every subscriber, then run each due delivery, until none is due."""
    load_modules()
    subs = subscribers()
    for _ in range(rounds):
        outbox.fan_out(subs)
        due = outbox.lease_due()
        if not due:
            return
        for delivery_id in due:
            outbox.deliver(delivery_id, subs)
