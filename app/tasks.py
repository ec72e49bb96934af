"""Sending background work to the Celery workers by task name."""

from __future__ import annotations


def send_task(name: str, *args, eta=None) -> None:
    """Queue task `name`; with `eta` (an aware datetime) it runs no earlier than then."""
    from workers.celery_app import celery_app
    celery_app.send_task(name, args=list(args), eta=eta)
