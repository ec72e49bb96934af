"""Sending background work to the Celery workers by task name."""

from __future__ import annotations


def send_task(name: str, *args) -> None:
    from workers.celery_app import celery_app
    celery_app.send_task(name, args=list(args))
