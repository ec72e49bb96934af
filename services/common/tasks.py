"""Sending background work to the workers by task name.

Routers, states and services queue work through `send_task` and never import `workers/`.
The worker application (`workers/celery_app.py`) and this sender read the broker, queues
and routes from here, so a task sent by name lands on the queue a worker consumes."""

from __future__ import annotations

from functools import cache

from services.db import owner_url
from services.settings import get_settings


def broker_and_backend() -> tuple[str, str]:
    """REDIS_URL when set, else PostgreSQL through kombu's SQLAlchemy transport, so
    `make run` needs no extra server."""
    settings = get_settings()
    settings.require_fit_for_production()
    if settings.redis_url:
        return settings.redis_url, settings.redis_url
    url = owner_url()  # postgresql+psycopg://...
    return f"sqla+{url}", f"db+{url}"


def queues() -> tuple[str, str, str]:
    """The default queue, the SLA clocks' own queue (a burst of other work never delays a
    tick) and the urgent slot-ins' own (one never waits behind, nor holds up, a
    dispatcher's optimisation); each has a worker of its own (app/cli.py `_procfile`)."""
    queue = get_settings().celery_queue
    return queue, f"{queue}-sla", f"{queue}-urgent"


def task_routes() -> dict:
    """Tasks that go to a queue other than the default one."""
    _, sla, urgent = queues()
    return {"sla.tick": {"queue": sla}, "dispatch.slot_in": {"queue": urgent}}


@cache
def _sender():
    # Imported here: only a process that sends work needs Celery loaded.
    from celery import Celery

    broker, backend = broker_and_backend()
    sender = Celery("yantra-sender", broker=broker, backend=backend, set_as_current=False)
    sender.conf.update(
        task_default_queue=queues()[0],
        task_routes=task_routes(),
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
    )
    return sender


def send_task(name: str, *args, eta=None) -> None:
    """Queue task `name`; with `eta` (an aware datetime) it runs no earlier than then."""
    _sender().send_task(name, args=list(args), eta=eta)
