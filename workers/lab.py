"""The lab's periodic work: analyzer health (silence and faults open service tickets) and
reviewing results no console has reviewed yet, so auto-verification and critical values
never wait for a page to be open."""

from __future__ import annotations

import time

from services.db import system_session
from services.lab.health import check_analyzers
from services.lab.verification import BATCH, review_new_results
from workers.celery_app import celery_app


@celery_app.task(name="lab.health", ignore_result=True, expires=50)
def health() -> dict:
    outcome = check_analyzers()
    return {"opened": len(outcome.opened), "closed": len(outcome.closed)}


@celery_app.task(name="lab.review", ignore_result=True, expires=10)
def review() -> int:
    """Review batch after batch (each its own transaction) for up to 4 s of the 5 between
    runs, so a busy lab's results never queue up behind one batch a run."""
    started, reviewed = time.monotonic(), 0
    while time.monotonic() - started < 4:
        with system_session() as db:
            done = review_new_results(db)
        reviewed += done
        if done < BATCH:
            break
    return reviewed
